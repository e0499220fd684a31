"""`synthpipe.export`: accepted records as the files trainers read (alpaca, sharegpt, openai,
llamafactory, parquet, hf), with their provenance and weights."""

from __future__ import annotations

from pathlib import Path

from synthpipe.exports import ExportResult
from synthpipe.exports.sources import SourceLike


def export(
    src: SourceLike,
    format: str,
    out: str | Path | None = None,
    *,
    split: str = "all",
    system: str | None = None,
    seed: int | None = None,
    weights: bool = True,
    force: bool = False,
) -> ExportResult:
    """Write the accepted records of `src` in `format`.

    `src`: a run directory (its accepted.jsonl), a JSONL/JSON data file, a pool version
    (`pool:DIR@VERSION`, `pool:DIR@TAG`, `pool:DIR` for the latest), or records in memory (then `out`
    is needed). A file with a bad line, or a rejected or failed record, is an error.

    `out`: a file (alpaca, sharegpt, openai, parquet) or a folder (llamafactory, hf); by default
    `export/<name>.<format>…` next to the source. An existing `out` is an error unless `force`.

    `split`: train, eval or all (a pool's records only). `system`: a system prompt for every record that
    has none of its own. A record of weight w is written floor(w) times and once more with probability
    frac(w), drawn from `random.Random(seed)` (seed 0 by default) in source order; `weights=False`
    writes each record once. The mapping of each task kind to each format is in
    `synthpipe.exports.formats`.
    """
    from synthpipe.exports.run import export as run

    return run(src, format, out, split=split, system=system, seed=seed, weights=weights, force=force)
