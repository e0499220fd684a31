"""Rewrite rules: `not_rewritten` and `meaning_drift`, comparing the output with the `input` it rewrites.

- `not_rewritten`: after removing case, width, spaces and punctuation, the output's characters (Chinese)
  or words (English) match the input's at a similarity of `NEAR` (0.85) or more ("…能不能请半天假呢？"
  for "…能不能请半天假？"). Left alone when the instruction asks for an edit that keeps the words: typos,
  grammar, punctuation, spelling, a word swapped, "其他不变", removing filler words, a bullet list.
- `meaning_drift`, any of:
  - a number of the input is gone and a new one stands in its place ("5 天" -> "两周"), or at least half of
    the input's numbers are gone (unless the instruction asks for a shorter or simpler text: a headline may
    drop a date);
  - a name of the input is gone and a new one stands in its place ("Lisa" -> "Dana");
  - a direction flips: the input only goes up (上调, increase) and the rewrite only down (降价, drop), or
    the other way round;
  - the output keeps less than `MIN_OVERLAP` (0.2) of the input's content words (Chinese: content
    characters) and numbers, when the input has at least 4 content units. A paraphrase in other words
    keeps more than that ("最近降温挺厉害" keeps 近, 降, 温 of "近期气温骤降").
`meaning_drift` leaves templates and anonymised texts alone, which replace particulars on purpose. Both
skip records without an input and translations (the instruction asks for another language, or the
output is in another language than the input).
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from synthpipe.core.records import Reason
from synthpipe.lang import compact
from synthpipe.stages.rules.content import Units, missing_numbers
from synthpipe.stages.rules.summary import pair
from synthpipe.stages.rules.text import TEMPLATE_CONTEXT, asks_for_other_language

if TYPE_CHECKING:
    from synthpipe.stages.rules import RuleChecker
    from synthpipe.stages.rules.doc import Doc

STAGE = "rules"
NEAR = 0.85
MIN_OVERLAP = 0.2
_KEY_WEIGHT = 2.0

# Edits that keep most of the words: corrections, swaps, removals and changes of layout.
_SMALL_EDIT = re.compile(
    r"错别字|错字|改错|纠错|纠正|校对|勘误|语病|病句|标点|大小写|拼写|不变|只改|仅改|换成|替换|改成繁体|改成简体|"
    r"删除|删去|去掉|去除|清理|列表|分点|要点形式|表格|格式|排版|"
    r"typo|spelling|grammar|proofread|punctuat|capitali[sz]|british|american|replace|keep (?:everything|the rest)|"
    r"only change|minimal|remove|delete|strip|clean up|bullet|list|table|json|markdown|format",
    re.I,
)
# Requests whose output drops the input's particulars by design.
_NO_PARTICULARS = re.compile(r"匿名|脱敏|隐去|去掉个人信息|anonymi[sz]|redact|de-?identif|generic", re.I)
_SHORTER = re.compile(
    r"缩写|精简|简短|简化|压缩|删减|标题|一句话|短一点|更短|大白话|通俗|小学生|孩子|口语|"
    r"shorten|shorter|headline|title|condense|brief|concise|simplif|plain|simple|tl;?dr|one sentence|kid|child|"
    r"year-old|casual",
    re.I,
)
_UP = re.compile(
    r"上调|上涨|涨价|提价|提高|增加|增长|上升|\b(?:increas\w*|ris(?:e|es|ing|en)|rose|rais\w*|go(?:es)? up|went up|higher)\b",
    re.I,
)
_DOWN = re.compile(
    r"下调|下降|降价|降低|减少|下滑|回落|\b(?:decreas\w*|fall(?:s|ing)?|fell|drop\w*|cut(?:s|ting)?|lower\w*|reduc\w*|go(?:es)? down|went down|cheaper)\b",
    re.I,
)
_WORD = re.compile(r"\w+")


def _instruction(doc: Doc) -> str:
    value = doc.fields.get("instruction")
    return value if isinstance(value, str) else ""


def _translation(doc: Doc, i: Units) -> bool:
    return asks_for_other_language(_instruction(doc), "zh" if i.is_zh else "en")


def similarity(a: str, b: str, zh: bool) -> float:
    """How alike two texts are after removing case, width, spaces and punctuation: by characters for
    Chinese, by words for English."""
    if zh:
        x, y = compact(a), compact(b)
    else:
        x, y = _WORD.findall(compact_words(a)), _WORD.findall(compact_words(b))
    if not x or not y:
        return 0.0
    return SequenceMatcher(None, x, y, autojunk=False).ratio()


def compact_words(text: str) -> str:
    """Lower-cased words separated by single spaces, punctuation removed."""
    return " ".join(_WORD.findall(text.lower().replace("'", "").replace("’", "")))


def _near_copy(doc: Doc, i: Units, o: Units) -> float | None:
    """The similarity when the output is a near copy of the input, else None."""
    size = len(compact(i.text)) if i.is_zh else len(_WORD.findall(i.text))
    if size < (6 if i.is_zh else 4):
        return None
    sim = similarity(i.text, o.text, i.is_zh)
    return sim if sim >= NEAR else None


def rule_not_rewritten(doc: Doc, ck: RuleChecker) -> list[Reason]:
    p = pair(doc, ck)
    if p is None or _SMALL_EDIT.search(_instruction(doc)) or _translation(doc, p[0]):
        return []
    sim = _near_copy(doc, *p)
    if sim is None:
        return []
    return [Reason("not_rewritten", f"output: {sim:.0%} the same as the input", STAGE)]


def drift(doc: Doc, i: Units, o: Units) -> str | None:
    """Why the output's meaning drifts from the input's (see the module docstring), or None."""
    instruction = _instruction(doc)
    if TEMPLATE_CONTEXT.search(instruction) or _NO_PARTICULARS.search(instruction):
        return None  # a template or an anonymised text replaces the particulars on purpose
    gone, new = missing_numbers(i.numbers, o.numbers), missing_numbers(o.numbers, i.numbers)
    if gone and new:
        return f"numbers changed: {', '.join(gone[:3])} -> {', '.join(new[:3])}"
    if gone and 2 * len(gone) >= len(i.numbers) and not _SHORTER.search(instruction):
        return f"numbers dropped: {', '.join(gone[:3])}"
    names_gone = sorted(n for n in i.names if n not in o.norm)
    names_new = sorted(n for n in o.names if n not in i.norm)
    if names_gone and names_new:
        return f"names changed: {', '.join(names_gone[:3])} -> {', '.join(names_new[:3])}"
    up_in, down_in = bool(_UP.search(i.norm)), bool(_DOWN.search(i.norm))
    up_out, down_out = bool(_UP.search(o.norm)), bool(_DOWN.search(o.norm))
    if up_in != down_in and up_out != down_out and up_in != up_out:
        return "the direction flips: " + ("up -> down" if up_in else "down -> up")
    units, found = (i.chars, o.chars) if i.is_zh else (i.words, o.words)
    if len(units) >= 4:
        kept = len(units & found) + _KEY_WEIGHT * (len(i.numbers) - len(gone))
        share = kept / (len(units) + _KEY_WEIGHT * len(i.numbers))
        if share < MIN_OVERLAP:
            return f"keeps {share:.0%} of the input's content"
    return None


def rule_meaning_drift(doc: Doc, ck: RuleChecker) -> list[Reason]:
    p = pair(doc, ck)
    if p is None or _translation(doc, p[0]):
        return []
    why = drift(doc, *p)
    return [Reason("meaning_drift", f"output: {why}", STAGE)] if why else []
