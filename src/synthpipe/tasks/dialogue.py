"""dialogue: messages of role/content, starting with the user, alternating."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synthpipe.tasks.base import ParseError, RuleRef, TaskKind, Text, load_json_object

if TYPE_CHECKING:
    import random

    from synthpipe.recipe import Recipe


def turns(fields: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """(index, turn) for each well-formed turn: a mapping whose content is a string."""
    msgs = fields.get("messages")
    if not isinstance(msgs, list):
        return []
    return [(i, m) for i, m in enumerate(msgs) if isinstance(m, dict) and isinstance(m.get("content"), str)]


class DialogueKind(TaskKind):
    """Texts are the turns; the assistant turns are the answer and the user turns the prompt."""

    def texts(self, fields: dict[str, Any]) -> list[Text]:
        return [(f"messages[{i}]", m["content"]) for i, m in turns(fields)]

    def answers(self, fields: dict[str, Any]) -> list[Text]:
        return [(f"messages[{i}]", m["content"]) for i, m in turns(fields) if m.get("role") == "assistant"]

    def prompt(self, fields: dict[str, Any], with_optional: bool = True) -> str:
        return "\n".join(m["content"] for _, m in turns(fields) if m.get("role") == "user")

    def prompt_texts(self, fields: dict[str, Any]) -> list[str]:
        return [m["content"] for _, m in turns(fields) if m.get("role") != "assistant"]  # system included

    def parts(self, fields: dict[str, Any]) -> list[Text]:
        msgs = fields.get("messages") if isinstance(fields.get("messages"), list) else []
        lines = [f"{m.get('role', '?')}: {m.get('content', '')}" for m in msgs if isinstance(m, dict)]
        return [("messages", "\n".join(lines))]

    def placeholder(self, language: str, variation: dict[str, Any]) -> dict[str, Any]:
        user, assistant = (
            ("<用户发言>", "<助手发言>") if language == "zh" else ("<a user turn>", "<an assistant turn>")
        )
        return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]}

    def variation(self, recipe: Recipe, index: int, rng: random.Random) -> dict[str, Any]:
        return {"rounds": rng.randint(*recipe.rounds)}

    def variation_space(self, recipe: Recipe) -> tuple[list[Any], int]:
        lo, hi = recipe.rounds
        return [None], hi - lo + 1

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

    def parse(self, text: str, recipe: Recipe | None = None) -> dict[str, Any]:
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


DIALOGUE = DialogueKind(
    "dialogue",
    fields=("messages",),
    required=("messages",),
    prompt_fields=("messages",),
    answer_fields=("messages",),
    dedup_fields=("messages",),
    description="a conversation of user and assistant turns (3–6 rounds by default)",
    conversation=True,
    formats=("sharegpt", "openai"),
    rules=(
        RuleRef("synthpipe.stages.rules.dialogue:rule_repeated_turn", "repeated_turn"),
        RuleRef("synthpipe.stages.rules.dialogue:rule_off_topic", "off_topic"),
    ),
    extra_codes={
        "repeated_turn": "a turn repeats an earlier turn of the same side (near) word for word: the "
        "conversation loops",
        "off_topic": "an assistant turn shares no content with the topic, the sources or the rest of the "
        "conversation (only with a topic or sources to compare with)",
    },
)
