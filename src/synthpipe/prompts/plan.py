"""Planned variation: each candidate gets its own topic, persona, request kind, label, rounds, examples,
source passage and seed, chosen deterministically from the recipe so a re-run plans the same requests."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from synthpipe.backends.base import Messages
from synthpipe.core.records import stable_hash
from synthpipe.prompts.budget import PromptSize, check_fits, context_window, prompt_tokens, text_tokens
from synthpipe.prompts.passages import passages
from synthpipe.prompts.render import build_messages, render_template
from synthpipe.tasks import get_task

if TYPE_CHECKING:
    from synthpipe.recipe import Recipe

DEFAULT_PERSONAS = {
    "en": [
        "a first-time customer",
        "an experienced user in a hurry",
        "a confused beginner",
        "a detail-minded expert",
        "a frustrated customer",
        "a manager comparing options",
    ],
    "zh": [
        "第一次使用的新用户",
        "赶时间的老用户",
        "有些困惑的初学者",
        "注重细节的专业人士",
        "有些不满的顾客",
        "正在比较方案的负责人",
    ],
}
DEFAULT_QUESTION_TYPES = {
    "en": ["how-to", "what-is / definition", "troubleshooting", "comparison", "policy or rule", "edge case"],
    "zh": ["操作步骤", "概念解释", "故障排查", "比较选择", "规则政策", "特殊情况"],
}
EXAMPLES_PER_PROMPT = 3


@dataclass(slots=True)
class PlanItem:
    index: int
    messages: Messages
    schema: dict[str, Any]
    seed: int
    variation: dict[str, Any] = field(default_factory=dict)
    prompt_hash: str = ""  # which rendered prompt produced a record; items with one variation share it


def _topics(recipe: Recipe) -> list[str]:
    pairs = [f"{t} / {s}" for t in recipe.topics for s in recipe.subtopics.get(t, [])]
    plain = [t for t in recipe.topics if not recipe.subtopics.get(t)]
    return pairs + plain or [""]


class Planner:
    """Renders plan item i on demand, so a resumed run renders only what it still has to do.

    With `check` (the default), a recipe whose largest prompt plus max_tokens cannot fit the generator's
    known context window fails here, at planning, with a UsageError that says what to change."""

    def __init__(self, recipe: Recipe, check: bool = True) -> None:
        self.recipe = recipe
        self.kind = kind = get_task(recipe.task)
        self.schema = kind.schema(recipe)
        lang = recipe.language
        self.topics = _topics(recipe)
        self.personas = recipe.personas or DEFAULT_PERSONAS[lang]
        self.qtypes = recipe.question_types or (DEFAULT_QUESTION_TYPES[lang] if kind.question_types else [""])
        self.docs = passages(recipe.source_texts)
        self.constraints = recipe.constraints.model_dump()
        # The schema itself goes to the server (constrained decoding), not into the prompt: small models
        # copy schema text into their answers. Backends without structured output append it themselves.
        self.keys = ", ".join(f'"{k}"' for k in kind.fields)
        self.system = render_template(lang, "system", role=recipe.role, constraints=self.constraints)
        self._rendered: dict[tuple[Any, ...], tuple[str, str]] = {}
        if check and context_window(recipe.models["generator"])[0] is not None:
            check_fits(recipe, self.largest_prompt())

    def _user(self, var: dict[str, Any], source: str, examples: list[dict[str, Any]]) -> str:
        recipe = self.recipe
        return render_template(
            recipe.language,
            self.kind.template,
            task=recipe.task,
            description=recipe.description,
            constraints=self.constraints,
            labels=recipe.labels,
            label=var.get("label", ""),
            rounds=var.get("rounds", 0),
            topic=var["topic"],
            persona=var["persona"],
            question_type=var["question_type"],
            source=source,
            examples=examples,
            keys=self.keys,
        )

    def largest_prompt(self) -> PromptSize:
        """Estimated tokens of the largest prompt this recipe can plan: the longest passage, the longest
        examples together and the longest of every varied part, whether or not one item draws them all."""
        recipe = self.recipe

        def longest(texts: list[str]) -> str:
            return max(texts, key=text_tokens, default="")

        var = {
            "topic": longest(self.topics),
            "persona": longest(self.personas),
            "question_type": longest(self.qtypes),
            "label": longest(recipe.labels),
            "rounds": recipe.rounds[1],
        }
        source = longest(self.docs)
        dumps = [json.dumps(ex, ensure_ascii=False) for ex in recipe.examples]
        k = min(EXAMPLES_PER_PROMPT, len(dumps))
        biggest = sorted(range(len(dumps)), key=lambda j: text_tokens(dumps[j]), reverse=True)[:k]
        examples = [recipe.examples[j] for j in sorted(biggest)]

        # The "prompt" dialect puts the schema into the prompt; the others send it beside the messages.
        in_prompt = recipe.models["generator"].structured == "prompt"
        schema = f"\n\nReply with one JSON object that matches this JSON schema:\n{json.dumps(self.schema)}"

        def size(src: str, exs: list[dict[str, Any]]) -> int:
            user = self._user(var, src, exs) + (schema if in_prompt else "")
            return prompt_tokens(build_messages(self.system, user))

        total = size(source, examples)
        return PromptSize(
            total=total,
            examples=total - size(source, []),
            source=total - size("", examples),
            per_prompt=k,
        )

    def item(self, i: int) -> PlanItem:
        recipe = self.recipe
        rng = random.Random(f"{recipe.seed}:{i}")  # per item, so item i is the same whatever the count
        topics = self.topics
        var: dict[str, Any] = {
            "topic": topics[i % len(topics)],
            "persona": self.personas[(i // len(topics)) % len(self.personas)],
            "question_type": rng.choice(self.qtypes),
        }
        var.update(self.kind.variation(recipe, i, rng))  # a classify label, dialogue rounds
        if self.docs:
            var["passage"] = i % len(self.docs)
        if recipe.temperatures:
            var["temperature"] = recipe.temperatures[i % len(recipe.temperatures)]
        picks = tuple(rng.sample(range(len(recipe.examples)), min(EXAMPLES_PER_PROMPT, len(recipe.examples))))
        key = (
            *(var.get(k) for k in ("topic", "persona", "question_type", "label", "rounds", "passage")),
            picks,
        )
        user, prompt_hash = self._rendered.get(key, (None, ""))
        if user is None:  # items share variation combos; rendering each once keeps big plans cheap
            source = self.docs[var["passage"]] if self.docs else ""
            user = self._user(var, source, [recipe.examples[j] for j in picks])
            prompt_hash = stable_hash({"s": self.system, "u": user, "schema": self.schema}, 16)
            if len(self._rendered) < 100_000:
                self._rendered[key] = (user, prompt_hash)
        seed = (recipe.seed * 1_000_003 + i) % (2**31)
        messages = build_messages(self.system, user)
        return PlanItem(
            index=i, messages=messages, schema=self.schema, seed=seed, variation=var, prompt_hash=prompt_hash
        )


def check_prompts_fit(recipe: Recipe) -> None:
    """Raise a UsageError when the recipe's largest prompt plus max_tokens cannot fit the generator's
    known context window. `run` asks before it touches the output directory, so the fixed recipe can
    write there."""
    Planner(recipe, check=True)


def plan(recipe: Recipe, count: int | None = None, start: int = 0) -> list[PlanItem]:
    """Items start..start+count-1, unchecked: a preview shows even prompts too big for the model."""
    planner = Planner(recipe, check=False)
    n = count if count is not None else recipe.count
    return [planner.item(i) for i in range(start, start + n)]
