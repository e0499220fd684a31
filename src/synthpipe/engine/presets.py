"""Presets: each command is a list of stage names, and the order is data, not code.

A recipe may give its own order for `run` (`stages:`), for example to leave a stage out; a stage whose
settings switch it off (no sources for grounding, `judge.enabled: false`) is left out of the list built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synthpipe.core.errors import RecipeError
from synthpipe.stages.agree import AgreementStage
from synthpipe.stages.augment.checks import AugmentCheckStage
from synthpipe.stages.augment.stage import AugmentStage
from synthpipe.stages.dedup import DedupStage
from synthpipe.stages.generate import GenerateStage
from synthpipe.stages.ground import GroundingStage
from synthpipe.stages.judge import JudgeStage
from synthpipe.stages.parse import ParseStage
from synthpipe.stages.rules import RulesStage
from synthpipe.stages.sample import ReviewSample

if TYPE_CHECKING:
    from synthpipe.recipe import Recipe
    from synthpipe.stages.base import Stage

PRESETS: dict[str, tuple[str, ...]] = {
    "run": ("generate", "parse", "rules", "ground", "agree", "judge", "dedup", "sample"),
    "check": ("rules",),
    "judge": ("rules", "ground", "agree", "judge"),
    "dedup": ("dedup",),
    "augment": ("augment", "augment_check", "rules", "ground", "agree", "judge", "dedup"),
}
AUGMENT = ("augment", "augment_check")  # in a run, after parse: derived records of the seeds join there

# name -> a class with `from_recipe(recipe, **options) -> Stage | None`
STAGES: dict[str, Any] = {
    cls.name: cls
    for cls in (
        GenerateStage,
        ParseStage,
        AugmentStage,
        AugmentCheckStage,
        RulesStage,
        GroundingStage,
        AgreementStage,
        JudgeStage,
        DedupStage,
        ReviewSample,
    )
}


def register_stage(cls: Any) -> Any:
    """Make a stage class usable by name in a recipe's `stages:` list; returns the class."""
    STAGES[cls.name] = cls
    return cls


def run_stage_names(recipe: Recipe) -> tuple[str, ...]:
    """The stages of `run`: the recipe's `stages:`, checked, or the run preset."""
    if recipe.stages is None:
        if recipe.augment.on_seeds:
            run = PRESETS["run"]
            return (*run[:2], *AUGMENT, *run[2:])
        return PRESETS["run"]
    names = tuple(recipe.stages)
    where = recipe.path or recipe.name
    for i, name in enumerate(names):
        if name not in STAGES:
            raise RecipeError(
                where, f"unknown stage {name!r}", f"use some of: {', '.join(STAGES)}", field=f"stages[{i}]"
            )
    if recipe.augment.on_seeds and not set(AUGMENT) <= set(names):
        raise RecipeError(
            where,
            f"augment.apply_to: {recipe.augment.apply_to} needs the augment stages in `stages:`",
            "list augment, augment_check right after generate, parse",
            field="stages",
        )
    if len(set(names)) != len(names):
        raise RecipeError(where, "a stage is listed twice", "list each stage once", field="stages")
    if names[:2] != ("generate", "parse"):
        raise RecipeError(where, "a run starts with generate, parse", "put them first", field="stages")
    if "sample" in names and names[-1] != "sample":
        raise RecipeError(
            where, "the review sample must be the last stage", "it samples accepted records", field="stages"
        )
    return names


def build_stages(names: tuple[str, ...], recipe: Recipe, **options: Any) -> list[Stage]:
    """The stages named, built for `recipe`; `options` go to every `from_recipe` (each takes its own)."""
    stages = []
    for name in names:
        if name not in STAGES:
            raise RecipeError(
                recipe.path or recipe.name, f"unknown stage {name!r}", f"use some of: {', '.join(STAGES)}"
            )
        stage = STAGES[name].from_recipe(recipe, **options)
        if stage is not None:
            stages.append(stage)
    return stages
