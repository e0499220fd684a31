"""Frozen train/eval splits: assigned once per record, stratified, and never changed."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from typing import Any

from synthpipe.pool.store import Store

SPLITS = ("train", "eval")
SPLIT_KEYS = ("task", "topic", "origin", "model", "recipe", "tag")


def order_key(key: str) -> bytes:
    return hashlib.blake2b(key.encode(), digest_size=8).digest()


def assign_new_splits(store: Store, version: int) -> dict[str, int]:
    """Give each live record without a split one, per stratum: eval until the stratum's eval count
    reaches round(share x its size), in a fixed order (a hash of the record's key)."""
    settings = store.setting("split")
    if not settings:
        return {}
    share, by = settings["eval"], settings["by"]
    cols = ", ".join(f"r.{k}" for k in by)
    rows = store.db.execute(
        f"SELECT r.rid, r.key, s.split, {cols} FROM members m JOIN records r ON r.rid = m.rid "
        "LEFT JOIN splits s ON s.rid = r.rid WHERE m.removed IS NULL"
    ).fetchall()
    strata: dict[tuple[Any, ...], list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        strata[tuple(row[3:])].append(row)
    new: list[tuple[str, int, int]] = []
    counts = Counter()
    for members in strata.values():
        evals = sum(1 for r in members if r[2] == "eval")
        target = round(share * len(members))
        for r in sorted((r for r in members if r[2] is None), key=lambda r: order_key(r[1])):
            split = "eval" if evals < target else "train"
            evals += split == "eval"
            new.append((split, version, r[0]))
            counts[split] += 1
    store.db.executemany("INSERT INTO splits (split, assigned, rid) VALUES (?, ?, ?)", new)
    return dict(counts)
