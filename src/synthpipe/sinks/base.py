"""What every sink shares, and the sink that writes nothing."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from synthpipe.core.records import Record

OUTCOMES = ("accepted", "rejected", "failed")


def make_output_dir(path: Path) -> bool:
    """Create the output folder (and its parents) and prove it writable before any work is done; returns
    whether it was created. A path that cannot be one is a UsageError naming it and the fix."""
    from synthpipe.core.errors import UsageError

    if path.exists() and not path.is_dir():
        raise UsageError(f"{path}: exists and is not a folder — give another --out")
    created = not path.exists()
    probe = path / f".write-test.{os.getpid()}"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe.touch()
        probe.unlink()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(
            f"{path}: cannot be used as the output folder ({reason}) — give another --out"
        ) from None
    return created


def atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def dump_records(records: list[Record]) -> str:
    return "".join(rec.dumps() + "\n" for rec in records)


def position(rec: Record) -> tuple[int, int, str, int]:
    """Where a record stands in its source: the plan index of a generated record, else its input line; a
    derived record stands after its parent, by method and k."""
    meta = rec.meta
    index = meta.plan.get("index") if meta.plan else None
    derived = meta.extra.get("augment") if meta.parent_id else None
    return (
        index if isinstance(index, int) else 1 << 62,
        meta.line or 0,
        derived["key"] if derived else "",
        derived["k"] if derived else -1,
    )


class MemorySink:
    """Keeps every record and writes nothing (`out=None` in the Python API). At the end each outcome is
    put back in input order, whatever order the stages finished in."""

    path: Path | None = None

    def __init__(self) -> None:
        self.kept: dict[str, list[Record]] = {outcome: [] for outcome in OUTCOMES}
        self.files: dict[str, list[Record]] = {}
        self.manifest: dict[str, Any] = {}

    def write(self, outcome: str, rec: Record) -> None:
        self.kept[outcome].append(rec)

    def flush(self) -> None:
        """Make what was written so far durable against a kill (a run directory)."""

    def records(self, outcome: str) -> list[Record]:
        return self.kept[outcome]

    def write_records(self, name: str, records: list[Record]) -> None:
        self.files[name] = records

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        self.manifest = manifest

    def write_text(self, name: str, text: str) -> None:
        """A file beside the records (report.html); nowhere to put it in memory."""

    def close(self, complete: bool) -> None:
        """After the run: `complete` is False when it was interrupted or failed."""
        self.sort()

    def sort(self) -> None:
        for records in self.kept.values():
            records.sort(key=position)
