"""The grounding stage with an embedding second opinion (`grounding.embedding: true`, extra `embed`).

English sentences that the lexical test finds unsupported, but not far off (some support, no number
missing), are compared with every source sentence and pair of sentences by the packaged all-MiniLM-L6-v2
(English only, so Chinese sentences keep the lexical verdict). A cosine of `RESCUE` or more makes such a
sentence supported: a paraphrase that shares few words with its source. The model is loaded on the first
batch that needs it, and the stage runs in the main process (its batches are embedded at once).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from synthpipe.core.records import Record
from synthpipe.lang import has_han
from synthpipe.recipe import GroundingConfig
from synthpipe.stages.dedup.embed import LocalEmbedder
from synthpipe.stages.ground import GroundingStage
from synthpipe.stages.support import ME, SentenceSupport, units
from synthpipe.tasks import TaskKind

RESCUE = 0.8  # cosine to the best source sentence (or pair) that counts as support
FLOOR = 0.3  # below this lexical support, no second opinion is asked


class EmbeddingGroundingStage(GroundingStage):
    parallel = False  # a batch is embedded at once in this process; workers would each load the model

    def __init__(self, config: GroundingConfig, sources: list[str], kind: TaskKind | None = None) -> None:
        super().__init__(config, sources, kind)
        self.embedder = LocalEmbedder()
        self.embedder.model_path()  # a missing extra is an error now, not after the first batch
        self._source_vectors: Any = None
        self.rescued = 0

    def _candidate(self, s: SentenceSupport) -> bool:
        return (
            not s.claimless
            and not s.supported(self.config.min_support)
            and s.support >= FLOOR
            and not s.numbers_missing
            and ME not in units(s.sentence)
            and not has_han(s.sentence)
        )

    def _source(self) -> Any:
        if self._source_vectors is None:
            assert self._index is not None
            sents = [s for s in self._index.sentences if not has_han(s)]
            pairs = [f"{a} {b}" for a, b in zip(sents, sents[1:], strict=False)]
            self._source_vectors = self.embedder.embed(sents + pairs)
        return self._source_vectors

    def _rescue(self, asks: list[SentenceSupport]) -> None:
        source = self._source()
        if not len(source):
            return
        vectors = self.embedder.embed([s.sentence for s in asks])
        best = (vectors @ source.T).max(axis=1)
        for s, cos in zip(asks, best, strict=True):
            if cos >= RESCUE:
                s.rescued = True
                self.rescued += 1

    def second_opinion(self, supports: Iterable[SentenceSupport]) -> None:
        """Mark the near misses among `supports` that the embedding finds supported (`rescued`)."""
        asks = [s for s in supports if self._candidate(s)]
        if asks:
            self._rescue(asks)

    async def process(self, records: list[Record]) -> list[Record]:
        supports = [self.sentence_supports(rec) for rec in records]
        await asyncio.to_thread(self.second_opinion, [s for found in supports for s in found or ()])
        for rec, found in zip(records, supports, strict=True):
            self.decide(rec, found)
        return records

    def apply(self, rec: Record) -> None:
        supports = self.sentence_supports(rec)
        self.second_opinion(supports or ())
        self.decide(rec, supports)

    async def close(self) -> dict[str, Any]:
        out = await super().close()
        out["sentences"]["embedding_rescued"] = self.rescued
        return out
