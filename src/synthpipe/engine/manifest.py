"""One manifest for every command. The schema (documented in the README):

    synthpipe_version, command (run | check | judge | dedup | …), status (running | complete | interrupted)
    task, language, input          what was read: the recipe, or the file and its formats
    counts      attempted, accepted, rejected, failed       attempted = accepted + rejected + failed
    reasons     {code: {records, occurrences}}              why records were rejected
    flags       {code: {records, occurrences}}              warnings that did not reject
    errors      [{error, records}]                          failed records grouped by error, most first
    stages      {name: {rejected, flagged, failed, reasons, flags, this_run, …settings}}  in stage order
    models, usage, usage_this_run       per model; usage_by_stage: per stage, then model, with cost
    timings, warnings, outputs, and per command: label_balance, review_sample, recipe, plan (run: the
    plan space, synthpipe.prompts.space)

Counts, reasons and flags are counted over every record the output holds (earlier runs into the same
directory included), from the records themselves; `this_run` counts what each stage did in this process.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from synthpipe import __version__
from synthpipe.core.records import Reason, Record

_TOP_ERRORS = 10


def _tally(into: dict[str, Counter[str]], reasons: Iterable[Reason]) -> None:
    """Add each code's occurrences, and one record for every code present."""
    codes = set()
    for r in reasons:
        into["occurrences"][r.code] += 1
        codes.add(r.code)
    for code in codes:
        into["records"][code] += 1


def _as_table(t: dict[str, Counter[str]]) -> dict[str, dict[str, int]]:
    order = sorted(t["records"], key=lambda c: (-t["records"][c], c))
    return {c: {"records": t["records"][c], "occurrences": t["occurrences"][c]} for c in order}


def _new() -> dict[str, Counter[str]]:
    return {"records": Counter(), "occurrences": Counter()}


class _Tally:
    """Reasons (or flags) counted as records and occurrences, overall and per stage."""

    def __init__(self) -> None:
        self.all = _new()
        self.by_stage: dict[str, dict[str, Counter[str]]] = {}
        self.records_at: Counter[str] = Counter()  # records with at least one, per stage

    def add(self, reasons: list[Reason]) -> None:
        _tally(self.all, reasons)
        by_stage: dict[str, list[Reason]] = {}
        for r in reasons:
            by_stage.setdefault(r.stage or "other", []).append(r)
        for stage, found in by_stage.items():
            self.records_at[stage] += 1
            _tally(self.by_stage.setdefault(stage, _new()), found)

    def table(self, stage: str | None = None) -> dict[str, dict[str, int]]:
        return _as_table(self.all if stage is None else self.by_stage.get(stage, _new()))


def outcome_counts(records: Mapping[str, list[Record]]) -> dict[str, Any]:
    """counts, reasons, flags, errors and per-stage outcomes over the records of each outcome."""
    reasons, flags = _Tally(), _Tally()
    failed_at: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for outcome, recs in records.items():
        for rec in recs:
            meta = rec.meta
            if meta.reasons:
                reasons.add(meta.reasons)
            if meta.flags:
                flags.add(meta.flags)
            if outcome == "failed":
                errors[(meta.error or "unknown error")[:300]] += 1
                failed_at[str(meta.extra.get("failed_stage", "other"))] += 1
    n = {k: len(records.get(k, [])) for k in ("accepted", "rejected", "failed")}
    stages = {
        stage: {
            "rejected": reasons.records_at[stage],
            "flagged": flags.records_at[stage],
            "failed": failed_at[stage],
            "reasons": reasons.table(stage),
            "flags": flags.table(stage),
        }
        for stage in dict.fromkeys([*reasons.records_at, *flags.records_at, *failed_at])
    }
    return {
        "counts": {"attempted": sum(n.values()), **n},
        "reasons": reasons.table(),
        "flags": flags.table(),
        "errors": [{"error": e, "records": c} for e, c in errors.most_common(_TOP_ERRORS)],
        "stages": stages,
    }


def build_manifest(
    *,
    command: str,
    status: str,
    records: Mapping[str, list[Record]],
    stage_names: list[str],
    stage_info: Mapping[str, dict[str, Any]],
    started: float,
    head: dict[str, Any],
    tail: dict[str, Any],
) -> dict[str, Any]:
    """The manifest: `head` (task, language, input…) first, then the counts, then `tail` (models…)."""
    counted = outcome_counts(records)
    stages: dict[str, dict[str, Any]] = {}
    empty = {"rejected": 0, "flagged": 0, "failed": 0, "reasons": {}, "flags": {}}
    for name in [*stage_names, *(s for s in counted["stages"] if s not in stage_names)]:
        stages[name] = {**empty, **counted["stages"].get(name, {}), **stage_info.get(name, {})}
    manifest: dict[str, Any] = {
        "synthpipe_version": __version__,
        "command": command,
        "status": status,
        **head,
        "counts": counted["counts"],
        "reasons": counted["reasons"],
        "flags": counted["flags"],
        "errors": counted["errors"],
        "stages": stages,
        **tail,
    }
    manifest.setdefault("timings", {})
    manifest["timings"].update(
        {
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
            "elapsed_s": round(time.time() - started, 3),
        }
    )
    return {k: v for k, v in manifest.items() if v is not None}
