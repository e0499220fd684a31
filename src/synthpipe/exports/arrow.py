"""parquet and hf: the records as Arrow columns, written in record batches so memory stays flat.

Columns: the task kind's fields (`messages` as a list of {role, content}; every other field text),
then the provenance columns of formats.PROVENANCE. The first record sets them: a later record with a
field they lack (another kind) is an error, since a file has one schema.

hf is the layout `datasets.Dataset.save_to_disk` writes, built here with pyarrow alone (no `datasets`
at export time, and one pass with bounded memory, where `Dataset.from_generator` + `save_to_disk`
would write every row twice): `data-00000-of-00001.arrow` in the Arrow IPC stream format,
`dataset_info.json` with the features, `state.json`; with both train and eval records, one such folder
per split and `dataset_dict.json`, so `datasets.load_from_disk` returns a DatasetDict. One shard per
split: the file is memory-mapped on load, whatever its size.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synthpipe.core.errors import MissingDependencyError, UsageError
from synthpipe.core.records import Record
from synthpipe.exports import ExportInfo
from synthpipe.exports import formats as F
from synthpipe.exports.writers import Staging

if TYPE_CHECKING:
    from synthpipe.exports.card import Tally

PARQUET_ROWS = 1 << 16  # rows per parquet row group
ARROW_ROWS = 1 << 13  # rows per Arrow record batch
SHARD = "data-00000-of-00001.arrow"
_STRING = {"dtype": "string", "_type": "Value"}
_FEATURES = {
    "pool_version": {"dtype": "int64", "_type": "Value"},
    "weight": {"dtype": "float64", "_type": "Value"},
}


def require_pyarrow() -> Any:
    """pyarrow, or an error naming the extra that brings it."""
    try:
        import pyarrow
    except ImportError:
        raise MissingDependencyError("--format parquet and hf", "export") from None
    return pyarrow


def kind_fields(rec: Record) -> tuple[str, ...]:
    from synthpipe.tasks import get_task

    try:
        return tuple(get_task(rec.task).fields)
    except UsageError:  # a kind registered elsewhere: its fields as the first record has them
        return tuple(rec.fields)


class Columns:
    """Rows gathered column by column, handed out as record batches."""

    def __init__(self, pa: Any, first: Record, where: str) -> None:
        self.pa, self.where = pa, where
        self.fields = kind_fields(first)
        self.first_task = first.task
        clash = [f for f in self.fields if f in F.PROVENANCE]
        if clash:
            raise F.problem(
                first,
                where,
                f"field {clash[0]!r} of {first.task} records has the name of a provenance column",
                "export it as JSONL, where provenance sits under _meta",
            )
        turn = pa.struct([("role", pa.string()), ("content", pa.string())])
        types = {"pool_version": pa.int64(), "weight": pa.float64()}
        schema = [(f, pa.list_(turn) if f == "messages" else pa.string()) for f in self.fields]
        schema += [(p, types.get(p, pa.string())) for p in F.PROVENANCE]
        self.schema = pa.schema(schema)
        self._cols: dict[str, list[Any]] = {name: [] for name in self.schema.names}
        self.rows = 0

    def features(self) -> dict[str, Any]:
        """The schema in the JSON form of `datasets.Features` (a list feature as a one-item list,
        which every datasets version reads)."""
        turn = {"role": _STRING, "content": _STRING}
        out: dict[str, Any] = {f: [turn] if f == "messages" else _STRING for f in self.fields}
        out.update({p: _FEATURES.get(p, _STRING) for p in F.PROVENANCE})
        return out

    def add(self, rec: Record, copies: int) -> None:
        extra = [f for f in rec.fields if f not in self.fields]
        if extra:
            raise F.problem(
                rec,
                self.where,
                f"a {rec.task} record with field {extra[0]!r}, which the columns set by the first record "
                f"({self.first_task}: {', '.join(self.fields)}) do not have",
                "a parquet or hf export holds one kind of record: export each task on its own",
            )
        values = [self._value(rec, f) for f in self.fields]
        values += F.provenance(rec).values()
        for name, value in zip(self.schema.names, values, strict=True):
            col = self._cols[name]
            if copies == 1:
                col.append(value)
            else:
                col.extend([value] * copies)
        self.rows += copies

    def _value(self, rec: Record, name: str) -> Any:
        value = rec.fields.get(name)
        if value is None or isinstance(value, str) and name != "messages":
            return value
        if name == "messages" and isinstance(value, list):
            turns = []
            for i, m in enumerate(value):
                if not (
                    isinstance(m, dict)
                    and isinstance(m.get("content"), str)
                    and isinstance(m.get("role"), str)
                ):
                    raise F.problem(
                        rec, self.where, f"messages[{i}] is not a {{role, content}} turn with text", "fix it"
                    )
                turns.append({"role": m["role"], "content": m["content"]})
            return turns
        raise F.problem(
            rec,
            self.where,
            f"`{name}` is {type(value).__name__}, not text",
            f"make {name} a string in every record",
        )

    def take(self) -> Any:
        batch = self.pa.RecordBatch.from_pydict(self._cols, schema=self.schema)
        self._cols = {name: [] for name in self.schema.names}
        self.rows = 0
        return batch


def _summary(info: ExportInfo, tally: Tally) -> str:
    return json.dumps({"info": info.to_json(), "counts": tally.to_json()}, ensure_ascii=False, sort_keys=True)


class ParquetWriter:
    """One parquet file; the export's info and counts go into its key-value metadata (`synthpipe`)."""

    def __init__(self, staging: Staging, where: str, first: Record) -> None:
        pa = require_pyarrow()
        import pyarrow.parquet as pq

        self.files = [staging.out]
        self._cols = Columns(pa, first, where)
        self._writer: Any = pq.ParquetWriter(staging.temp(staging.out), self._cols.schema)

    def write(self, rec: Record, copies: int) -> None:
        self._cols.add(rec, copies)
        if self._cols.rows >= PARQUET_ROWS:
            self._writer.write_batch(self._cols.take())

    def finish(self, info: ExportInfo, tally: Tally) -> None:
        if self._cols.rows:
            self._writer.write_batch(self._cols.take())
        self._writer.add_key_value_metadata({"synthpipe": _summary(info, tally)})
        self.close()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class HfWriter:
    def __init__(self, staging: Staging, where: str, first: Record) -> None:
        self.pa = require_pyarrow()
        from pyarrow import ipc

        self.ipc = ipc

        self.staging, self.where = staging, where
        self.files = [staging.out]
        self._first = first
        self._splits: dict[str, tuple[Columns, Any, Any]] = {}  # split -> columns, sink, stream writer

    def _part(self, split: str) -> Path:
        return self.staging.root / f".{split or 'all'}.arrow"

    def write(self, rec: Record, copies: int) -> None:
        split = F.split_of(rec) or ""
        entry = self._splits.get(split)
        if entry is None:
            cols = Columns(self.pa, self._first, self.where)
            meta = {"huggingface": json.dumps({"info": {"features": cols.features()}})}
            sink = self.pa.OSFile(str(self._part(split)), "wb")
            writer = self.ipc.new_stream(sink, cols.schema.with_metadata(meta))
            entry = self._splits[split] = (cols, sink, writer)
        cols, _, writer = entry
        cols.add(rec, copies)
        if cols.rows >= ARROW_ROWS:
            writer.write_batch(cols.take())

    def finish(self, info: ExportInfo, tally: Tally) -> None:
        from synthpipe.exports.card import render

        for cols, _, writer in self._splits.values():
            if cols.rows:
                writer.write_batch(cols.take())
        self.close()
        root = self.staging.root
        order = sorted(self._splits, key=lambda s: ("", "train", "eval").index(s))
        description = f"Exported by synthpipe from {info.source}; see README.md."
        if len(order) == 1:
            self._place(root, order[0], description)
        else:
            for split in order:
                (root / (split or "unsplit")).mkdir()
                self._place(root / (split or "unsplit"), split, description)
            (root / "dataset_dict.json").write_text(
                json.dumps({"splits": [s or "unsplit" for s in order]}), encoding="utf-8"
            )
        (root / "README.md").write_text(render(info, tally, "hf", _usage(self.staging.out)), encoding="utf-8")

    def _place(self, folder: Path, split: str, description: str) -> None:
        cols = self._splits[split][0]
        data = folder / SHARD
        os.replace(self._part(split), data)
        digest = hashlib.sha256()
        with data.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
        state = {
            "_data_files": [{"filename": SHARD}],
            "_fingerprint": digest.hexdigest()[:16],
            "_format_columns": None,
            "_format_kwargs": {},
            "_format_type": None,
            "_output_all_columns": False,
            "_split": split or None,
        }
        (folder / "state.json").write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
        info = {
            "builder_name": None,
            "citation": "",
            "config_name": None,
            "dataset_name": None,
            "dataset_size": None,
            "description": description,
            "download_checksums": None,
            "download_size": None,
            "features": cols.features(),
            "homepage": "",
            "license": "",
            "post_processed": None,
            "post_processing_size": None,
            "size_in_bytes": None,
            "splits": None,
            "supervised_keys": None,
            "version": None,
        }
        (folder / "dataset_info.json").write_text(
            json.dumps(info, indent=2, ensure_ascii=False), encoding="utf-8"
        )

    def close(self) -> None:
        for _, sink, writer in self._splits.values():
            if not sink.closed:
                writer.close()
                sink.close()


def _usage(out: Path) -> str:
    return "\n".join(
        ["```python", "from datasets import load_from_disk", "", f'ds = load_from_disk("{out}")', "```"]
    )
