"""augment_check: what only a derived record can get wrong, decided against its parent and its siblings.
The usual stages (rules, grounding, agreement, judge, dedup) follow it.

- `augment_copy`: the rewritten parts are the parent's again, or a sibling's, at `copy_similarity` (0.9)
  or more after removing case, width, spaces and punctuation (by characters for Chinese, by words for
  English: the similarity `not_rewritten` uses), or, in English, one word apart. A sibling counts once it
  has passed this stage, so of two copies the first decided is kept.
- `wrong_language`: the rewritten parts are not in the parent's language (after a back-translation's
  last hop, for example), or a back-translation's pivot hop is still in the parent's language (the model
  did not translate: no round trip happened). Text too short or too mixed to tell is left alone.
- `fact_changed`: a number (3 = three = 三, 500 = five hundred), a weekday (Monday, 周一) or a name of
  the parent's parts is lost or replaced, or a new one appears (a new number counts when in digits).
- `meaning_drift`: a question (paraphrased or back-translated) became a statement (a request such as
  "Tell me…" or "请告诉我…" still asks); the child asks the opposite action or direction (open/close,
  开通/关闭, before/after…); or the parts keep
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
from synthpipe.lang import detect_language, en_compound_numbers
from synthpipe.stages.augment import methods as M
from synthpipe.stages.augment.counts import is_derived
from synthpipe.stages.augment.stage import parent_language, pivot_text
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


def fact_numbers(units: Units) -> frozenset[str]:
    """The numbers a text states, with English numbers of several words read whole ("five hundred" is
    500, not 5 and 100)."""
    whole, parts = en_compound_numbers(units.text)
    if not whole:
        return units.numbers
    return frozenset((units.numbers - parts) | whole)


def weekdays(text: str) -> frozenset[int]:
    found = {_WEEKDAY_EN[m.group(1).lower()[:3]] for m in _WEEKDAY_EN_RE.finditer(text)}
    found.update(_WEEKDAY_ZH[m.group(1)] for m in _WEEKDAY_ZH_RE.finditer(text))
    return frozenset(found)


def changed_facts(parent: Units, child: Units) -> str | None:
    """Numbers, weekdays or names of the parent that the child lost, or that it added: a rewrite that
    brings a new number or name ("every 12 months", "at Acme") states a fact its parent did not."""
    p_nums, c_nums = fact_numbers(parent), fact_numbers(child)
    gone = missing_numbers(p_nums, c_nums)
    if gone:
        return f"numbers lost: {', '.join(gone[:3])}"
    p_days, c_days = weekdays(parent.text), weekdays(child.text)
    if p_days != c_days and (p_days - c_days):
        return f"weekdays changed: {_days(p_days)} -> {_days(c_days) or 'none'}"
    p_names, c_names = _names(parent), _names(child)
    names = sorted(n for n in p_names if n not in c_names and n not in child.norm)
    if names:
        return f"names lost: {', '.join(names[:3])}"
    # Added numbers count when written in digits: a number word in a rewrite is as often an idiom
    # ("哪一天", "一般", "once") as a new fact.
    digits = set(_DIGITS.findall(child.text))
    new = [n for n in missing_numbers(c_nums, p_nums) if n in digits]
    if new:
        return f"numbers added: {', '.join(new[:3])}"
    if c_days - p_days:
        return f"weekdays added: {_days(c_days - p_days)}"
    names = sorted(n for n in c_names if n not in p_names and n not in parent.norm)
    if names:
        return f"names added: {', '.join(names[:3])}"
    return None


def _names(units: Units) -> set[str]:
    """Its names without a possessive ("Berlin's" is Berlin), weekdays left out (they are compared as
    days)."""
    out = set()
    for n in units.names:
        n = re.sub(r"['’]s$", "", n)
        if not _WEEKDAY_EN_RE.fullmatch(n):
            out.add(n)
    return out


def _days(days: frozenset[int]) -> str:
    return ", ".join(_DAY_NAMES[d] for d in sorted(days))


def flipped(parent: str, child: str) -> str | None:
    """The child asks for the opposite action or direction ("close my account" -> "open my account",
    "开通" -> "关闭"): one word of a pair of opposites in the parent only, the other in the child only."""
    p, c = _HOURS.sub(" ", parent.lower()), _HOURS.sub(" ", child.lower())
    for a, b in _OPPOSITES:
        for x, y in ((a, b), (b, a)):
            if x.search(p) and not x.search(c) and y.search(c) and not y.search(p):
                return f"{x.search(p).group(0)} -> {y.search(c).group(0)}"  # type: ignore[union-attr]
    return None


_QUESTION_MARK = ("?", "？")
_WORD = re.compile(
    r"\w+"
)  # apostrophes split words here ("what's" is "what s"): one word apart from "what is"
_REQUEST = re.compile(
    r"^(?:please\b|kindly\b|tell\b|show\b|explain\b|walk me\b|give me\b|let me know\b|describe\b|list\b|"
    r"help me\b|guide me\b|i(?:'d| would) like to know\b|i want to know\b|i wonder\b|i need to know\b|"
    r"请|麻烦|劳驾|烦请|帮我|帮忙|告诉我|想问|想知道|我想(?:问|知道|了解)|请问)",
    re.I,
)
_WEEKDAY_EN = {d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), 1)}
_WEEKDAY_EN_RE = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b", re.I)
_WEEKDAY_ZH = {**{ch: i for i, ch in enumerate("一二三四五六日", 1)}, "天": 7, "末": 0}
# "每周三次" is three times a week, not Wednesday
_WEEKDAY_ZH_RE = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天末])(?![次回遍趟个])")
_DAY_NAMES = {0: "weekend", 1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}


def _en(*stems: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(stems) + r")(?:s|es|ed|d|ing)?\b")


def _zh(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(words))


# "opening hours" and "closing time" ask the same thing
_HOURS = re.compile(r"\b(?:open(?:ing)?|clos(?:ing|e))\s+(?:hours?|times?)\b")
# Opposite actions and directions a request can ask for; each side matched as a word (en) or a string (zh).
_OPPOSITES = [
    (_en("open"), _en("close")),
    (_en("enable"), _en("disable")),
    (_en("activate"), _en("deactivate")),
    (_en("add"), _en("remove")),
    (_en("increase"), _en("decrease", "reduce")),
    (_en("accept"), _en("reject", "decline")),
    (_en("allow"), _en("forbid", "prohibit", "ban")),
    (_en("lock"), _en("unlock")),
    (_en("subscribe"), _en("unsubscribe")),
    (_en("upgrade"), _en("downgrade")),
    (_en("deposit"), _en("withdraw")),
    (_en("book"), _en("cancel")),
    (_en("buy"), _en("sell")),
    (_en("before"), _en("after")),
    (_en("minimum"), _en("maximum")),
    (
        _zh("开通", "开启", "打开", "开户", "办卡", "办理会员"),
        _zh("关闭", "注销", "销户", "退卡", "取消会员"),
    ),
    (_zh("增加", "提高", "上调", "延长"), _zh("减少", "降低", "下调", "缩短")),
    (_zh("允许", "可以带"), _zh("禁止", "不允许", "不能带")),
    (_zh("充值", "存款", "存钱"), _zh("提现", "取款", "取钱")),
    (_zh("预订", "预约", "订房", "订座"), _zh("取消预订", "取消预约", "退订", "退房")),
    (_zh("绑定"), _zh("解绑", "解除绑定")),
    (_zh("升级"), _zh("降级")),
    (_zh("改签"), _zh("退票")),
    (_zh("之前", "以前"), _zh("之后", "以后")),
    (_zh("最低", "最少"), _zh("最高", "最多")),
]
_DIGITS = re.compile(r"\d+(?:[.:]\d+)?")


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
    5."): a paraphrase or back-translation of a question must still ask it, as a question or as a request
    ("Tell me when the library closes.", "请告诉我图书馆几点关门。")."""
    if not parent.rstrip().endswith(_QUESTION_MARK) or any(q in child for q in _QUESTION_MARK):
        return False
    return not _REQUEST.search(child.strip())


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
            flip = flipped(p_text, c_text)
            if flip:
                self.reject(rec, "meaning_drift", f"it asks the opposite: {flip}")
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
