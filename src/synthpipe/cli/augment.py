"""`synthpipe augment FILE --task … --method …`: derived records of an existing data file."""

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
    split,
    summary,
    warn_unused_labels,
    workers_option,
    written,
)
from synthpipe.cli.check import default_out, require_task

METHODS = ("paraphrase", "backtranslate", "style", "stance")


def parse_methods(value: str | None) -> list[str]:
    names = split(value)
    if not names:
        raise synthpipe.UsageError(
            f"--method is required: one or more of {', '.join(METHODS)}, e.g. --method paraphrase"
        )
    unknown = [n for n in names if n not in METHODS]
    if unknown:
        raise synthpipe.UsageError(
            f"--method {','.join(unknown)}: unknown method — use {', '.join(METHODS)} (comma-separated for several)"
        )
    if len(set(names)) != len(names):
        raise synthpipe.UsageError("--method: a method is named twice — name each once")
    return names


def parse_opposite(value: str | None) -> dict[str, str]:
    """`positive=negative,negative=positive` -> {positive: negative, negative: positive}."""
    out = {}
    for pair in split(value):
        left, eq, right = pair.partition("=")
        if not eq or not left.strip() or not right.strip():
            raise synthpipe.UsageError(
                f"--opposite {pair!r}: expected LABEL=OPPOSITE pairs, e.g. --opposite positive=negative,negative=positive"
            )
        out[left.strip()] = right.strip()
    return out


@click.command("augment", cls=SynthpipeCommand)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--task", "task", metavar="KIND", help="Kind of records in FILE (required without --recipe).")
@click.option(
    "--method",
    "method",
    metavar="M[,M]",
    help="Method: paraphrase (x3), backtranslate (x2), style (x1) or stance (x1); several comma-separated.",
)
@click.option("--n", "n", type=int, help="Derived records per record and method. Default: 3, 2, 1, 1.")
@click.option(
    "--style", help="Target style of --method style: formal, colloquial, service, or one described in words."
)
@click.option(
    "--pivot",
    metavar="LANG[,LANG]",
    help="Pivot languages of --method backtranslate (en, zh, ja…). Default: en for Chinese, zh for English.",
)
@click.option(
    "--regenerate-answer", is_flag=True, help="Answer each paraphrased question again (qa, from --source)."
)
@click.option(
    "--opposite",
    metavar="A=B,B=A",
    help="The label of the opposite position, per label (--method stance on classify data).",
)
@lang_option
@click.option("--labels", metavar="A,B,C", help="Allowed labels (classify). Default: those in FILE.")
@click.option(
    "--source",
    "sources",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="DOC",
    help="A source document: grounding runs, and a regenerated answer keeps to it. Repeatable.",
)
@click.option(
    "--recipe",
    "recipe_path",
    type=click.Path(path_type=Path),
    help="Recipe for models, checks, judge and its `augment:` section (used when --method is not given).",
)
@click.option("--model", help="Model name on an OpenAI-compatible server. Default: the embedded model.")
@click.option("--base-url", help="That server's base URL, e.g. http://127.0.0.1:8000/v1.")
@click.option("--translator-model", help="Another model for back-translation. Default: the --model one.")
@click.option("--translator-base-url", help="Its server's base URL.")
@api_key_env_option
@max_in_flight_option
@no_cache_option
@cache_opt("OUT/cache.sqlite")
@out_opt("Default: FILE's stem + .augmented/.")
@progress_option
@workers_option
@executor_options
def augment(
    file: Path,
    task: str | None,
    method: str | None,
    n: int | None,
    style: str | None,
    pivot: str | None,
    regenerate_answer: bool,
    opposite: str | None,
    lang: str | None,
    labels: str | None,
    sources: tuple[Path, ...],
    recipe_path: Path | None,
    model: str | None,
    base_url: str | None,
    translator_model: str | None,
    translator_base_url: str | None,
    api_key_env: str | None,
    max_in_flight: int | None,
    no_cache: bool,
    cache_path: Path | None,
    out: Path | None,
    progress: bool | None,
    workers: int | None,
    executor: str,
    address: str | None,
) -> None:
    """Augment FILE (our JSONL, Alpaca, ShareGPT, OpenAI messages or {text,label}): paraphrases, back-
    translations, or style or stance transfers of each record, with lineage (origin, parent_id, method,
    intermediate text, model) in meta.

    Each derived record is checked against its parent (augment_copy, wrong_language, fact_changed,
    meaning_drift), then by the rule checks, grounding (with --source), the judge (with --recipe) and
    dedup. Writes accepted.jsonl, rejected.jsonl, failed.jsonl, manifest.json (counts per method),
    report.html and the model's answers in cache.sqlite: the same command again asks only what was not
    answered. Exit code 1 when some records failed (the same command retries them).
    """
    check_lang(lang)
    require_task(task, needed=recipe_path is None)
    if n is not None and n < 1:
        raise synthpipe.UsageError(
            f"--n {n}: give a positive number of derived records per record, e.g. --n 3"
        )
    methods = parse_methods(method) if method or recipe_path is None else None
    warn_unused_labels(task, labels)
    result = synthpipe.augment(
        file,
        task=task,
        methods=methods,
        n=n,
        style=style,
        pivots=split(pivot),
        regenerate_answer=regenerate_answer,
        opposite=parse_opposite(opposite),
        language=lang,
        labels=split(labels),
        recipe=recipe_path,
        model=model,
        base_url=base_url,
        api_key_env=api_key_env,
        translator_model=translator_model,
        translator_base_url=translator_base_url,
        max_in_flight=max_in_flight,
        sources=list(sources),
        use_cache=not no_cache,
        cache=cache_path,
        out=out or default_out(file, ".augmented"),
        progress=progress,
        workers=workers,
        executor=executor,
        address=address,
    )
    m = result.manifest
    summary("augmented", result, f" (derived from {m.get('parents', 0)} records of {file}, task {m['task']})")
    for key, row in m.get("augment", {}).items():
        top = ", ".join(f"{code} {k}" for code, k in list(row.get("reasons", {}).items())[:3])
        click.echo(
            f"  {key}: {row['derived']} derived, {row['accepted']} accepted, {row['rejected']} rejected"
            + (f", {row['failed']} failed" if row.get("failed") else "")
            + (f" ({top})" if top else "")
        )
    click.echo(written(result, cache_path))
    exit_status(result)
