"""The manifest's `augment` section: per method, derived records and their outcomes, and the reject
reasons (records per code)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from synthpipe.core.records import Record


def augment_counts(records: Mapping[str, Sequence[Record]]) -> dict[str, Any]:
    """{key: {derived, accepted, rejected, failed, reasons: {code: records}}}; empty without derived
    records."""
    out: dict[str, dict[str, Any]] = {}
    reasons: dict[str, Counter[str]] = {}
    for outcome, recs in records.items():
        for rec in recs:
            meta = rec.meta
            if meta.parent_id is None or not meta.origin.startswith("augmented:"):
                continue
            info = meta.extra.get("augment") or {}
            key = str(info.get("key") or meta.origin.removeprefix("augmented:"))
            row = out.setdefault(key, {"derived": 0, "accepted": 0, "rejected": 0, "failed": 0})
            row["derived"] += 1
            row[outcome] = row.get(outcome, 0) + 1
            if meta.reasons:
                reasons.setdefault(key, Counter()).update({r.code for r in meta.reasons})
    for key, counter in reasons.items():
        out[key]["reasons"] = dict(counter.most_common())
    return out
