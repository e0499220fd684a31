"""The method's table: which kinds of task synthetic data fits, and the words that place a task
description in it. English words match at the start of a word ("summar" is summary, summarise,
summarize); Chinese ones anywhere. The risky rows take synthpipe.risk's words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from synthpipe.risk import risky_domains

YES, NO, UNSURE = "yes", "no", "unsure"
RECOMMENDED, CONDITIONAL, NOT_RECOMMENDED = "recommended", "conditional", "not_recommended"
TASKS = ("qa", "summarize", "rewrite", "classify", "dialogue")


def t(lang: str, pair: tuple[str, str], **values: Any) -> str:
    """The English or the Chinese text of `pair`, filled in."""
    return pair[lang == "zh"].format(**values)


@dataclass(frozen=True, slots=True)
class _Row:
    """One row of the method's table."""

    task: str | None  # the synthpipe task kind that makes this data
    verdict: str
    label: tuple[str, str]
    why: tuple[str, str]


_CLASSIFY_WHY = (
    "Simple classification fits only under three conditions: a closed label set, balanced labels, and "
    "a blind label check (a second model labels each text without seeing the proposed label).",
    "简单分类要满足三个条件才适合：标签集合封闭、各标签数量均衡、有盲标复核（第二个模型在看不到原标签的情况下重新标注）。",
)
_QA_WHY = (
    "The answers come from a document you have: the structure is question -> answer, and every answer "
    "can be checked against that document.",
    "答案来自你手上的文档：结构是“问题 → 答案”，每个答案都能对照文档核查。",
)
TABLE = {
    "faq": _Row("qa", RECOMMENDED, ("FAQ", "常见问题（FAQ）问答"), _QA_WHY),
    "policy_qa": _Row("qa", RECOMMENDED, ("policy QA", "政策、制度问答"), _QA_WHY),
    "qa": _Row("qa", RECOMMENDED, ("question answering (FAQ, policy QA)", "问答（FAQ、政策问答）"), _QA_WHY),
    "summary": _Row(
        "summarize",
        RECOMMENDED,
        ("summaries", "摘要"),
        (
            "A summary's input is the text itself, so anything it adds that the text does not say can be "
            "found by checking it against that text.",
            "摘要的输入就是原文：摘要里有没有原文没说的内容，对照原文就能查出来。",
        ),
    ),
    "rewrite": _Row(
        "rewrite",
        RECOMMENDED,
        ("rewrites", "改写、润色"),
        (
            "A rewrite keeps the meaning and changes the form: input and output are both at hand, and a "
            "changed fact can be caught.",
            "改写保留意思、只换说法：输入输出都在手边，事实有没有被改动可以查出来。",
        ),
    ),
    "dialogue": _Row(
        "dialogue",
        RECOMMENDED,
        ("3–6-round dialogues", "3–6 轮对话"),
        (
            "A 3–6-round dialogue has a clear shape (user and assistant take turns) that rules can check, "
            "and the assistant's turns can be checked against a source document.",
            "3–6 轮对话结构清楚（用户、助手轮流发言），规则能查，助手的回答也能对照来源文档核查。",
        ),
    ),
    "sentiment": _Row("classify", CONDITIONAL, ("sentiment classification", "情感分类"), _CLASSIFY_WHY),
    "intent": _Row("classify", CONDITIONAL, ("intent classification", "意图识别"), _CLASSIFY_WHY),
    "classification": _Row("classify", CONDITIONAL, ("simple classification", "简单分类"), _CLASSIFY_WHY),
    "medical_diagnosis": _Row(
        None,
        NOT_RECOMMENDED,
        ("medical diagnosis", "医疗诊断"),
        (
            "Medical diagnosis: a wrong answer reads as plausibly as a right one, neither rules nor a small "
            "model can tell them apart, and an error can harm someone.",
            "医疗诊断：错误的答案和正确的一样像样，规则和小模型都分辨不出，而一个错误就可能伤害到人。",
        ),
    ),
    "legal_judgement": _Row(
        None,
        NOT_RECOMMENDED,
        ("legal judgement", "法律判决"),
        (
            "Legal judgement turns on facts, jurisdiction and case law that a generator does not have; an "
            "invented ruling looks just like a real one.",
            "法律判决取决于具体事实、适用法域和判例，这些生成模型都不掌握；编造的判决看起来和真的一模一样。",
        ),
    ),
    "contract_validity": _Row(
        None,
        NOT_RECOMMENDED,
        ("contract validity", "合同效力判断"),
        (
            "Whether a contract is valid depends on the whole document, the law that governs it and the "
            "facts around it; a generated conclusion cannot be checked without a lawyer.",
            "合同是否有效取决于合同全文、适用的法律和相关事实；生成的结论离开律师就无法核查。",
        ),
    ),
    "multimodal": _Row(
        None,
        NOT_RECOMMENDED,
        ("multimodal pairs (images, audio or video with text)", "多模态数据（图片、语音、视频与文字的配对）"),
        (
            "synthpipe generates and checks text only; a text model that writes captions or transcripts "
            "for images or audio it cannot see or hear makes them up.",
            "synthpipe 只生成和检查文本；文本模型给它看不到的图片、听不到的音频写描述或转写，只能是编造。",
        ),
    ),
    "unknown": _Row(
        None,
        CONDITIONAL,
        ("not in the method's table", "不在方法表中"),
        (
            "The description matches no row of the method's table: decide from the three answers.",
            "描述对不上方法表中的任何一类：请根据三个问题的回答来判断。",
        ),
    ),
}
# synthpipe.risk's domains as rows of the table
RISK_ROWS = {
    "medical diagnosis": "medical_diagnosis",
    "legal judgement": "legal_judgement",
    "contract validity": "contract_validity",
    "multi-modal pairs": "multimodal",
}
# The rows a description can match, most specific first: "customer-service dialogues" is a dialogue, and
# "intent of customer-service messages" a classification. Words are separated by "|".
WORDS = [
    ("dialogue", "dialog|conversation|multi-turn|multi turn|multiturn|对话|多轮|会话"),
    ("summary", "summar|abstract|tl;dr|tldr|meeting notes|摘要|总结|概括|纪要|归纳"),
    (
        "rewrite",
        "rewrit|paraphras|rephras|polish|proofread|simplif|plain language|改写|润色|重写|转述|改成|扩写",
    ),
    ("sentiment", "sentiment|polarity|positive or negative|情感|情绪|正负面|好评|差评"),
    ("intent", "intent|意图"),
    ("classification", "classif|categori|label|tagging|分类|归类|打标|标签"),
    ("faq", "faq|frequently asked|常见问题"),
    ("policy_qa", "polic|handbook|regulation|guideline|政策|制度|规定|规章|手册|条款"),
    ("faq", "customer service|customer support|help center|help desk|客服|售后|帮助中心"),
    ("qa", "question answering|questions and answers|q&a|qa pair|answer question|问答|答疑"),
]
TASK_ROWS = dict(
    qa="qa", summarize="summary", rewrite="rewrite", classify="classification", dialogue="dialogue"
)
# A task in one of these domains that synthetic data fits still needs more than a sample read by a person.
HIGH_STAKES = (
    "medical|medicine|clinic|health|patient|legal|lawyer|financ|invest|insurance"
    "|医疗|医学|医院|健康|患者|法律|律师|金融|投资|保险"
)


def _pattern(words: str) -> re.Pattern[str]:
    return re.compile(
        "|".join(rf"(?<![a-z]){re.escape(w)}" if w.isascii() else re.escape(w) for w in words.split("|"))
    )


_PATTERNS = [(row, _pattern(words)) for row, words in WORDS]
_HIGH_STAKES = _pattern(HIGH_STAKES)
_WORD_REST = re.compile(r"[a-z-]*")


def hit(pattern: re.Pattern[str], text: str) -> str | None:
    """The word of `text` that `pattern` finds in its lower case (a stem grown to its whole word), as
    `text` writes it, or None."""
    low = text.lower()
    m = pattern.search(low)
    if m is None:
        return None
    end = m.end()
    if m.group(0).isascii():
        end += len(_WORD_REST.match(low, end).group(0))  # type: ignore[union-attr]  (it matches "" at worst)
    return (text if len(low) == len(text) else low)[m.start() : end]


def place(text: str) -> tuple[str, list[str], dict[str, list[str]]]:
    """(row, the words that placed it, every risky domain with its words) for a description. A risky
    domain wins; then the most specific row that matches; "unknown" when none does."""
    risky = risky_domains(text, described=True)
    if risky:
        domain, words = next(iter(risky.items()))
        return RISK_ROWS.get(domain, "unknown"), words, risky
    for row, pattern in _PATTERNS:
        word = hit(pattern, text)
        if word:
            return row, [word], {}
    return "unknown", [], {}


def high_stakes(text: str) -> str | None:
    """The word of `text` that names a high-stakes domain (medical, legal, finance…), or None."""
    return hit(_HIGH_STAKES, text)
