"""`synthpipe export SRC --format F`: accepted records as training files."""

from __future__ import annotations

from pathlib import Path

import click

import synthpipe
from synthpipe.cli._common import SynthpipeCommand

FORMATS = "alpaca|sharegpt|openai|llamafactory|parquet|hf"


@click.command("export", cls=SynthpipeCommand)
@click.argument("src")
@click.option("--format", "fmt", required=True, metavar=FORMATS, help="Format of the output.")
@click.option(
    "--split",
    default="all",
    show_default=True,
    metavar="train|eval|all",
    help="Which split of a pool to export; a file or run directory exports whole.",
)
@click.option(
    "--out",
    "-o",
    "out",
    type=click.Path(path_type=Path),
    help="Output file (alpaca, sharegpt, openai, parquet) or folder (llamafactory, hf). "
    "Default: export/NAME.FORMAT next to SRC.",
)
@click.option("--system", metavar="TEXT", help="System prompt for every record that has none of its own.")
@click.option("--seed", type=int, help="Seed of the draws that apply fractional weights. Default: 0.")
@click.option("--no-weights", is_flag=True, help="Write each record once, whatever its weight.")
@click.option("--force", is_flag=True, help="Replace an existing --out (an earlier export).")
def export(
    src: str,
    fmt: str,
    split: str,
    out: Path | None,
    system: str | None,
    seed: int | None,
    no_weights: bool,
    force: bool,
) -> None:
    """Export accepted records from SRC for training.

    SRC is a run directory (its accepted.jsonl), a JSONL/JSON data file, or a pool version:
    pool:DIR@VERSION, pool:DIR@TAG or pool:DIR (the latest). A record of weight w is written floor(w)
    times and once more with probability frac(w); weight 0 drops it. Provenance (id, origin, model,
    recipe, pool version) stays with every row: under _meta, as columns, or (openai) in NAME.meta.jsonl.
    """
    result = synthpipe.export(
        src, fmt, out, split=split, system=system, seed=seed, weights=not no_weights, force=force
    )
    tasks = ", ".join(f"{task} {n:,}" for task, n in result.counts["task"].items())
    unit = "rows" if result.format in ("parquet", "hf") else "lines"
    if no_weights:
        how = "weights not applied"
    else:
        how = f"weights applied, seed {seed or 0}"
        if result.dropped:
            how += f"; {result.dropped:,} records written 0 times"
    click.echo(
        f"exported {result.records:,} records from {src} as {result.format}: {result.rows:,} {unit} "
        f"({tasks}; {how})"
    )
    click.echo("wrote " + ", ".join(str(p) for p in result.files))
