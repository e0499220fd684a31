"""classify: text and a label from a closed set (the label is verified later, not trusted)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synthpipe.tasks.base import TaskKind, Text

if TYPE_CHECKING:
    from synthpipe.recipe import Recipe


class ClassifyKind(TaskKind):
    def parts(self, fields: dict[str, Any]) -> list[Text]:
        return [(k, str(fields[k])) for k in ("text", "label") if fields.get(k) not in (None, "")]

    def placeholder(self, language: str, variation: dict[str, Any]) -> dict[str, Any]:
        return {**super().placeholder(language, variation), "label": variation.get("label", "")}

    def schema(self, recipe: Recipe) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "text": {"type": "string"},
                "label": {"type": "string", "enum": list(recipe.labels)},
            },
            "required": ["text", "label"],
            "additionalProperties": False,
        }


# The text is both what is classified and what the model wrote: language, filler and length rules look at
# it. It is an example input, not a claim about the source, so grounding leaves it alone.
CLASSIFY = ClassifyKind(
    "classify",
    fields=("text", "label"),
    required=("text", "label"),
    answer_fields=("text",),
    dedup_fields=("text",),
    description="a text and its label from a closed set",
    label_field="label",
    agreement="label",
    grounded=False,
    formats=("text_label",),
)
