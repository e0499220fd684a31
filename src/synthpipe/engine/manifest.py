"""One manifest for every command. The schema (documented in the README):

    synthpipe_version, command (run | check | judge | dedup | …), status (running | complete | interrupted)
    task, language, input          what was read: the recipe, or the file and its formats
    counts      attempted, accepted, rejected, failed       attempted = accepted + rejected + failed
    reasons     {code: {records, occurrences}}              why records were rejected
    flags       {code: {records, occurrences}}              warnings that did not reject
    errors      [{error, records}]                          failed records grouped by error, most first
    stages      {name: {rejected, flagged, failed, reasons, flags, this_run, …settings}}  in stage order
    models, usage, usage_this_run, timings, warnings, outputs, and per command: label_balance,
    review_sample, recipe

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


def _tally(into: dict[str, Counter[str]], reasons: Iterable[Reason]) -> set[str]:
    """Add occurrences per code to into["occurrences"]; return the codes seen (for the record count)."""
    codes = set()
    for r in reasons:
        into["occurrences"][r.code] += 1
        codes.add(r.code)
    for code in codes:
        into["records"][code] += 1
    return codes


def _as_table(t: dict[str, Counter[str]]) -> dict[str, dict[str, int]]:
    order = sorted(t["records"], key=lambda c: (-t["records"][c], c))
    return {c: {"records": t["records"][c], "occurrences": t["occurrences"][c]} for c in order}


def _new() -> dict[str, Counter[str]]:
    return {"records": Counter(), "occurrences": Counter()}


def outcome_counts(records: Mapping[str, list[Record]]) -> dict[str, Any]:
    """counts, reasons, flags, errors and per-stage outcomes over the records of each outcome."""
    reasons, flags = _new(), _new()
    stage_reasons: dict[str, dict[str, Counter[str]]] = {}
    stage_flags: dict[str, dict[str, Counter[str]]] = {}
    rejected_at: Counter[str] = Counter()
    flagged_at: Counter[str] = Counter()
    failed_at: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for outcome, recs in records.items():
        for rec in recs:
            meta = rec.meta
            if meta.reasons:
                _tally(reasons, meta.reasons)
                for stage in {r.stage or "other" for r in meta.reasons}:
                    rejected_at[stage] += 1
                    _tally(
                        stage_reasons.setdefault(stage, _new()),
                        (r for r in meta.reasons if (r.stage or "other") == stage),
                    )
            if meta.flags:
                _tally(flags, meta.flags)
                for stage in {r.stage or "other" for r in meta.flags}:
                    flagged_at[stage] += 1
                    _tally(
                        stage_flags.setdefault(stage, _new()),
                        (r for r in meta.flags if (r.stage or "other") == stage),
                    )
            if outcome == "failed":
                errors[(meta.error or "unknown error")[:300]] += 1
                failed_at[str(meta.extra.get("failed_stage", "other"))] += 1
    n = {k: len(records.get(k, [])) for k in ("accepted", "rejected", "failed")}
    stages: dict[str, dict[str, Any]] = {}
    for stage in dict.fromkeys([*rejected_at, *flagged_at, *failed_at]):
        stages[stage] = {
            "rejected": rejected_at[stage],
            "flagged": flagged_at[stage],
            "failed": failed_at[stage],
            "reasons": _as_table(stage_reasons.get(stage, _new())),
            "flags": _as_table(stage_flags.get(stage, _new())),
        }
    return {
        "counts": {"attempted": sum(n.values()), **n},
        "reasons": _as_table(reasons),
        "flags": _as_table(flags),
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
