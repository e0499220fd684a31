from __future__ import annotations

import pytest

from synthpipe.core.records import Meta, Record
from synthpipe.stages.dedup.diversity import cluster_sizes, distinct_n, diversity, size_distribution, tokens


def test_distinct_n_counts_unique_ngrams_over_all() -> None:
    assert distinct_n(["a b a b"], 1) == pytest.approx(2 / 4)
    assert distinct_n(["a b a b"], 2) == pytest.approx(2 / 3, abs=1e-4)
    assert distinct_n(["a b", "a b"], 2) == pytest.approx(1 / 2)
    assert distinct_n(["你好你好"], 1) == pytest.approx(2 / 4)  # characters for Chinese
    assert distinct_n([], 1) == 0.0 and distinct_n(["one"], 2) == 0.0


def test_tokens_follow_the_text_kind() -> None:
    assert tokens("Hello, World!") == ["hello", "world"]
    assert tokens("退款，三天。") == ["退", "款", "三", "天"]


def test_clusters_from_duplicate_links() -> None:
    kept = [Record(i, {"text": i}, Meta(task="classify")) for i in ("a", "b", "c")]
    removed = []
    for rid, target in (("d", "a"), ("e", "a"), ("f", "b"), ("g", "pool-1")):
        rec = Record(rid, {"text": rid}, Meta(task="classify"))
        rec.meta.extra["duplicate_of"] = {"id": target}
        removed.append(rec)
    assert cluster_sizes(kept, removed) == [3, 2, 1]
    assert size_distribution([3, 2, 1, 1, 12, 7]) == {"1": 2, "2": 1, "3-5": 1, "6-10": 1, ">10": 1}
    div = diversity(kept, removed)
    assert div["clusters"] == 3 and div["largest_cluster"] == 3 and div["duplicates_of_existing"] == 1
