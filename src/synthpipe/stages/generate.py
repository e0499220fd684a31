"""generate: a planned candidate -> the model's answer (its raw text; the parse stage reads it).

Records reach this stage as the plan source makes them: an id, `meta.plan.index` and nothing else. The
request is rebuilt from the recipe and the index (`Planner.item`), so a resumed run asks exactly what the
first run asked and the response cache answers it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synthpipe.backends import options_from_spec
from synthpipe.backends.base import Completion, GenOptions
from synthpipe.core.records import Record
from synthpipe.stages.base import ModelStage, StageContext

if TYPE_CHECKING:
    from synthpipe.cache import CachedModel
    from synthpipe.prompts.plan import Planner
    from synthpipe.recipe import Recipe


class GenerateStage(ModelStage):
    name = "generate"

    def __init__(self, recipe: Recipe, model: str = "generator") -> None:
        self.recipe = recipe
        self.model_name = model
        self.model_names = (model,)
        self.options = options_from_spec(recipe.models[model])

    @classmethod
    def from_recipe(cls, recipe: Recipe, **_: Any) -> GenerateStage:
        return cls(recipe)

    async def open(self, ctx: StageContext) -> None:
        from synthpipe.prompts.plan import Planner

        self.planner: Planner = Planner(self.recipe)
        self.model: CachedModel = self.use_model(ctx.get_model(self.model_name))

    def _request(self, rec: Record) -> tuple[Any, GenOptions]:
        item = self.planner.item(rec.meta.plan["index"])
        base = self.options
        opts = GenOptions(
            temperature=item.variation.get("temperature", base.temperature),
            top_p=base.top_p,
            max_tokens=base.max_tokens,
            seed=base.seed if base.seed is not None else item.seed,
            stop=base.stop,
        )
        meta = rec.meta
        meta.model = self.model.model
        meta.prompt_hash = item.prompt_hash
        meta.plan = {"index": item.index, **item.variation}
        return item, opts

    @staticmethod
    def _answer(rec: Record, completion: Completion, opts: GenOptions) -> None:
        meta = rec.meta
        meta.usage = {
            "prompt_tokens": completion.prompt_tokens,
            "completion_tokens": completion.completion_tokens,
        }
        meta.raw = completion.text
        if completion.finish_reason == "length":
            meta.extra["truncated_at"] = opts.max_tokens

    def decide_now(self, rec: Record) -> bool:
        """A cached answer decides the record here, with no task and no await (see Stage.decide_now).
        A record that is not a planned candidate (a derived record of the seeds) goes on at once."""
        if rec.meta.origin != "generated":
            return True
        item, opts = self._request(rec)
        hit = self.model.cached(item.messages, item.schema, opts)
        if hit is None:
            return False
        self._answer(rec, hit, opts)
        return True

    async def apply(self, rec: Record) -> None:
        if rec.meta.origin != "generated":
            return
        item, opts = self._request(rec)
        completion = await self.model.chat(item.messages, item.schema, opts)
        self._answer(rec, completion, opts)

    async def close(self) -> dict[str, Any]:
        return {"model": self.model_name}
