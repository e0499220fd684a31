"""The Python API: every command of the CLI is one of these functions, and the CLI calls nothing else."""

from synthpipe.api.advise import advise
from synthpipe.api.augment import aaugment, augment
from synthpipe.api.estimate import estimate
from synthpipe.api.evaluate import aevaluate, evaluate
from synthpipe.api.expand import expand
from synthpipe.api.export import export
from synthpipe.api.feedback import feedback
from synthpipe.api.files import acheck, adedup, ajudge, check, dedup, judge
from synthpipe.api.review import review, review_report
from synthpipe.api.runs import arun, default_out_dir, run, with_generator
from synthpipe.api.tools import (
    cache_clear,
    cache_stats,
    demo_recipe,
    examples_dir,
    init_recipes,
    preview_prompts,
)
from synthpipe.engine.job import Result

__all__ = [
    "aaugment",
    "advise",
    "augment",
    "acheck",
    "adedup",
    "aevaluate",
    "ajudge",
    "arun",
    "Result",
    "cache_clear",
    "cache_stats",
    "check",
    "dedup",
    "default_out_dir",
    "demo_recipe",
    "estimate",
    "evaluate",
    "examples_dir",
    "expand",
    "export",
    "feedback",
    "init_recipes",
    "judge",
    "preview_prompts",
    "review",
    "review_report",
    "run",
    "with_generator",
]
