"""classify: text and a label from a closed set (the label is verified later, not trusted)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from synthpipe.tasks.base import TaskSpec, load_json_object, require_str

if TYPE_CHECKING:
    from synthpipe.recipe import Recipe


@dataclass(frozen=True)
class ClassifyTask(TaskSpec):
    def schema(self, recipe: Recipe) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"text": {"type": "string"}, "label": {"type": "string", "enum": recipe.labels}},
            "required": ["text", "label"],
            "additionalProperties": False,
        }

    def parse(self, text: str, recipe: Recipe) -> dict[str, Any]:
        obj = load_json_object(text)
        return {"text": require_str(obj, "text"), "label": require_str(obj, "label")}


CLASSIFY = ClassifyTask("classify", ("text", "label"))
