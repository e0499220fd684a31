"""`synthpipe judge FILE --task …`: rule checks plus the LLM judge over an existing data file."""

from __future__ import annotations

from pathlib import Path

import click

import synthpipe
from synthpipe.cli._common import SynthpipeCommand, progress_option, split, summary, workers_option
from synthpipe.cli.check import default_out, require_task


@click.command("judge", cls=SynthpipeCommand)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--task", "task", metavar="KIND", help="Kind of records in FILE (required without --recipe).")
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
@progress_option
@workers_option
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
    progress: bool | None,
    workers: int | None,
) -> None:
    """Judge FILE (our JSONL, Alpaca, ShareGPT, OpenAI messages or {text,label}): rule checks, then an
    LLM judge scoring each record 1-5 per criterion.

    Writes accepted.jsonl, rejected.jsonl (every reason), failed.jsonl, manifest.json and report.html.
    """
    if recipe_path is None:
        require_task(task)
        if task == "classify" and len(set(split(labels))) < 2:
            raise synthpipe.UsageError(
                "--task classify needs the allowed labels, at least two: --labels positive,negative"
            )
    else:
        require_task(task, needed=False)
    result = synthpipe.judge(
        file,
        task=task,
        language=lang,
        labels=split(labels),
        recipe=recipe_path,
        model=model,
        base_url=base_url,
        api_key_env=api_key_env,
        threshold=threshold,
        out=out or default_out(file, ".judged"),
        progress=progress,
        workers=workers,
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
    click.echo(f"wrote {result.out_dir}/")
