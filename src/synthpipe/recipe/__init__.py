"""Recipes: the pydantic schema, a loader that never mutates what it validated, and the data identity."""

from synthpipe.recipe.load import load_recipe, parse_recipe, validate
from synthpipe.recipe.schema import (
    AgreementConfig,
    ChecksConfig,
    Constraints,
    DedupConfig,
    GroundingConfig,
    JudgeConfig,
    ModelSpec,
    Prices,
    Recipe,
    Source,
)

__all__ = [
    "AgreementConfig",
    "ChecksConfig",
    "Constraints",
    "DedupConfig",
    "GroundingConfig",
    "JudgeConfig",
    "ModelSpec",
    "Prices",
    "Recipe",
    "Source",
    "load_recipe",
    "parse_recipe",
    "validate",
]
