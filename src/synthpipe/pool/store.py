"""The pool's storage: one SQLite database in WAL mode, whose versions are never changed once written.

Tables:
- records: each record ever added, once (`key`: the hash of its task and fields; `id`: its own id), with
  the columns that selections and counts need and the record itself as JSON (`body`);
- members: which records a version holds and with what weight, as intervals: a row is live from version
  `added` up to, not including, `removed` (NULL: still live). Changing a weight closes a row and opens
  another, so every earlier version keeps exactly what it held;
- splits: a record's train/eval assignment and the version that made it; an assignment never changes;
- versions: one row per change (its operation, arguments and counts); tags: names for versions.

A change is one transaction opened with BEGIN IMMEDIATE: a second writer waits for the first (SQLite's
write lock), and a process killed before COMMIT leaves the database at the version before, since WAL
makes a commit atomic.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from synthpipe.core.errors import UsageError

DB_NAME = "pool.sqlite"
FORMAT = "1"
WAIT_S = 600.0  # how long a change waits for another one to finish

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    rid INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    id TEXT NOT NULL,
    task TEXT NOT NULL,
    origin TEXT NOT NULL,
    model TEXT NOT NULL,
    recipe TEXT NOT NULL,
    tag TEXT NOT NULL,
    topic TEXT NOT NULL,
    body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS members (
    rid INTEGER NOT NULL,
    weight REAL NOT NULL,
    added INTEGER NOT NULL,
    removed INTEGER
);
CREATE INDEX IF NOT EXISTS records_id ON records (id);
CREATE INDEX IF NOT EXISTS members_live ON members (removed, rid);
CREATE INDEX IF NOT EXISTS members_rid ON members (rid);
CREATE TABLE IF NOT EXISTS splits (rid INTEGER PRIMARY KEY, split TEXT NOT NULL, assigned INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS versions (
    version INTEGER PRIMARY KEY,
    created REAL NOT NULL,
    op TEXT NOT NULL,
    args TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tags (name TEXT PRIMARY KEY, version INTEGER NOT NULL, created REAL NOT NULL);
"""

# the columns a selection (`--origin X`…) and the counts of a version look at
COLUMNS = ("task", "origin", "model", "recipe", "tag")


def live(version_param: str = ":v") -> str:
    """SQL condition: a members row (alias m) is part of version :v."""
    return f"m.added <= {version_param} AND (m.removed IS NULL OR m.removed > {version_param})"


class Store:
    """One open pool database. Not thread-safe; one per process and operation."""

    def __init__(self, directory: Path, create: bool = False) -> None:
        self.dir = directory
        self.path = directory / DB_NAME
        if not create and not self.path.is_file():
            hint = (
                f"create one with `synthpipe pool init {directory}`"
                if not directory.exists() or not any(directory.iterdir())
                else "pass the directory that `synthpipe pool init` created"
            )
            raise UsageError(f"{directory}: not a pool (no {DB_NAME}) — {hint}")
        try:
            self.db = sqlite3.connect(self.path, timeout=WAIT_S, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            if not create:
                fmt = self.db.execute("SELECT value FROM settings WHERE key='format'").fetchone()
                if fmt is None:
                    raise sqlite3.DatabaseError("no format")
        except sqlite3.DatabaseError:
            raise UsageError(
                f"{self.path}: not a synthpipe pool database — pass the directory that `synthpipe pool init` "
                "created"
            ) from None

    def close(self) -> None:
        self.db.close()

    # --- transactions ------------------------------------------------------------------------------
    def begin(self, on_wait: Any = None) -> None:
        """Take the write lock; call `on_wait()` once if another change holds it, then wait."""
        self.db.execute("PRAGMA busy_timeout = 0")
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if on_wait is not None:
                on_wait()
            self.db.execute(f"PRAGMA busy_timeout = {int(WAIT_S * 1000)}")
            self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    # --- versions ----------------------------------------------------------------------------------
    def latest(self) -> int:
        row = self.db.execute("SELECT MAX(version) FROM versions").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def new_version(self, op: str, args: dict[str, Any]) -> int:
        """The number of the version this transaction makes (written by `finish_version`)."""
        row = self.db.execute("SELECT MAX(version) FROM versions").fetchone()
        version = 0 if row[0] is None else int(row[0]) + 1  # `pool init` makes version 0, empty
        self.db.execute(
            "INSERT INTO versions (version, created, op, args, summary) VALUES (?, ?, ?, ?, '{}')",
            (version, time.time(), op, orjson.dumps(args).decode()),
        )
        return version

    def finish_version(self, version: int, changes: dict[str, Any]) -> dict[str, Any]:
        summary = {"changes": changes, **self.counts(version)}
        self.db.execute("UPDATE versions SET summary = ? WHERE version = ?", (orjson.dumps(summary), version))
        return summary

    def version_row(self, version: int) -> dict[str, Any]:
        row = self.db.execute(
            "SELECT version, created, op, args, summary FROM versions WHERE version = ?", (version,)
        ).fetchone()
        if row is None:
            raise KeyError(version)
        return {
            "version": row[0],
            "created": row[1],
            "op": row[2],
            "args": orjson.loads(row[3]),
            "summary": orjson.loads(row[4]),
            "tags": [
                t
                for (t,) in self.db.execute(
                    "SELECT name FROM tags WHERE version = ? ORDER BY name", (row[0],)
                )
            ],
        }

    def versions(self) -> list[dict[str, Any]]:
        return [
            self.version_row(v) for (v,) in self.db.execute("SELECT version FROM versions ORDER BY version")
        ]

    def counts(self, version: int) -> dict[str, Any]:
        """Records and their weight in `version`, per task, origin, model, recipe, tag and split (one
        pass over the version)."""
        cols = ", ".join(f"r.{c}" for c in COLUMNS)
        rows = self.db.execute(
            f"SELECT {cols}, s.split, COUNT(*), SUM(m.weight) FROM members m JOIN records r ON r.rid = m.rid "
            f"LEFT JOIN splits s ON s.rid = m.rid AND s.assigned <= :v WHERE {live()} GROUP BY {cols}, s.split",
            {"v": version},
        )
        out: dict[str, Any] = {"records": 0, "weight": 0.0, **{c: {} for c in (*COLUMNS, "split")}}
        for row in rows:
            n, w = row[-2], row[-1]
            out["records"] += n
            out["weight"] += w
            for c, value in zip((*COLUMNS, "split"), row[:-2], strict=True):
                key = value or ("unassigned" if c == "split" else "-")
                out[c][key] = out[c].get(key, 0) + n
        out["weight"] = round(out["weight"], 6)
        for c in (*COLUMNS, "split"):
            out[c] = dict(sorted(out[c].items()))
        return out

    # --- tags --------------------------------------------------------------------------------------
    def tag_version(self, name: str) -> int | None:
        row = self.db.execute("SELECT version FROM tags WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else None

    # --- settings ----------------------------------------------------------------------------------
    def setting(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return orjson.loads(row[0]) if row else None

    def set_setting(self, key: str, value: Any) -> None:
        self.db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, orjson.dumps(value).decode()),
        )

    # --- members -----------------------------------------------------------------------------------
    def live_rows(
        self, version: int, where: str = "", params: Sequence[Any] = ()
    ) -> Iterator[tuple[Any, ...]]:
        """(rid, key, weight, body, split) of every record in `version`, in the order they were added."""
        sql = (
            "SELECT r.rid, r.key, m.weight, r.body, s.split FROM members m JOIN records r ON r.rid = m.rid "
            "LEFT JOIN splits s ON s.rid = r.rid AND s.assigned <= ? "
            f"WHERE m.added <= ? AND (m.removed IS NULL OR m.removed > ?) {where} ORDER BY r.rid"
        )
        yield from self.db.execute(sql, (version, version, version, *params))
