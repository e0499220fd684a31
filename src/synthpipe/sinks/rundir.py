"""The run directory: three append-only JSONL files, an atomically replaced manifest, and `run.json`,
the data identity of the recipe that writes here.

Every finished record is appended, and flushed with the group the engine routed it in, so a killed run
keeps what it had (a line still in the buffer is redone from the cached answer). On resume a
torn last line (the process died mid-write) is cut off, the ids already written are skipped, and failed
records are dropped from failed.jsonl so they are tried again. A recipe whose data identity differs from
the one in run.json is refused with a message naming what changed: records made under two recipes are
never mixed."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO, Any

from synthpipe.core.errors import UsageError
from synthpipe.core.records import Record
from synthpipe.sinks.base import (
    OUTCOMES,
    MemorySink,
    atomic_write_json,
    atomic_write_text,
    dump_records,
    iter_jsonl,
    make_output_dir,
)

IDENTITY_FILE = "run.json"
MADE_BY_RUN = (
    *(f"{o}.jsonl" for o in OUTCOMES),
    "manifest.json",
    "review_sample.jsonl",
    "report.html",
    IDENTITY_FILE,
)


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


LOCK_FILE = ".lock"


def lock_directory(directory: Path, busy: str) -> IO[str]:
    """Take `directory`'s run lock (held until `unlock_directory`); `busy` is the error when another
    process holds it. The lock file is removed on a clean exit, so a lock taken on a file that was
    removed meanwhile is dropped and taken again on the new one."""
    while True:
        try:
            fh = (directory / LOCK_FILE).open("a")
        except OSError as exc:
            raise UsageError(
                f"{directory}: cannot write here ({exc.strerror}) — choose a folder you can write to"
            ) from None
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise UsageError(busy) from None
        try:
            if os.fstat(fh.fileno()).st_ino == os.stat(directory / LOCK_FILE).st_ino:
                return fh
        except FileNotFoundError:
            pass
        fh.close()


def unlock_directory(directory: Path, fh: IO[str]) -> None:
    """Release the lock and remove its file (still held while removing, so no other run sees it go)."""
    try:
        (directory / LOCK_FILE).unlink(missing_ok=True)
    finally:
        fh.close()


class RunDir(MemorySink):
    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        self._files: dict[str, IO[str]] = {}
        self._lock: IO[str] | None = None

    def file(self, outcome: str) -> Path:
        return self.path / f"{outcome}.jsonl"

    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def open(self, identity: dict[str, Any], *, retry_failed: bool = True, force: bool = False) -> set[str]:
        """Lock the directory, check that it holds this recipe's data, repair torn lines and load what
        earlier runs wrote; return the ids already finished."""
        from synthpipe.recipe.identity import changes

        make_output_dir(self.path)
        self._lock = lock_directory(
            self.path,
            f"{self.path}: another synthpipe run is writing to this directory — wait for it "
            "or choose another --out",
        )
        self._mark_interrupted()
        stored = self._stored_identity()
        has_records = any(self.file(o).exists() and self.file(o).stat().st_size for o in OUTCOMES)
        if force:
            for name in MADE_BY_RUN:  # the cache stays: the new run takes every answer it can from it
                (self.path / name).unlink(missing_ok=True)
        elif stored is None and has_records:
            self.close(False)
            raise UsageError(
                f"{self.path}: holds records without a run.json (written by an older synthpipe) — give a "
                "new --out, or --force to start this directory over (cached answers are reused)"
            )
        elif stored is not None and stored.get("identity") != identity:
            lines = changes(stored.get("identity") or {}, identity)
            self.close(False)
            raise UsageError(
                f"{self.path}: was made by a recipe whose data differs from this one ("
                + "; ".join(lines)
                + ") — give a new --out, or --force to start this directory over (cached answers are reused)"
            )
        atomic_write_json(self.path / IDENTITY_FILE, {"identity": identity})
        for outcome in OUTCOMES:
            _repair_tail(self.file(outcome))
            self.kept[outcome] = [Record.from_json(row) for row in iter_jsonl(self.file(outcome))]
        if retry_failed and self.kept["failed"]:
            atomic_write_text(self.file("failed"), "")
            self.kept["failed"] = []
        for outcome in OUTCOMES:
            self._files[outcome] = self.file(outcome).open("a", encoding="utf-8")
        return {rec.id for records in self.kept.values() for rec in records}

    def _mark_interrupted(self) -> None:
        """A manifest still `running` while we hold the lock was left by a run that was killed: say so
        before this run writes its own."""
        before = self.previous_manifest()
        if before.get("status") == "running":
            before["status"] = "interrupted"
            atomic_write_json(self.manifest_path, before)

    def _stored_identity(self) -> dict[str, Any] | None:
        import json

        path = self.path / IDENTITY_FILE
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def write(self, outcome: str, rec: Record) -> None:
        self._files[outcome].write(rec.dumps() + "\n")
        self.kept[outcome].append(rec)

    def flush(self) -> None:
        """Hand what was written to the OS: the engine calls it after each group of records it routes,
        so a kill loses at most that group's lines, whose answers the cache still has."""
        for fh in self._files.values():
            fh.flush()

    def write_records(self, name: str, records: list[Record]) -> None:
        atomic_write_text(self.path / name, dump_records(records))

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        self.manifest = manifest
        atomic_write_json(self.manifest_path, manifest)

    def write_text(self, name: str, text: str) -> None:
        atomic_write_text(self.path / name, text)

    def previous_manifest(self) -> dict[str, Any]:
        import json

        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def close(self, complete: bool = True) -> None:
        for fh in self._files.values():
            fh.close()
        self._files.clear()
        if self._lock:
            unlock_directory(self.path, self._lock)
            self._lock = None
