"""dialogue: messages of role/content, starting with the user, alternating."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from synthpipe.tasks.base import ParseError, TaskSpec, load_json_object

if TYPE_CHECKING:
    from synthpipe.recipe import Recipe


@dataclass(frozen=True)
class DialogueTask(TaskSpec):
    def schema(self, recipe: Recipe) -> dict[str, Any]:
        lo, hi = recipe.rounds
        turn = {
            "type": "object",
            "properties": {
                "role": {"type": "string", "enum": ["user", "assistant"]},
                "content": {"type": "string"},
            },
            "required": ["role", "content"],
            "additionalProperties": False,
        }
        return {
            "type": "object",
            "properties": {
                "messages": {"type": "array", "items": turn, "minItems": 2 * lo, "maxItems": 2 * hi}
            },
            "required": ["messages"],
            "additionalProperties": False,
        }

    def parse(self, text: str, recipe: Recipe) -> dict[str, Any]:
        obj = load_json_object(text)
        msgs = obj.get("messages")
        if msgs is None:
            raise ParseError("missing_field", "`messages` is missing")
        if not isinstance(msgs, list):
            raise ParseError("wrong_type", f"`messages` must be a list, got {type(msgs).__name__}")
        for i, m in enumerate(msgs):
            if not isinstance(m, dict) or "role" not in m or "content" not in m:
                raise ParseError("wrong_type", f"messages[{i}] must be an object with role and content")
        # Structure (alternation, rounds, filler turns) is judged by the rule checks, with every reason.
        return {"messages": [{"role": m["role"], "content": m["content"]} for m in msgs]}


DIALOGUE = DialogueTask("dialogue", ("messages",))
