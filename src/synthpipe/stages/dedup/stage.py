"""dedup: exact, MinHash and embedding duplicates, against each other and against what is already kept
(the recipe's few-shot examples, `dedup.against` files, and records accepted by earlier runs).

Keep rule, the same on both paths: what already exists first and never removed; then records by higher
judge score (`meta.scores.overall`), then by position (plan index or input line). In a run the stage
takes batches (up to `batch_size`, waiting at most `max_wait` for one to fill) and decides each batch
incrementally against everything kept so far; over a whole file (`batch_size = None`, the `dedup`
command) it decides all at once with the vectorised batch path, which makes the same decisions.

Kept records are counted per answer template (templates.py) for the manifest and report. With
`dedup.max_per_template` the stage waits for every record, as over a whole file, so that the best-scored
records of each template are the ones kept; the others get `template_cap`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from synthpipe.core.records import Record
from synthpipe.sinks.base import position
from synthpipe.stages.base import Stage, StageContext
from synthpipe.stages.dedup.batch import dedup_records, priority_order
from synthpipe.stages.dedup.deduper import STAGE, Deduper, fields_for, prompt_fields_for
from synthpipe.stages.dedup.templates import TemplateClusters

if TYPE_CHECKING:
    from synthpipe.recipe import DedupConfig, ModelSpec, Recipe
    from synthpipe.stages.dedup.embed import Embedder

EARLIER = "accepted by earlier runs"
EXAMPLES = "recipe examples"


class DedupStage(Stage):
    name = STAGE
    batch_size: int | None = 1024
    max_wait = 0.5  # a batch of one costs ten times a record's share of a batch of a thousand

    def __init__(
        self,
        config: DedupConfig,
        task: str,
        *,
        existing: Mapping[str, Sequence[Record]] | None = None,
        models: Mapping[str, ModelSpec] | None = None,
        embedder: Embedder | None = None,
        whole: bool = False,
    ) -> None:
        self.config, self.task = config, task
        self.keys = fields_for(task, config)
        self.existing: dict[str, list[Record]] = {k: list(v) for k, v in (existing or {}).items()}
        self.models, self.embedder = models, embedder
        if whole or config.max_per_template is not None:
            self.batch_size = None
        self.kept: list[Record] = []  # for the diversity figures of a whole file
        self.removed: list[Record] = []
        self.templates = TemplateClusters(self.keys, prompt_fields_for(task), config.max_per_template)
        self._warn = lambda message: None
        self._language_checked = "embedding" not in config.methods
        self.batch_dedup = dedup_records  # the whole-set decision; an executor may run it elsewhere (Ray)

    @classmethod
    def from_recipe(
        cls,
        recipe: Recipe,
        *,
        against: Sequence[str] = (),
        whole: bool = False,
        embedder: Embedder | None = None,
        **_: Any,
    ) -> DedupStage | None:
        """None when dedup is off. The index starts with the recipe's examples and `dedup.against` files
        (relative to the recipe), then the `against` files given here."""
        from synthpipe.sources.files import read_records

        if not recipe.dedup.enabled or not recipe.dedup.methods:
            return None
        existing: dict[str, list[Record]] = {}
        if recipe.examples:  # a copy of a few-shot example is not new data
            from synthpipe.sources.augment import seed_records

            existing[EXAMPLES] = seed_records(recipe)
        for name in [*recipe.dedup.against, *against]:
            path = recipe.resolve(name) if name in recipe.dedup.against else name
            existing[str(name)] = list(read_records(path, recipe.task, strict=True))
        return cls(
            recipe.dedup, recipe.task, existing=existing, models=recipe.models, embedder=embedder, whole=whole
        )

    async def open(self, ctx: StageContext) -> None:
        self._warn = ctx.warn
        if ctx.earlier:
            self.existing[EARLIER] = list(ctx.earlier)
            for rec in self.existing[EARLIER]:  # already in this output: they fill templates first
                self.templates.add(rec, existing=True)
        self.deduper: Deduper | None = None  # built with the first batch: numpy is not needed before

    def _index(self) -> Deduper:
        if self.deduper is None:
            self.deduper = Deduper(self.config, self.task, models=self.models, embedder=self.embedder)
            for source, records in self.existing.items():
                self.deduper.add_existing(records, source=source)
        return self.deduper

    async def process(self, records: list[Record]) -> list[Record]:
        records = sorted(records, key=position)
        if not self._language_checked and records:
            self._check_language(records)
        if self.batch_size is None:
            kept, removed = self.batch_dedup(
                records, self.config, self.task, self.existing, models=self.models, embedder=self.embedder
            )
        else:
            ordered = [records[i] for i in priority_order(records)]
            verdicts = self._index().check_many(ordered)
            kept, removed = [], []
            for rec, reason in zip(ordered, verdicts, strict=True):
                if reason is None:
                    kept.append(rec)
                else:
                    rec.meta.reasons.append(reason)
                    removed.append(rec)
        kept = self._cap(kept)
        if self.batch_size is None:
            self.kept.extend(kept)
            self.removed.extend(removed)
        return records

    def _check_language(self, records: list[Record]) -> None:
        """Once, on the first batch: warn when the embedding model does not fit the data's language."""
        from synthpipe.stages.dedup.embed import language_warning

        self._language_checked = True
        name = getattr(self.embedder, "name", None) if self.embedder is not None else None
        message = language_warning(self.config, name, [rec.text(self.keys) for rec in records[:200]])
        if message:
            self._warn(message)

    def _cap(self, kept: list[Record]) -> list[Record]:
        """Count the kept records per template, best-scored first; those over the cap are rejected."""
        if self.templates.cap is None:
            for rec in kept:
                self.templates.add(rec)
            return kept
        left = []
        for rec in [kept[i] for i in priority_order(kept)]:
            reason = self.templates.add(rec)
            if reason is None:
                left.append(rec)
            else:
                rec.meta.reasons.append(reason)
        return sorted(left, key=position)

    async def close(self) -> dict[str, Any]:
        from synthpipe.stages.dedup.diversity import diversity

        cfg = self.config
        info: dict[str, Any] = {
            "fields": list(self.keys),
            "methods": list(cfg.methods),
            "thresholds": {
                "minhash_jaccard": cfg.minhash_threshold,
                "embedding_cosine": cfg.embedding_threshold,
            },
            "shingles": {"word_ngram": cfg.word_ngram, "char_ngram": cfg.char_ngram},
            "keep": "existing first, then higher meta.scores.overall, then earlier position",
            "against": {name: len(recs) for name, recs in self.existing.items()},
        }
        if self.batch_size is None:  # over a whole file; a run's accepted set is judged by its report
            info["diversity"] = diversity(self.kept, self.removed, self.keys)
        info["templates"] = self.templates.summary()
        if "embedding" in cfg.methods:
            info["embedding_model"] = cfg.embedding_model or "all-MiniLM-L6-v2 (local)"
        return info
