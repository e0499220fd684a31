"""Dedup a data file (optionally against other files) and write accepted / rejected / manifest, all or nothing.

Outputs go to temporary files in the output folder and are renamed into place only when everything is
written, the manifest last, so a failure leaves no half-written result behind.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synthpipe import __version__
from synthpipe.core.errors import InputFileError, UsageError
from synthpipe.core.records import TASKS, Record
from synthpipe.dedup.batch import dedup_records
from synthpipe.dedup.deduper import CODES, fields_for
from synthpipe.dedup.diversity import diversity
from synthpipe.sinks.rundir import OutputSet
from synthpipe.sources.files import read_records

if TYPE_CHECKING:
    from synthpipe.dedup.embed import Embedder
    from synthpipe.recipe import DedupConfig, ModelSpec

OUTPUTS = ("accepted.jsonl", "rejected.jsonl", "manifest.json")


@dataclass(slots=True)
class DedupResult:
    out_dir: Path
    manifest: dict[str, Any]
    kept: list[Record] = field(default_factory=list)
    removed: list[Record] = field(default_factory=list)


def default_out_dir(path: Path) -> Path:
    return path.with_name(path.stem + ".dedup")


def _task_of(path: Path, records: Sequence[Record], task: str | None) -> str:
    if task:
        if task not in TASKS:
            raise UsageError(f"unknown task {task!r} — use --task with one of {', '.join(TASKS)}")
        return task
    tasks = sorted({rec.meta.task for rec in records})
    if len(tasks) > 1:
        raise InputFileError(
            str(path),
            f"records of several tasks ({', '.join(tasks)})",
            "say which fields define a duplicate with --task",
        )
    return tasks[0]


def read_existing(
    paths: Sequence[str | Path], task: str, base_dir: str | Path | None = None
) -> dict[str, list[Record]]:
    """Records of already accepted files (DedupConfig.against, --against), by file name as given.

    Relative paths are taken from `base_dir` (the recipe's folder) when given. For `Deduper.add_existing(recs,
    source=name)` or `dedup_records(..., existing=this)`."""
    out: dict[str, list[Record]] = {}
    for name in paths:
        path = Path(name)
        if base_dir is not None and not path.is_absolute():
            path = Path(base_dir) / path
        out[str(name)] = list(read_records(path, task))
    return out


def dedup_file(
    path: str | Path,
    config: DedupConfig,
    task: str | None = None,
    against: Sequence[str | Path] = (),
    out_dir: str | Path | None = None,
    *,
    models: Mapping[str, ModelSpec] | None = None,
    embedder: Embedder | None = None,
) -> DedupResult:
    """Dedup `path` (any format `read_records` reads) against itself and the `against` files."""
    src = Path(path)
    started = time.time()
    records = list(read_records(src, task))
    if not records:
        raise InputFileError(str(src), "no records in the file", "give a JSONL file with one record per line")
    kind = _task_of(src, records, task)
    keys = fields_for(kind, config)
    existing: dict[str, list[Record]] = {}
    for other in against:
        p = Path(other)
        if p.resolve() == src.resolve():
            raise UsageError(
                f"--against {p}: is the input file itself — give the pool or an earlier accepted file"
            )
        existing[str(p)] = list(read_records(p, kind))
    out = Path(out_dir) if out_dir else default_out_dir(src)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a folder — give another --out")

    kept, removed = dedup_records(records, config, kind, existing, models=models, embedder=embedder)

    counts = Counter(rec.meta.reasons[-1].code for rec in removed)
    manifest: dict[str, Any] = {
        "command": "dedup",
        "input": str(src),
        "against": {name: len(recs) for name, recs in existing.items()},
        "task": kind,
        "fields": list(keys),
        "methods": list(config.methods) if config.enabled else [],
        "thresholds": {
            "minhash_jaccard": config.minhash_threshold,
            "embedding_cosine": config.embedding_threshold,
        },
        "shingles": {"word_ngram": config.word_ngram, "char_ngram": config.char_ngram},
        "keep": "existing first, then higher meta.scores.overall, then earlier line",
        "counts": {"input": len(records), "accepted": len(kept), "rejected": len(removed)},
        "reasons": {code: counts[code] for code in CODES if counts[code]},
        "diversity": diversity(kept, removed, keys),
        "outputs": list(OUTPUTS),
        "synthpipe_version": __version__,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "seconds": round(time.time() - started, 3),
    }
    if "embedding" in manifest["methods"]:
        manifest["embedding_model"] = config.embedding_model or "all-MiniLM-L6-v2 (local)"
    _write_outputs(out, kept, removed, manifest)
    return DedupResult(out, manifest, kept, removed)


def _write_outputs(out: Path, kept: list[Record], removed: list[Record], manifest: dict[str, Any]) -> None:
    with OutputSet(out, OUTPUTS) as files:
        files.write_records("accepted.jsonl", kept)
        files.write_records("rejected.jsonl", removed)
        files.write_json("manifest.json", manifest)
        files.commit()
