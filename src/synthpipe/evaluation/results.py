"""What `synthpipe eval` leaves: one results row per eval record, the rows below the threshold, the
summary per task and topic, and the output folder they are written to all together.

results.jsonl   {id, task, topic, prompt, reference, answer, scores, reasons, pass}; `pass` is null for a
                record that could not be graded (`not_graded`: why) or whose request failed (`error`)
failures.jsonl  the rows with pass false, plus what feedback needs: `question_type`, `recipe`, `origin`
                and `fields` (the eval record's own fields, its reference answer included)
manifest.json   the usual manifest; `eval` holds the summary (count, mean scores, pass rate) per task
                and per topic within each task
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import mean
from typing import Any

from synthpipe.core.records import Record
from synthpipe.engine.job import Result
from synthpipe.sinks.base import MemorySink
from synthpipe.sinks.outputset import OutputSet
from synthpipe.stages.eval import EVAL

RESULTS = "results.jsonl"
FAILURES = "failures.jsonl"
NO_TOPIC = "(no topic)"


def _n(rec: Record) -> int:
    return int(rec.meta.extra.get(EVAL, {}).get("n", 0))


def in_order(kept: Mapping[str, list[Record]]) -> list[Record]:
    """Every record, in the order of the eval set."""
    return sorted((r for recs in kept.values() for r in recs), key=_n)


def topic_of(rec: Record) -> str:
    topic = rec.meta.plan.get("topic") if rec.meta.plan else None
    return topic if isinstance(topic, str) else ""


def result_row(rec: Record) -> dict[str, Any]:
    ev = rec.meta.extra.get(EVAL, {})
    row: dict[str, Any] = {
        "id": rec.id,
        "task": rec.task,
        "topic": topic_of(rec),
        "prompt": ev.get("prompt", ""),
        "reference": ev.get("reference", ""),
        "answer": ev.get("answer"),
        "scores": ev.get("scores", {}),
        "reasons": ev.get("reasons", {}),
        "pass": ev.get("pass"),
    }
    if "predicted" in ev:
        row["predicted"] = ev["predicted"]
    other = [r for r in rec.meta.reasons if r.code != "below_threshold"]
    if other:
        row["not_graded"] = "; ".join(f"{r.code}: {r.detail}" for r in other)
    if ev.get("judge_raw"):
        row["judge_raw"] = ev["judge_raw"]
    if rec.meta.error:
        row["error"] = rec.meta.error
    if rec.meta.flags:
        row["flags"] = [f"{r.code}: {r.detail}" for r in rec.meta.flags]
    return row


def failure_row(rec: Record) -> dict[str, Any]:
    row = result_row(rec)
    plan = rec.meta.plan or {}
    row["question_type"] = plan.get("question_type") if isinstance(plan.get("question_type"), str) else ""
    row["recipe"] = rec.meta.recipe
    row["origin"] = rec.meta.origin
    row["fields"] = rec.fields
    return row


def is_failure(rec: Record) -> bool:
    return rec.meta.extra.get(EVAL, {}).get("pass") is False


def rows(kept: Mapping[str, list[Record]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(results rows, failures rows), in the order of the eval set."""
    ordered = in_order(kept)
    return [result_row(r) for r in ordered], [failure_row(r) for r in ordered if is_failure(r)]


def _stats(recs: list[Record]) -> dict[str, Any]:
    evs = [r.meta.extra.get(EVAL, {}) for r in recs]
    graded = [ev for ev in evs if ev.get("pass") is not None]
    passed = sum(1 for ev in graded if ev["pass"])
    errors = sum(1 for r in recs if r.meta.error)
    names = list(dict.fromkeys(c for ev in graded for c in ev.get("scores", {}) if c != "overall"))
    return {
        "count": len(recs),
        "graded": len(graded),
        "passed": passed,
        "below_threshold": len(graded) - passed,
        "not_graded": len(recs) - len(graded) - errors,
        "errors": errors,
        "pass_rate": round(passed / len(graded), 4) if graded else None,
        "mean": {c: round(mean(ev["scores"][c] for ev in graded if c in ev["scores"]), 3) for c in names},
    }


def summarize(records: Iterable[Record], threshold: float) -> dict[str, Any]:
    """Count, mean scores and pass rate: over all, per task, and per topic within each task."""
    recs = list(records)
    by_task: dict[str, dict[str, list[Record]]] = {}
    for rec in sorted(recs, key=_n):
        by_task.setdefault(rec.task, {}).setdefault(topic_of(rec) or NO_TOPIC, []).append(rec)
    return {
        "threshold": threshold,
        **_stats(recs),
        "by_task": {
            task: {
                **_stats([r for group in topics.values() for r in group]),
                "topics": {topic: _stats(group) for topic, group in topics.items()},
            }
            for task, topics in by_task.items()
        },
    }


def _jsonl(items: list[dict[str, Any]]) -> str:
    import orjson

    return "".join(orjson.dumps(x, default=str).decode() + "\n" for x in items)


class EvalMemory(MemorySink):
    """The records of an eval kept in memory (no output folder), in the order of the eval set."""

    def sort(self) -> None:
        for recs in self.kept.values():
            recs.sort(key=_n)


class EvalOutput(OutputSet):
    """results.jsonl, failures.jsonl and manifest.json, all together or none (the manifest last)."""

    def __init__(self, path: Any) -> None:
        super().__init__(path, outcomes=())

    def sort(self) -> None:
        for recs in self.kept.values():
            recs.sort(key=_n)

    def close(self, complete: bool = True) -> None:
        if complete and "manifest.json" in self._tmp:
            results, failures = rows(self.kept)
            self.write_text(RESULTS, _jsonl(results))
            self.write_text(FAILURES, _jsonl(failures))
        super().close(complete)


@dataclass(repr=False)
class EvalResult(Result):
    """What `synthpipe.evaluate` returns: a Result (accepted = passed; rejected = below the threshold or
    not graded; failed = the request failed) with the rows of results.jsonl and failures.jsonl."""

    @property
    def rows(self) -> list[dict[str, Any]]:
        return rows(self._kept())[0]

    @property
    def failures(self) -> list[dict[str, Any]]:
        return rows(self._kept())[1]

    @property
    def summary(self) -> dict[str, Any]:
        return dict(self.manifest.get("eval", {}))

    def _kept(self) -> dict[str, list[Record]]:
        return {"accepted": self.accepted, "rejected": self.rejected, "failed": self.failed}

    def __repr__(self) -> str:
        s = self.summary
        where = f", out_dir={str(self.out_dir)!r}" if self.out_dir else ""
        return (
            f"EvalResult({s.get('count', 0)} records: {s.get('passed', 0)} passed, "
            f"{s.get('below_threshold', 0)} below threshold {s.get('threshold', 0):g}, "
            f"{s.get('not_graded', 0)} not graded, {s.get('errors', 0)} failed{where})"
        )
