"""What `pool add` reads and writes: the records of a source, their keys, and the insert itself."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from synthpipe.core.errors import InputFileError, UsageError
from synthpipe.core.records import Meta, Record
from synthpipe.pool import index as dedup_index
from synthpipe.pool.splits import assign_new_splits
from synthpipe.pool.store import Store

SELECTORS = ("origin", "model", "recipe", "tag", "task")


@dataclass
class AddResult:
    """What one `add` did: the version it made (None when nothing changed), and per record."""

    version: int | None
    added: int = 0
    already_present: int = 0
    duplicates: dict[str, int] = field(default_factory=dict)  # duplicate_exact / duplicate_near -> n
    not_accepted: int = 0  # rejected or failed records of the source, never added
    removed_earlier: int = 0  # records a change (remove, a review) took out of the pool; not added again
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "added": self.added,
            "already_present": self.already_present,
            "duplicates": self.duplicates,
            "not_accepted": self.not_accepted,
            "removed_earlier": self.removed_earlier,
            "source": self.source,
        }


def record_key(rec: Record) -> str:
    """How the pool recognises a record it holds already: the hash of its task and fields. Not its id:
    a plain input row's id depends on the file and line it came from, and records derived from the
    recipe examples of two recipes (`seed-0`'s paraphrases) share ids while saying different things."""
    blob = orjson.dumps([rec.meta.task, rec.fields], option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return "C" + hashlib.blake2b(blob, digest_size=8).hexdigest()


def source_records(src: Path) -> tuple[list[Record], int]:
    """(accepted records, records not accepted) of a run directory (as its review left them) or a data
    file (its records without reasons)."""
    from synthpipe.reviews import run_records
    from synthpipe.sources.files import read_records

    if src.is_dir():
        path = src / "accepted.jsonl"
        if not path.is_file():
            raise UsageError(
                f"{src}: no accepted.jsonl — pass a run directory (the --out of `synthpipe run`) or a data file"
            )
        records = run_records(src)
    elif src.is_file():
        path, records = src, read_records(src)
    else:
        raise UsageError(f"{src}: no such file or run directory — check the path")
    accepted: list[Record] = []
    not_accepted = 0
    for rec in records:
        if rec.meta.reasons and any(r.stage == "read" for r in rec.meta.reasons):
            raise InputFileError(
                str(path),
                rec.meta.reasons[0].detail.split(": ", 1)[-1],
                "fix or remove that line",
                line=rec.meta.line,
            )
        if rec.meta.reasons or rec.meta.error:
            not_accepted += 1
            continue
        if not rec.fields:
            raise InputFileError(
                str(path), "a record without fields", "fix or remove that line", line=rec.meta.line
            )
        accepted.append(rec)
    return accepted, not_accepted


MAX_WEIGHT = 100.0  # an export writes floor(w) copies of a record


def check_weight(weight: float | None) -> None:
    if weight is not None and not 0 <= weight <= MAX_WEIGHT:  # also NaN and inf
        raise UsageError(
            f"weight {weight}: must be from 0 to {MAX_WEIGHT:g} (0 keeps the records but exports none of them)"
        )


def selector(selection: Mapping[str, str | None]) -> tuple[str, list[str], str]:
    chosen = {k: v for k, v in selection.items() if v is not None}
    bad = [k for k in chosen if k not in SELECTORS]
    if bad:
        raise UsageError(f"cannot select by {bad[0]!r}: use one of {', '.join(SELECTORS)}")
    if not chosen:
        raise UsageError(f"say which records: one of {', '.join('--' + s for s in SELECTORS)}")
    where = " AND ".join(f"r.{k} = ?" for k in chosen)
    text = ", ".join(f"{k}={v}" for k, v in chosen.items())
    return where, list(chosen.values()), text


def for_dedup(body: bytes, task: str) -> Record:
    """A pool record as far as dedup reads it (id, fields, family), without decoding its whole meta:
    adding a run to a pool of a million records reads every one of them."""
    row = orjson.loads(body)
    meta = row.pop("meta")
    return Record(row.pop("id"), row, Meta(task=task, parent_id=meta.get("parent_id"), created_at=0.0))


def add_records(
    store: Store,
    version: int,
    recs: list[Record],
    result: AddResult,
    *,
    tag: str | None,
    weight: float | None,
    readd: bool,
) -> tuple[dict[str, Any] | None, AddResult]:
    """The work of `Pool.add` inside its transaction: skip what the pool holds or removed, deduplicate the
    rest against version - 1 and each other, insert what is kept as `version`."""
    from synthpipe.recipe import DedupConfig
    from synthpipe.stages.dedup import dedup_records

    db = store.db
    # The unique key and id indexes take random inserts: with SQLite's default 2 MB page cache a million
    # of them go to disk page by page. 256 MB holds them (for this connection, which closes after the add).
    db.execute("PRAGMA cache_size = -262144")
    live_keys, gone = set(), set()
    for key, live in db.execute(
        "SELECT r.key, MAX(m.removed IS NULL) FROM records r JOIN members m ON m.rid = r.rid GROUP BY r.rid"
    ):
        (live_keys if live else gone).add(key)
    if readd:
        gone.clear()
    fresh: list[tuple[str, Record]] = []
    seen: set[str] = set()
    for rec in recs:
        key = record_key(rec)
        if rec.meta.origin == "input":
            rec.id = key  # a plain row's id depends on its file and line: use the key
        if key in seen:
            result.duplicates["duplicate_exact"] = result.duplicates.get("duplicate_exact", 0) + 1
        elif key in live_keys:
            result.already_present += 1
        elif key in gone:
            result.removed_earlier += 1
        else:
            seen.add(key)
            fresh.append((key, rec))
    del live_keys, seen
    key_of = {id(rec): key for key, rec in fresh}
    by_task: dict[str, list[Record]] = defaultdict(list)
    for _key, rec in fresh:
        by_task[rec.meta.task].append(rec)
    del fresh
    keep: list[Record] = []
    keys_of: dict[int, tuple[bytes, bytes]] = {}  # id(record) -> its dedup index keys
    backfill: list[tuple[int, bytes, bytes]] = []
    for task, batch in by_task.items():
        indexed = dedup_index.usable(store, task)
        if indexed:  # only the pool records that could be duplicates
            rows = dedup_index.candidates(store, task, batch)
        else:  # the whole pool, once: this writes the index for every record of the task
            rows = [
                (rid, body)
                for rid, _key, _w, body, _s in store.live_rows(version - 1, "AND r.task = ?", (task,))
            ]
        existing = [(rid, for_dedup(body, task)) for rid, body in rows]
        del rows
        kept, removed = dedup_records(
            batch, DedupConfig(), task, existing=[r for _, r in existing], index=keys_of
        )
        if not indexed:
            backfill += dedup_index.entries(keys_of, existing)
        del existing
        for rec in removed:
            code = rec.meta.reasons[-1].code
            result.duplicates[code] = result.duplicates.get(code, 0) + 1
        keep += kept  # in the batch's order
    by_task.clear()
    if not keep:
        return None, result
    # a record removed earlier and added again (readd) keeps its row, its first body and tag
    keys = [key_of[id(r)] for r in keep]
    del key_of
    known = dict(
        db.execute(
            "SELECT key, rid FROM records WHERE key IN (SELECT value FROM json_each(?))",
            (orjson.dumps(keys).decode(),),
        )
    )
    next_rid = (db.execute("SELECT MAX(rid) FROM records").fetchone()[0] or 0) + 1
    rids: list[int] = []
    for key in keys:
        rid = known.get(key)
        if rid is None:
            rid, next_rid = next_rid, next_rid + 1
        rids.append(rid)

    def record_rows() -> Iterator[tuple[Any, ...]]:
        for rid, key, rec in zip(rids, keys, keep, strict=True):
            if key in known:
                continue
            rec.meta.reasons.clear()
            rec.meta.line = None
            meta = rec.meta
            yield (
                rid,
                key,
                rec.id,
                meta.task,
                meta.origin,
                meta.model,
                meta.recipe,
                tag or "",
                str(meta.plan.get("topic", "")),
                orjson.dumps(rec.to_json()),
            )

    db.executemany(
        "INSERT INTO records (rid, key, id, task, origin, model, recipe, tag, topic, body) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        record_rows(),
    )
    db.executemany(
        "INSERT INTO members (rid, weight, added) VALUES (?, ?, ?)",
        (
            (rid, rec.meta.weight if weight is None else weight, version)
            for rid, rec in zip(rids, keep, strict=True)
        ),
    )
    rows = rids
    result.added = len(rows)
    result.version = version
    dedup_index.write(store, [*backfill, *dedup_index.entries(keys_of, zip(rids, keep, strict=True))])
    assign_new_splits(store, version)
    return {
        "added": result.added,
        "already_present": result.already_present,
        "removed_earlier": result.removed_earlier,
        "duplicates": result.duplicates,
    }, result
