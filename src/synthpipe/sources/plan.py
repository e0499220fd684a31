"""The plan source of `run`: one empty record per planned candidate that is not finished yet.

A candidate's id depends only on the recipe's generation identity and its plan index, so a re-run with
other operational settings (concurrency, rate limits, time-outs) finds the same ids and skips them."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Collection
from typing import TYPE_CHECKING

import orjson

from synthpipe.core.records import Meta, Record

if TYPE_CHECKING:
    from synthpipe.recipe import Recipe

CHUNK = 64  # small: the first requests go out while later candidates are still being planned


def record_id(generation_hash: str, index: int, origin: str = "generated") -> str:
    """stable_hash({"r": …, "i": …, "o": …}) written out: the same bytes, without json per candidate."""
    body = orjson.dumps({"i": index, "o": origin, "r": generation_hash})
    return hashlib.sha256(body).hexdigest()[:16]


async def plan_source(recipe: Recipe, count: int, done: Collection[str]) -> AsyncIterator[list[Record]]:
    """Records for the candidates 0..count-1 whose ids are not among `done`, made as they are needed."""
    gen, data_hash = recipe.generation_hash, recipe.data_hash
    chunk: list[Record] = []
    for i in range(count):
        rid = record_id(gen, i)
        if rid in done:
            continue
        meta = Meta(task=recipe.task, recipe=recipe.name, recipe_hash=data_hash, plan={"index": i})
        chunk.append(Record(id=rid, fields={}, meta=meta))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
