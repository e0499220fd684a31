"""Each Ray worker's share of a model's limits: concurrency and rate limits divided among the workers,
rounded down, so that together they never exceed what the recipe allows."""

from __future__ import annotations

from synthpipe.core.errors import UsageError
from synthpipe.recipe import Recipe


def worker_share(recipe: Recipe, names: list[str], workers: int) -> Recipe:
    """The recipe as one of `workers` workers sees it: each model of `names` with max_in_flight,
    requests_per_minute and tokens_per_minute divided by `workers` (the limits are operational
    settings, so the cache keys and record ids stay the same)."""
    if workers <= 1:
        return recipe
    for name in dict.fromkeys(names):
        spec = recipe.models[name]
        if spec.max_in_flight < workers:
            raise UsageError(
                f"--workers {workers} is more than model {name}'s max_in_flight {spec.max_in_flight}: each "
                f"worker needs at least one request slot — use --workers {spec.max_in_flight} or fewer, or "
                "raise max_in_flight"
            )
        share = spec.max_in_flight // workers
        recipe = recipe.with_model(
            name,
            max_in_flight=share,
            min_in_flight=min(spec.min_in_flight, share),
            requests_per_minute=spec.requests_per_minute / workers if spec.requests_per_minute else None,
            tokens_per_minute=spec.tokens_per_minute / workers if spec.tokens_per_minute else None,
        )
    return recipe
