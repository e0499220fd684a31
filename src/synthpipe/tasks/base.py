"""What every task kind provides: a schema to decode under and a parser that never crashes a run."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from synthpipe.recipe import Recipe


class ParseError(Exception):
    """The model's text is not a record of this task; `code` becomes the reject reason."""

    def __init__(self, code: str, detail: str) -> None:
        self.code, self.detail = code, detail
        super().__init__(f"{code}: {detail}")


# Made once: json.loads with keyword arguments builds a new decoder on every call.
_DECODE = json.JSONDecoder(strict=False).decode
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)


def load_json_object(text: str) -> dict[str, Any]:
    """Parse a JSON object from model text; tolerate code fences and prose around one object, and raw
    newlines or tabs inside strings (llama.cpp's JSON grammar lets a model write them)."""
    s = text.strip()
    if s.startswith("```"):
        s = _FENCE.sub("", s).strip()
    try:
        obj = _DECODE(s)
    except json.JSONDecodeError as exc:
        start, end = s.find("{"), s.rfind("}")
        if start == -1 or end <= start:
            raise ParseError("invalid_json", f"{exc.msg} at char {exc.pos}") from None
        try:
            obj = _DECODE(s[start : end + 1])
        except json.JSONDecodeError as exc2:
            raise ParseError("invalid_json", f"{exc2.msg} at char {exc2.pos}") from None
    if not isinstance(obj, dict):
        raise ParseError("invalid_json", f"expected a JSON object, got {type(obj).__name__}")
    return obj


def require_str(obj: dict[str, Any], key: str, allow_empty: bool = False) -> str:
    if key not in obj:
        raise ParseError("missing_field", f"`{key}` is missing")
    value = obj[key]
    if not isinstance(value, str):
        raise ParseError("wrong_type", f"`{key}` must be a string, got {type(value).__name__}")
    return value


@dataclass(frozen=True)
class TaskSpec:
    name: str
    fields: tuple[str, ...]

    def schema(self, recipe: Recipe) -> dict[str, Any]:
        raise NotImplementedError

    def parse(self, text: str, recipe: Recipe) -> dict[str, Any]:
        """Model text -> record fields, or ParseError. Content rules live in the rule checks, not here."""
        raise NotImplementedError
