"""The plan source of `run`: one empty record per planned candidate that is not finished yet.

A candidate's id depends only on the recipe's generation identity and its plan index, so a re-run with
other operational settings (concurrency, rate limits, time-outs) finds the same ids and skips them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from typing import TYPE_CHECKING

from synthpipe.core.records import Meta, Record, stable_hash

if TYPE_CHECKING:
    from synthpipe.recipe import Recipe

CHUNK = 256


def record_id(generation_hash: str, index: int, origin: str = "generated") -> str:
    return stable_hash({"r": generation_hash, "i": index, "o": origin}, 16)


def todo(recipe: Recipe, count: int, done: Collection[str]) -> list[tuple[int, str]]:
    """(index, id) of the candidates 0..count-1 not among `done`."""
    gen = recipe.generation_hash
    ids = ((i, record_id(gen, i)) for i in range(count))
    return [(i, rid) for i, rid in ids if rid not in done]


async def plan_source(recipe: Recipe, items: list[tuple[int, str]]) -> AsyncIterator[list[Record]]:
    data_hash = recipe.data_hash
    chunk: list[Record] = []
    for i, rid in items:
        meta = Meta(task=recipe.task, recipe=recipe.name, recipe_hash=data_hash, plan={"index": i})
        chunk.append(Record(id=rid, fields={}, meta=meta))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
