"""The Python API: every command of the CLI is one of these functions, and the CLI calls nothing else."""

from synthpipe.api.augment import aaugment, augment
from synthpipe.api.export import export
from synthpipe.api.files import acheck, adedup, ajudge, check, dedup, judge
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
    "augment",
    "acheck",
    "adedup",
    "ajudge",
    "arun",
    "Result",
    "cache_clear",
    "cache_stats",
    "check",
    "dedup",
    "default_out_dir",
    "demo_recipe",
    "examples_dir",
    "export",
    "init_recipes",
    "judge",
    "preview_prompts",
    "run",
    "with_generator",
]
