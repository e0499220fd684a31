"""qa, summarize and rewrite: instruction, input, output."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from synthpipe.tasks.base import TaskSpec, load_json_object, require_str

if TYPE_CHECKING:
    from synthpipe.recipe import Recipe


@dataclass(frozen=True)
class InstructionTask(TaskSpec):
    def schema(self, recipe: Recipe) -> dict[str, Any]:
        # No maxLength: llama.cpp's grammar compiler unrolls it into one rule per character and crashes.
        # Lengths are enforced by max_tokens and the rule checks instead.
        props = {f: {"type": "string"} for f in self.fields}
        return {
            "type": "object",
            "properties": props,
            "required": list(self.fields),
            "additionalProperties": False,
        }

    def parse(self, text: str, recipe: Recipe) -> dict[str, Any]:
        obj = load_json_object(text)
        out = {f: require_str(obj, f) for f in ("instruction", "output")}
        inp = obj.get("input", "")
        out["input"] = inp if isinstance(inp, str) else str(inp)
        return {"instruction": out["instruction"], "input": out["input"], "output": out["output"]}


QA = InstructionTask("qa", ("instruction", "input", "output"))
SUMMARIZE = InstructionTask("summarize", ("instruction", "input", "output"))
REWRITE = InstructionTask("rewrite", ("instruction", "input", "output"))
