"""The prompts the model stages would send (agreement, label check, judge), shown for a stand-in record
by `synthpipe prompts` before anything is generated."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synthpipe.core.records import Meta, Record
from synthpipe.stages.agree import answer_messages, label_messages
from synthpipe.stages.judge import criteria_for, judge_messages, judge_schema
from synthpipe.tasks import get_task

if TYPE_CHECKING:
    from synthpipe.prompts.plan import PlanItem
    from synthpipe.recipe import Recipe


def sample_record(recipe: Recipe, item: PlanItem | None = None) -> Record:
    """A stand-in record for showing prompts: the recipe's first example, else placeholders."""
    plan = dict(item.variation) if item is not None else {}
    if recipe.examples:
        fields = {k: v for k, v in recipe.examples[0].items() if k not in ("id", "meta")}
    else:
        kind = get_task(recipe.task)
        fields = kind.placeholder(recipe.language, plan)
        if kind.label_field and not fields.get(kind.label_field) and recipe.labels:
            fields[kind.label_field] = recipe.labels[0]
    return Record(id="sample", fields=fields, meta=Meta(task=recipe.task, plan=plan))


def describe_prompts(recipe: Recipe, item: PlanItem | None = None) -> list[tuple[str, list[dict[str, Any]]]]:
    """(title, messages) of every quality prompt the recipe switches on, for a sample record."""
    rec = sample_record(recipe, item)
    out: list[tuple[str, list[dict[str, Any]]]] = []
    agreement = get_task(recipe.task).agreement if recipe.agreement.enabled else None
    if agreement == "label":
        title = "label check" if recipe.agreement.verify_labels else "agreement"
        out.append(
            (
                f"{title} prompt (model {recipe.agreement.model}, the proposed label is not shown)",
                label_messages(recipe, rec),
            )
        )
    elif agreement == "answer":
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
