"""Weights into copies: a record of weight w is written floor(w) times, and once more with probability
frac(w). The draws come from one `random.Random(seed)`, one draw per record with a fractional weight, in
source order, so the same source and seed give the same output byte for byte; weight 0 drops a record.
Copies sit next to each other: trainers shuffle.

A pool's eval records are written once whatever their weight (weight 0 still drops them): weights shape
what a model trains on, and copies in an evaluation set would only skew its scores."""

from __future__ import annotations

import math
import random


class Weights:
    def __init__(self, seed: int, apply: bool = True) -> None:
        self.seed, self.apply = seed, apply
        self._rng = random.Random(seed)

    def copies(self, weight: float, split: str | None = None) -> int:
        if not self.apply:
            return 1
        if split == "eval":
            return 1 if weight else 0
        whole = math.floor(weight)
        frac = weight - whole
        return whole + (1 if frac and self._rng.random() < frac else 0)

    def rule(self) -> str:
        if not self.apply:
            return "weights not applied (--no-weights): every record written once"
        return (
            "weight w applied as floor(w) copies plus one more with probability frac(w) "
            f"(random.Random({self.seed}), one draw per fractional weight in source order); weight 0 drops "
            "the record; eval records are written once"
        )


def bad_weight(weight: object) -> str | None:
    """Why `weight` cannot be applied, or None."""
    if isinstance(weight, bool) or not isinstance(weight, int | float):
        return f"weight {weight!r} is not a number"
    if not math.isfinite(weight) or weight < 0:
        return f"weight {weight} must be a finite number >= 0"
    return None
