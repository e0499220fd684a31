"""Response cache keyed on the request itself — endpoint identity, model, messages, parameters and
schema — never on function source and never on a key. SQLite in WAL mode; each response is committed
the moment it arrives, so a process killed at any point has kept every response it received. This is
what makes resume free: a re-run re-plans the same requests and finds their answers here."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import orjson

from synthpipe.backends.base import Backend, Completion, GenOptions, Messages

SCHEMA_VERSION = 1
CHECKPOINT_EVERY_S = 1.0


def request_key(
    identity: dict[str, Any], messages: Messages, schema: dict[str, Any] | None, options: GenOptions
) -> str:
    body = {"v": SCHEMA_VERSION, "id": identity, "m": messages, "s": schema, "o": options.to_json()}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


class ResponseCache:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # autocommit (isolation_level=None): every put is its own durable transaction
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # survives a killed process; fsync only at checkpoints
        self.db.execute("PRAGMA busy_timeout=10000")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, model TEXT, value TEXT NOT NULL, created REAL)"
        )
        # Checkpoints fsync; run inside a commit they stall the event loop for ~20 ms. A background
        # thread with its own connection does them instead; commits (the durability point) stay here.
        self.db.execute("PRAGMA wal_autocheckpoint=0")
        self._stop = threading.Event()
        self._checkpointer: threading.Thread | None = None

    def get(self, key: str) -> Completion | None:
        row = self.db.execute("SELECT value FROM responses WHERE key=?", (key,)).fetchone()
        if row is None:
            return None
        comp = Completion.from_json(orjson.loads(row[0]))
        comp.cached = True
        return comp

    def _checkpoint_loop(self) -> None:
        db = sqlite3.connect(self.path, isolation_level=None)
        db.execute("PRAGMA busy_timeout=10000")
        while not self._stop.wait(CHECKPOINT_EVERY_S):
            db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        db.close()

    def put(self, key: str, completion: Completion) -> None:
        if self._checkpointer is None:
            self._checkpointer = threading.Thread(
                target=self._checkpoint_loop, name="cache-checkpoint", daemon=True
            )
            self._checkpointer.start()
        self.db.execute(
            "INSERT OR REPLACE INTO responses VALUES (?,?,?,?)",
            (key, completion.model, orjson.dumps(completion.to_json()).decode(), time.time()),
        )

    def stats(self) -> dict[str, Any]:
        n, first, last = self.db.execute(
            "SELECT count(*), min(created), max(created) FROM responses"
        ).fetchone()
        per_model = dict(self.db.execute("SELECT model, count(*) FROM responses GROUP BY model").fetchall())
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file())
        return {
            "path": str(self.path),
            "entries": n,
            "bytes": size,
            "per_model": per_model,
            "oldest": first,
            "newest": last,
        }

    def clear(self) -> int:
        n = self.db.execute("SELECT count(*) FROM responses").fetchone()[0]
        self.db.execute("DELETE FROM responses")
        self.db.execute("VACUUM")
        return n

    def close(self) -> None:
        if self._checkpointer is not None:
            self._stop.set()
            self._checkpointer.join()
            self._checkpointer = None
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.close()


class CachedModel:
    """A backend seen through the cache. `use_cache=False` still records answers, it just never reads."""

    def __init__(
        self, backend: Backend, cache: ResponseCache | None, use_cache: bool = True, name: str = ""
    ) -> None:
        self.backend = backend
        self.cache = cache
        self.use_cache = use_cache
        self.name = name or backend.model
        self.hits = 0
        self.calls = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self._identity = backend.identity

    @property
    def model(self) -> str:
        return self.backend.model

    def cached(
        self, messages: Messages, schema: dict[str, Any] | None, options: GenOptions
    ) -> Completion | None:
        """The cached answer to this request, at once (None on a miss or when the cache is not read).
        A stage uses it to decide a record without a task or an await: a re-run of a finished run."""
        if not (self.cache and self.use_cache):
            return None
        hit = self.cache.get(request_key(self._identity, messages, schema, options))
        if hit is not None:
            self.hits += 1
        return hit

    async def chat(
        self, messages: Messages, schema: dict[str, Any] | None, options: GenOptions
    ) -> Completion:
        key = request_key(self._identity, messages, schema, options) if self.cache else ""
        if self.cache and self.use_cache:
            hit = self.cache.get(key)
            if hit is not None:
                self.hits += 1
                return hit
        self.calls += 1
        completion = await self.backend.chat(messages, schema, options)
        self.prompt_tokens += completion.prompt_tokens
        self.completion_tokens += completion.completion_tokens
        if self.cache:
            self.cache.put(key, completion)
        return completion
