"""The dedup stage, incremental: records stream in, the first of each group of duplicates is kept.

    deduper = Deduper(recipe.dedup, recipe.task, models=recipe.models)
    deduper.add_existing(pool_records)            # never removed; later records are checked against them
    for rec in stream:
        reason = deduper.check(rec)               # None: kept and indexed; else a Reason(code, detail, "dedup")
        if reason:
            rec.meta.reasons.append(reason)       # rec.meta.extra["duplicate_of"] names the kept record

Checks run in order exact -> MinHash -> embedding (each only if listed in `methods`); the first that finds
a duplicate decides. A MinHash candidate is decided by confirm.py (word similarity, and no changed
number or subject), as on the batch path. Only kept records enter the indexes, so a removed record never
removes another.
A record whose normal form equals an earlier *removed* record's gets that record's outcome (same code,
same kept record), which keeps this stage and the batch `dedup_records` in exact agreement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from synthpipe.core.records import Reason, Record
from synthpipe.stages.dedup.confirm import Features, family, features, similarity, split_parts, veto
from synthpipe.stages.dedup.normalize import exact_key, normalize

if TYPE_CHECKING:
    import numpy as np

    from synthpipe.recipe import DedupConfig, ModelSpec
    from synthpipe.stages.dedup.embed import Embedder

STAGE = "dedup"
EXACT, NEAR, SEMANTIC = "duplicate_exact", "duplicate_near", "duplicate_semantic"
TEMPLATE_CAP = "template_cap"  # not a duplicate: over `dedup.max_per_template` (templates.py)
CODES = (EXACT, NEAR, SEMANTIC, TEMPLATE_CAP)
_EMPTY_KEY = exact_key("")


def prompt_fields_for(task: str) -> tuple[str, ...]:
    """The fields a record's answer responds to: the prompt side of the confirmation's comparison."""
    from synthpipe.tasks import get_task

    return get_task(task).prompt_fields


def fields_for(task: str, config: DedupConfig) -> tuple[str, ...]:
    """The fields whose text defines a duplicate: `dedup.fields`, else the task kind's."""
    from synthpipe.tasks import get_task

    if config.fields:
        return tuple(config.fields)
    return get_task(task).dedup_keys


@dataclass(slots=True, frozen=True)
class Duplicate:
    """Which kept record a removed record duplicates. `source` is the file of an existing record."""

    code: str
    id: str
    line: int | None
    similarity: float
    source: str | None = None

    def where(self) -> str:
        parts = [
            f"{self.source} " if self.source else "",
            f"line {self.line}" if self.line is not None else "",
        ]
        where = "".join(parts).strip()
        return f"{self.id} ({where})" if where else self.id

    def reason(self) -> Reason:
        if self.code == EXACT:
            detail = f"exact duplicate of {self.where()}"
        elif self.code == NEAR:
            detail = f"near duplicate of {self.where()}, Jaccard {self.similarity:.2f}"
        else:
            detail = f"semantic duplicate of {self.where()}, cosine {self.similarity:.3f}"
        return Reason(self.code, detail, STAGE)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "line": self.line,
            "code": self.code,
            "similarity": round(self.similarity, 4),
        }
        if self.source:
            out["source"] = self.source
        return out


def mark_duplicate(rec: Record, dup: Duplicate) -> Reason:
    """Record the machine-readable link (meta.extra["duplicate_of"]) and return the reason."""
    rec.meta.extra["duplicate_of"] = dup.to_json()
    return dup.reason()


@dataclass(slots=True)
class _Prepared:
    key: bytes
    shingles: np.ndarray | None
    fp: np.ndarray | None  # MinHash fingerprint (low bytes)
    band_keys: list[int]
    vector: np.ndarray | None


class Deduper:
    """Keep-first dedup over a stream. See the module docstring for the calling pattern."""

    def __init__(
        self,
        config: DedupConfig,
        task: str,
        *,
        models: Mapping[str, ModelSpec] | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.config, self.task = config, task
        self.keys = fields_for(task, config)
        self.methods = set(config.methods) if config.enabled else set()
        self._models, self._embedder = models, embedder
        self._kept: list[tuple[str, int | None, str | None]] = []  # id, line, source of each kept record
        self._family: list[str] = []  # of each kept record (confirm.family)
        self._exact: dict[bytes, int | Duplicate] = {}
        self._minhash: Any = None
        self._vectors: Any = None
        self.counts: Counter[str] = Counter()
        if "minhash" in self.methods:
            from synthpipe.stages.dedup.minhash import MinHashIndex
            from synthpipe.stages.dedup.shingles import Shingler

            self._minhash = MinHashIndex(config.minhash_threshold, keep_sets=False)
            self._shingler = Shingler(config.word_ngram, config.char_ngram)
        self._prompt_keys = prompt_fields_for(task)
        self._parts: dict[int, tuple[str, str]] = {}  # kept record -> (prompt, answer), for confirming
        self._features: dict[int, Features] = {}

    @property
    def embedder(self) -> Embedder:
        """Created on first use, so a recipe without `embedding` never imports torch."""
        if self._embedder is None:
            from synthpipe.stages.dedup.embed import make_embedder

            self._embedder = make_embedder(self.config, self._models)
        return self._embedder

    def _prepare(self, records: Sequence[Record]) -> list[_Prepared]:
        texts = [normalize(rec.text(self.keys)) for rec in records]
        shingles: list[Any] = [None] * len(texts)
        sigs: list[Any] = [None] * len(texts)
        band_keys: list[list[int]] = [[] for _ in texts]
        vectors: list[Any] = [None] * len(texts)
        if self._minhash is not None and texts:
            from synthpipe.stages.dedup.shingles import numpy

            np = numpy()
            flat, offsets = self._shingler.batch(texts)
            fps, keys = self._minhash.sketch(flat, offsets)
            key_lists = keys.tolist()
            for i in range(len(texts)):
                shingles[i] = np.unique(flat[offsets[i] : offsets[i + 1]])
                sigs[i] = fps[i]
                band_keys[i] = key_lists[i] if len(shingles[i]) else []
        if "embedding" in self.methods and texts:
            matrix = self.embedder.embed(texts)
            vectors = list(matrix)
        return [
            _Prepared(exact_key(t), s, g, k, v)
            for t, s, g, k, v in zip(texts, shingles, sigs, band_keys, vectors, strict=True)
        ]

    def _index(self, rec: Record, prep: _Prepared, source: str | None) -> None:
        idx = len(self._kept)
        self._kept.append((rec.id, rec.meta.line, source))
        self._family.append(family(rec))
        if "exact" in self.methods:
            self._exact[prep.key] = idx
        if self._minhash is not None and prep.shingles is not None and len(prep.shingles):
            self._minhash.add(idx, prep.shingles, prep.fp, prep.band_keys)
            self._parts[idx] = split_parts(rec, self.keys, self._prompt_keys)
        if prep.vector is not None:
            self._parts[idx] = split_parts(rec, self.keys, self._prompt_keys)
            if self._vectors is None:
                from synthpipe.stages.dedup.embed import EmbeddingIndex

                self._vectors = EmbeddingIndex(self.config.embedding_threshold)
            self._vectors.add(idx, prep.vector)

    def _dup(self, code: str, idx: int, sim: float) -> Duplicate:
        rid, line, source = self._kept[idx]
        return Duplicate(code, rid, line, sim, source)

    def add_existing(self, records: Iterable[Record], source: str | None = None) -> int:
        """Index records that are already accepted (the pool, an earlier file). Returns how many.

        `source` (a file name) is named in the detail of duplicates found against these records."""
        if not self.methods:
            return 0
        recs = list(records)
        for rec, prep in zip(recs, self._prepare(recs), strict=True):
            if isinstance(self._exact.get(prep.key), int):
                continue  # same normal form as an existing record: nothing new to index
            self._index(rec, prep, source)
        return len(recs)

    def find(self, rec: Record) -> Duplicate | None:
        """Check one record and index it when it is not a duplicate."""
        return self._decide(rec, self._prepare([rec])[0])

    def check(self, rec: Record) -> Reason | None:
        """None when `rec` is kept (and now indexed); else the reason, with meta.extra["duplicate_of"] set."""
        dup = self.find(rec)
        return mark_duplicate(rec, dup) if dup else None

    def check_many(self, records: Sequence[Record]) -> list[Reason | None]:
        """`check` over several records in order, with one batched embedding call."""
        if not self.methods:
            return [None] * len(records)
        out: list[Reason | None] = []
        for rec, prep in zip(records, self._prepare(records), strict=True):
            dup = self._decide(rec, prep)
            out.append(mark_duplicate(rec, dup) if dup else None)
        return out

    def _decide(self, rec: Record, prep: _Prepared) -> Duplicate | None:
        if not self.methods:
            return None
        if prep.key == _EMPTY_KEY:  # nothing to compare: an empty key never makes two records duplicates
            self.counts["kept"] += 1
            return None
        dup: Duplicate | None = None
        if "exact" in self.methods:
            seen = self._exact.get(prep.key)
            if isinstance(seen, int):
                dup = self._dup(EXACT, seen, 1.0)
            elif seen is not None:
                dup = seen  # same text as an earlier removed record: same outcome
        if dup is None and self._minhash is not None and prep.shingles is not None and len(prep.shingles):
            sim, confirm, _ = self._confirmation(rec)
            match = self._minhash.best(prep.shingles, prep.fp, prep.band_keys, sim, confirm)
            if match:
                dup = self._dup(NEAR, *match)
        if dup is None and prep.vector is not None and self._vectors is not None:
            match = self._vectors.best(prep.vector, self._confirmation(rec)[2])
            if match:
                dup = self._dup(SEMANTIC, *match)
        if dup is None:
            self._index(rec, prep, None)
            self.counts["kept"] += 1
            return None
        if "exact" in self.methods:
            self._exact.setdefault(prep.key, dup)
        self.counts[dup.code] += 1
        return dup

    def _confirmation(
        self, rec: Record
    ) -> tuple[Callable[[int], float], Callable[[int], bool], Callable[[int], bool]]:
        """similarity(kept index), confirm(kept index) of a near match and of a semantic match of `rec`
        (confirm.py); features on first use."""
        mine: list[Features] = []

        def pair(idx: int) -> tuple[Features, Features]:
            if not mine:
                mine.append(features(*split_parts(rec, self.keys, self._prompt_keys)))
            other = self._features.get(idx)
            if other is None:
                other = self._features[idx] = features(*self._parts[idx])
            return mine[0], other

        mine_family = family(rec)
        return (
            (lambda idx: similarity(*pair(idx))),
            (lambda idx: self._family[idx] != mine_family and veto(*pair(idx)) is None),
            (lambda idx: self._family[idx] != mine_family and veto(*pair(idx), questions=False) is None),
        )

    def __len__(self) -> int:
        """Records in the index (existing + kept)."""
        return len(self._kept)
