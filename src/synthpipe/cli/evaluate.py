"""`synthpipe eval` (a served model against the eval split) and `synthpipe feedback` (its failures into the
next round's recipe)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

import synthpipe
from synthpipe.cli._common import (
    SynthpipeCommand,
    api_key_env_option,
    cache_opt,
    check_lang,
    echo_warning,
    exit_status,
    max_in_flight_option,
    no_cache_option,
    out_opt,
    progress_option,
    written,
)
from synthpipe.cli._common import split as comma_list


def _default_out(src: Path | None, pool: Path | None, model: str | None) -> Path:
    where = pool if pool is not None else src
    name = (where.resolve().name if where is not None else "") or "eval"
    name = name.split(".")[0] if where is not None and where.is_file() else name
    return Path("evals") / re.sub(r"[^\w.-]+", "_", f"{name}-{model or 'model'}")


def _rate(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _table(summary: dict[str, Any]) -> list[str]:
    """count, mean scores and pass rate per task and topic, then per task and overall."""
    criteria = list(dict.fromkeys(c for t in summary["by_task"].values() for c in t["mean"]))
    rows: list[list[str]] = []

    def row(task: str, topic: str, s: dict[str, Any]) -> None:
        means = [f"{s['mean'][c]:.2f}" if c in s["mean"] else "" for c in criteria]
        rows.append([task, topic, str(s["count"]), *means, _rate(s["pass_rate"])])

    for task, t in summary["by_task"].items():
        for topic, s in t["topics"].items():
            row(task, topic, s)
        if len(t["topics"]) > 1:
            row(task, "(all topics)", t)
    if len(summary["by_task"]) > 1:
        row("all", "", summary)
    head = ["task", "topic", "n", *criteria, "pass"]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in [head, *rows]
    ]


@click.command("eval", cls=SynthpipeCommand)
@click.argument("src", required=False, type=click.Path(path_type=Path))
@click.option("--model", help="The served model to evaluate (its name on the server).")
@click.option("--base-url", help="Its OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1.")
@click.option(
    "--pool",
    "pool_dir",
    metavar="DIR",
    type=click.Path(path_type=Path),
    help="Evaluate on a pool's split (instead of SRC, a data file or run directory).",
)
@click.option(
    "--split",
    type=click.Choice(["eval", "train", "all"]),
    help="Which split of the pool. Default: eval (with SRC: the whole file).",
)
@click.option(
    "--judge-model", help="Judge model name on an OpenAI-compatible server. Default: the embedded model."
)
@click.option("--judge-base-url", help="The judge's server base URL.")
@click.option(
    "--threshold",
    "--min-score",
    "threshold",
    type=click.FloatRange(1, 5),
    default=3.0,
    show_default=True,
    help="Lowest judge score (1-5) each of correctness and faithfulness must reach to pass.",
)
@click.option(
    "--labels",
    metavar="A,B,C",
    help="The label set classify records are asked with. Default: the run's or the pool's labels.",
)
@click.option("--lang", "lang", metavar="zh|en", help="Language of the judge prompt. Default: each record's.")
@click.option(
    "--max-tokens",
    type=click.IntRange(min=1),
    default=512,
    show_default=True,
    help="Longest answer asked for.",
)
@max_in_flight_option
@api_key_env_option
@click.option(
    "--judge-api-key-env",
    metavar="VAR",
    help="The judge's key variable. Default: --api-key-env on the same server.",
)
@no_cache_option
@cache_opt("OUT/cache.sqlite")
@out_opt("Default: evals/<SRC or pool name>-<model>/.")
@progress_option
def evaluate(
    src: Path | None,
    model: str | None,
    base_url: str | None,
    pool_dir: Path | None,
    split: str | None,
    judge_model: str | None,
    judge_base_url: str | None,
    threshold: float,
    labels: str | None,
    lang: str | None,
    max_tokens: int,
    max_in_flight: int | None,
    api_key_env: str | None,
    judge_api_key_env: str | None,
    no_cache: bool,
    cache_path: Path | None,
    out: Path | None,
    progress: bool | None,
) -> None:
    """Ask a trained, served model the eval records' prompts and grade each answer against the
    reference answer: a judge scores correctness and faithfulness 1-5 with reasons (classify: exact
    match of the label, no judge).

    Writes results.jsonl (every record: prompt, reference, answer, scores, reasons, pass),
    failures.jsonl (below the threshold: the input of `synthpipe feedback`), manifest.json and every
    answer in cache.sqlite: the same command again asks nothing already answered. Exit code 1 when
    some requests failed (the same command retries them).
    """
    check_lang(lang)
    result = synthpipe.evaluate(
        src,
        model=model,
        base_url=base_url,
        pool=pool_dir,
        split=split,
        judge_model=judge_model,
        judge_base_url=judge_base_url,
        threshold=threshold,
        labels=comma_list(labels),
        language=lang,
        max_tokens=max_tokens,
        max_in_flight=max_in_flight,
        api_key_env=api_key_env,
        judge_api_key_env=judge_api_key_env,
        use_cache=not no_cache,
        cache=cache_path,
        out=out or _default_out(src, pool_dir, model),
        progress=progress,
        on_warning=echo_warning,
    )
    m = result.manifest
    s = result.summary
    inp = m.get("input", {})
    what = (
        f"{inp['pool']} ({inp['split']} split, version {inp['version']})"
        if "pool" in inp
        else inp.get("file")
    )
    click.echo(
        f"evaluated {s['count']} records of {what}: {s['passed']} passed, {s['below_threshold']} below "
        f"threshold {threshold:g}, {s['not_graded']} not graded, {s['errors']} failed"
    )
    grade = m["stages"].get("grade", {})
    graders = [f"judge {grade['judge']}"] if grade.get("judge") else []
    if any("exact_match" in t["mean"] for t in s["by_task"].values()):
        graders.append("classify by exact match, no judge")
    click.echo(
        f"model {m['stages'].get('ask', {}).get('model', model)}; " + "; ".join(graders or ["nothing graded"])
    )
    for line in _table(s):
        click.echo(line)
    for name, u in m.get("usage_this_run", {}).items():
        click.echo(f"{name}: {u['requests']} requests, {u['cache_hits']} cached")
    for err in m.get("errors", [])[:3]:
        click.echo(f"failed ({err['records']}): {err['error']}", err=True)
    click.echo(written(result, cache_path))
    if s["below_threshold"] and result.out_dir is not None:
        click.echo(f"next: synthpipe feedback {result.out_dir / 'failures.jsonl'} --recipe RECIPE")
    exit_status(result)


@click.command("feedback", cls=SynthpipeCommand)
@click.argument("failures", type=click.Path(path_type=Path))
@click.option(
    "--recipe",
    "recipe_path",
    type=click.Path(path_type=Path),
    help="The recipe the evaluated data came from (required).",
)
@click.option(
    "--out",
    "-o",
    "out",
    type=click.Path(path_type=Path),
    help="The new recipe. Default: RECIPE's stem + .feedback.yaml, next to it.",
)
@click.option(
    "--boost",
    type=click.FloatRange(min=0, min_open=True),
    metavar="W",
    help="A pool weight for the new round's records: prints the `synthpipe pool weight` command.",
)
@click.option("--force", is_flag=True, help="Replace an existing new recipe and its seeds file.")
def feedback(
    failures: Path, recipe_path: Path | None, out: Path | None, boost: float | None, force: bool
) -> None:
    """Turn FAILURES (the failures.jsonl of `synthpipe eval`) into the next round's recipe: the failing
    topics and request kinds, and the failing cases as seed examples (origin feedback, parent_id = the
    eval record's id), each addition commented in the new recipe.

    An empty FAILURES file has nothing to feed back: it says so, writes nothing and exits 0.
    """
    if recipe_path is None:
        raise synthpipe.UsageError(
            "--recipe is required: the recipe the evaluated data came from, e.g. --recipe recipes/qa_en.yaml"
        )
    res = synthpipe.feedback(failures, recipe_path, out, boost=boost, force=force)
    if res.recipe is None:
        click.echo(res.message)
        return
    files = f"{res.recipe}" + (f" and {res.seeds_file}" if res.seeds_file else "")
    click.echo(f"wrote {files} from {res.used} failures of {failures}:")
    for line in res.changes:
        click.echo(f"  {line}")
    for why, n in res.left_out.items():
        click.echo(f"left out: {n} failure{'s' if n != 1 else ''} of {why}")
    for message in res.warnings:
        echo_warning(message)
    click.echo("next:")
    for step in res.next_steps:
        click.echo(f"  {step}")
    click.echo(f"every change: diff -u {recipe_path} {res.recipe}")
