from __future__ import annotations

import random

import pytest

np = pytest.importorskip("numpy")

from synthpipe.stages.dedup.minhash import (  # noqa: E402
    LSH_RECALL,
    MAX_PERM,
    MinHasher,
    MinHashIndex,
    band_params,
    jaccard,
)
from synthpipe.stages.dedup.shingles import Shingler  # noqa: E402


@pytest.mark.parametrize("threshold", [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95])
def test_band_params_catch_a_pair_at_the_threshold(threshold: float) -> None:
    bands, rows = band_params(threshold)
    assert bands * rows <= MAX_PERM
    assert 1 - (1 - threshold**rows) ** bands >= LSH_RECALL
    # and a pair far below the threshold rarely becomes a candidate
    assert 1 - (1 - (threshold - 0.35) ** rows) ** bands < 0.5


def test_signature_agreement_estimates_jaccard() -> None:
    rng = np.random.default_rng(0)
    base = rng.integers(0, 2**63, size=400, dtype=np.uint64)
    other = np.concatenate([base[:300], rng.integers(0, 2**63, size=100, dtype=np.uint64)])  # J = 300/500
    hasher = MinHasher(256)
    flat = np.concatenate([base, other])
    sig = hasher.signatures(flat, np.array([0, 400, 800]))
    assert (sig[0] == sig[1]).mean() == pytest.approx(0.6, abs=0.09)
    same = hasher.signatures(base, np.array([0, 400]))
    assert np.array_equal(same[0], sig[0])  # a row's signature does not depend on its neighbours


def test_empty_rows_get_no_signature_and_others_are_unaffected() -> None:
    hasher = MinHasher(8)
    flat = np.array([5, 6, 7], dtype=np.uint64)
    sig = hasher.signatures(flat, np.array([0, 0, 3, 3]))
    assert (sig[0] == 0xFFFFFFFF).all() and (sig[2] == 0xFFFFFFFF).all()
    assert np.array_equal(sig[1], hasher.signatures(flat, np.array([0, 3]))[0])


def _words(rng: random.Random, n: int) -> str:
    return " ".join(f"w{rng.randrange(5000)}" for _ in range(n))


def test_index_returns_the_most_similar_kept_record_at_or_above_the_threshold() -> None:
    rng = random.Random(1)
    shingler = Shingler()
    index = MinHashIndex(0.8)
    base = _words(rng, 40)
    texts = [base, _words(rng, 40), base.replace(base.split()[3], "zzz"), _words(rng, 40)]

    def prep(text: str) -> tuple:
        flat, offsets = shingler.batch([text])
        fps, keys = index.sketch(flat, offsets)
        return np.unique(flat), fps[0], keys[0].tolist()

    for i in (0, 1):
        index.add(i, *prep(texts[i]))
    s, fp, keys = prep(texts[2])
    match = index.best(s, fp, keys)
    assert match is not None and match[0] == 0
    assert match[1] == pytest.approx(jaccard(s, index._sets[0]))
    assert match[1] >= 0.8
    assert index.best(*prep(texts[3])) is None


def test_jaccard_of_sorted_unique_arrays() -> None:
    a = np.array([1, 2, 3, 4], dtype=np.uint64)
    b = np.array([3, 4, 5], dtype=np.uint64)
    assert jaccard(a, b) == pytest.approx(2 / 5)
    assert jaccard(a, np.array([], dtype=np.uint64)) == 0.0
