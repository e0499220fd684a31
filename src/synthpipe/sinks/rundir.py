"""The run directory: three append-only JSONL files plus an atomically replaced manifest.

Every finished record is appended and flushed at once, so a killed run keeps what it had. On resume a
torn last line (the process died mid-write) is cut off, the ids already written are skipped, and failed
records are dropped from failed.jsonl so they are tried again."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from synthpipe.core.errors import UsageError
from synthpipe.core.records import Record

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
        self.kept: dict[str, list[Record]] = {outcome: [] for outcome in OUTCOMES}
        self._lock: IO[str] | None = None

    def file(self, outcome: str) -> Path:
        return self.path / f"{outcome}.jsonl"

    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def open(self, retry_failed: bool = True) -> set[str]:
        """Lock the directory, repair torn lines, load what earlier runs wrote; return the finished ids."""
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock = (self.path / ".lock").open("w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise UsageError(
                f"{self.path}: another synthpipe run is writing to this directory — wait for it "
                "or choose another --out"
            ) from None
        for outcome in OUTCOMES:
            _repair_tail(self.file(outcome))
            self.kept[outcome] = [Record.from_json(row) for row in iter_jsonl(self.file(outcome))]
        if retry_failed and self.kept["failed"]:
            atomic_write_text(self.file("failed"), "")
            self.kept["failed"] = []
        for outcome in OUTCOMES:
            self._files[outcome] = self.file(outcome).open("a", encoding="utf-8")
        return {rec.id for records in self.kept.values() for rec in records}

    def write(self, outcome: str, rec: Record) -> None:
        fh = self._files[outcome]
        fh.write(rec.dumps() + "\n")
        fh.flush()
        self.kept[outcome].append(rec)

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()
        self._files.clear()
        if self._lock:
            self._lock.close()
            self._lock = None

    def records(self, outcome: str) -> list[Record]:
        """Every record in the file, earlier runs' included (held in memory; no re-read at the end)."""
        return self.kept[outcome]


class OutputSet:
    """Several files that appear together or not at all (for `check`, `judge`, `dedup`).

    Inside the `with`, write to `tmp(name)`; `commit()` renames them into place in the given order, so
    put the manifest last: its presence means the set is complete. Leaving the block without a commit
    (an error) removes the temp files, and the folder too if this set created it and it is empty."""

    def __init__(self, out: Path, names: tuple[str, ...]) -> None:
        self.out, self.names = out, names
        self._tmp = {name: out / f".{name}.{os.getpid()}.tmp" for name in names}
        self._created = False

    def __enter__(self) -> OutputSet:
        self._created = not self.out.exists()
        self.out.mkdir(parents=True, exist_ok=True)
        return self

    def tmp(self, name: str) -> Path:
        return self._tmp[name]

    def write_records(self, name: str, records: Iterable[Record]) -> None:
        with self._tmp[name].open("w", encoding="utf-8") as fh:
            fh.writelines(rec.dumps() + "\n" for rec in records)

    def write_json(self, name: str, data: Any) -> None:
        self._tmp[name].write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    def commit(self) -> None:
        for name in self.names:
            os.replace(self._tmp[name], self.out / name)

    def __exit__(self, *exc: object) -> None:
        for path in self._tmp.values():
            path.unlink(missing_ok=True)
        if self._created and not any(self.out.iterdir()):
            self.out.rmdir()
