"""Check a data file against the rules and write accepted / rejected / manifest, all or nothing.

Outputs are written to temporary files in the output folder and renamed into place only when every
record has been checked, so a bad line half-way through leaves no half-written result behind.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from synthpipe import __version__
from synthpipe.core.errors import InputFileError, UsageError
from synthpipe.core.records import Record
from synthpipe.recipe import ChecksConfig
from synthpipe.sinks.rundir import OutputSet
from synthpipe.sources.files import read_records
from synthpipe.stages.rules import CODES, STAGE, RuleChecker, label_balance

OUTPUTS = ("accepted.jsonl", "rejected.jsonl", "manifest.json")


@dataclass(slots=True)
class CheckResult:
    out_dir: Path
    manifest: dict[str, Any]
    accepted: list[Record] = field(default_factory=list)  # kept only when `keep_records`
    rejected: list[Record] = field(default_factory=list)


def default_out_dir(path: Path) -> Path:
    return path.with_name(path.stem + ".checked")


def check_file(
    path: str | Path,
    task: str,
    language: str | None = None,
    labels: Sequence[str] = (),
    rounds: tuple[int, int] = (3, 6),
    out_dir: str | Path | None = None,
    disable: Sequence[str] = (),
    keep_records: bool = False,
) -> CheckResult:
    """Check every record of `path`; write accepted.jsonl, rejected.jsonl and manifest.json."""
    src = Path(path)
    if not src.is_file():
        raise InputFileError(str(src), "file not found", "check the path")
    unknown = [code for code in disable if code not in CODES]
    if unknown:
        raise UsageError(f"unknown rule code {unknown[0]!r} to disable — use one of: {', '.join(CODES)}")
    checker = RuleChecker(task, language, labels, rounds, checks=ChecksConfig(disable=list(disable)))
    out = Path(out_dir) if out_dir else default_out_dir(src)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a folder — give another --out")
    started = time.time()
    result = CheckResult(out, {})
    counts: Counter[str] = Counter()
    formats: Counter[str] = Counter()
    accepted_labels: list[Record] = []
    with OutputSet(out, OUTPUTS) as files:
        with (
            files.tmp("accepted.jsonl").open("w", encoding="utf-8") as acc,
            files.tmp("rejected.jsonl").open("w", encoding="utf-8") as rej,
        ):
            n_acc = n_rej = 0
            for rec in read_records(src, task):
                _check_one(checker, rec)
                formats[str(rec.meta.extra.get("format", "synthpipe"))] += 1
                if rec.ok:
                    n_acc += 1
                    _write(acc, rec)
                    if task == "classify":
                        accepted_labels.append(rec)
                    if keep_records:
                        result.accepted.append(rec)
                else:
                    n_rej += 1
                    counts.update({r.code for r in rec.meta.reasons})
                    _write(rej, rec)
                    if keep_records:
                        result.rejected.append(rec)
        if n_acc + n_rej == 0:
            raise InputFileError(
                str(src), "no records in the file", "give a JSONL file with one record per line"
            )
        manifest = {
            "command": "check",
            "input": str(src),
            "task": task,
            "language": language or "auto (the instruction's)",
            "labels": list(checker.labels),
            "rounds": list(checker.rounds) if task == "dialogue" else None,
            "counts": {"attempted": n_acc + n_rej, "accepted": n_acc, "rejected": n_rej},
            "reasons": dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
            "formats": dict(formats),
            "disabled": sorted(checker.disabled),
            "outputs": list(OUTPUTS),
            "synthpipe_version": __version__,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
            "seconds": round(time.time() - started, 3),
        }
        if task == "classify":
            manifest["label_balance"] = label_balance(accepted_labels, checker.labels)
        manifest = {k: v for k, v in manifest.items() if v is not None}
        files.write_json("manifest.json", manifest)
        files.commit()
    result.manifest = manifest
    return result


def _check_one(checker: RuleChecker, rec: Record) -> None:
    # Re-checking a file that was checked before replaces the old rule reasons, keeps other stages'.
    rec.meta.reasons = [r for r in rec.meta.reasons if r.stage != STAGE]
    rec.meta.reasons.extend(checker.check(rec))


def _write(fh: TextIO, rec: Record) -> None:
    fh.write(rec.dumps() + "\n")
