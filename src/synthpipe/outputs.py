"""The run directory: three append-only JSONL files plus an atomically replaced manifest.

Every finished record is appended and flushed at once, so a killed run keeps what it had. On resume a
torn last line (the process died mid-write) is cut off, the ids already written are skipped, and failed
records are dropped from failed.jsonl so they are tried again."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from synthpipe.errors import UsageError
from synthpipe.records import Record

OUTCOMES = ("accepted", "rejected", "failed")


def atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _repair_tail(path: Path) -> None:
    """Cut a trailing partial line left by a kill in the middle of a write."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as fh:
        fh.seek(-1, os.SEEK_END)
        if fh.read(1) == b"\n":
            return
        data = path.read_bytes()
        fh.truncate(data.rfind(b"\n") + 1)


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


class RunDir:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._files: dict[str, IO[str]] = {}
        self._lock: IO[str] | None = None

    def file(self, outcome: str) -> Path:
        return self.path / f"{outcome}.jsonl"

    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def open(self, retry_failed: bool = True) -> tuple[set[str], list[Record]]:
        """Lock the directory, repair torn lines; return ids already finished and the accepted records."""
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock = (self.path / ".lock").open("w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise UsageError(
                f"{self.path}: another synthpipe run is writing to this directory — wait for it "
                "or choose another --out"
            ) from None
        done: set[str] = set()
        accepted: list[Record] = []
        for outcome in OUTCOMES:
            _repair_tail(self.file(outcome))
        for row in iter_jsonl(self.file("accepted")):
            rec = Record.from_json(row)
            accepted.append(rec)
            done.add(rec.id)
        done.update(row["id"] for row in iter_jsonl(self.file("rejected")))
        failed = list(iter_jsonl(self.file("failed")))
        if retry_failed and failed:
            atomic_write_text(self.file("failed"), "")
        else:
            done.update(row["id"] for row in failed)
        for outcome in OUTCOMES:
            self._files[outcome] = self.file(outcome).open("a", encoding="utf-8")
        return done, accepted

    def write(self, outcome: str, rec: Record) -> None:
        fh = self._files[outcome]
        fh.write(rec.dumps() + "\n")
        fh.flush()

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()
        self._files.clear()
        if self._lock:
            self._lock.close()
            self._lock = None

    def records(self, outcome: str) -> Iterator[Record]:
        for row in iter_jsonl(self.file(outcome)):
            yield Record.from_json(row)
