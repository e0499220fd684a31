"""sample: the seeded review sample, a few accepted records for a human spot-check.

Bottom-k sampling: each record gets a rank from a hash of the seed and its id, and the sample is the k
records of lowest rank. The sample is the same whatever order records arrive in and however often a
run was interrupted and resumed, and it needs no second pass: records accepted by earlier runs into the
same directory compete on the same terms."""

from __future__ import annotations

import hashlib
import heapq
from typing import TYPE_CHECKING, Any

from synthpipe.core.records import Record
from synthpipe.stages.base import RecordStage, StageContext

if TYPE_CHECKING:
    from synthpipe.recipe import Recipe

FILE = "review_sample.jsonl"


class ReviewSample(RecordStage):
    name = "sample"
    batch_size = 1024

    def __init__(self, size: int, seed: int = 0) -> None:
        self.size, self.seed = size, seed
        self._heap: list[tuple[int, str, Record]] = []  # (-rank, id, record): the k lowest ranks kept

    @classmethod
    def from_recipe(cls, recipe: Recipe, **_: Any) -> ReviewSample | None:
        return cls(recipe.review_sample, recipe.seed) if recipe.review_sample > 0 else None

    def rank(self, rec: Record) -> int:
        digest = hashlib.blake2b(f"{self.seed}:{rec.id}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big")

    async def open(self, ctx: StageContext) -> None:
        for rec in ctx.earlier:
            self.apply(rec)

    def apply(self, rec: Record) -> None:
        item = (-self.rank(rec), rec.id, rec)
        if len(self._heap) < self.size:
            heapq.heappush(self._heap, item)
        elif item > self._heap[0]:
            heapq.heapreplace(self._heap, item)

    @property
    def sample(self) -> list[Record]:
        return [rec for _, _, rec in sorted(self._heap, reverse=True)]

    def files(self) -> dict[str, list[Record]]:
        return {FILE: self.sample}

    async def close(self) -> dict[str, Any]:
        return {"size": len(self._heap), "file": FILE}
