"""What a recipe's data depends on, as a flat mapping of settings, and the hashes built from it.

- The *generation* identity is what changes generated records: task, language, the prompt's parts (role,
  description, topics, personas, question types, constraints, labels, rounds), the source documents and
  few-shot examples by content, the seed and planned temperatures, and the generator's model identity and
  sampling. Record ids are built from its hash and the plan index.
- The *data* identity adds what decides a record's outcome: the stages and their settings, and the
  identity of every other model the recipe names.

Neither depends on how requests are sent (`ModelSpec.OPERATIONAL`: concurrency, rate limits, retries,
time-outs, prices, the key's variable), on `count`, `accepted`, `budget`, `name`, `output_dir`,
`review_sample`, `pool`, `expand` (what it added is in the topics and personas), `prices_file`, or on
how the recipe's path was spelt. A run directory stores the data identity
(`run.json`), so a later run can name exactly what changed instead of mixing records made under two
recipes.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from synthpipe.core.records import stable_hash

if TYPE_CHECKING:
    from synthpipe.recipe.schema import ModelSpec, Recipe

_NOT_DATA = {
    "name",
    "count",
    "accepted",
    "budget",
    "output_dir",
    "review_sample",
    "models",
    "sources",
    "examples_file",
    "pool",
    "expand",  # what expansion adds is in topics/subtopics/personas/question_types; the counts are not data
    "prices_file",
}
_QUALITY = ("checks", "judge", "agreement", "grounding", "dedup", "stages", "augment")
# Settings added after run directories existed: at their default they stay out of the identity, so a
# directory made before them resumes instead of being refused as "made by another recipe".
_ADDED_LATER = {
    "judge.on_unreliable": "flag",
    "grounding.sentences": True,
    "grounding.sentence_action": "reject",
    "grounding.max_unsupported_sentences": 1,
    "grounding.min_support": 0.6,
    "grounding.embedding": False,
    "dedup.max_per_template": None,
    "checks.summary_max_ratio": 0.85,
    "augment.methods": [],
    "augment.apply_to": "generated",
    "augment.min_similarity": 0.2,
    "augment.copy_similarity": 0.9,
    "augment.embedding": False,
    "augment.min_cosine": 0.6,
}


def model_identity(spec: ModelSpec) -> dict[str, Any]:
    return spec.model_dump(mode="json", exclude=set(spec.OPERATIONAL))


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for k in sorted(value):
            _flatten(f"{prefix}.{k}" if prefix else str(k), value[k], out)
    else:
        out[prefix] = value


def _digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]


def identity(recipe: Recipe) -> dict[str, Any]:
    """{setting path: value} of everything the data depends on; long texts appear as digests."""
    body = recipe.model_dump(mode="json", exclude=_NOT_DATA)
    out: dict[str, Any] = {}
    _flatten("", body, out)
    for key, default in _ADDED_LATER.items():
        if out.get(key, default) == default:
            out.pop(key, None)
    # Examples may be long and many: one digest each, so a change names the example that changed.
    for key in [k for k in out if k == "examples"]:
        out.pop(key)
        for i, ex in enumerate(recipe.examples):
            out[f"examples[{i}]"] = "sha256:" + stable_hash(ex, 16)
    for i, text in enumerate(recipe.source_texts):
        out[f"sources[{i}]"] = _digest(text)
    for name, spec in recipe.models.items():
        _flatten(f"models.{name}", model_identity(spec), out)
    return out


def is_generation_key(key: str) -> bool:
    head = key.split(".", 1)[0].split("[", 1)[0]
    if head == "models":
        return key.startswith("models.generator.")
    return head not in _QUALITY


def generation_hash(recipe: Recipe) -> str:
    ident = identity(recipe)
    return stable_hash({k: v for k, v in ident.items() if is_generation_key(k)}, 12)


def data_hash(recipe: Recipe) -> str:
    return stable_hash(identity(recipe), 12)


def changes(before: dict[str, Any], after: dict[str, Any], limit: int = 6) -> list[str]:
    """Human lines naming what differs between two identities: `judge.threshold: 3.5 -> 4.0`."""
    out = []
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key, "(not set)"), after.get(key, "(not set)")
        if a != b:
            out.append(f"{key}: {_short(a)} -> {_short(b)}")
    if len(out) > limit:
        out = out[:limit] + [f"… and {len(out) - limit} more"]
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"
