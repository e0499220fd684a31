"""Export: accepted records into the files trainers read.

    synthpipe.export("runs/qa_en", format="alpaca")            # runs/export/qa_en.alpaca.jsonl
    synthpipe.export("pool:pool/@3", format="hf", out="ds")    # a DatasetDict (train, eval) for load_from_disk

sources.py   what SRC names (a run directory, a JSONL/JSON file, a pool version) as a stream of records
weights.py   a record of weight w is written floor(w) times, and once more with probability frac(w)
formats.py   one row per record for each JSONL format, and the task kinds each format can hold
writers.py   temporary names renamed into place at the end; the JSONL writers (alpaca, sharegpt, openai
             with its provenance sidecar, llamafactory with dataset_info.json)
arrow.py     parquet, and the `datasets.save_to_disk` layout, written with pyarrow in record batches
card.py      the dataset card (README.md) of the hf and llamafactory exports
run.py       the loop: source -> checks -> weights -> writer; nothing is held but one batch

Nothing here imports pyarrow until a parquet or hf export starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMATS = ("alpaca", "sharegpt", "openai", "llamafactory", "parquet", "hf")
SPLITS = ("all", "train", "eval")


@dataclass
class ExportInfo:
    """What an export came from; the source fills what it knows, the export adds what it did.

    A pool's `export_source(spec, split)` returns one beside its records."""

    source: str  # for people: "run directory runs/qa_en", "pool pool/ version 3 (tag v1)"
    name: str = ""  # short name for default output names: "qa_en", "pool-v3"
    pool_version: int | None = None
    recipes: dict[str, str] = field(default_factory=dict)  # recipe name -> data hash (", "-joined if several)
    models: list[str] = field(default_factory=list)  # as the source names them: "generator: Qwen2.5-7B"
    weight_rules: list[str] = field(default_factory=list)  # how weights were set, then how they were applied
    labels: list[str] = field(default_factory=list)  # classify: the label set, when the source knows it
    split: str = "all"
    seed: int | None = None  # of the weight draws; None when weights were not applied

    def add_recipe(self, name: str, data_hash: str) -> None:
        if not name:
            return
        known = self.recipes.get(name, "")
        hashes = [h for h in known.split(", ") if h]
        if data_hash and data_hash not in hashes:
            self.recipes[name] = ", ".join([*hashes, data_hash])
        elif name not in self.recipes:
            self.recipes[name] = data_hash

    def to_json(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


@dataclass
class ExportResult:
    """What `synthpipe.export` wrote: `rows` lines or rows from `records` source records."""

    out: Path
    format: str
    files: list[Path]
    records: int
    rows: int
    dropped: int  # records of weight 0
    counts: dict[str, dict[str, int]]  # rows per task, origin, split, model
    info: ExportInfo

    def __repr__(self) -> str:
        return f"ExportResult({self.rows} rows from {self.records} records, format={self.format!r}, out='{self.out}')"


__all__ = ["FORMATS", "SPLITS", "ExportInfo", "ExportResult"]
