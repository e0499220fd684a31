"""augment_check: what only a derived record can get wrong, decided against its parent and its siblings.
The usual stages (rules, grounding, agreement, judge, dedup) follow it.

- `augment_copy`: the rewritten parts are the parent's again, or a sibling's, at `copy_similarity` (0.9)
  or more after removing case, width, spaces and punctuation (by characters for Chinese, by words for
  English: the similarity `not_rewritten` uses), or, in English, one word apart. A sibling counts once it
  has passed this stage, so of two copies the first decided is kept.
- `wrong_language`: the rewritten parts are not in the parent's language (after a back-translation's
  last hop, for example), or a back-translation's pivot hop is still in the parent's language (the model
  did not translate: no round trip happened). Text too short or too mixed to tell is left alone.
- `fact_changed`: a number (3 = three = 三) or a name of the parent's parts is lost or replaced, or a
  new one appears.
- `meaning_drift`: a question (paraphrased or back-translated) became a statement; or the parts keep
  less than `min_similarity` (0.2) of the parent's content units
  (stemmed English content words, Chinese content characters; numbers and names left out), judged when
  the parent has at least 3 of them; with `augment.embedding`, also a cosine below `min_cosine` with the
  local all-MiniLM-L6-v2.
Stance transfer changes the meaning on purpose: it gets `augment_copy` and `wrong_language` only.
Records that are not derived pass untouched.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from synthpipe.core.records import Record
from synthpipe.lang import detect_language
from synthpipe.stages.augment import methods as M
from synthpipe.stages.augment.stage import is_derived, parent_language, pivot_text
from synthpipe.stages.base import RecordStage, StageContext
from synthpipe.stages.rules.content import Units, missing_numbers
from synthpipe.stages.rules.rewrite import similarity
from synthpipe.tasks import get_task

if TYPE_CHECKING:
    from synthpipe.recipe import Recipe

STAGE = "augment_check"
CODES = {
    "augment_copy": "the derived record repeats its parent or a sibling",
    "wrong_language": "the derived record is not in its parent's language",
    "fact_changed": "a number or name of the parent is lost or replaced",
    "meaning_drift": "the derived record keeps too little of its parent's content",
}
_MIN_UNITS = 3


def content_share(parent: Units, child: Units) -> tuple[float, int]:
    """Share of the parent's content units the child keeps, and how many the parent has. Numbers and
    names are left out: fact_changed judges them, and a question that keeps only its number and place
    ("… 12 new hires in Berlin?" -> "Where can 12 people in Berlin park?") is not the same question."""
    units, found = (parent.chars, child.chars) if parent.is_zh else (parent.words, child.words)
    names = {n.lower() for n in parent.names}
    units = {u for u in units if u not in names}
    return (len(units & found) / len(units) if units else 1.0), len(units)


def changed_facts(parent: Units, child: Units) -> str | None:
    """Numbers or names of the parent that the child lost, or that it added: a rewrite that brings a new
    number or name ("every 12 months", "at Acme") states a fact its parent did not."""
    gone = missing_numbers(parent.numbers, child.numbers)
    if gone:
        return f"numbers lost: {', '.join(gone[:3])}"
    names = sorted(n for n in parent.names if n not in child.norm)
    if names:
        return f"names lost: {', '.join(names[:3])}"
    # Added numbers count when written in digits: a number word in a rewrite is as often an idiom
    # ("哪一天", "一般", "once") as a new fact.
    digits = set(_DIGITS.findall(child.text))
    new = [n for n in missing_numbers(child.numbers, parent.numbers) if n in digits]
    if new:
        return f"numbers added: {', '.join(new[:3])}"
    names = sorted(n for n in child.names if n not in parent.norm)
    if names:
        return f"names added: {', '.join(names[:3])}"
    return None


_QUESTION_MARK = ("?", "？")
_DIGITS = re.compile(r"\d+(?:[.:]\d+)?")
_WORD = re.compile(r"\w+")


def one_word_apart(a: str, b: str) -> bool:
    """English texts of 4 words or more that differ in one word ("each month" / "every month"): a copy,
    though a short text's similarity stays under `copy_similarity`."""
    x, y = _WORD.findall(a.lower()), _WORD.findall(b.lower())
    if min(len(x), len(y)) < 4 or abs(len(x) - len(y)) > 1:
        return False
    same = sum(block.size for block in SequenceMatcher(None, x, y, autojunk=False).get_matching_blocks())
    return max(len(x), len(y)) - same <= 1


def lost_question(parent: str, child: str) -> bool:
    """A question rewritten into a statement ("When does the library close?" -> "The library closes at
    5."): a paraphrase or back-translation of a question must still ask it."""
    return parent.rstrip().endswith(_QUESTION_MARK) and not any(q in child for q in _QUESTION_MARK)


class AugmentCheckStage(RecordStage):
    name = STAGE
    batch_size = 256

    def __init__(self, recipe: Recipe, parents: dict[str, Record]) -> None:
        self.recipe = recipe
        self.cfg = recipe.augment
        self.kind = get_task(recipe.task)
        self.parents = parents
        self.methods = dict(zip(M.method_keys(self.cfg.methods), self.cfg.methods, strict=True))
        self._siblings: dict[tuple[str, str], list[tuple[int, str]]] = {}
        self._embedder: Any = None

    @classmethod
    def from_recipe(
        cls, recipe: Recipe, *, parents: dict[str, Record] | None = None, **_: Any
    ) -> AugmentCheckStage | None:
        if not recipe.augment.methods:
            return None
        return cls(recipe, parents if parents is not None else {})

    async def open(self, ctx: StageContext) -> None:
        for rec in ctx.earlier:  # siblings accepted by an earlier run into the same output
            if is_derived(rec) and rec.meta.parent_id in self.parents:
                self._remember(rec)
        if self.cfg.embedding:
            from synthpipe.stages.dedup.embed import LocalEmbedder

            self._embedder = LocalEmbedder()

    async def close(self) -> dict[str, Any]:
        return {
            "copy_similarity": self.cfg.copy_similarity,
            "min_similarity": self.cfg.min_similarity,
            "embedding": self.cfg.embedding,
        }

    def apply(self, rec: Record) -> None:
        if not is_derived(rec):
            return
        info = rec.meta.extra["augment"]
        parent = self.parents.get(rec.meta.parent_id or "")
        method = self.methods.get(info.get("key", ""))
        if parent is None or method is None:
            return
        name = method.method
        p_parts = M.targets(self.kind, name, parent.fields)
        keys = [k for k, _ in p_parts]
        c_parts = dict(M.targets(self.kind, name, rec.fields))
        p_text = "\n".join(t for _, t in p_parts)
        c_text = "\n".join(c_parts.get(k, "") for k in keys)
        lang = info.get("language") or parent_language(self.recipe, p_parts)
        zh = lang == "zh"
        found = detect_language(c_text)
        if found in ("zh", "en", "other") and found != lang:
            self.reject(rec, "wrong_language", f"{found}, its parent is {lang}: {c_text[:80]!r}")
            return
        if name == "backtranslate":
            middle = pivot_text(rec)
            if detect_language(middle) == lang:  # no round trip: the "pivot" is still the source language
                pivot = info.get("pivot_lang", "?")
                self.reject(
                    rec, "wrong_language", f"the pivot hop stayed in {lang}, not {pivot}: {middle[:80]!r}"
                )
                return
        p, c = Units(p_text), Units(c_text)
        facts = changed_facts(p, c) if name != "stance" else None
        if facts:
            self.reject(rec, "fact_changed", facts)
            return
        why = self._copy(rec, info, p_text, c_text, zh)
        if why:
            self.reject(rec, "augment_copy", why)
            return
        if name != "stance":
            if name in ("paraphrase", "backtranslate") and lost_question(p_text, c_text):
                self.reject(rec, "meaning_drift", f"the question became a statement: {c_text[:80]!r}")
                return
            share, size = content_share(p, c)
            if size >= _MIN_UNITS and share < self.cfg.min_similarity:
                self.reject(
                    rec,
                    "meaning_drift",
                    f"keeps {share:.0%} of its parent's content (floor {self.cfg.min_similarity:.0%})",
                )
                return
            if self._embedder is not None:
                vec = self._embedder.embed([p_text, c_text])
                cos = float(vec[0] @ vec[1])
                rec.meta.scores["parent_cosine"] = round(cos, 3)
                if cos < self.cfg.min_cosine:
                    self.reject(
                        rec,
                        "meaning_drift",
                        f"cosine {cos:.2f} with its parent (floor {self.cfg.min_cosine:g})",
                    )
                    return
        self._remember(rec, c_text)

    def _remember(self, rec: Record, text: str | None = None) -> None:
        info = rec.meta.extra["augment"]
        method = self.methods.get(info.get("key", ""))
        if text is None:
            if method is None:
                return
            parent = self.parents[rec.meta.parent_id or ""]
            keys = [k for k, _ in M.targets(self.kind, method.method, parent.fields)]
            parts = dict(M.targets(self.kind, method.method, rec.fields))
            text = "\n".join(parts.get(k, "") for k in keys)
        key = (rec.meta.parent_id or "", info.get("key", ""))
        self._siblings.setdefault(key, []).append((int(info.get("k", 0)), text))

    def _copy(self, rec: Record, info: dict[str, Any], p_text: str, c_text: str, zh: bool) -> str | None:
        limit = self.cfg.copy_similarity
        for who, text in [("its parent", p_text)] + [
            (f"sibling k={k}", t)
            for k, t in self._siblings.get((rec.meta.parent_id or "", info.get("key", "")), [])
        ]:
            sim = similarity(text, c_text, zh)
            if sim >= limit:
                return f"{sim:.0%} the same as {who}"
            if not zh and one_word_apart(text, c_text):
                return f"one word apart from {who}"
        return None
