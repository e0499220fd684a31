"""The pool's dedup index: every record's exact key and MinHash band keys, stored when it is added, so that
adding to a big pool reads only the records that could be duplicates of what arrives, not all of them.

Deduplicating a batch against the pool keeps the pool's records and removes a batch record that repeats
one of them: only pool records that share an exact key or a band key with some batch record can take part
in such a decision (LSH proposes nothing else), so deduplicating against those gives the same result as
against the whole pool. The keys are those of `DedupConfig()`'s defaults, which is what `pool add` uses;
`version()` changes when they do (the number of band keys follows the threshold), and a pool whose index
is missing, partial or of another version is deduplicated the full way once, which writes the index for
every record."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from synthpipe.core.records import Record
from synthpipe.pool.store import Store

# The defaults version "1" was written with: exact + MinHash at 0.8, word 1-grams, character 2-grams.
_V1 = (0.8, 1, 2)
SETTING = "dedup_index"
TABLE = "CREATE TABLE IF NOT EXISTS dedup_index (rid INTEGER PRIMARY KEY, exact BLOB NOT NULL, bands BLOB NOT NULL)"


def version() -> str:
    """The version of the keys today's dedup defaults make: "1" for those the index was first written
    with, another name for other defaults, so that an index of other keys is never read as these."""
    from synthpipe.recipe import DedupConfig

    c = DedupConfig()
    made = (c.minhash_threshold, c.word_ngram, c.char_ngram)
    return "1" if made == _V1 else "minhash {} words {} chars {}".format(*made)


def usable(store: Store, task: str) -> bool:
    """Whether every live record of `task` has index keys of this version."""
    store.db.execute(TABLE)
    if store.setting(SETTING) != version():
        return False
    missing = store.db.execute(
        "SELECT COUNT(*) FROM members m JOIN records r ON r.rid = m.rid LEFT JOIN dedup_index d ON d.rid = m.rid "
        "WHERE m.removed IS NULL AND r.task = ? AND d.rid IS NULL",
        (task,),
    ).fetchone()[0]
    return missing == 0


def candidates(store: Store, task: str, batch: list[Record]) -> list[tuple[int, bytes]]:
    """(rid, body) of the live records of `task` that share an exact or a band key with a batch record,
    in the order they were added."""
    from synthpipe.recipe import DedupConfig
    from synthpipe.stages.dedup.batch import sketch
    from synthpipe.stages.dedup.deduper import fields_for
    from synthpipe.stages.dedup.normalize import exact_key, normalize
    from synthpipe.stages.dedup.shingles import numpy

    np = numpy()
    config = DedupConfig()
    keys = fields_for(task, config)
    texts = [t for t in (normalize(rec.text(keys)) for rec in batch) if t]
    if not texts:
        return []
    exact = {exact_key(t) for t in texts}
    fresh_bands = sketch(texts, config)[0]
    chosen: set[int] = set()
    band_rids: list[int] = []
    blobs: list[bytes] = []
    for rid, ex, bands in store.db.execute(
        "SELECT d.rid, d.exact, d.bands FROM dedup_index d JOIN records r ON r.rid = d.rid "
        "JOIN members m ON m.rid = d.rid WHERE m.removed IS NULL AND r.task = ?",
        (task,),
    ):
        if ex in exact:
            chosen.add(rid)
        if bands:
            band_rids.append(rid)
            blobs.append(bands)
    if blobs:
        width = fresh_bands.shape[1]
        pool_bands = np.frombuffer(b"".join(blobs), dtype=np.uint64).reshape(-1, width)
        del blobs
        hit = np.zeros(len(pool_bands), dtype=bool)
        for b in range(width):
            hit |= np.isin(pool_bands[:, b], fresh_bands[:, b])
        chosen.update(np.asarray(band_rids, dtype=np.int64)[hit].tolist())
    if not chosen:
        return []
    return list(
        store.db.execute(
            "SELECT rid, body FROM records WHERE rid IN (SELECT value FROM json_each(?)) ORDER BY rid",
            (orjson.dumps(sorted(chosen)).decode(),),
        )
    )


def write(store: Store, rows: Iterable[tuple[int, bytes, bytes]]) -> None:
    """Store (rid, exact key, band keys) rows of this version (whether a task's records all have theirs
    is what `usable` counts)."""
    store.db.execute(TABLE)
    store.db.executemany("INSERT OR REPLACE INTO dedup_index (rid, exact, bands) VALUES (?, ?, ?)", rows)
    store.set_setting(SETTING, version())


def entries(
    index: dict[int, tuple[bytes, bytes]], pairs: Iterable[tuple[int, Any]]
) -> list[tuple[int, bytes, bytes]]:
    """Index rows for (rid, record) pairs whose keys `dedup_records` reported."""
    out = []
    for rid, rec in pairs:
        keys = index.get(id(rec))
        if keys is not None:
            out.append((rid, *keys))
    return out
