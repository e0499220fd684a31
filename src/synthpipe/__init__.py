"""synthpipe: recipe-driven synthetic training data that is checked before it is trusted.

    import synthpipe

    recipe = synthpipe.load_recipe("recipes/qa_en.yaml")
    result = synthpipe.run(recipe, out="runs/qa_en")          # or out=None: nothing written
    result.accepted, result.rejected, result.failed, result.manifest

    synthpipe.check("data.jsonl", task="qa", language="en")   # a path, or records in memory
    synthpipe.judge(records, task="qa", model="Qwen2.5-7B-Instruct", base_url="http://127.0.0.1:8000/v1")
    synthpipe.dedup(records, task="qa", against=["pool.jsonl"])
    synthpipe.augment("data.jsonl", task="qa", methods=["paraphrase", "backtranslate"])
    synthpipe.export("runs/qa_en", format="openai", out="train.jsonl")
    synthpipe.evaluate(pool="pool/", model="my-finetune", base_url="http://127.0.0.1:8000/v1", out="evals/v1")
    synthpipe.feedback("evals/v1/failures.jsonl", "recipes/qa_en.yaml")  # -> recipes/qa_en.feedback.yaml
    synthpipe.advise("FAQ answers from our returns policy", examples=30)  # does synthetic data fit?
    pool = synthpipe.Pool.init("pool/"); pool.add("runs/qa_en"); pool.split(eval_share=0.1)

Nothing heavy is imported here: each name is loaded on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_recipe": "synthpipe.recipe",
    "Recipe": "synthpipe.recipe",
    "run": "synthpipe.api",
    "review": "synthpipe.api",
    "review_report": "synthpipe.api",
    "augment": "synthpipe.api",
    "advise": "synthpipe.api",
    "Advice": "synthpipe.advice",
    "aaugment": "synthpipe.api",
    "arun": "synthpipe.api",
    "acheck": "synthpipe.api",
    "ajudge": "synthpipe.api",
    "adedup": "synthpipe.api",
    "check": "synthpipe.api",
    "judge": "synthpipe.api",
    "dedup": "synthpipe.api",
    "export": "synthpipe.api",
    "evaluate": "synthpipe.api",
    "expand": "synthpipe.api",
    "aevaluate": "synthpipe.api",
    "feedback": "synthpipe.api",
    "EvalResult": "synthpipe.evaluation.results",
    "FeedbackResult": "synthpipe.evaluation.feedback",
    "ExportResult": "synthpipe.exports",
    "ExportInfo": "synthpipe.exports",
    "preview_prompts": "synthpipe.api",
    "estimate": "synthpipe.api",
    "Estimate": "synthpipe.engine.estimate",
    "init_recipes": "synthpipe.api",
    "demo_recipe": "synthpipe.api",
    "cache_stats": "synthpipe.api",
    "cache_clear": "synthpipe.api",
    "default_out_dir": "synthpipe.api",
    "Result": "synthpipe.api",
    "Pool": "synthpipe.pool",
    "Record": "synthpipe.core.records",
    "Meta": "synthpipe.core.records",
    "Reason": "synthpipe.core.records",
    "TaskKind": "synthpipe.tasks",
    "register_task": "synthpipe.tasks",
    "task_names": "synthpipe.tasks",
    "get_task": "synthpipe.tasks",
    "Stage": "synthpipe.stages.base",
    "SynthpipeError": "synthpipe.core.errors",
    "UsageError": "synthpipe.core.errors",
    "RecipeError": "synthpipe.core.errors",
    "InputFileError": "synthpipe.core.errors",
    "ModelError": "synthpipe.core.errors",
    "BackendError": "synthpipe.core.errors",
    "RunStopped": "synthpipe.core.errors",
}
_ALIASES = {"register_task": "register"}

__all__ = [
    "Advice",
    "BackendError",
    "Estimate",
    "EvalResult",
    "ExportInfo",
    "ExportResult",
    "FeedbackResult",
    "InputFileError",
    "Meta",
    "ModelError",
    "Pool",
    "Reason",
    "Recipe",
    "RecipeError",
    "Record",
    "Result",
    "RunStopped",
    "Stage",
    "SynthpipeError",
    "TaskKind",
    "UsageError",
    "__version__",
    "aaugment",
    "acheck",
    "adedup",
    "aevaluate",
    "advise",
    "ajudge",
    "arun",
    "augment",
    "cache_clear",
    "cache_stats",
    "check",
    "dedup",
    "default_out_dir",
    "demo_recipe",
    "estimate",
    "evaluate",
    "expand",
    "export",
    "feedback",
    "get_task",
    "init_recipes",
    "judge",
    "load_recipe",
    "preview_prompts",
    "register_task",
    "review",
    "review_report",
    "run",
    "task_names",
]

if TYPE_CHECKING:
    from synthpipe.advice import Advice
    from synthpipe.api import (
        Result,
        aaugment,
        acheck,
        adedup,
        advise,
        aevaluate,
        ajudge,
        arun,
        augment,
        cache_clear,
        cache_stats,
        check,
        dedup,
        default_out_dir,
        demo_recipe,
        estimate,
        evaluate,
        expand,
        export,
        feedback,
        init_recipes,
        judge,
        preview_prompts,
        review,
        review_report,
        run,
    )
    from synthpipe.core.errors import (
        BackendError,
        InputFileError,
        ModelError,
        RecipeError,
        RunStopped,
        SynthpipeError,
        UsageError,
    )
    from synthpipe.core.records import Meta, Reason, Record
    from synthpipe.engine.estimate import Estimate
    from synthpipe.evaluation.feedback import FeedbackResult
    from synthpipe.evaluation.results import EvalResult
    from synthpipe.exports import ExportInfo, ExportResult
    from synthpipe.pool import Pool
    from synthpipe.recipe import Recipe, load_recipe
    from synthpipe.stages.base import Stage
    from synthpipe.tasks import TaskKind, get_task, task_names
    from synthpipe.tasks import register as register_task


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'synthpipe' has no attribute {name!r}")
    if module == "synthpipe." + name:  # a package that is also the function of its name
        return import_module(module)
    value = getattr(import_module(module), _ALIASES.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
