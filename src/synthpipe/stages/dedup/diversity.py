"""Diversity figures for a deduplicated set: duplicate clusters and distinct-n.

A cluster is a kept record plus every removed record whose `duplicate_of` names it; its size says how often
the generator repeated itself. distinct-n is the number of different n-grams over all n-grams of the kept
texts (words; characters for Chinese/Japanese): near 1 means varied wording, near 0 repetitive.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from synthpipe.core.records import Record
from synthpipe.stages.dedup.normalize import normalize
from synthpipe.stages.dedup.shingles import is_cjk

_BUCKETS = ((1, 1, "1"), (2, 2, "2"), (3, 5, "3-5"), (6, 10, "6-10"), (11, 10**18, ">10"))


def tokens(text: str) -> list[str]:
    norm = normalize(text)
    return [c for c in norm if c != " "] if is_cjk(norm) else norm.split()


def distinct_n(texts: Iterable[str], n: int) -> float:
    """Distinct n-grams / all n-grams over `texts` (0.0 when there are none)."""
    return _distinct([tokens(text) for text in texts], n)


def _distinct(token_lists: Iterable[list[str]], n: int) -> float:
    seen: set[tuple[str, ...]] = set()
    total = 0
    for toks in token_lists:
        grams = list(zip(*(toks[i:] for i in range(n)), strict=False)) if n > 1 else [(t,) for t in toks]
        total += len(grams)
        seen.update(grams)
    return round(len(seen) / total, 4) if total else 0.0


def cluster_sizes(kept: Sequence[Record], removed: Sequence[Record]) -> list[int]:
    """Size of each kept record's duplicate cluster, in `kept` order."""
    size = {rec.id: 1 for rec in kept}
    for rec in removed:
        target = rec.meta.extra.get("duplicate_of", {}).get("id")
        if target in size:
            size[target] += 1
    return [size[rec.id] for rec in kept]


def size_distribution(sizes: Sequence[int]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for s in sizes:
        counts[next(label for lo, hi, label in _BUCKETS if lo <= s <= hi)] += 1
    return {label: counts[label] for _, _, label in _BUCKETS if counts[label]}


def diversity(
    kept: Sequence[Record], removed: Sequence[Record], keys: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """Clusters and distinct-1/2 of a dedup result (texts of `keys`, all fields if None)."""
    sizes = cluster_sizes(kept, removed)
    token_lists = [tokens(rec.text(keys)) for rec in kept]
    kept_ids = {rec.id for rec in kept}
    against_existing = sum(
        1 for rec in removed if rec.meta.extra.get("duplicate_of", {}).get("id") not in kept_ids
    )
    return {
        "clusters": len(sizes),
        "cluster_sizes": size_distribution(sizes),
        "largest_cluster": max(sizes, default=0),
        "duplicates_of_existing": against_existing,
        "distinct_1": _distinct(token_lists, 1),
        "distinct_2": _distinct(token_lists, 2),
    }
