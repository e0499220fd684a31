"""`synthpipe.feedback`: failed eval cases -> the next round's recipe (see synthpipe.evaluation.feedback)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from synthpipe.core.errors import UsageError
from synthpipe.recipe import Recipe

if TYPE_CHECKING:
    from synthpipe.evaluation.feedback import FeedbackResult


def feedback(
    failures: str | Path,
    recipe: str | Path | Recipe,
    out: str | Path | None = None,
    *,
    boost: float | None = None,
    force: bool = False,
) -> FeedbackResult:
    """Turn `failures` (the failures.jsonl of `synthpipe.evaluate`) into a new recipe next to `recipe`
    (default: its stem + `.feedback.yaml`; `out` elsewhere), keeping the recipe's text and adding, each
    with a comment saying where it came from: the failing records' topics and topic phrases from their
    prompts, their request kinds, and the failing cases as seed examples (a `.seeds.jsonl` file beside
    the new recipe whose rows carry `origin: feedback` and `parent_id`: the eval record's id). The name
    gets a round suffix (`-fb1`). `boost`: a weight for the round's records, given as the
    `synthpipe pool weight` command to run (in `next_steps`): a recipe has no weight setting.

    Failures of another task or recipe are left out (`left_out`); when none is left it is a UsageError.
    An empty failures file writes nothing and returns a result whose `recipe` is None and whose
    `message` says there was nothing to feed back. An existing output is an error unless `force`."""
    if isinstance(recipe, Recipe):
        if not recipe.path:
            raise UsageError("feedback edits a recipe file: pass its path, or a Recipe loaded from one")
        recipe = recipe.path
    from synthpipe.evaluation.feedback import build_feedback

    return build_feedback(failures, recipe, out, boost=boost, force=force)
