"""Short topic phrases and request kinds read off a failing prompt, for the next round's recipe.

No model: a few words of the prompt's first clause once the question words are stripped ("How long do I
have to return a tent?" -> "return a tent"; "请问帐篷坏了怎么退货？" -> "帐篷坏了怎么退货"; a clause
that stays longer than 10 Han characters gives none) and a request kind from its cue words, named as the
planner's default kinds (`how-to`, `troubleshooting`…; `操作步骤`, `故障排查`…). A phrase is a hint for
the generator, not a label: when in doubt it gives none.
"""

from __future__ import annotations

import re

MAX_CONTENT_WORDS = 3  # content words of an English phrase (the small words between them come along)
MAX_HAN = 10


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_LEAD_EN = _words(
    """how what when where why who whom which whose can could may might do does did is are was were am
    i i'm im my me we our us you your should shall would will to have has had get got long much many
    often soon the a an if it its it's there please tell explain about any some so and or but then also
    just still really actually need want like know help ok okay hi hello hey that this these those be
    been being of for on in at with from by as not no yes there's what's how's"""
)
# A phrase ends before these: a new clause, or a person rather than the thing asked about.
_BREAK_EN = _words(
    """i we you he she they it me my your our their if because when since so but while that which who
    whose before after although though unless whether once"""
)
_TAIL_EN = _LEAD_EN | _words(
    "and or of to for on in at with a an the from between into go goes gets happen happens work works mean means"
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")
_CLAUSE = re.compile(r"[.?!;:\n。？！；：，,]")

_LEAD_ZH = sorted(
    _words(
        "请问 你好 您好 我想问一下 我想问 我想知道 我想 我要 我们 我的 我 你们 你 请 麻烦 如果 怎么 如何 为什么 是否 能否 能不能 可不可以 可以 要 想"
    ),
    key=len,
    reverse=True,
)
_TAIL_ZH = sorted(
    _words(
        "吗 呢 吧 啊 了 么 怎么办 怎么处理 怎么样 怎么 如何 多久 多长时间 是什么 什么 可以 能 需要 一般 大概 通常"
    ),
    key=len,
    reverse=True,
)
_HAN = re.compile(r"[\u4e00-\u9fff]")


def topic_phrase(text: str, language: str) -> str | None:
    """A short topic phrase from the first clause of `text`, or None."""
    clause = next((c.strip() for c in _CLAUSE.split(text) if c.strip()), "")
    if not clause:
        return None
    return _phrase_zh(clause) if language == "zh" or _HAN.search(clause) else _phrase_en(clause)


def _phrase_en(clause: str) -> str | None:
    words = _WORD.findall(clause)
    lower = [w.lower().replace("’", "'") for w in words]
    i = 0
    while i < len(words) and lower[i] in _LEAD_EN:
        i += 1
    out: list[str] = []
    content = 0
    for lw in lower[i:]:
        if lw in _BREAK_EN or content == MAX_CONTENT_WORDS:
            break
        out.append(lw)
        content += lw not in _TAIL_EN
    while out and out[-1] in _TAIL_EN:
        out.pop()
    if not out or (len(out) == 1 and len(out[0]) < 4):
        return None
    return " ".join(out)


def _strip(text: str, parts: list[str], front: bool) -> str:
    changed = True
    while changed and text:
        changed = False
        for p in parts:
            if front and text.startswith(p):
                text, changed = text[len(p) :], True
            elif not front and text.endswith(p):
                text, changed = text[: -len(p)], True
    return text


def _phrase_zh(clause: str) -> str | None:
    text = re.sub(r"\s+", "", clause)
    text = _strip(text, _LEAD_ZH, front=True)
    text = _strip(text, _TAIL_ZH, front=False)
    han = len(_HAN.findall(text))
    if han < 2 or len(text) > MAX_HAN:
        return None
    return text


# (index into the planner's default request kinds, cue words in English, in Chinese), in priority order
_KINDS = (
    (
        2,
        r"\b(error|broken|not working|doesn't work|does not work|won't|failed|fails|problem|issue|"
        r"snapped|damaged|missing|never arrived|stuck)\b",
        r"报错|无法|不能用|坏了|失败|出错|没收到|损坏|故障|打不开",
    ),
    (
        3,
        r"\b(compare|comparison|vs\.?|versus|difference|better|which one)\b",
        r"区别|比较|哪个|还是|更好|不同",
    ),
    (5, r"\b(what if|what happens|even if|except|unless)\b|^if\b", r"如果|万一|假如|要是|超过|过了|特殊"),
    (0, r"^(how (do|can|should|to|would)|steps?\b)|\bhow to\b", r"怎么|如何|步骤|流程|怎样"),
    (1, r"^(what (is|are|does)|what's|define)\b|\bmeaning of\b", r"什么是|是什么|指什么|意思"),
    (
        4,
        r"^(can|may|is|are|am|do|does|must|should)\b|\b(allowed|policy|eligible|required|free)\b",
        r"可以|能否|能不能|是否|允许|需要|必须|吗",
    ),
)


def question_kind(text: str, language: str) -> str | None:
    """The request kind of a prompt, named as the planner's default kinds of `language` (how-to,
    troubleshooting…; 操作步骤, 故障排查…), or None."""
    from synthpipe.prompts.plan import DEFAULT_QUESTION_TYPES

    clause = text.strip().lower()
    zh = bool(_HAN.search(clause))
    for index, en, cn in _KINDS:
        if re.search(cn if zh else en, clause):
            return DEFAULT_QUESTION_TYPES["zh" if language == "zh" else "en"][index]
    return None
