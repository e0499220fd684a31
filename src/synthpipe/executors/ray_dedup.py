"""Dedup over Ray: the decisions of `dedup_records` (stages/dedup/batch.py), with the work on the workers.

1. sketch (one task per block of records): normal form, exact key, MinHash band keys and fingerprints;
2. here: the exact groups (each group's first record in keep order is its representative);
3. band (one task per band): representatives grouped by band key; pairs in a group whose fingerprints
   agree on at least `min_agreement` positions are candidates;
4. confirm (one task per chunk of candidate pairs): word similarity and the vetoes of confirm.py;
5. here: keep-first over the confirmed pairs, in keep order (existing records, then higher judge
   score, then earlier position). A record is removed when its best confirmed candidate (highest
   similarity, ties the earlier) is still kept: the greedy rule of the batch path, so the kept set is
   the same as a local dedup of the same input, whatever the number of workers.

Only the exact and MinHash methods are distributed; with `embedding` the whole set is deduplicated in
this process (the embedding model would otherwise load on every worker)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from synthpipe.core.records import Record
from synthpipe.stages.dedup.batch import _dup, apply_decisions, dedup_records, priority_order
from synthpipe.stages.dedup.deduper import (
    NEAR,
    Duplicate,
    fields_for,
    prompt_fields_for,
)

BLOCK = 20_000  # records per sketch task, at most
PAIRS = 50_000  # candidate pairs per confirm task, at most


def ray_dedup_records(ray: Any, workers: int) -> Callable[..., tuple[list[Record], list[Record]]]:
    """A `dedup_records` that runs on `workers` Ray workers."""

    def run(
        records: Iterable[Record],
        config: Any,
        task: str,
        existing: Iterable[Record] | Mapping[str, Iterable[Record]] = (),
        *,
        models: Any = None,
        embedder: Any = None,
    ) -> tuple[list[Record], list[Record]]:
        methods = set(config.methods) if config.enabled else set()
        if "embedding" in methods:
            return dedup_records(records, config, task, existing, models=models, embedder=embedder)
        return _Distributed(ray, workers, config, task).dedup(list(records), existing)

    return run


class _Distributed:
    def __init__(self, ray: Any, workers: int, config: Any, task: str) -> None:
        self.ray, self.config, self.task = ray, config, task
        self.keys, self.prompt_keys = fields_for(task, config), prompt_fields_for(task)
        cpus = float(ray.cluster_resources().get("CPU", 1))
        self.workers = workers
        self.cpus = max(0.01, cpus / workers)  # each task's share: at most `workers` run at once

    def dedup(
        self, batch: list[Record], existing: Iterable[Record] | Mapping[str, Iterable[Record]]
    ) -> tuple[list[Record], list[Record]]:
        import numpy as np

        pool, sources = [], []
        for source, recs in existing.items() if isinstance(existing, Mapping) else [(None, existing)]:
            for rec in recs:
                pool.append(rec)
                sources.append(source)
        methods = set(self.config.methods) if self.config.enabled else set()
        if not methods or not batch:
            return batch, []
        order = pool + [batch[i] for i in priority_order(batch)]
        n, n_pool = len(order), len(pool)
        sketches = self._sketch(order, "minhash" in methods)
        exact = np.concatenate([s[0] for s in sketches]) if sketches else np.zeros((0, 16), np.uint8)
        has_text = np.concatenate([s[1] for s in sketches])
        has_shingles = np.concatenate([s[2] for s in sketches])
        rep_of = np.arange(n)
        if "exact" in methods and n:
            rows = np.flatnonzero(has_text)
            keys = np.ascontiguousarray(exact[rows]).view(np.dtype((np.void, 16))).ravel()
            _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
            rep_of[rows] = rows[first[inverse.ravel()]]
        is_rep = (rep_of == np.arange(n)) & has_text
        decided: dict[int, Duplicate] = {}
        if "minhash" in methods:
            pairs = self._candidates([s[3] for s in sketches], is_rep & has_shingles, n)
            decided = self._keep_first(order, pairs, n_pool, sources)
        kept, removed, _ = apply_decisions(order, batch, rep_of.tolist(), decided, n_pool, sources)
        return kept, removed

    def _sketch(self, order: list[Record], minhash: bool) -> list[Any]:
        size = max(1000, min(BLOCK, math.ceil(len(order) / (4 * self.workers))))
        task = self.ray.remote(_sketch_block).options(num_cpus=self.cpus, num_returns=4)
        c = self.config
        refs = [
            task.remote(
                [rec.text(self.keys) for rec in order[lo : lo + size]],
                minhash,
                c.word_ngram,
                c.char_ngram,
                c.minhash_threshold,
            )
            for lo in range(0, len(order), size)
        ]
        small = self.ray.get([r[i] for r in refs for i in range(3)])
        return [(*small[3 * k : 3 * k + 3], refs[k][3]) for k in range(len(refs))]

    def _candidates(self, sketch_refs: list[Any], eligible: Any, n: int) -> Any:
        """Unique (later, earlier) candidate pairs as later * n + earlier."""
        import numpy as np

        from synthpipe.stages.dedup.minhash import band_params, min_agreement

        bands, rows = band_params(self.config.minhash_threshold)
        need = min_agreement(self.config.minhash_threshold, bands * rows)
        task = self.ray.remote(_band_pairs).options(num_cpus=self.cpus)
        mask = self.ray.put(eligible)
        parts = self.ray.get([task.remote(sketch_refs, mask, b, need) for b in range(bands)])
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)

    def _keep_first(
        self, order: list[Record], pairs: Any, n_pool: int, sources: list[str | None]
    ) -> dict[int, Duplicate]:
        import numpy as np

        from synthpipe.stages.dedup.confirm import family, split_parts

        n = len(order)
        if not len(pairs):
            return {}
        later, earlier = pairs // n, pairs % n
        keep = later >= n_pool  # existing records are never removed: their pairs decide nothing
        later, earlier = later[keep], earlier[keep]
        task = self.ray.remote(_confirm).options(num_cpus=self.cpus)
        refs = []
        step = max(1000, min(PAIRS, math.ceil(len(later) / (4 * self.workers))))
        for lo in range(0, len(later), step):
            li, ei = later[lo : lo + step], earlier[lo : lo + step]
            used = np.unique(np.concatenate([li, ei])).tolist()
            parts = {i: (*split_parts(order[i], self.keys, self.prompt_keys), family(order[i])) for i in used}
            refs.append(task.remote(li, ei, parts))
        threshold = self.config.minhash_threshold
        candidates: dict[int, list[tuple[float, int]]] = {}
        for (li, ei), (sims, ok) in zip(
            ((later[lo : lo + step], earlier[lo : lo + step]) for lo in range(0, len(later), step)),
            self.ray.get(refs),
            strict=True,
        ):
            for i, j, sim, good in zip(li.tolist(), ei.tolist(), sims.tolist(), ok.tolist(), strict=True):
                if good and sim >= threshold:
                    candidates.setdefault(i, []).append((-sim, j))
        removed: dict[int, tuple[int, float]] = {}
        for i in sorted(candidates):
            best = min(((s, j) for s, j in candidates[i] if j not in removed), default=None)
            if best is not None:
                removed[i] = (best[1], -best[0])
        return {i: _dup(order, j, NEAR, sim, sources) for i, (j, sim) in removed.items()}


def _sketch_block(
    texts: Sequence[str], minhash: bool, word_ngram: int, char_ngram: int, threshold: float
) -> Any:
    """Exact keys (n, 16) uint8, has text, has shingles, and (band keys, fingerprints)."""
    import numpy as np

    from synthpipe.stages.dedup.normalize import exact_key, normalize

    norm = [normalize(t) for t in texts]
    exact = np.frombuffer(b"".join(exact_key(t) for t in norm), dtype=np.uint8).reshape(len(norm), 16)
    has_text = np.array([bool(t) for t in norm], dtype=bool)
    if not minhash:
        return exact, has_text, np.zeros(len(norm), bool), None
    from synthpipe.stages.dedup.minhash import MinHasher, band_keys, band_params, fingerprint
    from synthpipe.stages.dedup.shingles import Shingler

    flat, offsets = Shingler(word_ngram, char_ngram).batch(norm)
    bands, rows = band_params(threshold)
    sig = MinHasher(bands * rows).signatures(flat, offsets)
    return exact, has_text, offsets[1:] > offsets[:-1], (band_keys(sig, bands, rows), fingerprint(sig))


SMALL_GROUP = 64


def _band_pairs(sketch_refs: list[Any], eligible: Any, band: int, need: int) -> Any:
    """Pairs (later * n + earlier) of eligible records sharing their key in `band`, fingerprints agreeing
    on at least `need` positions."""
    import numpy as np
    import ray

    blocks = ray.get(sketch_refs)
    keys = np.concatenate([b[0][:, band] for b in blocks])
    fp = np.concatenate([b[1] for b in blocks])
    n = len(keys)
    idx = np.flatnonzero(eligible)
    col = keys[idx]
    order = np.argsort(col, kind="stable")
    srt = col[order]
    starts = np.flatnonzero(np.r_[True, srt[1:] != srt[:-1]]) if len(srt) else np.zeros(0, np.int64)
    sizes = np.diff(np.r_[starts, len(srt)])
    out: list[Any] = []
    for size in np.unique(sizes[(sizes > 1) & (sizes <= SMALL_GROUP)]).tolist():
        members = idx[order[starts[sizes == size][:, None] + np.arange(size)]]  # ascending positions
        lo, hi = np.triu_indices(size, 1)
        first, later = members[:, lo].ravel(), members[:, hi].ravel()
        ok = np.count_nonzero(fp[later] == fp[first], axis=1) >= need
        out.append(later[ok] * n + first[ok])
    for start, size in zip(
        starts[sizes > SMALL_GROUP].tolist(), sizes[sizes > SMALL_GROUP].tolist(), strict=True
    ):
        members = idx[order[start : start + size]]
        for k in range(1, size):
            agree = np.count_nonzero(fp[members[:k]] == fp[members[k]], axis=1) >= need
            out.append(members[k] * n + members[:k][agree])
    return np.concatenate(out).astype(np.int64) if out else np.zeros(0, np.int64)


def _confirm(later: Any, earlier: Any, parts: dict[int, tuple[str, str, str]]) -> tuple[Any, Any]:
    """Similarity and the confirmation (other family, no veto) of each pair."""
    import numpy as np

    from synthpipe.stages.dedup.confirm import features, similarity, veto

    feats = {i: features(p, a) for i, (p, a, _) in parts.items()}
    sims = np.empty(len(later))
    ok = np.empty(len(later), bool)
    for k, (i, j) in enumerate(zip(later.tolist(), earlier.tolist(), strict=True)):
        sims[k] = similarity(feats[i], feats[j])
        ok[k] = parts[i][2] != parts[j][2] and veto(feats[i], feats[j], True) is None
    return sims, ok
