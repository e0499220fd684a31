"""The response cache under Ray: the run's cache file, read by every worker; answers written by the
workers of one host into that host's own file beside it, committed one by one as they arrive.

    OUT/cache.sqlite                 read by every worker; written only by the driver
    OUT/cache.sqlite.ray/HOST.sqlite written by the workers on HOST (SQLite WAL: one host per file)

The driver folds the host files into the cache file before the workers start (answers a killed run
had received) and after they finish. A worker killed mid-block loses nothing it was answered: the
block is retried by a worker on the same host, which reads the same host file. Only a whole node lost
mid-run costs its unmerged answers until the next run merges them (the file stays on shared storage).
SQLite's WAL needs all writers of a file on one host, hence one file per host rather than one for all."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
from pathlib import Path

from synthpipe.backends.base import Completion
from synthpipe.cache import ResponseCache


def shard_dir(main: Path) -> Path:
    return main.with_name(main.name + ".ray")


class HostCache:
    """A ResponseCache for a worker: get from the host file, then the run's cache; put to the host file."""

    def __init__(self, main: Path) -> None:
        self.main = ResponseCache(main) if main.exists() else None
        self.own = ResponseCache(shard_dir(main) / f"{_host()}.sqlite")

    def get(self, key: str) -> Completion | None:
        return self.own.get(key) or (self.main.get(key) if self.main is not None else None)

    def put(self, key: str, completion: Completion) -> None:
        self.own.put(key, completion)

    def close(self) -> None:
        self.own.close()
        if self.main is not None:
            self.main.db.close()  # read only here: the driver checkpoints it


def _host() -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in socket.gethostname()) or "host"


def merge_shards(main: Path) -> int:
    """Fold every host file into `main`, then remove them; returns the answers added."""
    folder = shard_dir(main)
    files = sorted(folder.glob("*.sqlite")) if folder.is_dir() else []
    if not files:
        return 0
    cache = ResponseCache(main)
    added = 0
    try:
        for path in files:
            added += _fold(cache.db, path)
            for extra in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                extra.unlink(missing_ok=True)
    finally:
        cache.close()
    with contextlib.suppress(OSError):
        folder.rmdir()
    return added


def _fold(db: sqlite3.Connection, path: Path) -> int:
    before = db.total_changes
    db.execute("ATTACH DATABASE ? AS shard", (str(path),))
    try:
        db.execute("INSERT OR IGNORE INTO responses SELECT key, model, value, created FROM shard.responses")
    finally:
        db.execute("DETACH DATABASE shard")
    return db.total_changes - before
