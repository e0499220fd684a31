"""`synthpipe judge FILE --task …`: rule checks plus the LLM judge over an existing data file."""

from __future__ import annotations

from pathlib import Path

import click

import synthpipe
from synthpipe.cli._common import (
    SynthpipeCommand,
    api_key_env_option,
    cache_opt,
    check_lang,
    executor_options,
    exit_status,
    lang_option,
    max_in_flight_option,
    no_cache_option,
    out_opt,
    progress_option,
    renamed,
    source_option,
    split,
    summary,
    warn_unused_labels,
    workers_option,
    written,
)
from synthpipe.cli.check import default_out, parse_rounds, require_task


@click.command("judge", cls=SynthpipeCommand)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--task", "task", metavar="KIND", help="Kind of records in FILE (required without --recipe).")
@lang_option
@click.option("--labels", metavar="A,B,C", help="Allowed labels (required for --task classify).")
@click.option("--rounds", "rounds", metavar="MIN-MAX", help="Allowed dialogue rounds. Default: 3-6.")
@click.option("--disable", metavar="CODE,CODE", help="Rule codes to switch off.")
@click.option("--model", help="Judge model name on an OpenAI-compatible server. Default: the embedded model.")
@click.option("--base-url", help="That server's base URL, e.g. http://127.0.0.1:8000/v1.")
@api_key_env_option
@click.option(
    "--recipe",
    "recipe_path",
    type=click.Path(path_type=Path),
    help="Recipe for judges, criteria, threshold, sources (grounding) and agreement.",
)
@click.option(
    "--min-score",
    "min_score",
    type=click.FloatRange(1, 5),
    help="Lowest overall judge score (1-5) a record may have. Default: the recipe's, 3.5.",
)
@renamed("--threshold", "--min-score", "a 1-5 judge score")
@max_in_flight_option
@source_option(
    "A source document the answers must keep to: grounding (numbers, terms, sentences) checks them against "
    "it, and the judge scores faithfulness to it. Repeatable; added to the recipe's sources."
)
@no_cache_option
@cache_opt("OUT/cache.sqlite")
@out_opt("Default: FILE's stem + .judged/.")
@progress_option
@workers_option
@executor_options
def judge(
    file: Path,
    task: str | None,
    lang: str | None,
    labels: str | None,
    rounds: str | None,
    disable: str | None,
    model: str | None,
    base_url: str | None,
    api_key_env: str | None,
    recipe_path: Path | None,
    min_score: float | None,
    max_in_flight: int | None,
    sources: tuple[Path, ...],
    no_cache: bool,
    cache_path: Path | None,
    out: Path | None,
    progress: bool | None,
    workers: int | None,
    executor: str,
    address: str | None,
) -> None:
    """Judge FILE (our JSONL, Alpaca, ShareGPT, OpenAI messages or {text,label}): rule checks, then an
    LLM judge scoring each record 1-5 per criterion.

    Writes accepted.jsonl, rejected.jsonl (every reason), failed.jsonl, manifest.json, report.html and
    the judge's answers in cache.sqlite (a repeated command asks only what was not answered). Exit code
    1 when some records failed (the same command retries them).
    """
    check_lang(lang)
    if recipe_path is None:
        require_task(task)
        if task == "classify" and len(set(split(labels))) < 2:
            raise synthpipe.UsageError(
                "--task classify needs the allowed labels, at least two: --labels positive,negative"
            )
    else:
        require_task(task, needed=False)
    warn_unused_labels(task, labels)
    result = synthpipe.judge(
        file,
        task=task,
        language=lang,
        labels=split(labels),
        recipe=recipe_path,
        model=model,
        base_url=base_url,
        api_key_env=api_key_env,
        threshold=min_score,
        rounds=parse_rounds(rounds) if rounds else None,
        disable=split(disable),
        max_in_flight=max_in_flight,
        sources=list(sources),
        use_cache=not no_cache,
        cache=cache_path,
        out=out or default_out(file, ".judged"),
        progress=progress,
        workers=workers,
        executor=executor,
        address=address,
    )
    m = result.manifest
    judge_info = m["stages"].get("judge", {})
    summary(
        "judged", result, f" from {file} (task {m['task']}, judge {', '.join(judge_info.get('models', []))})"
    )
    scores = [
        r.meta.scores["overall"] for r in result.accepted + result.rejected if "overall" in r.meta.scores
    ]
    if scores:
        click.echo(
            f"mean judge score {sum(scores) / len(scores):.2f} (threshold {judge_info.get('threshold', 0):g})"
        )
    click.echo(written(result, cache_path))
    exit_status(result)
