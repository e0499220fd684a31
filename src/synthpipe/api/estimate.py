"""`synthpipe.estimate`: a run's requests, tokens and cost before it starts (`run --dry-run`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from synthpipe.api.inputs import RecipeLike, as_recipe, check_key_env
from synthpipe.api.runs import with_generator
from synthpipe.core.errors import UsageError
from synthpipe.engine.estimate import Estimate


def estimate(
    recipe: RecipeLike,
    out: str | Path | None = None,
    *,
    count: int | None = None,
    accepted: int | None = None,
    max_candidates: int | None = None,
    max_tokens: int | None = None,
    max_cost: float | None = None,
    cache: str | Path | None = None,
    use_cache: bool = True,
    model: str | None = None,
    base_url: str | None = None,
    api_key_env: str | None = None,
    max_in_flight: int | None = None,
) -> Estimate:
    """What `run(recipe, out, ...)` with the same options would ask: requests, estimated prompt and
    completion tokens and cost per stage and per model (see `synthpipe.engine.estimate` for how); a
    target (`accepted`, or the recipe's `accepted:`) at its fewest candidates, N. No
    model is built or asked and nothing is written; `out` and `cache` are only read, for the lengths
    of answers given before (not with `use_cache=False`)."""
    from synthpipe.engine.estimate import estimate_run
    from synthpipe.engine.target import Budget, check_target

    check_key_env(api_key_env, "--api-key-env")
    rcp = with_generator(as_recipe(recipe), model, base_url, api_key_env, max_in_flight)
    # the same inputs a run refuses; a target is estimated at its fewest candidates, N
    check_target(count, accepted, Budget(max_candidates, max_tokens, max_cost), rcp.accepted)
    n = count or accepted or (rcp.accepted if count is None else None) or rcp.count
    if n < 1:
        raise UsageError(f"count {n}: give a positive number of candidates")
    where = Path(out) if out is not None else None
    cache_path = None
    if use_cache:
        cache_path = Path(cache) if cache else (where / "cache.sqlite" if where is not None else None)
    return estimate_run(rcp, n, cache_path=cache_path, manifest=_same_recipe_manifest(where, rcp.data_hash))


def _same_recipe_manifest(out: Path | None, data_hash: str) -> dict[str, Any] | None:
    """The output directory's manifest when it was written by this recipe's data (else its answer
    lengths and counts say nothing about this run)."""
    if out is None:
        return None
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("recipe_hash") == data_hash else None
