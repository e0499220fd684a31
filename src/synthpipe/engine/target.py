"""Yield control: `run --accepted N` plans candidates until N generated records are accepted, or a
budget ends the run.

The source plans the next plan indexes (skipping finished ids, so ids and the cache work as for
`count`) in waves sized by the acceptance rate seen so far: enough undecided candidates that, at that
rate, they would bring the accepted count to N. It waits for decisions before planning more. The gate in
front of the sink counts decisions and keeps the accepted file at exactly N: an accepted candidate that
arrives after the N-th (it was already in flight) is left out of every file and counted as `not_used`.
Its answers stay in the cache, so a later run with a higher target takes it up again at no cost.

Budgets count over the whole output directory, as the manifest's `usage` does (a resumed run continues
toward the same limits): candidates finished and planned, tokens of requests sent (cache hits are free),
and their cost at the models' `prices`. A budget stops the planning; candidates already in flight finish,
and under a token or cost budget the waves are sized by this run's cost per candidate, so they end
little past it.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from synthpipe.core.errors import UsageError
from synthpipe.core.records import Meta, Record
from synthpipe.sources.plan import CHUNK, record_id

if TYPE_CHECKING:
    from synthpipe.recipe import Recipe

DEFAULT_CANDIDATES_PER_ACCEPTED = 10  # without --max-candidates: a target nothing passes still ends
PROBE = 8  # the first wave under a token or cost budget, before the cost of a candidate is known

_OPTION = {"max_candidates": "--max-candidates", "max_tokens": "--max-tokens", "max_cost": "--max-cost"}


@dataclass(frozen=True)
class Budget:
    max_candidates: int | None = None
    max_tokens: int | None = None
    max_cost: float | None = None

    def given(self) -> dict[str, float]:
        return {k: v for k, v in vars(self).items() if v is not None}


def check_target(
    count: int | None, accepted: int | None, budget: Budget, in_recipe: int | None = None
) -> None:
    """The bad inputs of a target run, refused before anything is built or asked; `in_recipe`: the
    recipe's `accepted:`, the target when neither --count nor --accepted is given."""
    if accepted is not None and count is not None:
        raise UsageError(
            "--accepted and --count do not go together: --count N plans exactly N candidates, "
            "--accepted N plans candidates until N are accepted — give one of them"
        )
    if accepted is not None and accepted < 1:
        raise UsageError(f"--accepted {accepted}: give a positive number of records to accept")
    for key, value in budget.given().items():
        if value <= 0:
            raise UsageError(f"{_OPTION[key]} {value}: a budget must be more than 0")
    if budget.given() and accepted is None and (count is not None or in_recipe is None):
        names = ", ".join(_OPTION[k] for k in budget.given())
        raise UsageError(f"{names} limits a run toward a target: give --accepted N too")


class Target:
    def __init__(
        self,
        recipe: Recipe,
        accepted: int,
        budget: Budget,
        done: Collection[str],
        accepted_before: int,
        finished_before: int,
        usage: Callable[[], tuple[int, float]],
    ) -> None:
        """`done`: finished ids, skipped by the planner; `accepted_before`/`finished_before`: generated
        candidates the output already holds; `usage()`: (tokens, cost) over the output so far."""
        self.recipe = recipe
        self.n = accepted
        self.default_cap = budget.max_candidates is None
        self.budget = Budget(
            budget.max_candidates or DEFAULT_CANDIDATES_PER_ACCEPTED * accepted,
            budget.max_tokens,
            budget.max_cost,
        )
        self.done = done
        self.accepted = accepted_before
        self.decided = finished_before
        self.finished_before = finished_before
        self.planned = 0  # candidates planned by this run
        self.not_used: set[str] = set()  # ids accepted after the N-th: in no file
        self.usage = usage
        self.stopped_by: str | None = None
        self.on_plan: Callable[[int], None] = lambda n: None
        self._changed: asyncio.Event | None = None
        self._spent_before = usage()

    @property
    def pending(self) -> int:
        return self.finished_before + self.planned - self.decided

    def _limit(self) -> str | None:
        """The budget reached, if any."""
        b = self.budget
        if b.max_candidates is not None and self.finished_before + self.planned >= b.max_candidates:
            return "max_candidates"
        if b.max_tokens is not None or b.max_cost is not None:
            tokens, cost = self.usage()
            if b.max_tokens is not None and tokens >= b.max_tokens:
                return "max_tokens"
            if b.max_cost is not None and cost >= b.max_cost:
                return "max_cost"
        return None

    def _want(self) -> int:
        """Candidates to plan now: enough undecided ones to reach N at the rate seen so far (add-one
        smoothed, so the first wave is N and an all-rejected start does not plan without end)."""
        rate = (self.accepted + 1) / (self.decided + 1)
        need = math.ceil((self.n - self.accepted) / rate) - self.pending
        room = self.budget.max_candidates - self.finished_before - self.planned  # type: ignore[operator]
        return min(need, room, self._room_in_budget(), CHUNK)

    def _room_in_budget(self) -> int:
        """Candidates the token and cost budgets have room for, at this run's cost per decided
        candidate, less those in flight: a wave does not spend far past a budget."""
        b = self.budget
        if b.max_tokens is None and b.max_cost is None:
            return CHUNK
        decided = self.decided - self.finished_before
        if decided == 0:
            return PROBE - self.pending
        room = math.inf
        spent = self.usage()
        for limit, now, before in zip((b.max_tokens, b.max_cost), spent, self._spent_before, strict=True):
            per = (now - before) / decided
            if limit is not None and per > 0:
                room = min(room, (limit - now) / per)
        return CHUNK if room == math.inf else math.ceil(room) - self.pending

    async def source(self) -> AsyncIterator[list[Record]]:
        recipe = self.recipe
        gen, data_hash = recipe.generation_hash, recipe.data_hash
        self._changed = asyncio.Event()
        i = 0
        while self.accepted < self.n:
            self.stopped_by = self._limit()
            if self.stopped_by:
                return
            want = self._want()
            if want <= 0:
                self._changed.clear()
                await self._changed.wait()
                continue
            chunk: list[Record] = []
            while len(chunk) < want:
                rid = record_id(gen, i)
                if rid not in self.done:
                    meta = Meta(
                        task=recipe.task, recipe=recipe.name, recipe_hash=data_hash, plan={"index": i}
                    )
                    chunk.append(Record(id=rid, fields={}, meta=meta))
                i += 1
            self.planned += len(chunk)
            self.on_plan(len(chunk))
            yield chunk

    def gate(self, sink: Any) -> _Gate:
        return _Gate(self, sink)

    def _decided(self, outcome: str, rid: str) -> bool:
        """Count a generated candidate's outcome; False for an accepted one beyond the target."""
        self.decided += 1
        if self._changed is not None:
            self._changed.set()
        if outcome != "accepted":
            return True
        if self.accepted >= self.n:
            self.not_used.add(rid)
            return False
        self.accepted += 1
        return True

    @property
    def reached(self) -> bool:
        return self.accepted >= self.n

    def message(self) -> str:
        """One line: the target reached, or the limit that ended the run and how many were accepted."""
        if self.reached:
            extra = (
                f"; {len(self.not_used)} accepted after it not used (still cached)" if self.not_used else ""
            )
            return f"target reached: {self.n} accepted{extra}"
        key = self.stopped_by or "max_candidates"
        limit = self.budget.given()[key]
        tokens, cost = self.usage()
        used = {
            "max_candidates": f"{self.finished_before + self.planned} candidates",
            "max_tokens": f"{tokens} tokens",
            "max_cost": f"${cost:.4f}",
        }[key]
        how = f"{_OPTION[key]} {limit:g}"
        if key == "max_candidates" and self.default_cap:
            how += f" (the default, {DEFAULT_CANDIDATES_PER_ACCEPTED} x --accepted; raise it with --max-candidates)"
        return (
            f"stopped by {how} ({used} used): {self.accepted} of {self.n} accepted — run again with a "
            "higher limit to go on toward the target"
        )

    def to_json(self) -> dict[str, Any]:
        tokens, cost = self.usage()
        return {
            "accepted": self.n,
            "reached": self.reached,
            "accepted_so_far": self.accepted,
            "candidates": self.finished_before + self.planned,
            "planned_this_run": self.planned,
            "not_used": len(self.not_used),
            "budget": self.budget.given(),
            "tokens": tokens,
            "cost_usd": cost,
            "stopped_by": None if self.reached else self.stopped_by,
            "message": self.message() if self.reached or self.stopped_by else None,
        }


class _Gate:
    """The engine's sink in a target run: counts each generated candidate's outcome and leaves out an
    accepted one beyond the target."""

    def __init__(self, target: Target, sink: Any) -> None:
        self.target, self.sink = target, sink

    def write(self, outcome: str, rec: Record) -> None:
        if rec.meta.parent_id is None and not self.target._decided(outcome, rec.id):
            return
        self.sink.write(outcome, rec)

    def flush(self) -> None:
        self.sink.flush()
