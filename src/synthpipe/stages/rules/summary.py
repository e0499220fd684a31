"""Summary rules: `not_condensed` and `low_coverage`, comparing the output with the `input` it summarises.

- `not_condensed`: the summary is at least `NOT_CONDENSED_RATIO` (0.85) of its input's length, measured
  in rough words on one scale for both languages (1.5 Han characters a word). Inputs under
  `MIN_INPUT_WORDS` (30) are left alone: a one-sentence input leaves a summary nothing to drop, and
  what is wrong with a padded one (facts the input lacks) is grounding's and the judge's business.
- `low_coverage`: the summary keeps less than `MIN_COVERAGE` (0.15) of the input's content: its content
  words (Chinese: content characters), numbers and names, numbers and names counting double. A
  paraphrase keeps far more than that; a vague line ("公司调整了一项员工福利政策。") does not. A request
  to pick out a sentence ("摘出最重要的一句", "quote the key sentence") is left alone.

Both skip records without an input, and summaries in another language than their input (a Chinese
summary of an English text can be neither measured nor compared word by word). The ratio is
`checks.summary_max_ratio` (default NOT_CONDENSED_RATIO).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from synthpipe.core.records import Reason
from synthpipe.stages.rules.answer import only_acknowledgement
from synthpipe.stages.rules.content import Units, number_in

if TYPE_CHECKING:
    from synthpipe.stages.rules import RuleChecker
    from synthpipe.stages.rules.doc import Doc

STAGE = "rules"
NOT_CONDENSED_RATIO = 0.85
MIN_INPUT_WORDS = 30.0
MIN_COVERAGE = 0.15
_KEY_WEIGHT = 2.0  # a number or a name counts as much as two content words
_EXTRACT = re.compile(
    r"摘出|摘录|摘抄|摘取|原句|原文中|引用|找出.{0,6}句|\bquote\b|\bextract\b|\bpick\b|\bcopy\b|\bexact sentence\b",
    re.I,
)


def pair(doc: Doc, ck: RuleChecker) -> tuple[Units, Units] | None:
    """(input, output) units of a record with both, in the same language; else None. An output that is
    only an acknowledgement is filler_answer's to report."""
    inp, out = doc.fields.get("input"), doc.fields.get("output")
    if not isinstance(inp, str) or not isinstance(out, str) or not inp.strip() or not out.strip():
        return None
    if only_acknowledgement(doc.compact(out), ck):
        return None
    i, o = Units(inp), Units(out)
    if i.is_zh != o.is_zh or (not i.han and not i.words) or (not o.han and not o.words):
        return None
    return i, o


def coverage(i: Units, o: Units) -> tuple[float, int]:
    """Weighted share of the input's content units, numbers and names found in the output, and how many
    content units the input has."""
    units, found = (i.chars, o.chars) if i.is_zh else (i.words, o.words)
    hits = len(units & found)
    nums = [n for n in i.numbers if number_in(n, o.numbers)]
    names = [n for n in i.names if n in o.norm]
    total = len(units) + _KEY_WEIGHT * (len(i.numbers) + len(i.names))
    kept = hits + _KEY_WEIGHT * (len(nums) + len(names))
    return (kept / total if total else 1.0), len(units)


def _ratio(ck: RuleChecker) -> float:
    return ck.cfg.summary_max_ratio


def rule_not_condensed(doc: Doc, ck: RuleChecker) -> list[Reason]:
    p = pair(doc, ck)
    if p is None:
        return []
    i, o = p
    limit = _ratio(ck)
    if i.size < MIN_INPUT_WORDS or o.size < limit * i.size:
        return []
    return [
        Reason(
            "not_condensed",
            f"output: {o.size / i.size:.0%} of the input's length (a summary stays under {limit:.0%})",
            STAGE,
        )
    ]


def rule_low_coverage(doc: Doc, ck: RuleChecker) -> list[Reason]:
    p = pair(doc, ck)
    if p is None or _EXTRACT.search(str(doc.fields.get("instruction", ""))):
        return []
    i, o = p
    share, n_units = coverage(i, o)
    if n_units < 5 or share >= MIN_COVERAGE:
        return []
    return [
        Reason(
            "low_coverage",
            f"output: keeps {share:.0%} of the input's content words, numbers and names (at least "
            f"{MIN_COVERAGE:.0%} expected)",
            STAGE,
        )
    ]
