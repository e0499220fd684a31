"""`synthpipe check FILE --task …`: run the rule checks over an existing data file."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import click

from synthpipe.core.errors import SynthpipeError, UsageError
from synthpipe.core.records import TASKS


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in re.split(r"[,，]", value or "") if part.strip()]


def _rounds(value: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*(?:[-–,:]\s*(\d+))?\s*", value)
    if not m:
        raise UsageError(f"--rounds {value!r}: expected MIN-MAX, e.g. --rounds 3-6")
    lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
    if lo < 1 or hi < lo:
        raise UsageError(f"--rounds {value!r}: need 1 <= MIN <= MAX, e.g. --rounds 3-6")
    return lo, hi


@click.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--task", "task", metavar="|".join(TASKS), help="Kind of records in FILE (required).")
@click.option("--lang", "lang", metavar="zh|en", help="Expected language; default: each instruction's.")
@click.option("--labels", metavar="A,B,C", help="Allowed labels (required for --task classify).")
@click.option(
    "--rounds", "rounds", default="3-6", show_default=True, metavar="MIN-MAX", help="Allowed dialogue rounds."
)
@click.option("--disable", metavar="CODE,CODE", help="Rule codes to switch off.")
@click.option(
    "--out", "out", type=click.Path(path_type=Path), help="Output folder; default: FILE's stem + .checked/"
)
def check(
    file: Path,
    task: str | None,
    lang: str | None,
    labels: str | None,
    rounds: str,
    disable: str | None,
    out: Path | None,
) -> None:
    """Check FILE (our JSONL, Alpaca, ShareGPT, OpenAI messages or {text,label}) with the rule checks.

    Writes accepted.jsonl, rejected.jsonl (every reason in meta.reasons) and manifest.json.
    """
    from synthpipe.stages.checks_file import check_file

    try:
        if not task:
            raise UsageError(f"--task is required: one of {', '.join(TASKS)}")
        if task not in TASKS:
            raise UsageError(f"unknown task {task!r} — use --task with one of {', '.join(TASKS)}")
        if lang is not None and lang not in ("zh", "en"):
            raise UsageError(f"unknown language {lang!r} — use --lang zh or --lang en")
        label_list = _split(labels)
        if task == "classify" and len(label_list) < 2:
            raise UsageError(
                "--task classify needs the allowed labels, at least two: --labels positive,negative"
            )
        report = _report_writer()
        result = check_file(
            file,
            task,
            lang,
            label_list,
            _rounds(rounds),
            out,
            _split(disable),
            keep_records=report is not None,
        )
    except SynthpipeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    counts, reasons = result.manifest["counts"], result.manifest["reasons"]
    click.echo(
        f"checked {counts['attempted']} records from {file} (task {task}, language {lang or 'auto'}): "
        f"{counts['accepted']} accepted, {counts['rejected']} rejected"
    )
    if reasons:
        click.echo("top reasons: " + ", ".join(f"{code} {n}" for code, n in list(reasons.items())[:5]))
    if report is not None:
        try:
            report(result.out_dir, result.accepted, result.rejected, result.manifest)
        except Exception as exc:  # the check results are already written; a report failure must not hide them
            click.echo(f"warning: report.html not written ({type(exc).__name__}: {exc})", err=True)
    click.echo(f"wrote {result.out_dir}/")


def _report_writer():  # type: ignore[no-untyped-def]
    """`synthpipe.report.write_report` when that module provides it, else None."""
    try:
        return importlib.import_module("synthpipe.report").write_report
    except (ImportError, AttributeError):
        return None
