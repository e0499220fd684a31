"""The manifest's `augment` section: per method, derived records and their outcomes, and the reject
reasons (records per code)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from synthpipe.core.records import Record

AUGMENTED = "augmented:"


def is_derived(rec: Record) -> bool:
    """A record made by an augmentation method (it carries its lineage in meta.extra["augment"])."""
    return (
        rec.meta.parent_id is not None
        and rec.meta.origin.startswith(AUGMENTED)
        and "augment" in rec.meta.extra
    )


def augment_counts(records: Mapping[str, Sequence[Record]]) -> dict[str, Any]:
    """{key: {derived, accepted, rejected, failed, reasons: {code: records}}}; empty without derived
    records."""
    out: dict[str, dict[str, Any]] = {}
    reasons: dict[str, Counter[str]] = {}
    for outcome, recs in records.items():
        for rec in recs:
            if not is_derived(rec):
                continue
            meta = rec.meta
            key = str(meta.extra["augment"].get("key") or meta.origin.removeprefix(AUGMENTED))
            row = out.setdefault(key, {"derived": 0, "accepted": 0, "rejected": 0, "failed": 0})
            row["derived"] += 1
            row[outcome] = row.get(outcome, 0) + 1
            if meta.reasons:
                reasons.setdefault(key, Counter()).update({r.code for r in meta.reasons})
    for key, counter in reasons.items():
        out[key]["reasons"] = dict(counter.most_common())
    return out
