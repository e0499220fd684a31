"""MinHash signatures, LSH banding, and an incremental index that verifies candidates exactly.

Own vectorised numpy MinHash rather than `rensa` or `datasketch`: bench/dedup_bench.py measured all three
(bench/dedup.md). rensa computes signatures fastest but hands them back only as Python lists, and
datasketch builds one Python object per record; here signatures stay numpy arrays end to end, which is what
the 1M-record goal needs. LSH only proposes candidates: a candidate is a duplicate only if an exact
similarity of the two records reaches the threshold (the dedup stage uses confirm.py's, which also vetoes
template look-alikes; the index's own default is the Jaccard of the shingle sets), so precision does not
depend on luck.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from synthpipe.stages.dedup.shingles import numpy, splitmix64

if TYPE_CHECKING:
    import numpy as np

MAX_PERM = 96
LSH_RECALL = 0.99  # chance that a pair exactly at the threshold shares at least one band
ESTIMATE_MARGIN = 0.15  # see min_agreement
_CHUNK_TOKENS = 1 << 15  # tokens per block: keeps the (perm x token) block in cache


def band_params(threshold: float, max_perm: int = MAX_PERM, recall: float = LSH_RECALL) -> tuple[int, int]:
    """(bands, rows): the most rows per band (fewest false candidates) whose bands still catch a pair with
    Jaccard == threshold with probability >= recall, using at most `max_perm` permutations."""
    best = (max_perm, 1)
    for rows in range(1, max_perm + 1):
        p = threshold**rows
        if p >= 1.0:
            return 1, rows
        bands = math.ceil(math.log(1 - recall) / math.log(1 - p)) if p > 0 else max_perm + 1
        if bands * rows > max_perm:
            break
        best = (bands, rows)
    return best


def _perm_params(num_perm: int, seed: int) -> tuple[list[int], list[int]]:
    """32-bit multipliers (odd) and offsets of the hash family, from a pure-Python splitmix64 so they never
    change with the numpy version."""
    state = seed & 0xFFFFFFFFFFFFFFFF
    out: list[int] = []
    for _ in range(2 * num_perm):
        state = (state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        out.append((z ^ (z >> 31)) & 0xFFFFFFFF)
    return [v | 1 for v in out[:num_perm]], out[num_perm:]


class MinHasher:
    """Row-wise MinHash of flat shingle arrays: h_p(x) = a_p * x + b_p (mod 2**32), minimum per row.

    The shingles are already well-mixed 64-bit hashes, folded to 32 bits; on such input this affine
    family estimates Jaccard as well as 64-bit multiply-shift (measured: same error on the labelled set)
    at well under half the cost, because the (permutation x token) block is half the bytes."""

    def __init__(self, num_perm: int, seed: int = 1) -> None:
        np = numpy()
        a, b = _perm_params(num_perm, seed)
        self.num_perm = num_perm
        self._a = np.asarray(a, dtype=np.uint32)[:, None]
        self._b = np.asarray(b, dtype=np.uint32)[:, None]

    def signatures(self, flat: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """(rows, num_perm) uint32 signatures of the rows flat[offsets[i]:offsets[i+1]] (offsets may be a
        slice of a longer offsets array); a row without shingles gets all 0xFFFFFFFF."""
        np = numpy()
        rows = len(offsets) - 1
        sig = np.full((rows, self.num_perm), 0xFFFFFFFF, dtype=np.uint32)
        nonempty = np.flatnonzero(offsets[1:] > offsets[:-1])
        if not len(nonempty):
            return sig
        base = int(offsets[0])
        part = flat[base : int(offsets[-1])]
        folded = (part ^ (part >> np.uint64(32))).astype(np.uint32)
        starts = offsets[nonempty] - base
        ends = offsets[nonempty + 1] - base
        i = 0
        while i < len(nonempty):
            # a block of whole rows holding about _CHUNK_TOKENS tokens
            j = int(np.searchsorted(starts, starts[i] + _CHUNK_TOKENS, side="left"))
            j = max(j, i + 1)
            lo, hi = int(starts[i]), int(ends[j - 1])
            block = np.empty((self.num_perm, hi - lo), dtype=np.uint32)
            np.multiply(folded[None, lo:hi], self._a, out=block)
            np.add(block, self._b, out=block)
            sig[nonempty[i:j]] = np.minimum.reduceat(block, starts[i:j] - lo, axis=1).T
            i = j
        return sig


def band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, bands) uint64 keys: two records share a key in band i iff (almost surely) their rows agree."""
    np = numpy()
    n = sig.shape[0]
    view = sig[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
    key = np.zeros((n, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for r in range(rows):
            key = key * np.uint64(0x100000001B3) + view[:, :, r]
        key += np.arange(1, bands + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    return splitmix64(key)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted unique shingle arrays."""
    np = numpy()
    if not len(a) or not len(b):
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def fingerprint(sig: np.ndarray) -> np.ndarray:
    """The low byte of every MinHash value: enough to estimate agreement (a chance match adds 1/256)."""
    return sig.astype(numpy().uint8)


def min_agreement(threshold: float, num_perm: int) -> int:
    """Fingerprint positions two records must share before their exact Jaccard is worth computing.

    threshold - ESTIMATE_MARGIN: with 96 permutations that is ~3 standard deviations below the threshold,
    so a true near duplicate is almost never skipped, while the many LSH candidates that merely share
    common words are dropped without an exact check."""
    return math.ceil((threshold - ESTIMATE_MARGIN) * num_perm)


def best_of(
    ids: list[int],
    similarity: Callable[[int], float],
    threshold: float,
    confirm: Callable[[int], bool] | None = None,
) -> tuple[int, float] | None:
    """Highest `similarity(id)` >= threshold among `ids` (ascending; ties: the first) that `confirm`
    accepts (see confirm.py), or None."""
    passed = [(sim, idx) for idx in ids if (sim := similarity(idx)) >= threshold]
    passed.sort(key=lambda x: (-x[0], x[1]))
    for sim, idx in passed:
        if confirm is None or confirm(idx):
            return idx, sim
    return None


class MinHashIndex:
    """Kept records' band keys, fingerprints and (with `keep_sets`) shingle sets; `best` returns the most
    similar kept record (ties: the earliest added) whose exact similarity reaches the threshold and that
    `confirm`, when given, accepts."""

    FEW = 64  # candidates up to which fingerprints are compared as Python ints

    def __init__(self, threshold: float, seed: int = 1, keep_sets: bool = True) -> None:
        np = numpy()
        self.threshold, self.keep_sets = threshold, keep_sets
        self.bands, self.rows = band_params(threshold)
        self.hasher = MinHasher(self.bands * self.rows, seed)
        self.need = min_agreement(threshold, self.hasher.num_perm)
        # band key -> the kept record with that key, or a list of them once two share it (most keys are
        # never shared: an int each saves a list per key)
        self._buckets: dict[int, int | list[int]] = {}
        self._sets: dict[int, np.ndarray] = {}
        self._fps = np.zeros((64, self.hasher.num_perm), dtype=np.uint8)
        self._row: dict[int, int] = {}
        # The same fingerprints as Python ints: for the usual handful of candidates, counting equal
        # bytes with a few integer operations beats a numpy call per record.
        self._fpint: dict[int, int] = {}
        n = self.hasher.num_perm
        self._low7 = int.from_bytes(b"\x7f" * n, "little")
        self._high = int.from_bytes(b"\x80" * n, "little")

    def sketch(self, flat: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(fingerprints, band keys) of every row of a flat shingle array."""
        sig = self.hasher.signatures(flat, offsets)
        return fingerprint(sig), band_keys(sig, self.bands, self.rows)

    def best(
        self,
        shingles: np.ndarray,
        fp: np.ndarray,
        keys: list[int],
        similarity: Callable[[int], float] | None = None,
        confirm: Callable[[int], bool] | None = None,
    ) -> tuple[int, float] | None:
        """The best kept candidate by `similarity(kept index)` (default: exact Jaccard of the shingle
        sets, which needs `keep_sets`) at or above the threshold that `confirm` accepts."""
        np = numpy()
        candidates: set[int] = set()
        buckets = self._buckets
        for key in keys:
            hit = buckets.get(key)
            if hit is None:
                continue
            if isinstance(hit, int):
                candidates.add(hit)
            else:
                candidates.update(hit)
        if not candidates:
            return None
        ids = sorted(candidates)
        if len(ids) <= self.FEW:
            mine, n, need = int.from_bytes(fp.tobytes(), "little"), self.hasher.num_perm, self.need
            fpint, low7, high = self._fpint, self._low7, self._high
            likely = []
            for i in ids:
                x = mine ^ fpint[i]  # a zero byte where the fingerprints agree
                if n - ((((x & low7) + low7) | x) & high).bit_count() >= need:
                    likely.append(i)
        else:
            agree = np.count_nonzero(self._fps[[self._row[i] for i in ids]] == fp, axis=1)
            likely = [ids[k] for k in np.flatnonzero(agree >= self.need).tolist()]
        if similarity is None:
            sets = self._sets

            def similarity(i: int) -> float:
                return jaccard(shingles, sets[i])

        return best_of(likely, similarity, self.threshold, confirm)

    def add(self, idx: int, shingles: np.ndarray, fp: np.ndarray, keys: list[int]) -> None:
        np = numpy()
        if not len(shingles):
            return
        if len(self._row) == len(self._fps):
            self._fps = np.concatenate([self._fps, np.zeros_like(self._fps)])
        self._row[idx] = len(self._row)
        self._fps[self._row[idx]] = fp
        self._fpint[idx] = int.from_bytes(fp.tobytes(), "little")
        if self.keep_sets:
            self._sets[idx] = shingles
        buckets = self._buckets
        for key in keys:
            hit = buckets.get(key)
            if hit is None:
                buckets[key] = idx
            elif isinstance(hit, int):
                buckets[key] = [hit, idx]
            else:
                hit.append(idx)

    def __len__(self) -> int:
        return len(self._row)
