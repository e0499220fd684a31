"""What synthpipe knows about one kind of record, in one object: its fields, which of them are the prompt and
which the answer, the JSON schema to decode under, the parser, the fields that define a duplicate, the
kind-specific rules and the prompt template. Every stage asks the kind; none works it out again.

A new kind is one `TaskKind(...)` passed to `synthpipe.tasks.register`; the plain kind below (string fields
in a JSON object) needs no subclass. Dialogue and classify override the parts that differ.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import orjson

if TYPE_CHECKING:
    import random

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
        obj = orjson.loads(s)  # strict JSON, the usual case; the lenient decoder takes the rest
    except orjson.JSONDecodeError:
        obj = None
    try:
        if obj is None:
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


def require_str(obj: dict[str, Any], key: str) -> str:
    if key not in obj:
        raise ParseError("missing_field", f"`{key}` is missing")
    value = obj[key]
    if not isinstance(value, str):
        raise ParseError("wrong_type", f"`{key}` must be a string, got {type(value).__name__}")
    return value


_PLACEHOLDERS = {
    "en": {
        "instruction": "<the generated instruction>",
        "output": "<the generated answer>",
        "text": "<the generated text>",
        "": "<the generated {}>",
    },
    "zh": {"instruction": "<生成的指令>", "output": "<生成的回答>", "text": "<生成的文本>", "": "<生成的{}>"},
}

# A kind-specific rule: (Doc, RuleChecker) -> list[Reason]; see synthpipe.stages.rules.
Rule = Callable[[Any, Any], list[Any]]
Text = tuple[str, str]  # (field name as shown in reasons, text)


class RuleRef:
    """A rule named by "module:function", imported on its first call: the rules stage imports this package,
    so a kind cannot import its rules when it is defined. `codes` are the reason codes it may give; the
    checker skips the rule when all of them are disabled."""

    __slots__ = ("path", "codes", "_fn")

    def __init__(self, path: str, *codes: str) -> None:
        self.path, self.codes = path, codes
        self._fn: Rule | None = None

    def __call__(self, doc: Any, checker: Any) -> list[Any]:
        if self._fn is None:
            module, _, name = self.path.partition(":")
            self._fn = getattr(importlib.import_module(module), name)
        return self._fn(doc, checker)

    def __repr__(self) -> str:
        return f"RuleRef({self.path!r})"


@dataclass(frozen=True)
class TaskKind:
    """One kind of record. The defaults describe a JSON object of string fields."""

    name: str
    fields: tuple[str, ...]
    required: tuple[str, ...]
    prompt_fields: tuple[str, ...] = ()  # what the answer responds to; optional ones may be absent
    answer_fields: tuple[str, ...] = ()  # what the model answers: checked for language, filler, grounding
    dedup_fields: tuple[str, ...] = ()  # whose text defines a duplicate (default: required fields)
    description: str = ""
    conversation: bool = False  # the record is `messages` turns of role/content (the turn rules apply)
    label_field: str | None = None  # a field whose value comes from a closed set (recipe `labels:`)
    repeat_near: bool = False  # an answer close to (not only equal to) its input repeats it (summaries)
    agreement: Literal["answer", "label"] | None = None  # how a second model checks a record blind
    grounded: bool = True  # the answer states facts that the source documents must support
    question_types: bool = False  # the planner rotates request kinds (how-to, definition…)
    template: str = "generate"  # prompts/templates/<lang>/<template>.j2
    formats: tuple[str, ...] = ()  # input file formats read as this kind when no task is given
    rules: tuple[Rule, ...] = ()  # extra rules for this kind, run after the common ones
    extra_codes: dict[str, str] = field(default_factory=dict)  # reason codes those rules may give

    # --- fields ---------------------------------------------------------------------------------------
    @cached_property
    def optional(self) -> tuple[str, ...]:
        return tuple(f for f in self.fields if f not in self.required)

    @cached_property
    def dedup_keys(self) -> tuple[str, ...]:
        return self.dedup_fields or tuple(f for f in self.required if f != self.label_field)

    @cached_property
    def text_fields(self) -> tuple[str, ...]:
        return tuple(f for f in self.fields if f != self.label_field)

    def texts(self, fields: dict[str, Any]) -> list[Text]:
        """(name, text) of every text field that holds a string, in field order."""
        return [(n, v) for n in self.text_fields if isinstance(v := fields.get(n), str)]

    def answers(self, fields: dict[str, Any]) -> list[Text]:
        return [(n, v) for n in self.answer_fields if isinstance(v := fields.get(n), str)]

    def prompt(self, fields: dict[str, Any], with_optional: bool = True) -> str:
        """The text the answer responds to (the instruction, and the input when `with_optional`)."""
        keys = [k for k in self.prompt_fields if with_optional or k in self.required]
        return "\n".join(v for k in keys if isinstance(v := fields.get(k), str))

    def prompt_texts(self, fields: dict[str, Any]) -> list[str]:
        """The parts the user wrote: an answer may repeat their terms without a source."""
        return [v for k in self.prompt_fields if isinstance(v := fields.get(k), str)]

    def answer_text(self, fields: dict[str, Any]) -> str:
        return "\n".join(t for _, t in self.answers(fields))

    def parts(self, fields: dict[str, Any]) -> list[Text]:
        """(field, text) in display order, for judge prompts, reports and the review page."""
        return [(k, str(fields[k])) for k in self.fields if fields.get(k) not in (None, "")]

    def placeholder(self, language: str, variation: dict[str, Any]) -> dict[str, Any]:
        """Stand-in fields for showing prompts before anything is generated."""
        names = _PLACEHOLDERS.get(language, _PLACEHOLDERS["en"])
        return {f: "" if f in self.optional else names.get(f, names[""].format(f)) for f in self.fields}

    # --- generation -----------------------------------------------------------------------------------
    def variation(self, recipe: Recipe, index: int, rng: random.Random) -> dict[str, Any]:
        """Kind-specific planned variation for candidate `index` (classify: its label)."""
        if self.label_field and recipe.labels:
            return {self.label_field: recipe.labels[index % len(recipe.labels)]}  # balanced by construction
        return {}

    def variation_space(self, recipe: Recipe) -> tuple[list[Any], int]:
        """What `variation` can give, for the plan space (`synthpipe.prompts.space`): the values it
        cycles through with the index (item i takes cycle[i % len]), and how many distinct values it
        draws at random."""
        if self.label_field and recipe.labels:
            return list(recipe.labels), 1
        return [None], 1

    def schema(self, recipe: Recipe) -> dict[str, Any]:
        # No maxLength: llama.cpp's grammar compiler unrolls it into one rule per character and crashes.
        # Lengths are enforced by max_tokens and the rule checks instead.
        props: dict[str, Any] = {f: {"type": "string"} for f in self.fields}
        if self.label_field and recipe.labels:
            props[self.label_field] = {"type": "string", "enum": list(recipe.labels)}
        return {
            "type": "object",
            "properties": props,
            "required": list(self.fields),
            "additionalProperties": False,
        }

    def parse(self, text: str, recipe: Recipe | None = None) -> dict[str, Any]:
        """Model text -> record fields, or ParseError. Content rules live in the rule checks, not here."""
        obj = load_json_object(text)
        out = {f: require_str(obj, f) for f in self.required}
        for f in self.optional:
            value = obj.get(f, "")
            out[f] = value if isinstance(value, str) else str(value)
        return {f: out[f] for f in self.fields}
