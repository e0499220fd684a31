"""rules: the rule checks as a stage. Every reason a record fails is added, not only the first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synthpipe.core.records import Record
from synthpipe.stages.base import RecordStage
from synthpipe.stages.rules.checker import RECIPE_LANGUAGE, STAGE, RuleChecker

if TYPE_CHECKING:
    from synthpipe.recipe import Recipe


class RulesStage(RecordStage):
    name = STAGE
    batch_size = 512
    parallel = True

    def __init__(self, checker: RuleChecker) -> None:
        self.checker = checker
        self.kind = checker.kind

    @classmethod
    def from_recipe(cls, recipe: Recipe, language: str | None = RECIPE_LANGUAGE, **_: Any) -> RulesStage:
        """`language`: the recipe's by default; None checks each record against its prompt's language."""
        return cls(RuleChecker.from_recipe(recipe, language))

    def apply(self, rec: Record) -> None:
        rec.meta.reasons.extend(self.checker.check(rec))

    async def close(self) -> dict[str, Any]:
        ck = self.checker
        return {"language": ck.language or "auto (each record's prompt)", "disabled": sorted(ck.disabled)}
