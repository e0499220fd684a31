"""The two stages of `synthpipe eval`: the served model answers each eval record's question (`ask`), then
its answer is graded against the record's reference (`grade`).

`grade` reuses the judge stage's machinery (`synthpipe.stages.judge`: integer scores under a JSON schema,
the same tolerant parser) with its own template, `eval_judge.j2` (zh and en): a judge model scores
`correctness` and `faithfulness` 1–5 against the reference, each with a reason. An answer passes when
every criterion reaches the threshold; below it the record is rejected `below_threshold`, its reasons
in the detail. An unreadable judge reply rejects it `judge_unparseable` (not graded; the raw text is
kept). classify is graded without a judge: the label the answer names must be the reference label
(`exact_match` 1 or 0).

What a record carries through both stages sits in `meta.extra["eval"]`: its position `n`, the
`messages` asked, `prompt` and `reference` (see synthpipe.evaluation.questions), then `answer`,
`scores`, `reasons` and `pass`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from synthpipe.backends.base import Completion, GenOptions
from synthpipe.core.records import Record
from synthpipe.lang import detect_language, normalize
from synthpipe.prompts.render import render_template
from synthpipe.stages.base import ModelStage, StageContext
from synthpipe.stages.judge import judge_schema, parse_verdict
from synthpipe.tasks import ParseError, get_task, load_json_object

if TYPE_CHECKING:
    from synthpipe.cache import CachedModel

EVAL = "eval"  # the key of meta.extra that holds a record's question, answer and grade
CRITERIA = ("correctness", "faithfulness")
EXACT = "exact_match"


def eval_schema(criteria: tuple[str, ...] = CRITERIA) -> dict[str, Any]:
    """The judge stage's schema with one reason per criterion: scores first, reasons after them (a reply
    cut off by max_tokens still holds every score)."""
    base = judge_schema(list(criteria))
    props: dict[str, Any] = {c: base["properties"][c] for c in criteria}
    props.update({f"{c}_reason": {"type": "string"} for c in criteria})
    return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}


def parse_grade(text: str, criteria: tuple[str, ...] = CRITERIA) -> tuple[dict[str, Any], dict[str, str]]:
    """({criterion: 1-5, "overall": mean}, {criterion: reason}) from the judge's reply, or ParseError."""
    verdict = parse_verdict(text, list(criteria))
    scores: dict[str, Any] = {c: verdict[c] for c in criteria}
    scores["overall"] = verdict["overall"]
    try:
        obj = load_json_object(text)
    except ParseError:  # cut off inside a reason: take what is there
        obj = {}
    reasons: dict[str, str] = {}
    for c in criteria:
        value = obj.get(f"{c}_reason")
        if not isinstance(value, str):
            m = re.search(rf'"{c}_reason"\s*:\s*"((?:[^"\\]|\\.)*)', text)
            value = m.group(1) if m else ""
        reasons[c] = value.strip()[:500]
    if not any(reasons.values()) and verdict["reason"]:  # a judge that wrote one "reason" for all
        reasons = {c: verdict["reason"] for c in criteria}
    return scores, reasons


_EDGE = " \t\r\n.。!！?？\"'`*:：,，;；()（）[]【】"


def predicted_label(answer: str, labels: list[str]) -> str | None:
    """The label an answer gives: the whole answer (or its JSON `label`), else the one allowed label it
    names as a word; None when it names none or several."""
    text = answer.strip()
    try:
        obj = load_json_object(text)
        if isinstance(obj.get("label"), str):
            text = obj["label"]
    except ParseError:
        pass
    said = normalize(text).strip(_EDGE)
    by_norm = {normalize(label).strip(_EDGE): label for label in labels}
    if said in by_norm:
        return by_norm[said]
    named = [
        label
        for key, label in by_norm.items()
        if key and re.search(rf"(?<![\w]){re.escape(key)}(?![\w])", said)
    ]
    return named[0] if len(named) == 1 else None


class AskStage(ModelStage):
    """The served model answers the question, free text (no schema), greedily."""

    name = "ask"

    def __init__(self, options: GenOptions, model: str = "served") -> None:
        self.options = options
        self.model_name = model
        self.model_names = (model,)

    async def open(self, ctx: StageContext) -> None:
        self.model: CachedModel = self.use_model(ctx.get_model(self.model_name))

    def _answer(self, rec: Record, completion: Completion) -> None:
        ev = rec.meta.extra[EVAL]
        ev["answer"] = completion.text.strip()
        if completion.finish_reason == "length":
            self.flag(rec, "answer_truncated", f"the answer reached max_tokens ({self.options.max_tokens})")

    def decide_now(self, rec: Record) -> bool:
        """A cached answer decides the record at once (a re-run)."""
        hit = self.model.cached(rec.meta.extra[EVAL]["messages"], None, self.options)
        if hit is None:
            return False
        self._answer(rec, hit)
        return True

    async def apply(self, rec: Record) -> None:
        completion = await self.model.chat(rec.meta.extra[EVAL]["messages"], None, self.options)
        self._answer(rec, completion)

    async def close(self) -> dict[str, Any]:
        return {"model": self.model.model, "max_tokens": self.options.max_tokens}


class GradeStage(ModelStage):
    """Grades the answer against the reference: the judge (most kinds) or an exact label match
    (classify). `judge` None: no judge model (every record is a classify record)."""

    name = "grade"

    def __init__(
        self,
        threshold: float,
        options: GenOptions | None = None,
        language: str | None = None,
        labels: list[str] | None = None,
        judge: str | None = "judge",
    ) -> None:
        self.threshold = threshold
        self.options = options or GenOptions(temperature=0.0, max_tokens=400)
        self.language = language
        self.labels = list(labels or [])
        self.judge_name = judge
        self.model_names = (judge,) if judge else ()
        self.schema = eval_schema()
        self.judge: CachedModel | None = None

    async def open(self, ctx: StageContext) -> None:
        if self.judge_name:
            self.judge = self.use_model(ctx.get_model(self.judge_name))

    def _language(self, ev: dict[str, Any]) -> str:
        if self.language:
            return self.language
        return "zh" if detect_language(f"{ev['prompt']}\n{ev['reference']}") == "zh" else "en"

    def _messages(self, rec: Record) -> list[dict[str, str]]:
        ev = rec.meta.extra[EVAL]
        user = render_template(
            self._language(ev),
            "eval_judge",
            task=rec.task,
            prompt=ev["prompt"],
            reference=ev["reference"],
            answer=ev["answer"],
            criteria=list(CRITERIA),
        )
        return [{"role": "user", "content": user}]

    def _decide(
        self, rec: Record, scores: dict[str, Any], reasons: dict[str, str], criteria: tuple[str, ...]
    ) -> None:
        ev = rec.meta.extra[EVAL]
        ev["scores"], ev["reasons"] = scores, reasons
        rec.meta.scores[EVAL] = scores
        low = [c for c in criteria if scores[c] < (1 if c == EXACT else self.threshold)]
        ev["pass"] = not low
        if low:
            detail = "; ".join(
                f"{c} {scores[c]}{'' if c == EXACT else f' < {self.threshold:g}'}: {reasons.get(c) or 'no reason given'}"
                for c in low
            )
            self.reject(rec, "below_threshold", detail)

    def _exact(self, rec: Record) -> None:
        ev = rec.meta.extra[EVAL]
        labels = self.labels or [ev["reference"]]
        got = predicted_label(ev["answer"], labels)
        ev["predicted"] = got
        hit = got is not None and normalize(got) == normalize(ev["reference"])
        said = got if got is not None else (ev["answer"][:80] or "nothing")
        reason = "matches the reference" if hit else f"expected {ev['reference']!r}, got {said!r}"
        self._decide(rec, {EXACT: int(hit)}, {EXACT: reason}, (EXACT,))

    def decide_now(self, rec: Record) -> bool:
        """classify needs no request; a cached judge answer decides the record at once (a re-run)."""
        if get_task(rec.task).label_field:
            self._exact(rec)
            return True
        if self.judge is None:
            return False
        hit = self.judge.cached(self._messages(rec), self.schema, self.options)
        if hit is None:
            return False
        self._verdict(rec, hit)
        return True

    def _verdict(self, rec: Record, completion: Completion) -> None:
        try:
            scores, reasons = parse_grade(completion.text)
        except ParseError as exc:
            rec.meta.extra[EVAL]["judge_raw"] = completion.text[:2000]
            self.reject(rec, "judge_unparseable", exc.detail)
            return
        self._decide(rec, scores, reasons, CRITERIA)

    async def apply(self, rec: Record) -> None:
        if get_task(rec.task).label_field:
            self._exact(rec)
            return
        if self.judge is None:  # built without a judge, yet a record that needs one
            raise RuntimeError(f"no judge model for a {rec.task} record")
        completion = await self.judge.chat(self._messages(rec), self.schema, self.options)
        self._verdict(rec, completion)

    async def close(self) -> dict[str, Any]:
        return {
            "judge": self.judge.model if self.judge is not None else None,
            "criteria": list(CRITERIA),
            "threshold": self.threshold,
            "pass": "every criterion reaches the threshold",
            "classify": "exact match of the label, no judge",
        }
