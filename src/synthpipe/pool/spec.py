"""`pool:DIR@VERSION` as a source of records for `synthpipe export`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from synthpipe.core.errors import UsageError
from synthpipe.core.records import Record
from synthpipe.pool.store import live


def export_source(spec: str, split: str = "all") -> tuple[Iterator[Record], Any]:
    """The records of `pool:DIR@VERSION` (or @TAG, or none: the latest) for `synthpipe export`, and
    what the dataset card says of them: the version, recipes with their hashes, models, and how the
    weights were set."""
    from synthpipe.exports import ExportInfo

    directory, wanted = parse_pool_spec(spec)
    from synthpipe.pool import Pool

    pool = Pool(directory)
    v = pool.resolve(wanted)
    records = pool.records(v, split)  # a generator: errors about the split come on first use
    store = pool._open()
    try:
        # no tags here: a tag given later must not change what an export of this version writes
        info = ExportInfo(
            source=f"pool {directory.name or directory} version {v}",
            name=f"pool-v{v}",
            pool_version=v,
            split=split,
        )
        sql = (
            "SELECT DISTINCT r.recipe, json_extract(CAST(r.body AS TEXT), '$.meta.recipe_hash'), r.model "
            f"FROM members m JOIN records r ON r.rid = m.rid WHERE {live()} ORDER BY 1, 2, 3"
        )
        models: list[str] = []
        for recipe, recipe_hash, model in store.db.execute(sql, {"v": v}):
            info.add_recipe(recipe, recipe_hash or "")
            if model and model not in models:
                models.append(model)
        info.models = models
        for row in store.versions():
            if row["version"] > v:
                break
            args = row["args"]
            if row["op"] == "add" and args.get("weight") is not None:
                info.weight_rules.append(
                    f"v{row['version']}: records added from {args['source']} weigh {args['weight']:g}"
                )
            elif row["op"] == "weight":
                sel = ", ".join(f"{k}={x}" for k, x in args["selection"].items())
                info.weight_rules.append(f"v{row['version']}: weight {args['weight']:g} for {sel}")
    finally:
        store.close()
    return records, info


def parse_pool_spec(spec: str) -> tuple[Path, str | None]:
    """`pool:DIR@VERSION` / `pool:DIR@TAG` / `pool:DIR` -> (DIR, version or tag or None)."""
    body = spec[len("pool:") :] if spec.startswith("pool:") else spec
    directory, at, version = body.rpartition("@")
    if not at or "/" in version:  # no @, or an @ inside the path: the whole of it is the directory
        directory, version = body, ""
    if not directory:
        raise UsageError(f"{spec!r}: give the pool directory, e.g. pool:pool/@latest")
    return Path(directory), version or None
