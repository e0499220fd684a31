"""`filler_answer`: an answer that is only an acknowledgement ("好的。", "Sure.", "Got it.") where the request
expects content.

- A qa answer made only of acknowledgement phrases (the filler list plus "可以", "Yes", "Done", "以下是摘要")
  is a defect, unless the question is a yes/no question and the answer holds a yes/no word: "Yes." to
  "Can I pay with PayPal?" and "可以。" to "这件外套可以退吗？" are fair answers; "Got it." is not.
- A summary or rewrite that is only an acknowledgement is always a defect.
- Left alone: an input that is itself an acknowledgement (rewriting "好哒～" gives "好的。"), a question
  about words ("“收到”用英语怎么说？", "What does 'roger' mean?"), and an answer in another script than
  the question (a translation).

Yes/no questions: in English, a question that opens with an auxiliary verb ("Do", "Is", "Can", "Will"…)
or ends in a tag (", right?"), unless it is a request ("Can you explain…") or holds a question word
("Do you know how…") or offers a choice ("cash or card?"). In Chinese, 吗 at the end or an A-not-A form
(是否, 能不能, 可不可以, 有没有, 是不是…), unless it holds a question word (什么, 怎么, 多久…) or asks for
something to be done (能告诉我…吗).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from synthpipe.core.records import Reason
from synthpipe.lang import compact, has_han
from synthpipe.stages.rules.text import Filler, asks_for_other_language

if TYPE_CHECKING:
    from synthpipe.stages.rules import RuleChecker
    from synthpipe.stages.rules.doc import Doc

STAGE = "rules"
_TRANSFORMS = (
    "summarize",
    "rewrite",
)  # kinds whose answer transforms an input: an acknowledgement never is one

# Acknowledgements an answer may be made of, beyond the dialogue filler list (compact()ed on use).
# fmt: off
_ACKS = (
    "可以", "可以的", "行", "行的", "好哒", "哒", "是", "是的", "对", "对的", "不", "不是", "没有", "收到啦",
    "完成", "已完成", "搞定", "马上", "这就去", "这就办", "以下是", "如下", "下面是", "摘要", "摘要如下",
    "总结如下", "改写如下", "改写后", "已改写", "已总结", "这是", "给您", "给你", "请看",
    "yes", "yeah", "yep", "yup", "no", "nope", "done", "will do", "on it", "here you go", "here you are",
    "here it is", "here is", "here's", "heres", "below is", "as follows", "the summary", "summary",
    "the rewrite", "rewritten version", "the rewritten version", "the rewritten text", "no problem at all",
    "sure no problem", "consider it done", "here's how", "here is how", "heres how", "here's what to do",
    "here are the steps", "the steps are", "步骤如下", "方法如下", "答案如下", "回答如下",
)
# Words that answer a yes/no question.
_YES_NO = (
    "是", "是的", "对", "对的", "不", "不是", "不对", "没有", "有", "可以", "可以的", "不可以", "行", "不行",
    "能", "不能", "会", "不会", "要", "不要", "需要", "不需要", "不用", "当然", "当然可以", "当然不", "没问题",
    "没错", "正确", "支持", "不支持", "提供", "不提供",
    "yes", "yeah", "yep", "yup", "no", "nope", "sure", "sure thing", "certainly", "absolutely", "definitely",
    "of course", "correct", "right", "indeed", "true", "false", "not at all", "never", "always",
    "of course not", "certainly not", "absolutely not", "not really",
)
# fmt: on
_YES_NO_KEYS = frozenset(filter(None, map(compact, _YES_NO)))

# --- questions -------------------------------------------------------------------------------------
_EN_AUX = re.split(
    r"\s+",
    "do does did is are was were am can could will would should shall may might must have has had "
    "isn't aren't wasn't weren't don't doesn't didn't can't couldn't won't wouldn't shouldn't haven't "
    "hasn't hadn't",
)
_EN_LEAD = re.compile(
    r"^(?:(?:hi|hello|hey|excuse me|sorry|quick question|question|so|and|also|btw|by the way|ok|okay|"
    r"please|just wondering|i was wondering|i wonder|one more thing)[,:!.\s-]+)+",
    re.I,
)
_EN_YES_NO = re.compile(r"^(?:" + "|".join(re.escape(w) for w in _EN_AUX) + r")\b", re.I)
_EN_TAG = re.compile(
    r",\s*(?:right|correct|yes|no|isn't it|aren't they|don't they|doesn't it|is it|ok|okay)\s*\?\s*$", re.I
)
_EN_WH = re.compile(r"\b(?:how|what|what's|when|where|why|which|who|whom|whose)\b", re.I)
_EN_REQUEST = re.compile(
    r"^\w+(?:n't)?\s+(?:you|u)\s+(?:please\s+)?(?:tell|explain|describe|show|list|give|help|recommend|suggest|"
    r"walk|write|summari[sz]e|provide|share|send|check|find|let|outline|compare|draft|translate|name)\b",
    re.I,
)
_EN_CHOICE = re.compile(r"\bor\b(?!\s+not\b)", re.I)
_ZH_YES_NO = re.compile(
    r"[吗嘛么][\s？?！!。~～]*$|是否|(?P<a>[\u4e00-\u9fff])不(?P=a)|有没有|了没有?[\s？?]*$|[没不]有?[？?]\s*$"
    r"|对吧|是吧|好吧[？?]|行吧[？?]|可不可以|需不需要|能不能|要不要|用不用"
)
_ZH_WH = re.compile(r"什么|怎么|怎样|如何|为什么|为何|哪|多少|几|谁|多久|多长|多大|多远|多高|何时|何地|啥")
_ZH_REQUEST = re.compile(
    r"(?:能|可以|可不可以|能不能|麻烦|请)(?:你|您)?(?:帮我|帮忙|给我|为我|告诉|介绍|说明|解释|讲|列|写|推荐|提供|发|分享|总结|翻译)"
)
# A question about words: the acknowledgement is then the content.
_ABOUT_WORDS = re.compile(
    r"怎么说|如何说|用\w{1,4}(?:语|文)|意思|近义词|同义词|反义词|翻译|\bmean(?:s|ing)?\b|\bsynonym|\bantonym|"
    r"\bhow (?:do|would|can) (?:you|i) say\b|\btranslat|\bin (?:english|chinese|french|spanish|japanese)\b"
    r"|[\"“「『'‘][^\"”」』'’\n]{1,24}[\"”」』'’]",
    re.I,
)
_SENTENCES = re.compile(r"[^.!?。！？\n]*[?？]|[^.!?。！？\n]+[.!。！]?")


def question_sentence(text: str) -> str:
    """The last sentence that asks something (ends in a question mark), else the last sentence."""
    parts = [p.strip() for p in _SENTENCES.findall(text) if p.strip()]
    asked = [p for p in parts if p.endswith(("?", "？"))]
    return (asked or parts or [""])[-1]


def is_yes_no(question: str) -> bool:
    """True for a question that a yes or a no answers (see the module docstring)."""
    q = question_sentence(question)
    if not q:
        return False
    if has_han(q):
        return bool(_ZH_YES_NO.search(q)) and not _ZH_WH.search(q) and not _ZH_REQUEST.search(q)
    q = _EN_LEAD.sub("", q).strip()
    if _EN_TAG.search(q):
        return True
    return (
        bool(_EN_YES_NO.match(q))
        and not _EN_REQUEST.match(q)
        and not _EN_WH.search(q)
        and not _EN_CHOICE.search(q)
    )


# --- the rule --------------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _matchers(filler: frozenset[str]) -> tuple[Filler, frozenset[str]]:
    phrases = filler | {k for k in map(compact, (*_ACKS, *_YES_NO)) if k}
    return Filler(frozenset(phrases)), phrases


def only_acknowledgement(s: str, ck: RuleChecker) -> bool:
    """compact()ed `s` is made only of acknowledgement phrases."""
    return bool(s) and len(s) <= 60 and _matchers(ck.filler)[0].covers(s)


def answers_yes_no(s: str, phrases: frozenset[str]) -> bool:
    """Whether compact()ed `s` splits into `phrases` with at least one yes/no word among them."""
    n = len(s)
    # state[i]: None = s[:i] not reached; False = reached; True = reached with a yes/no word
    state: list[bool | None] = [False] + [None] * n
    for i in range(n):
        if state[i] is None:
            continue
        for j in range(i + 1, n + 1):
            piece = s[i:j]
            if piece in phrases:
                flag = bool(state[i]) or piece in _YES_NO_KEYS
                if state[j] is None or (flag and not state[j]):
                    state[j] = flag
    return bool(state[n])


def rule_filler_answer(doc: Doc, ck: RuleChecker) -> list[Reason]:
    kind = ck.kind
    name = kind.answer_fields[0] if kind.answer_fields else ""
    output = doc.fields.get(name)
    if not isinstance(output, str):
        return []
    s = doc.compact(output)
    if not only_acknowledgement(s, ck):
        return []
    covering, phrases = _matchers(ck.filler)
    instruction = kind.prompt(doc.fields, with_optional=False)
    inp = doc.fields.get("input")
    if isinstance(inp, str) and inp.strip() and covering.covers(doc.compact(inp)):
        return []  # the text to rewrite or summarise is itself an acknowledgement
    if _ABOUT_WORDS.search(instruction) or has_han(output) != has_han(instruction):
        return []
    lang = "zh" if has_han(instruction) else "en"
    if asks_for_other_language(instruction, lang):
        return []
    transform = kind.name in _TRANSFORMS
    if not transform and is_yes_no(instruction) and answers_yes_no(s, phrases):
        return []
    what = f"a {kind.name} request" if transform else "a question that expects content"
    return [
        Reason("filler_answer", f"{name}: only an acknowledgement ({output.strip()[:30]!r}) to {what}", STAGE)
    ]
