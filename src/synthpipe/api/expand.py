"""`synthpipe.expand`: more subtopics, personas and question types from the generator model, written to
the recipe's plan lock (see synthpipe.prompts.expand)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synthpipe.api.inputs import RecipeLike, as_recipe, check_key_env
from synthpipe.backends import Backend


def expand(
    recipe: RecipeLike,
    *,
    topics: int | None = None,
    personas: int | None = None,
    question_types: int | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key_env: str | None = None,
    cache: str | Path | None = None,
    backends: dict[str, Backend] | None = None,
    write: bool = True,
) -> dict[str, Any]:
    """Ask the generator for `topics` subtopics under each topic, `personas` personas and `question_types`
    question types (default: what the recipe's `expand:` asks for), deduplicate them against each other
    and the recipe's own, and write them to RECIPE.plan.yaml beside the recipe file, which later runs read.
    Requests go through the response cache `cache` (default: .synthpipe/expand.sqlite in the recipe's
    folder), so asking again gives the same lists. Returns {"lock": path or None, "added": {part: n},
    "short": [...], "subtopics", "personas", "question_types", "plan": the plan space after}."""
    from synthpipe.api.runs import with_generator
    from synthpipe.prompts.expand import check_asked, expand_recipe, lock_path
    from synthpipe.prompts.space import plan_space

    check_key_env(api_key_env, "--api-key-env")
    rcp = with_generator(as_recipe(recipe), model, base_url, api_key_env)
    given = {"topics": topics, "personas": personas, "question_types": question_types}
    asked = {k: v for k, v in given.items() if v is not None} or rcp.expand.asked()
    check_asked(rcp, asked)
    if cache is not None:
        where: Path | None = Path(cache)
    elif rcp.path:
        where = Path(rcp.path).parent / ".synthpipe" / "expand.sqlite"
    else:
        where = None
    new, result = expand_recipe(
        rcp, asked, backend=(backends or {}).get("generator"), cache_path=where, write=write
    )
    space = plan_space(new)
    return {
        "lock": str(lock_path(rcp.path)) if rcp.path and write else None,
        "added": result.added,
        "short": result.short,
        "subtopics": result.lock.subtopics,
        "personas": result.lock.personas,
        "question_types": result.lock.question_types,
        "plan": {**space.to_json(), "factors": space.factors()},
    }
