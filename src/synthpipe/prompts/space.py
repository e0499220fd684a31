"""The plan space: how many distinct prompts a recipe can make, counted from what the planner varies.

`Planner.item(i)` changes the rendered prompt through
- the topic (or topic / subtopic), topics[i % T], and the persona, personas[(i // T) % P]: one cycle of
  T x P pairs;
- the source passage, passages[i % D];
- the kind's cycled variation: a classify label, labels[i % L];
- and, drawn at random from the item's own seed: the question type, the kind's drawn variation (the
  rounds of a dialogue) and which few-shot examples go in, in which order.
Sampling temperatures and seeds do not change the prompt, so they add nothing here.

The cycled parts come round together every lcm(T x P, D, L) items, so that many combinations exist:
fewer than T x P x D x L when the lengths share a factor (with 6 topic-persona pairs and 2 passages, a
pair always meets the same passage). The random parts multiply in. Repeated values in a list (a persona
given twice) count once.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from synthpipe.prompts.plan import EXAMPLES_PER_PROMPT, Planner

if TYPE_CHECKING:
    from synthpipe.recipe import Recipe

_CYCLED = ("topics", "personas", "passages", "labels")  # advance with the index; the rest are drawn
_ENUMERATE_MAX = 2_000_000  # cycled combinations listed one by one only when a list repeats a value


@dataclass(frozen=True, slots=True)
class PlanSpace:
    """`distinct_prompts` a recipe can make; `dimensions`: distinct values of each part that varies;
    `cycled`: combinations of the cycled parts, of `cycled_if_independent` were they independent."""

    distinct_prompts: int
    dimensions: dict[str, int]
    cycled: int
    cycled_if_independent: int

    def factors(self) -> str:
        """`5 topics × 3 personas × 3 question types`: the parts that vary, in words."""
        names = {"question_types": "question types", "example_orders": "example orders"}
        cycled, drawn = [], []
        for key, n in self.dimensions.items():
            if n > 1:
                (cycled if key in _CYCLED else drawn).append(f"{n} {names.get(key, key)}")
        if self.coupled:
            # They advance together with the candidate's index: only lcm-many of their combinations occur.
            cycled = [f"{self.cycled} combinations of {' × '.join(cycled)}, which advance together"]
        return " × ".join(cycled + drawn) or "nothing varies"

    @property
    def coupled(self) -> bool:
        return self.cycled < self.cycled_if_independent

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"distinct_prompts": self.distinct_prompts, "dimensions": self.dimensions}
        if self.coupled:
            out["cycled_combinations"] = self.cycled
        return out

    def warning(self, count: int) -> str | None:
        """What to say when `count` candidates are more than the distinct prompts."""
        if count <= self.distinct_prompts:
            return None
        n = self.distinct_prompts
        return (
            f"count {count} is more than the {n} distinct prompts this recipe can make "
            f"({self.factors()}): {count - n} requests repeat a prompt with only another seed, "
            f"and their answers tend to be near duplicates — add topics, subtopics, personas or question "
            f"types (or source passages and examples), or lower count to {n}"
        )


def plan_space(recipe: Recipe) -> PlanSpace:
    """The plan space of `recipe` (see the module doc)."""
    return space_of(Planner(recipe, check=False))


def space_of(planner: Planner) -> PlanSpace:
    recipe = planner.recipe
    topics, personas, docs = planner.topics, planner.personas, planner.docs or [""]
    labels, kind_draws = planner.kind.variation_space(recipe)
    t, p = len(topics), len(personas)
    cycles: list[tuple[int, Callable[[int], Hashable], bool]] = [
        (t * p, lambda j: (topics[j % t], personas[j // t]), _unique(topics) and _unique(personas)),
        (len(docs), docs.__getitem__, _unique(docs)),
        (len(labels), labels.__getitem__, _unique(labels)),
    ]
    cycled = _cycled(cycles)
    dims = {
        "topics": len(set(topics) - {""}) or 1,
        "personas": len(set(personas)),
        "passages": len(set(docs)),
        "labels": len(set(labels)),
    }
    examples = [json.dumps(ex, ensure_ascii=False, sort_keys=True) for ex in recipe.examples]
    random_dims = {
        "question_types": len(set(planner.qtypes)),
        "rounds": kind_draws,
        "example_orders": _orders(examples, min(EXAMPLES_PER_PROMPT, len(examples))),
    }
    independent = math.prod(dims.values())
    return PlanSpace(
        distinct_prompts=cycled * math.prod(random_dims.values()),
        dimensions={**dims, **random_dims},
        cycled=cycled,
        cycled_if_independent=independent,
    )


def _unique(values: Sequence[Hashable]) -> bool:
    return len(set(values)) == len(values)


def _cycled(cycles: list[tuple[int, Callable[[int], Hashable], bool]]) -> int:
    """Distinct value combinations of cycles that all advance with the item index."""
    period = math.lcm(*(n for n, _, _ in cycles))
    if all(unique for _, _, unique in cycles) or period > _ENUMERATE_MAX:
        # Distinct values: item i and item i + period are the first repeat (Chinese remainder theorem).
        # Past the bound (repeated values in a huge plan) this is an upper bound.
        return period
    return len({tuple(value(i % n) for n, value, _ in cycles) for i in range(period)})


def _orders(values: list[str], k: int) -> int:
    """Distinct ordered picks of k of `values` (as `random.sample` makes them); equal values count once:
    k! times the x^k coefficient of the product over distinct values of sum_{m<=copies} x^m / m!."""
    copies_of = Counter(values)
    if len(copies_of) == len(values):  # no example given twice: the common case
        return math.perm(len(values), k)
    from fractions import Fraction  # 8 ms to import, so only here

    poly = [Fraction(1)]
    for copies in copies_of.values():
        term = [Fraction(1, math.factorial(m)) for m in range(min(copies, k) + 1)]
        poly = [
            sum((poly[a] * term[d - a] for a in range(len(poly)) if 0 <= d - a < len(term)), Fraction(0))
            for d in range(min(len(poly) + len(term) - 1, k + 1))
        ]
    return int(poly[k] * math.factorial(k)) if k < len(poly) else 0
