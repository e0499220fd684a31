"""`synthpipe judge FILE --task …`: rule checks plus the LLM judge over an existing data file."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from synthpipe.core.errors import SynthpipeError, UsageError
from synthpipe.core.records import TASKS
from synthpipe.recipe import ModelSpec, Recipe, load_recipe, parse_recipe

# The embedded judge decodes greedily: a verdict should not change from one run to the next.
EMBEDDED_JUDGE = {"backend": "embedded", "temperature": 0.0, "max_tokens": 200}


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in re.split(r"[,，]", value or "") if part.strip()]


def _guess_language(file: Path, task: str) -> str:
    from synthpipe.lang import detect_language
    from synthpipe.sources.files import read_records

    sample = []
    for i, rec in enumerate(read_records(file, task)):
        sample.append(rec.text())
        if i >= 19:
            break
    return "zh" if detect_language("\n".join(sample)) == "zh" else "en"


def build_recipe(
    file: Path,
    task: str | None,
    lang: str | None,
    labels: list[str],
    recipe_path: Path | None,
    model: str | None,
    base_url: str | None,
    api_key_env: str | None,
) -> tuple[Recipe, str | None]:
    """The recipe to judge under, and the language to check (None: each record's instruction's)."""
    if bool(model) != bool(base_url):
        raise UsageError(
            "--model and --base-url go together — give both to judge with an OpenAI-compatible server"
        )
    if recipe_path is not None:
        recipe = load_recipe(recipe_path)
        if task and task != recipe.task:
            raise UsageError(
                f"--task {task} differs from the recipe's task {recipe.task} — drop --task or fix it"
            )
        data: dict[str, Any] = recipe.model_dump(mode="json", exclude={"source_texts", "path"})
        data["examples_file"] = None  # already merged into examples; loading it again would double them
        sources, where = recipe.source_texts, str(recipe_path)
    else:
        if not task:
            raise UsageError(f"--task is required (or --recipe): one of {', '.join(TASKS)}")
        data = {"name": file.stem, "task": task, "language": lang or _guess_language(file, task)}
        sources, where = [], "command line"
    if task and task not in TASKS:
        raise UsageError(f"unknown task {task!r} — use --task with one of {', '.join(TASKS)}")
    if lang:
        data["language"] = lang
    if labels:
        data["labels"] = labels
    if data["task"] == "classify" and len(set(data.get("labels") or [])) < 2:
        raise UsageError("--task classify needs the allowed labels, at least two: --labels positive,negative")
    models = data.setdefault("models", {"generator": {}})
    judge = data.setdefault("judge", {})
    judge["enabled"] = True
    for name in judge.get("models") or ["judge"]:
        if model:
            models[name] = {
                "backend": "openai",
                "model": model,
                "base_url": base_url,
                "api_key_env": api_key_env,
                "temperature": 0.0,
                "max_tokens": 400,
            }
        else:
            models.setdefault(name, dict(EMBEDDED_JUDGE))
    recipe = parse_recipe(data, where, recipe_path.parent if recipe_path else None)
    recipe.source_texts = list(sources)
    recipe.path = str(recipe_path) if recipe_path is not None else ""
    return recipe, (lang or (recipe.language if recipe_path is not None else None))


@click.command("judge")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--task", "task", metavar="|".join(TASKS), help="Kind of records in FILE (required without --recipe)."
)
@click.option(
    "--lang", "lang", type=click.Choice(["zh", "en"]), help="Language of the data and of the judge prompt."
)
@click.option("--labels", metavar="A,B,C", help="Allowed labels (required for --task classify).")
@click.option("--model", help="judge model name on an OpenAI-compatible server (default: the embedded model)")
@click.option("--base-url", help="that server's base URL, e.g. http://127.0.0.1:8000/v1")
@click.option("--api-key-env", help="NAME of the environment variable holding the key (never the key)")
@click.option(
    "--recipe",
    "recipe_path",
    type=click.Path(path_type=Path),
    help="Recipe for judges, criteria, threshold, sources (grounding) and agreement.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(1, 5),
    help="Minimum overall score, 1-5 (default: the recipe's, 3.5).",
)
@click.option(
    "--out", "out", type=click.Path(path_type=Path), help="Output folder; default: FILE's stem + .judged/"
)
def judge(
    file: Path,
    task: str | None,
    lang: str | None,
    labels: str | None,
    model: str | None,
    base_url: str | None,
    api_key_env: str | None,
    recipe_path: Path | None,
    threshold: float | None,
    out: Path | None,
) -> None:
    """Judge FILE (our JSONL, Alpaca, ShareGPT, OpenAI messages or {text,label}): rule checks, then an
    LLM judge scoring each record 1-5 per criterion.

    Writes accepted.jsonl, rejected.jsonl (every reason), failed.jsonl, manifest.json and report.html.
    """
    from synthpipe.stages.judge_file import judge_file

    try:
        if not file.is_file():
            raise UsageError(f"{file}: file not found — check the path")
        if api_key_env:
            ModelSpec(api_key_env=api_key_env)  # the same check as in a recipe: a name, never the key
        recipe, check_lang = build_recipe(
            file, task, lang, _split(labels), recipe_path, model, base_url, api_key_env
        )
        result = judge_file(file, recipe, out, language=check_lang, threshold=threshold)
    except SynthpipeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except ValidationError as exc:  # the recipe's own check of --api-key-env
        msg = exc.errors()[0]["msg"].removeprefix("Value error, ")
        click.echo(f"error: --api-key-env: {msg}", err=True)
        sys.exit(2)
    m = result.manifest
    c = m["counts"]
    click.echo(
        f"judged {c['attempted']} records from {file} (task {recipe.task}, judge "
        f"{', '.join(recipe.judge.models)}): {c['accepted']} accepted, {c['rejected']} rejected, "
        f"{c['failed']} failed"
    )
    if m.get("judge", {}).get("mean_overall") is not None:
        click.echo(
            f"mean judge score {m['judge']['mean_overall']:.2f} (threshold {m['judge']['threshold']:g})"
        )
    if m["reasons"]:
        click.echo("top reasons: " + ", ".join(f"{code} {n}" for code, n in list(m["reasons"].items())[:5]))
    try:
        from synthpipe.report import write_report

        write_report(result.out_dir, result.accepted, result.rejected, m)
    except Exception as exc:  # the results are already written; a report failure must not hide them
        click.echo(f"warning: report.html not written ({type(exc).__name__}: {exc})", err=True)
    click.echo(f"wrote {result.out_dir}/")
