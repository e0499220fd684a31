"""Expansion: the generator model proposes subtopics under each topic, personas and question types, so a
big run has more distinct prompts than the recipe lists. What it proposes is cleaned, deduplicated with the
dedup stage (against the recipe's own items too) and written to a plan lock beside the recipe,
`RECIPE.plan.yaml`, which every later load of the recipe reads: runs stay reproducible, and a person can
edit or prune the lists. A run whose recipe asks for expansion (`topics: {list: [...], expand: 20}`,
`personas: {expand: 30}`, `question_types: {expand: 8}`) expands what the lock lacks before it plans.

The lock records what was asked (`asked`), so a model that proposes fewer than asked is not asked again
on every run; asking for another number, or a topic the lock does not have, expands that part again."""

from __future__ import annotations

import asyncio
import math
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import yaml

from synthpipe.backends.base import GenOptions
from synthpipe.core.aio import run_to_end
from synthpipe.core.errors import RecipeError, UsageError
from synthpipe.prompts.render import build_messages, render_template

if TYPE_CHECKING:
    from synthpipe.backends import Backend
    from synthpipe.cache import CachedModel
    from synthpipe.recipe import Recipe

PARTS = ("topics", "personas", "question_types")
PER_REQUEST = 25  # items asked for in one request: longer lists come back truncated from small models
OVERASK = 1.4  # ask for more than needed: some are dropped as duplicates or malformed
EXTRA_ROUNDS = 2  # requests beyond the minimum before settling for fewer than asked
AVOID_SHOWN = 60  # items already held that a request lists as "do not repeat" (bounds the prompt)
MAX_CHARS = 120
EXAMPLE_PERSONA = {
    "en": "a retired teacher returning a parcel for the first time",
    "zh": "第一次退货的退休教师",
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"items": {"type": "array", "items": {"type": "string"}}},
    "required": ["items"],
}
_NUMBERING = re.compile(r"^\s*(?:[-*•·]|\(?\d{1,3}[.)、:：]|[（(]?[一二三四五六七八九十]+[、.)）])\s*")
_EDGE = " \t\"'“”‘’「」『』《》.,;:。，；：!！?？"


def lock_path(recipe_path: str | Path) -> Path:
    """`recipes/qa_en.yaml` -> `recipes/qa_en.plan.yaml`."""
    p = Path(recipe_path)
    return p.with_name(p.stem + ".plan.yaml")


@dataclass
class PlanLock:
    subtopics: dict[str, list[str]] = field(default_factory=dict)
    personas: list[str] = field(default_factory=list)
    question_types: list[str] = field(default_factory=list)
    asked: dict[str, int] = field(default_factory=dict)  # part -> how many were asked for
    model: str = ""

    def to_yaml(self, recipe_name: str) -> str:
        head = (
            f"# The plan lock of {recipe_name}: written by `synthpipe expand` (model {self.model or '?'}) on "
            f"{time.strftime('%Y-%m-%d')}.\n# Every run of the recipe reads it. Edit or delete items freely; "
            "delete a part, or the file, to expand again.\n"
        )
        body = {
            "asked": self.asked,
            "model": self.model,
            "subtopics": self.subtopics,
            "personas": self.personas,
            "question_types": self.question_types,
        }
        body = {k: v for k, v in body.items() if v}
        return head + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=110)


def read_lock(path: Path) -> PlanLock | None:
    """The lock at `path`, None when there is none; a malformed one is a RecipeError naming it."""
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RecipeError(str(path), f"not a readable plan lock ({type(exc).__name__})", _FIX) from None
    if not isinstance(data, dict):
        raise RecipeError(
            str(path), "a plan lock is a mapping of subtopics:, personas:, question_types:", _FIX
        )

    def strings(key: str, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RecipeError(str(path), "give a list of strings", _FIX, field=key)
        return value

    subs = data.get("subtopics") or {}
    if not isinstance(subs, dict):
        raise RecipeError(str(path), "give a mapping of topic: [subtopics]", _FIX, field="subtopics")
    asked = data.get("asked") or {}
    if not isinstance(asked, dict) or any(k not in PARTS or not isinstance(v, int) for k, v in asked.items()):
        raise RecipeError(str(path), f"give counts of {', '.join(PARTS)}", _FIX, field="asked")
    unknown = set(data) - {"asked", "model", "subtopics", "personas", "question_types"}
    if unknown:
        raise RecipeError(str(path), f"unknown key {sorted(unknown)[0]!r}", _FIX)
    return PlanLock(
        subtopics={str(t): strings(f"subtopics.{t}", v) for t, v in subs.items()},
        personas=strings("personas", data.get("personas") or []),
        question_types=strings("question_types", data.get("question_types") or []),
        asked=asked,
        model=str(data.get("model") or ""),
    )


_FIX = "fix it, or delete it and run `synthpipe expand` again"


def write_lock(path: Path, lock: PlanLock, recipe_name: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(lock.to_yaml(recipe_name), encoding="utf-8")
    os.replace(tmp, path)


def _merged(base: list[str], more: list[str]) -> list[str]:
    seen = {_norm(x) for x in base}
    out = list(base)
    for item in more:
        if _norm(item) not in seen:
            seen.add(_norm(item))
            out.append(item)
    return out


def _without(items: list[str], lock_items: list[str]) -> list[str]:
    drop = {_norm(x) for x in lock_items}
    return [x for x in items if _norm(x) not in drop]


def apply_lock(recipe: Recipe, lock: PlanLock | None, previous: PlanLock | None = None) -> Recipe:
    """The recipe with the lock's items added after its own (the same recipe when there is no lock).
    `previous`: a lock already applied to `recipe`, whose items `lock` replaces."""
    if lock is None:
        return recipe
    old = previous or PlanLock()
    subtopics = {t: _without(v, old.subtopics.get(t, [])) for t, v in recipe.subtopics.items()}
    subtopics = {t: v for t, v in subtopics.items() if v or t in recipe.topics}
    for topic in recipe.topics:
        if lock.subtopics.get(topic):
            subtopics[topic] = _merged(subtopics.get(topic, []), lock.subtopics[topic])
    subtopics = {t: v for t, v in subtopics.items() if v}
    update = {
        "subtopics": subtopics,
        "personas": _merged(_without(recipe.personas, old.personas), lock.personas),
        "question_types": _merged(_without(recipe.question_types, old.question_types), lock.question_types),
    }
    if all(getattr(recipe, k) == v for k, v in update.items()):
        return recipe
    return recipe.model_copy(update=update)


def check_asked(recipe: Recipe, asked: dict[str, int]) -> None:
    """Refuse, before any request, what cannot be expanded."""
    if not asked:
        raise UsageError(
            "say what to expand: --topics N (subtopics per topic), --personas N or --question-types N, "
            "or give the recipe expand: {topics: N, …}"
        )
    if asked.get("topics") and not recipe.topics:
        raise UsageError(
            f"{recipe.path or 'the recipe'}: expanding topics proposes subtopics under each topic, and the "
            "recipe has no topics — add topics: [returns, shipping, …] first"
        )
    for part, n in asked.items():
        limit = {"topics": 200, "personas": 500, "question_types": 100}[part]
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= limit:
            raise UsageError(f"--{part.replace('_', '-')} {n}: give a number from 1 to {limit}")


def missing(recipe: Recipe, lock: PlanLock | None) -> dict[str, int]:
    """What the recipe's `expand:` asks for that the lock does not hold."""
    out: dict[str, int] = {}
    for part, n in recipe.expand.asked().items():
        done = lock is not None and lock.asked.get(part) == n
        if part == "topics" and done and lock is not None:
            done = all(t in lock.subtopics for t in recipe.topics)
        if not done:
            out[part] = n
    return out


@dataclass
class Expansion:
    lock: PlanLock
    added: dict[str, int]  # part -> items added
    short: list[str]  # what came back with fewer items than asked, in words


async def expand(
    recipe: Recipe, model: CachedModel, asked: dict[str, int], lock: PlanLock | None
) -> Expansion:
    """Ask `model` for each part in `asked`; the result replaces those parts of `lock` (for topics: the
    recipe's topics), keeping its other parts."""
    old = lock or PlanLock()
    lock = PlanLock(dict(old.subtopics), old.personas, old.question_types, dict(old.asked), old.model)
    # (part, topic, n, the recipe's own items: what it lists, not what an earlier lock added)
    jobs: list[tuple[str, str, int, list[str]]] = []
    if asked.get("topics"):
        jobs += [
            ("topics", t, asked["topics"], _without(recipe.subtopics.get(t, []), old.subtopics.get(t, [])))
            for t in recipe.topics
        ]
    if asked.get("personas"):
        jobs.append(("personas", "", asked["personas"], _without(recipe.personas, old.personas)))
    if asked.get("question_types"):
        own = _without(recipe.question_types, old.question_types)
        jobs.append(("question_types", "", asked["question_types"], own))
    found = await asyncio.gather(
        *(_propose(recipe, model, part, topic, n, own) for part, topic, n, own in jobs)
    )
    added: dict[str, int] = {}
    short: list[str] = []
    for (part, topic, n, _own), items in zip(jobs, found, strict=True):
        if part == "topics":
            lock.subtopics[topic] = items
        else:
            setattr(lock, part, items)
        added[part] = added.get(part, 0) + len(items)
        if len(items) < n:
            what = f"subtopics of {topic!r}" if part == "topics" else part.replace("_", " ")
            short.append(f"{what}: {len(items)} of {n}")
    lock.asked = {**lock.asked, **asked}
    lock.model = model.model
    return Expansion(lock, added, short)


async def _propose(
    recipe: Recipe, model: CachedModel, part: str, topic: str, n: int, own: list[str]
) -> list[str]:
    """Up to n new items: requests of at most PER_REQUEST, each listing what is held so far to avoid."""
    got: list[str] = []
    spec = recipe.models["generator"]
    for attempt in range(math.ceil(n / PER_REQUEST) + EXTRA_ROUNDS):
        need = n - len(got)
        if need <= 0:
            break
        ask = min(PER_REQUEST, math.ceil(need * OVERASK))
        held = [*own, *got]
        # never the topic itself as its own subtopic, nor the prompt's example persona copied back
        also = (
            [topic] if part == "topics" else [EXAMPLE_PERSONA[recipe.language]] if part == "personas" else []
        )
        user = render_template(
            recipe.language,
            "expand",
            what="subtopics" if part == "topics" else part,
            n=ask,
            topic=topic,
            description=recipe.description,
            topics=recipe.topics if part != "topics" else [],
            avoid=held[-AVOID_SHOWN:],
            example=EXAMPLE_PERSONA[recipe.language],
        )
        system = render_template(
            recipe.language, "system", role=recipe.role, constraints=recipe.constraints.model_dump()
        )
        options = GenOptions(
            temperature=spec.temperature if spec.temperature is not None else 0.9,
            max_tokens=min(4096, 48 * ask + 64),
            seed=recipe.seed + attempt,
        )
        completion = await model.chat(build_messages(system, user), SCHEMA, options)
        got += _new(_items(completion.text), [*held, *also], recipe.task)
    return got[:n]


def _items(text: str) -> list[str]:
    """The strings of a reply: {"items": [...]} (or a bare list); numbering and quotes trimmed."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        return []
    if isinstance(data, dict):
        data = data.get("items")
    if not isinstance(data, list):
        return []
    out = []
    for item in data:
        if not isinstance(item, str):
            continue
        item = _NUMBERING.sub("", item).strip(_EDGE).strip()
        if item and len(item) <= MAX_CHARS and "\n" not in item:
            out.append(item)
    return out


def _norm(text: str) -> str:
    """What two items must differ in to count as two: not case, punctuation or an English plural s."""
    words = re.sub(r"\W+", " ", text.casefold()).split()
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words)


def _new(items: list[str], held: list[str], task: str) -> list[str]:
    """Items that duplicate nothing held nor each other: exact and near duplicates by the dedup stage,
    and the same words in another case or punctuation."""
    from synthpipe.core.records import Meta, Record
    from synthpipe.recipe import DedupConfig
    from synthpipe.stages.dedup import dedup_records

    def rec(i: int, text: str) -> Record:
        return Record(f"x{i}", {"text": text, "label": "-"}, Meta(task="classify", created_at=0.0))

    seen = {_norm(h) for h in held}
    fresh = []
    for item in items:
        if _norm(item) and _norm(item) not in seen:
            seen.add(_norm(item))
            fresh.append(item)
    if not fresh:
        return []
    existing = [rec(-1 - i, h) for i, h in enumerate(held)]
    kept, _removed = dedup_records(
        [rec(i, t) for i, t in enumerate(fresh)], DedupConfig(), "classify", existing=existing
    )
    return [r.fields["text"] for r in kept]


def expand_recipe(
    recipe: Recipe,
    asked: dict[str, int],
    *,
    backend: Backend | None = None,
    cache_path: Path | None = None,
    write: bool = True,
) -> tuple[Recipe, Expansion]:
    """Expand `asked` for `recipe` with its generator (behind the response cache at `cache_path`), write
    the lock beside the recipe file (when it has one and `write`); returns the recipe with the new lock
    applied (in place of the old one) and what was done."""
    from synthpipe.backends import make_backend
    from synthpipe.cache import CachedModel, ResponseCache

    check_asked(recipe, asked)
    path = lock_path(recipe.path) if recipe.path else None
    lock = read_lock(path) if path is not None else None
    given = backend is not None
    backend = backend or make_backend(recipe.models["generator"])
    if cache_path is not None:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
    cache = ResponseCache(cache_path) if cache_path is not None else None

    async def go() -> Expansion:
        try:
            return await expand(recipe, CachedModel(backend, cache, name="generator"), asked, lock)
        finally:
            if not given:
                await backend.aclose()

    try:
        result = run_to_end(go(), "synthpipe-expand")
    finally:
        if cache is not None:
            cache.close()
    if write and path is not None:
        write_lock(path, result.lock, Path(recipe.path).name)
    return apply_lock(recipe, result.lock, previous=lock), result


def for_run(recipe: Recipe, backend: Backend | None, cache_path: Path | None, warn: Any = None) -> Recipe:
    """The recipe a run plans from: expanded first where its `expand:` asks for what the lock lacks."""
    path = lock_path(recipe.path) if recipe.path else None
    todo = missing(recipe, read_lock(path) if path is not None else None)
    if not todo:
        return recipe
    recipe, result = expand_recipe(recipe, todo, backend=backend, cache_path=cache_path)
    if warn is not None and result.short:
        warn(f"expansion gave fewer than asked ({'; '.join(result.short)}): the plan uses what it got")
    return recipe


def pending_warning(recipe: Recipe) -> str | None:
    """What a dry run or `prompts` says when the recipe asks for expansion the lock does not hold."""
    path = lock_path(recipe.path) if recipe.path else None
    todo = missing(recipe, read_lock(path) if path is not None else None)
    if not todo:
        return None
    what = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in todo.items())
    return (
        f"the recipe asks for expansion ({what}) that {path.name if path else 'no plan lock'} does not "
        f"hold: a run asks the generator for it first; these figures leave it out — run `synthpipe expand "
        f"{recipe.path or 'RECIPE'}` to fix the plan and see it"
    )
