"""The augment source: one empty derived record per (parent, method, k) that is not finished yet.

A derived record's id depends only on its parent's id, the method's key and k (`derived_id`), so a
re-run finds the same ids, skips the finished ones and asks the response cache for the rest. The
augment stage fills the fields, as the generate stage fills a planned candidate."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Iterable, Sequence
from typing import TYPE_CHECKING

from synthpipe.core.records import Meta, Record
from synthpipe.stages.augment.methods import method_keys, targets
from synthpipe.stages.base import derived_record
from synthpipe.tasks import get_task

if TYPE_CHECKING:
    from synthpipe.recipe import Recipe

CHUNK = 64


def seed_records(recipe: Recipe) -> list[Record]:
    """The recipe's real examples (its `examples` and `examples_file` rows) as records `seed-<i>`: the
    parents of their derived records, and what dedup indexes as "recipe examples" (one id for both, so a
    derived record and its seed are one family)."""
    return [
        Record(
            id=f"seed-{i}",
            fields=dict(ex),
            meta=Meta(task=recipe.task, origin="seed", recipe=recipe.name, line=i + 1),
        )
        for i, ex in enumerate(recipe.examples)
    ]


def plan_children(recipe: Recipe, parents: Iterable[Record], done: Collection[str] = ()) -> list[Record]:
    """The derived records of `parents` under the recipe's `augment.methods`, minus those in `done`.
    A parent without the parts a method rewrites (a dialogue with no user turn) gets none of it."""
    kind = get_task(recipe.task)
    task, data_hash = recipe.task, recipe.data_hash
    methods = recipe.augment.methods
    keys = method_keys(methods)
    out = []
    for parent in parents:
        if not parent.ok or not parent.fields:
            continue
        for key, method in zip(keys, methods, strict=True):
            if not targets(kind, method.method, parent.fields):
                continue
            for k in range(method.count):
                rec = derived_record(parent, {}, method.method, k, key)
                if rec.id in done:
                    continue
                meta = rec.meta  # of this recipe, at the parent's place in its source
                meta.task, meta.recipe, meta.recipe_hash, meta.line = (
                    task,
                    recipe.name,
                    data_hash,
                    parent.meta.line,
                )
                meta.extra["augment"] = {"method": method.method, "key": key, "k": k}
                out.append(rec)
    return out


async def records_source(records: Sequence[Record], chunk: int = CHUNK) -> AsyncIterator[list[Record]]:
    for i in range(0, len(records), chunk):
        yield list(records[i : i + chunk])
