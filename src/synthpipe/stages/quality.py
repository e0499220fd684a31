"""The quality stages after the rule checks, in the order `run` applies them: grounding (lexical, free),
agreement / label verification (one short model call), then the judge (the longest prompt). Each stage
is `async (record) -> None` and only adds to the record: reasons to reject, flags, scores. The pipeline
stops calling stages once a record is rejected, so the cheap ones save the expensive ones' calls."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from synthpipe.core.records import Meta, Record
from synthpipe.stages.agree import AgreementStage, answer_messages, label_messages
from synthpipe.stages.ground import GroundingStage
from synthpipe.stages.judge import JudgeStage, criteria_for, judge_messages, judge_schema

if TYPE_CHECKING:
    from synthpipe.cache import CachedModel
    from synthpipe.prompts.plan import PlanItem
    from synthpipe.recipe import Recipe

Stage = Callable[[Record], Awaitable[None]]


def build_quality_stages(
    recipe: Recipe, get_model: Callable[[str], CachedModel], threshold: float | None = None
) -> list[Stage]:
    """The stages the recipe switches on; `get_model(name)` gives the model under `recipe.models[name]`.
    `threshold` overrides `judge.threshold` (the `judge` command's --threshold)."""
    stages: list[Stage] = []
    ground = GroundingStage.from_recipe(recipe)
    if ground is not None:
        stages.append(ground)
    agree = AgreementStage.from_recipe(recipe, get_model)
    if agree is not None:
        stages.append(agree)
    if recipe.judge.enabled:
        stages.append(JudgeStage(recipe, get_model, threshold))
    return stages


_PLACEHOLDER = {
    "en": {
        "instruction": "<the generated instruction>",
        "input": "",
        "output": "<the generated answer>",
        "text": "<the generated text>",
        "user": "<a user turn>",
        "assistant": "<an assistant turn>",
    },
    "zh": {
        "instruction": "<生成的指令>",
        "input": "",
        "output": "<生成的回答>",
        "text": "<生成的文本>",
        "user": "<用户发言>",
        "assistant": "<助手发言>",
    },
}


def sample_record(recipe: Recipe, item: PlanItem | None = None) -> Record:
    """A stand-in record for showing prompts: the recipe's first example, else placeholders."""
    ph = _PLACEHOLDER[recipe.language]
    plan = dict(item.variation) if item is not None else {}
    if recipe.examples:
        fields = {k: v for k, v in recipe.examples[0].items() if k not in ("id", "meta")}
    elif recipe.task == "classify":
        fields = {"text": ph["text"], "label": plan.get("label", recipe.labels[0])}
    elif recipe.task == "dialogue":
        fields = {
            "messages": [
                {"role": "user", "content": ph["user"]},
                {"role": "assistant", "content": ph["assistant"]},
            ]
        }
    else:
        fields = {"instruction": ph["instruction"], "input": "", "output": ph["output"]}
    return Record(id="sample", fields=fields, meta=Meta(task=recipe.task, plan=plan))


def describe_prompts(recipe: Recipe, item: PlanItem | None = None) -> list[tuple[str, list[dict[str, Any]]]]:
    """(title, messages) of every quality prompt the recipe switches on, for a sample record."""
    rec = sample_record(recipe, item)
    out: list[tuple[str, list[dict[str, Any]]]] = []
    if recipe.agreement.enabled and recipe.task == "classify":
        title = "label check" if recipe.agreement.verify_labels else "agreement"
        out.append(
            (
                f"{title} prompt (model {recipe.agreement.model}, the proposed label is not shown)",
                label_messages(recipe, rec),
            )
        )
    elif recipe.agreement.enabled and recipe.task == "qa":
        out.append(
            (
                f"agreement prompt (model {recipe.agreement.model}, answer compared with similarity >= "
                f"{recipe.agreement.min_similarity:g})",
                answer_messages(recipe, rec),
            )
        )
    if recipe.judge.enabled:
        criteria = criteria_for(recipe)
        keys = ", ".join(judge_schema(criteria)["properties"])
        out.append(
            (
                f"judge prompt (models {', '.join(recipe.judge.models)}, {recipe.judge.aggregation} >= "
                f"{recipe.judge.threshold:g}; JSON schema keys: {keys})",
                judge_messages(recipe, rec, criteria),
            )
        )
    return out
