"""Output files that appear together or not at all (`check`, `judge`, `dedup`).

Records are kept as they are decided and written at the end, in input order, to temporary files in the
output folder; `close(complete=True)` renames every file into place, the manifest last, so its presence
means the set is complete. A run that
ends any other way removes the temporary files, and the folder too if this set created it and it is
empty: a failure half-way leaves no half-written result behind, and never replaces an earlier one."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from synthpipe.core.records import Record
from synthpipe.sinks.base import OUTCOMES, MemorySink, atomic_write_json, dump_records, make_output_dir


class OutputSet(MemorySink):
    def __init__(self, path: str | Path, outcomes: tuple[str, ...] = OUTCOMES) -> None:
        super().__init__()
        self.path = Path(path)
        self.outcomes = outcomes
        self._created = False
        self._tmp: dict[str, Path] = {}

    def _tmp_path(self, name: str) -> Path:
        if name not in self._tmp:
            self._tmp[name] = self.path / f".{name}.{os.getpid()}.tmp"
        return self._tmp[name]

    def open(self) -> None:
        self._created = make_output_dir(self.path)

    def write_records(self, name: str, records: list[Record]) -> None:
        self._tmp_path(name).write_text(dump_records(records), encoding="utf-8")

    def write_text(self, name: str, text: str) -> None:
        self._tmp_path(name).write_text(text, encoding="utf-8")

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        self.manifest = manifest
        atomic_write_json(self._tmp_path("manifest.json"), manifest)

    def close(self, complete: bool = True) -> None:
        self.sort()
        if complete and "manifest.json" in self._tmp:
            for outcome in self.outcomes:
                self.write_records(f"{outcome}.jsonl", self.kept[outcome])
            names = [n for n in self._tmp if n != "manifest.json"] + ["manifest.json"]
            for name in names:
                os.replace(self._tmp[name], self.path / name)
            self._tmp.clear()
            return
        for tmp in self._tmp.values():
            tmp.unlink(missing_ok=True)
        self._tmp.clear()
        if self._created and self.path.exists() and not any(self.path.iterdir()):
            self.path.rmdir()
