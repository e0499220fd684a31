"""`synthpipe check FILE --task …`: run the rule checks over an existing data file."""

from __future__ import annotations

import re
from pathlib import Path

import click

import synthpipe
from synthpipe.cli._common import (
    SynthpipeCommand,
    check_lang,
    executor_options,
    lang_option,
    out_opt,
    progress_option,
    source_option,
    split,
    summary,
    warn_unused_labels,
    workers_option,
    written,
)


def parse_rounds(value: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*(?:[-–,:]\s*(\d+))?\s*", value)
    if not m:
        raise synthpipe.UsageError(f"--rounds {value!r}: expected MIN-MAX, e.g. --rounds 3-6")
    lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
    if lo < 1 or hi < lo:
        raise synthpipe.UsageError(f"--rounds {value!r}: need 1 <= MIN <= MAX, e.g. --rounds 3-6")
    return lo, hi


def require_task(task: str | None, needed: bool = True) -> None:
    tasks = synthpipe.task_names()
    if not task:
        if needed:
            raise synthpipe.UsageError(f"--task is required: one of {', '.join(tasks)}")
        return
    if task not in tasks:
        raise synthpipe.UsageError(f"unknown task {task!r} — use --task with one of {', '.join(tasks)}")


def default_out(file: Path, suffix: str) -> Path:
    return file.with_name(file.stem + suffix)


@click.command("check", cls=SynthpipeCommand)
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--task",
    "task",
    metavar="KIND",
    help="Kind of records in FILE (required): qa, summarize, rewrite, classify, dialogue.",
)
@lang_option
@click.option("--labels", metavar="A,B,C", help="Allowed labels (required for --task classify).")
@click.option(
    "--rounds", "rounds", default="3-6", show_default=True, metavar="MIN-MAX", help="Allowed dialogue rounds."
)
@click.option("--disable", metavar="CODE,CODE", help="Rule codes to switch off.")
@source_option(
    "A source document the answers must keep to; runs grounding (numbers, terms, sentences) too. Repeatable."
)
@out_opt("Default: FILE's stem + .checked/.")
@progress_option
@workers_option
@executor_options
def check(
    file: Path,
    task: str | None,
    lang: str | None,
    labels: str | None,
    rounds: str,
    disable: str | None,
    sources: tuple[Path, ...],
    out: Path | None,
    progress: bool | None,
    workers: int | None,
    executor: str,
    address: str | None,
) -> None:
    """Check FILE (our JSONL, Alpaca, ShareGPT, OpenAI messages or {text,label}) with the rule checks.

    With --source DOC, answers are grounded in the documents too: numbers and terms they lack
    (ungrounded, flagged) and sentences they do not support (unsupported_sentence, rejected).

    Writes accepted.jsonl, rejected.jsonl (every reason in meta.reasons), manifest.json and report.html.
    A line that is not JSON or not a record is rejected with its line number; the others are checked.
    """
    require_task(task)
    check_lang(lang)
    warn_unused_labels(task, labels)
    label_list = split(labels)
    if task == "classify" and len(set(label_list)) < 2:
        raise synthpipe.UsageError(
            "--task classify needs the allowed labels, at least two: --labels positive,negative"
        )
    codes = split(disable)
    result = synthpipe.check(
        file,
        task=task,
        language=lang,
        labels=label_list,
        rounds=parse_rounds(rounds),
        disable=codes,
        sources=list(sources),
        out=out or default_out(file, ".checked"),
        progress=progress,
        workers=workers,
        executor=executor,
        address=address,
    )
    grounded = f", {len(sources)} source(s)" if sources else ""
    summary("checked", result, f" from {file} (task {task}, language {lang or 'auto'}{grounded})")
    click.echo(written(result))
