"""Generation: one plan item -> one record (accepted so far, rejected with the raw text, or failed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from synthpipe.backends.base import GenOptions
from synthpipe.core.errors import BackendError
from synthpipe.core.records import Record, stable_hash
from synthpipe.prompts.plan import PlanItem
from synthpipe.tasks import ParseError, get_task

if TYPE_CHECKING:
    from synthpipe.cache import CachedModel
    from synthpipe.recipe import Recipe


def record_id(recipe_hash: str, index: int, origin: str = "generated") -> str:
    return stable_hash({"r": recipe_hash, "i": index, "o": origin}, 16)


async def generate_one(
    item: PlanItem, rec: Record, model: CachedModel, recipe: Recipe, options: GenOptions
) -> Record:
    """Fill `rec` (id and recipe meta already set) with the model's answer to `item`."""
    spec = get_task(recipe.task)
    opts = GenOptions(
        temperature=item.variation.get("temperature", options.temperature),
        top_p=options.top_p,
        max_tokens=options.max_tokens,
        seed=options.seed if options.seed is not None else item.seed,
        stop=options.stop,
    )
    rec.meta.model = model.model
    rec.meta.prompt_hash = item.prompt_hash
    rec.meta.plan = {"index": item.index, **item.variation}
    try:
        completion = await model.chat(item.messages, item.schema, opts)
    except BackendError as exc:
        rec.meta.error = f"{type(exc).__name__}: {exc}"
        return rec
    rec.meta.usage = {
        "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens,
    }
    if completion.cached:
        rec.meta.extra["cached"] = True
    if completion.finish_reason == "length":
        rec.meta.raw = completion.text
        return rec.reject("truncated", f"output hit max_tokens={opts.max_tokens}", "generate")
    try:
        rec.fields = spec.parse(completion.text, recipe)
    except ParseError as exc:
        rec.meta.raw = completion.text
        return rec.reject(exc.code, exc.detail, "parse")
    return rec
