"""Does a prompt fit the model? A cheap token estimate, and the planning-time check that a recipe's
largest prompt plus `max_tokens` fits the generator's context window, when the window is known.

The estimate needs no tokenizer: a CJK character counts one token and other text four characters a
token. English comes out close (SmolLM2's tokenizer: 189 tokens where 203 are estimated); Chinese comes
out low for English-first tokenizers (SmolLM2: 429 for 220) and somewhat high for Chinese-first ones
(Qwen's pack more than one character a token). The check is for prompts far too big (a whole book in
one passage); a prompt near the line is judged only roughly, and the server has the last word.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from synthpipe.core.errors import RecipeError
from synthpipe.prompts.passages import PASSAGE_CHARS

if TYPE_CHECKING:
    from synthpipe.backends.base import Messages
    from synthpipe.recipe import ModelSpec, Recipe

# Han (with radicals and extension A), kana, CJK punctuation, Hangul, full-width forms, Han extension B+.
_CJK_RUN = re.compile(
    "[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0002ebef]+"
)
MESSAGE_OVERHEAD = 4  # chat-template tokens around each message
REPLY_OVERHEAD = 3  # the assistant turn's header


def text_tokens(text: str) -> int:
    """Estimated tokens of `text`: one per CJK character, one per four other characters."""
    cjk = sum(map(len, _CJK_RUN.findall(text)))
    return cjk + math.ceil((len(text) - cjk) / 4)


def prompt_tokens(messages: Messages) -> int:
    """Estimated prompt tokens of a chat request, template overhead included."""
    return sum(text_tokens(m.get("content") or "") + MESSAGE_OVERHEAD for m in messages) + REPLY_OVERHEAD


def context_window(spec: ModelSpec) -> tuple[int | None, str]:
    """The model's context window in tokens (None when unknown) and the setting that gives it."""
    if spec.context_window is not None:
        return spec.context_window, "context_window"
    if spec.backend == "embedded":
        return spec.n_ctx, "n_ctx"  # the embedded model is loaded with exactly this window
    return None, "context_window"


@dataclass(slots=True)
class PromptSize:
    """Estimated tokens of the largest prompt a recipe can plan, and of its parts."""

    total: int
    examples: int = 0  # the few-shot examples in it
    source: int = 0  # the source passage in it
    per_prompt: int = 0  # examples per prompt


def check_fits(recipe: Recipe, size: PromptSize, model: str = "generator") -> None:
    """Raise a RecipeError (a UsageError) naming the sizes, the recipe field responsible and the fix when
    the largest prompt plus `max_tokens` cannot fit the model's context window."""
    spec = recipe.models[model]
    window, setting = context_window(spec)
    if window is None or size.total + spec.max_tokens <= window:
        return
    m = f"models.{model}"
    examples = "examples_file" if recipe.examples_file else "examples"
    text_field = _largest_text_field(recipe)
    parts = {
        examples: size.examples,
        "sources": size.source,
        text_field: size.total - size.examples - size.source,
        f"{m}.max_tokens": spec.max_tokens,
    }
    field = max(parts, key=lambda k: parts[k])
    fixes = {
        examples: f"use shorter or fewer few-shot examples ({size.per_prompt} go into each prompt)",
        text_field: f"shorten {text_field}",
        f"{m}.max_tokens": f"lower {m}.max_tokens",
    }
    # Passages are cut to a fixed size already: for them only the rest of the prompt or the window can give.
    order = [field] + [k for k in (examples, f"{m}.max_tokens") if k != field and parts[k]]
    bigger = (
        f"raise {m}.n_ctx (up to what the model was trained for)"
        if setting == "n_ctx"
        else f"use a model with a bigger context and set {m}.context_window to it"
    )
    shares = ", ".join(
        f"{n} in {what}"
        for n, what in (
            (size.examples, "few-shot examples"),
            (size.source, f"a source passage of at most {PASSAGE_CHARS} characters"),
        )
        if n
    )
    problem = (
        f"the {model}'s largest prompt is about {size.total} tokens (estimated"
        + (f"; {shares}" if shares else "")
        + f"), and with max_tokens {spec.max_tokens} it needs {size.total + spec.max_tokens}, more than the"
        f" context window of {window} tokens ({m}.{setting})"
    )
    fix = ", ".join([fixes[k] for k in order if k in fixes] + [f"or {bigger}"])
    raise RecipeError(recipe.path or "<recipe>", problem, fix, field)


def _largest_text_field(recipe: Recipe) -> str:
    """The recipe field, other than examples and sources, that puts the most text into a prompt."""
    sizes = {
        "role": text_tokens(recipe.role),
        "description": text_tokens(recipe.description),
        "constraints": text_tokens(str(recipe.constraints.model_dump())),
        "topics": max(map(text_tokens, recipe.topics), default=0),
        "subtopics": max((text_tokens(s) for v in recipe.subtopics.values() for s in v), default=0),
        "personas": max(map(text_tokens, recipe.personas), default=0),
        "question_types": max(map(text_tokens, recipe.question_types), default=0),
        "labels": sum(map(text_tokens, recipe.labels)),
    }
    return max(sizes, key=lambda k: sizes[k])
