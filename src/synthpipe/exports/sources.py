"""What an export reads: a run directory (its accepted.jsonl), a JSONL/JSON data file, a pool version
(`pool:DIR@VERSION`, `pool:DIR@TAG`, `pool:DIR` for the latest), or records in memory. Records stream;
only the pool knows train/eval splits."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synthpipe.core.errors import InputFileError, UsageError
from synthpipe.core.records import Record
from synthpipe.exports import ExportInfo

POOL_PREFIX = "pool:"
SourceLike = str | Path | Iterable[dict[str, Any] | Record]


@dataclass
class Source:
    records: Iterator[Record]
    info: ExportInfo
    where: str  # what errors name: the file the records are read from, or the pool spec
    default_dir: Path | None  # where a default --out goes (None: records in memory, --out is needed)


def open_source(src: SourceLike, split: str) -> Source:
    if isinstance(src, str) and src.startswith(POOL_PREFIX):
        return _pool(src, split)
    if not isinstance(src, str | Path):
        _whole_only(split, "records in memory", "them")
        return Source(
            _in_memory(src), ExportInfo(source="records in memory", name="records"), "<records>", None
        )
    path = Path(src)
    if not path.exists():
        raise InputFileError(
            str(path),
            "not found",
            "give a run directory, a JSONL/JSON data file, or a pool version as pool:DIR[@VERSION]",
        )
    if path.is_dir():
        data = path / "accepted.jsonl"
        if not data.is_file():
            raise InputFileError(
                str(path),
                "is a folder without accepted.jsonl, so not a run directory",
                f"give the run's folder or a data file, or pool:{path} if it is a pool",
            )
        _whole_only(split, "a run directory", str(path))
        info = _run_info(path)
        return Source(_run_records(path), info, str(data), _beside(path))
    _whole_only(split, "a data file", str(path))
    info = ExportInfo(source=f"file {path}", name=path.name.split(".")[0] or "records")
    return Source(_from_file(path), info, str(path), _beside(path))


def _run_records(run: Path) -> Iterator[Record]:
    from synthpipe.reviews import run_records

    return run_records(run, _from_file)


def _beside(path: Path) -> Path:
    """`export/` next to `path` (a file, a run directory or a pool directory)."""
    if path.name in ("", ".", ".."):
        path = path.resolve()
    return path.parent / "export"


def _whole_only(split: str, what: str, src: str) -> None:
    if split != "all":
        raise UsageError(
            f"--split {split}: splits exist only in a pool, and {what} is not one — add it to one "
            f"(`synthpipe pool add {src} --pool DIR`), run `synthpipe pool split --pool DIR --eval 0.1`, "
            f"then export pool:DIR --split {split}; or export {src} whole with --split all"
        )


def _from_file(path: Path) -> Iterator[Record]:
    from synthpipe.sources.files import read_records

    return read_records(path)


def _in_memory(rows: Iterable[dict[str, Any] | Record]) -> Iterator[Record]:
    from synthpipe.sources.files import to_record

    if isinstance(rows, dict | Record):
        rows = [rows]
    for n, row in enumerate(rows, 1):
        yield row if isinstance(row, Record) else to_record(row, None, n)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _run_info(path: Path) -> ExportInfo:
    """The run's recipe (name, data hash), its models by role and, for classify, its labels."""
    manifest = _read_json(path / "manifest.json")
    identity = _read_json(path / "run.json").get("identity") or {}
    info = ExportInfo(source=f"run directory {path}", name=path.resolve().name)
    if manifest.get("recipe"):
        info.add_recipe(str(manifest["recipe"]), str(manifest.get("recipe_hash") or ""))
    for role, spec in (manifest.get("models") or {}).items():
        if isinstance(spec, dict) and spec.get("model"):
            info.models.append(f"{role}: {spec['model']}")
    labels = identity.get("labels")
    if isinstance(labels, list):
        info.labels = [str(x) for x in labels]
    return info


def _pool(spec: str, split: str) -> Source:
    from synthpipe.pool import export_source, parse_pool_spec

    records, info = export_source(spec, split)
    directory, _ = parse_pool_spec(spec)
    return Source(iter(records), info, spec, _beside(directory))
