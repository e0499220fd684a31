"""Dedup a whole batch at once: the same decisions as `Deduper`, computed with numpy for large files.

Keep rule: existing records (the pool) first and never removed; then the batch by higher judge score
(`meta.scores["overall"]`), then earlier position. In that order each record is removed if it duplicates an
already kept record, else kept — exactly what streaming the same order through `Deduper` gives. Deduping a
batch against the pool therefore equals deduping the union with the pool in front.

For speed, MinHash band keys for all records are computed in one pass and grouped with argsort; only
records that share a band with some other record go through the Python loop.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from synthpipe.core.gcpause import gc_paused
from synthpipe.stages.dedup.confirm import Features, family, features, similarity, split_parts, veto
from synthpipe.stages.dedup.deduper import (
    EXACT,
    NEAR,
    SEMANTIC,
    Duplicate,
    fields_for,
    mark_duplicate,
    prompt_fields_for,
)
from synthpipe.stages.dedup.normalize import exact_key, normalize

if TYPE_CHECKING:
    import numpy as np

    from synthpipe.core.records import Record
    from synthpipe.recipe import DedupConfig, ModelSpec
    from synthpipe.stages.dedup.embed import Embedder


def _score(rec: Record) -> float | None:
    value = rec.meta.scores.get("overall")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def priority_order(records: Sequence[Record]) -> list[int]:
    """Indices of `records` in keep order: scored before unscored, higher score first, then earlier."""

    def key(i: int) -> tuple[int, float, int]:
        score = _score(records[i])
        return (0, -score, i) if score is not None else (1, 0.0, i)

    return sorted(range(len(records)), key=key)


def dedup_records(
    records: Iterable[Record],
    config: DedupConfig,
    task: str,
    existing: Iterable[Record] | Mapping[str, Iterable[Record]] = (),
    *,
    models: Mapping[str, ModelSpec] | None = None,
    embedder: Embedder | None = None,
    index: dict[int, tuple[bytes, bytes]] | None = None,
) -> tuple[list[Record], list[Record]]:
    """(kept, removed), both in input order. Removed records get a dedup Reason in meta.reasons and
    meta.extra["duplicate_of"] = {id, line, code, similarity[, source]} naming the kept record.

    `existing` is the pool: records, or {file name: records} so that a duplicate names the file it is in.
    `index`, when given (exact and minhash on), is filled with id(record) -> (exact key, band keys as
    bytes) for every existing and kept record: what a pool stores so that a later add finds its
    candidates without reading every record again (see `sketch`). An empty text has empty keys."""
    with gc_paused():
        return _dedup(list(records), config, task, existing, models, embedder, index)


def _dedup(
    batch: list[Record],
    config: DedupConfig,
    task: str,
    existing: Iterable[Record] | Mapping[str, Iterable[Record]],
    models: Mapping[str, ModelSpec] | None,
    embedder: Embedder | None,
    index: dict[int, tuple[bytes, bytes]] | None = None,
) -> tuple[list[Record], list[Record]]:
    pool: list[Record] = []
    sources: list[str | None] = []
    for source, recs in existing.items() if isinstance(existing, Mapping) else [(None, existing)]:
        for rec in recs:
            pool.append(rec)
            sources.append(source)
    methods = set(config.methods) if config.enabled else set()
    if not methods or not batch:
        return batch, []
    keys = fields_for(task, config)
    order = pool + [batch[i] for i in priority_order(batch)]
    n_pool = len(order) - len(batch)
    texts = [normalize(rec.text(keys)) for rec in order]

    # exact: each group of equal normal forms is decided once, by its first member (its representative)
    rep_of = list(range(len(order)))
    exact: list[bytes] = []
    if "exact" in methods:
        first: dict[bytes, int] = {}
        for i, text in enumerate(texts):
            if text:  # an empty key never makes two records duplicates
                key = exact_key(text)
                rep_of[i] = first.setdefault(key, i)
                if index is not None:
                    exact.append(key)
            elif index is not None:
                exact.append(b"")
    reps = [i for i in range(len(order)) if rep_of[i] == i and texts[i]]
    parts = _Lazy(lambda r: split_parts(order[reps[r]], keys, prompt_fields_for(task)))
    band_rows: list[np.ndarray] = []
    decided = _decide_reps(
        order, texts, reps, n_pool, config, methods, models, embedder, sources, parts, band_rows
    )

    kept, removed, removed_ids = apply_decisions(order, batch, rep_of, decided, n_pool, sources)
    if index is not None and exact and band_rows:
        number = {o: r for r, o in enumerate(reps)}  # a record's band keys are its representative's
        bands = band_rows[0]
        for i, rec in enumerate(order):
            if id(rec) not in removed_ids:
                r = number.get(rep_of[i])
                index[id(rec)] = (exact[i], bands[r].tobytes() if r is not None else b"")
    return kept, removed


SKETCH_SPLIT = 100_000  # texts per thread worth a second thread (numpy releases the GIL in the heavy parts)


def sketch(texts: list[str], config: DedupConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(band keys (n, bands) uint64, fingerprints (n, permutations) uint8, rows with shingles) of
    normalized texts: the MinHash sketch that `_Lsh` groups by. Large batches are sketched in two halves
    on two threads: shingling and MinHash are numpy work that releases the GIL (1M texts: 6.5 s on one
    thread, 4.5 s on two, the same keys)."""
    from synthpipe.stages.dedup.shingles import numpy

    np = numpy()
    n = len(texts)
    if n < 2 * SKETCH_SPLIT or (os.cpu_count() or 1) < 2:
        return _sketch_part(texts, config)
    from concurrent.futures import ThreadPoolExecutor

    half = n // 2
    with ThreadPoolExecutor(2, thread_name_prefix="synthpipe-sketch") as pool:
        a, b = pool.map(lambda part: _sketch_part(part, config), (texts[:half], texts[half:]))
    return np.concatenate([a[0], b[0]]), np.concatenate([a[1], b[1]]), np.concatenate([a[2], b[2] + half])


def _sketch_part(texts: list[str], config: DedupConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from synthpipe.stages.dedup.minhash import MinHasher, band_keys, band_params, fingerprint
    from synthpipe.stages.dedup.shingles import Shingler, numpy

    np = numpy()
    flat, offsets = Shingler(config.word_ngram, config.char_ngram).batch(texts)
    bands, rows = band_params(config.minhash_threshold)
    hasher = MinHasher(bands * rows)
    n = len(texts)
    keys = np.empty((n, bands), dtype=np.uint64)
    fp = np.empty((n, bands * rows), dtype=np.uint8)
    for lo in range(0, n, _Lsh.SKETCH_ROWS):  # full 32-bit signatures only for a block of rows at a time
        hi = min(n, lo + _Lsh.SKETCH_ROWS)
        sig = hasher.signatures(flat, offsets[lo : hi + 1])
        keys[lo:hi] = band_keys(sig, bands, rows)
        fp[lo:hi] = fingerprint(sig)
    return keys, fp, np.flatnonzero(offsets[1:] > offsets[:-1])


def apply_decisions(
    order: list[Record],
    batch: list[Record],
    rep_of: Sequence[int],
    decided: Mapping[int, Duplicate],
    n_pool: int,
    sources: list[str | None],
) -> tuple[list[Record], list[Record], set[int]]:
    """(kept, removed, ids of the removed) of the batch, in input order: a record is removed when its
    representative was (with the representative's reason), or as an exact copy of it; the reason is
    added to the record's meta."""
    removed_at: dict[int, Duplicate] = {}
    for i in range(n_pool, len(order)):
        rep = int(rep_of[i])
        if rep != i:
            dup = decided.get(rep)
            removed_at[i] = dup if dup is not None else _dup(order, rep, EXACT, 1.0, sources)
        elif rep in decided:
            removed_at[i] = decided[rep]
    removed_ids = set()
    for i, dup in removed_at.items():
        order[i].meta.reasons.append(mark_duplicate(order[i], dup))
        removed_ids.add(id(order[i]))
    kept = [rec for rec in batch if id(rec) not in removed_ids]
    return kept, [rec for rec in batch if id(rec) in removed_ids], removed_ids


def _dup(order: list[Record], i: int, code: str, sim: float, sources: list[str | None]) -> Duplicate:
    rec = order[i]
    return Duplicate(code, rec.id, rec.meta.line, sim, sources[i] if i < len(sources) else None)


def _decide_reps(
    order: list[Record],
    texts: list[str],
    reps: list[int],
    n_pool: int,
    config: DedupConfig,
    methods: set[str],
    models: Mapping[str, ModelSpec] | None,
    embedder: Embedder | None,
    sources: list[str | None],
    parts: Mapping[int, tuple[str, str]],
    band_rows: list[np.ndarray] | None = None,
) -> dict[int, Duplicate]:
    """Greedy keep-first over the representatives; returns position -> Duplicate for the removed ones.

    Works on representative numbers (0..len(reps)-1, in keep order). Only representatives with a likely
    near-duplicate pair, a place in a large LSH bucket, or a semantic candidate can be removed or matter
    to a later one, so only they are visited; every other representative is kept."""
    lsh: _Lsh | None = None
    feats: dict[int, Features] = _Lazy(lambda r: features(*parts[r]))
    fam: dict[int, str] = _Lazy(lambda r: family(order[reps[r]]))

    def confirm(i: int, j: int, questions: bool = True) -> bool:
        return fam[i] != fam[j] and veto(feats[i], feats[j], questions) is None

    if "minhash" in methods:
        lsh = _Lsh([texts[r] for r in reps], config, lambda i, j: similarity(feats[i], feats[j]), confirm)
        if band_rows is not None:
            band_rows.append(lsh.keys)
    semantic: dict[int, list[tuple[int, float]]] = {}
    if "embedding" in methods:
        from synthpipe.stages.dedup.embed import cosine_candidates, make_embedder

        emb = embedder or make_embedder(config, models)
        semantic = cosine_candidates(emb.embed([texts[r] for r in reps]), config.embedding_threshold)

    first_new = sum(1 for r in reps if r < n_pool)  # reps of the pool come first and are always kept
    removed: dict[int, tuple[str, int, float]] = {}  # rep -> (code, kept rep, similarity)
    visit = (lsh.visit if lsh else set()) | semantic.keys()
    for i in sorted(visit):
        found: tuple[str, int, float] | None = None
        if i >= first_new:
            match = lsh.best(i, removed) if lsh else None
            if match:
                found = (NEAR, *match)
            else:
                best: tuple[int, float] | None = None
                for j, sim in semantic.get(i, ()):  # earlier reps, in order; not removed = kept
                    if j not in removed and (best is None or sim > best[1]) and confirm(i, j, False):
                        best = (j, sim)
                if best:
                    found = (SEMANTIC, *best)
        if found is None:
            if lsh:
                lsh.keep(i)
        else:
            removed[i] = found
    return {reps[i]: _dup(order, reps[j], code, sim, sources) for i, (code, j, sim) in removed.items()}


class _Lsh:
    """MinHash candidates for all representatives at once, with the same decisions as `MinHashIndex`.

    Two records are candidates when they share a band key and their fingerprints agree on at least
    `min_agreement` positions. For buckets of up to SMALL_BUCKET records every pair is checked here with
    numpy; larger buckets (boilerplate shared by many records) keep a list of kept members instead, as
    the incremental index does, so the work stays linear in the bucket size."""

    SMALL_BUCKET = 64
    SKETCH_ROWS = 1 << 16
    PAIR_CHUNK = 1 << 20

    def __init__(
        self,
        texts: list[str],
        config: DedupConfig,
        similarity: Callable[[int, int], float],
        confirm: Callable[[int, int], bool],
    ) -> None:
        from synthpipe.stages.dedup.minhash import band_params, min_agreement
        from synthpipe.stages.dedup.shingles import numpy

        np = numpy()
        self.threshold = config.minhash_threshold
        self.similarity, self.confirm = similarity, confirm
        keys, self.fp, nonempty = sketch(texts, config)
        self.keys = keys
        bands, rows = band_params(self.threshold)
        n = len(texts)
        self.need = min_agreement(self.threshold, bands * rows)
        pair_parts: list[np.ndarray] = []
        self.big_of: dict[int, list[int]] = {}  # rep -> ids of the large buckets it is in
        self.members: dict[int, list[int]] = {}  # large bucket id -> kept reps in it, in order
        next_id = 0
        for b in range(bands):
            col = keys[nonempty, b]
            idx = np.argsort(col, kind="stable")
            srt = col[idx]
            starts = np.flatnonzero(np.r_[True, srt[1:] != srt[:-1]])
            sizes = np.diff(np.r_[starts, len(srt)])
            for size in np.unique(sizes[(sizes > 1) & (sizes <= self.SMALL_BUCKET)]).tolist():
                group_starts = starts[sizes == size]
                members = nonempty[idx[group_starts[:, None] + np.arange(size)]]  # rows in rep order
                lo, hi = np.triu_indices(size, 1)
                pair_parts.append(members[:, hi].ravel() * n + members[:, lo].ravel())
            for g_start, size in zip(
                starts[sizes > self.SMALL_BUCKET].tolist(),
                sizes[sizes > self.SMALL_BUCKET].tolist(),
                strict=True,
            ):
                for rep in nonempty[idx[g_start : g_start + size]].tolist():
                    self.big_of.setdefault(rep, []).append(next_id)
                next_id += 1
        self.earlier: dict[int, list[int]] = {}  # rep -> earlier reps that are likely near duplicates
        if pair_parts:
            pairs = np.unique(np.concatenate(pair_parts))
            for c in range(0, len(pairs), self.PAIR_CHUNK):
                chunk = pairs[c : c + self.PAIR_CHUNK]
                later, first = chunk // n, chunk % n
                agree = np.count_nonzero(self.fp[later] == self.fp[first], axis=1)
                ok = agree >= self.need
                for i, j in zip(later[ok].tolist(), first[ok].tolist(), strict=True):
                    self.earlier.setdefault(i, []).append(j)
        self.visit = self.earlier.keys() | self.big_of.keys()

    def best(self, i: int, removed: Mapping[int, object]) -> tuple[int, float] | None:
        """The kept candidate of rep i with the highest similarity >= threshold (ties: the earliest) that
        the confirmation accepts."""
        from synthpipe.stages.dedup.minhash import best_of
        from synthpipe.stages.dedup.shingles import numpy

        likely = {j for j in self.earlier.get(i, ()) if j not in removed}
        big = {m for g in self.big_of.get(i, ()) for m in self.members.get(g, ())}
        if big:
            ids = sorted(big - likely)
            agree = numpy().count_nonzero(self.fp[ids] == self.fp[i], axis=1)
            likely.update(ids[k] for k in numpy().flatnonzero(agree >= self.need).tolist())
        if not likely:
            return None
        return best_of(
            sorted(likely), lambda j: self.similarity(i, j), self.threshold, lambda j: self.confirm(i, j)
        )

    def keep(self, i: int) -> None:
        for g in self.big_of.get(i, ()):
            self.members.setdefault(g, []).append(i)


class _Lazy(dict):  # type: ignore[type-arg]
    """key -> value computed by `fn` on first access."""

    def __init__(self, fn: Any) -> None:
        super().__init__()
        self._fn = fn

    def __missing__(self, key: int) -> Any:
        value = self[key] = self._fn(key)
        return value
