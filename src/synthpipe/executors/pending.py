"""Records that passed the per-record stages of a Ray run and wait for the whole-set stages (dedup, the
review sample). They are appended here as each block finishes, so a re-run after a kill skips finished
blocks: their records are either in the output (rejected, failed) or here; the file goes once the run
has written them all."""

from __future__ import annotations

from pathlib import Path

import orjson

from synthpipe.core.records import Record


class Pending:
    def __init__(self, folder: Path | None, name: str) -> None:
        self.path = folder / f".ray-pending{name}.jsonl" if folder is not None else None
        self._fh = None

    def load(self, recipe_hash: str | None, done: set[str]) -> list[Record]:
        """What an earlier run left here for this recipe and not yet written; a torn last line is
        dropped (its block is done again, answered from the cache)."""
        if self.path is None or not self.path.exists():
            return []
        out: dict[str, Record] = {}
        for line in self.path.read_bytes().splitlines():
            try:
                rec = Record.from_json(orjson.loads(line))
            except (orjson.JSONDecodeError, KeyError, TypeError):
                continue
            if rec.meta.recipe_hash == recipe_hash and rec.id not in done:
                out[rec.id] = rec
        return list(out.values())

    def add(self, records: list[Record]) -> None:
        if self.path is None or not records:
            return
        if self._fh is None:
            self._fh = self.path.open("ab")
        self._fh.write(b"".join(rec.dumps().encode() + b"\n" for rec in records))
        self._fh.flush()

    def clear(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
