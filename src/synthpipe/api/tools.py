"""What the other commands need: the prompts a recipe would send, the example recipes, the cache."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from synthpipe.api.inputs import RecipeLike, as_recipe
from synthpipe.core.errors import UsageError

DEMO_RECIPE = "demo_qa_en.yaml"


def examples_dir() -> Path:
    """The shipped example recipes (every task kind, zh and en) and their source documents."""
    return Path(str(resources.files("synthpipe").joinpath("examples")))


def demo_recipe() -> Path:
    return examples_dir() / DEMO_RECIPE


def init_recipes(directory: str | Path, force: bool = False) -> tuple[list[str], list[str]]:
    """Copy the example recipes into `directory`; returns (written, kept because they exist)."""
    dest = Path(directory)
    if dest.exists() and not dest.is_dir():
        raise UsageError(f"{dest}: exists and is not a folder — give another directory")
    dest.mkdir(parents=True, exist_ok=True)
    written, kept = [], []
    for src in sorted(examples_dir().iterdir()):
        if src.name.startswith(("_", ".")) or src.is_dir():
            continue
        target = dest / src.name
        if target.exists() and not force:
            kept.append(target.name)
            continue
        shutil.copyfile(src, target)
        written.append(target.name)
    return written, kept


def preview_prompts(recipe: RecipeLike, n: int = 1) -> dict[str, Any]:
    """The exact messages the first `n` candidates would send, and the quality stages' prompts for a
    sample record: {"candidates": [{index, messages, schema, seed, variation}], "stages": [(title, messages)]}."""
    from synthpipe.prompts.plan import plan
    from synthpipe.stages.describe import describe_prompts

    rcp = as_recipe(recipe)
    items = plan(rcp, count=min(n, rcp.count))
    return {
        "candidates": [
            {
                "index": it.index,
                "messages": it.messages,
                "schema": it.schema,
                "seed": it.seed,
                "variation": it.variation,
            }
            for it in items
        ],
        "stages": describe_prompts(rcp, items[0]),
    }


def _cache_path(target: str | Path) -> Path:
    p = Path(target)
    if p.is_dir():
        p = p / "cache.sqlite"
    if not p.is_file():
        raise UsageError(f"{p}: no cache here — pass a run directory or a cache.sqlite file")
    return p


def cache_stats(target: str | Path) -> dict[str, Any]:
    """Entries, size and models of a response cache (a run directory or a cache.sqlite file)."""
    from synthpipe.cache import ResponseCache

    cache = ResponseCache(_cache_path(target))
    try:
        return cache.stats()
    finally:
        cache.close()


def cache_clear(target: str | Path) -> tuple[int, Path]:
    """Delete every cached response; returns how many and the file."""
    from synthpipe.cache import ResponseCache

    path = _cache_path(target)
    cache = ResponseCache(path)
    try:
        return cache.clear(), path
    finally:
        cache.close()
