"""One shape for every stage: records in, records out.

    class MyStage(Stage):
        name = "my_stage"
        async def process(self, records: list[Record]) -> list[Record]:
            for rec in records:
                if bad(rec):
                    self.reject(rec, "my_code", "why")      # or self.flag(...), or annotate rec.meta.scores
            return records                                 # plus any self.derive(...) children

A stage only decides. It returns every record it was given (rejected, flagged, annotated or untouched) and
may add derived records (`derive`: a child with `parent_id`, `origin` and an id made from the parent, the
method and an index, so cache and resume treat it like a generated record). The engine
(`synthpipe.engine`) hands a stage only records that are still accepted, routes what comes back (a
record with reasons is rejected, one with an error failed, the rest go on to the next stage), counts
records and reasons per stage, and turns an exception into failed records naming the stage.

How records are grouped is a property of the stage, not another code path:
- `batch_size`: the most records per call (1 for a model call per record; None for the whole stream at
  once, which waits for the last record — the `dedup` command);
- `concurrency`: calls in flight at once (a model stage: 4x its model's `max_in_flight`, so records
  waiting out a retry leave their request slots to others);
- `max_wait`: seconds to wait for a fuller batch before calling with what has arrived (0: never wait).
A stage of batch size 1 may also decide a record at once, without a call (`decide_now`: the generate
stage when the answer is cached), so a re-run of a finished run costs no task and no await per record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from synthpipe.core.records import Meta, Reason, Record, stable_hash

if TYPE_CHECKING:
    from synthpipe.cache import CachedModel
    from synthpipe.recipe import Recipe


@dataclass
class StageContext:
    """What a stage may use when it opens."""

    recipe: Recipe | None = None
    model: Callable[[str], CachedModel] | None = None  # a recipe model by name, behind the response cache
    earlier: list[Record] = field(default_factory=list)  # accepted in this output by earlier runs
    warn: Callable[[str], None] = lambda message: None

    def get_model(self, name: str) -> CachedModel:
        if self.model is None:
            raise RuntimeError("this command has no models")
        return self.model(name)


class Stage:
    name: ClassVar[str] = "stage"
    batch_size: int | None = 256
    concurrency: int = 1
    max_wait: float = 0.0
    model_names: tuple[str, ...] = ()  # the recipe models it asks; built before anything is written

    async def open(self, ctx: StageContext) -> None:
        """Before the first record."""

    def decide_now(self, rec: Record) -> bool:
        """Decide `rec` at once, without awaiting, when that is possible (a model stage whose answer is
        cached); False sends it the usual way, through `process`. Only stages of `batch_size` 1 are
        asked. It must leave the record exactly as `process` would when it returns True."""
        return False

    async def process(self, records: list[Record]) -> list[Record]:
        raise NotImplementedError

    async def close(self) -> dict[str, Any]:
        """After the last record: settings and figures for manifest["stages"][name]."""
        return {}

    def files(self) -> dict[str, list[Record]]:
        """Extra record files this stage leaves in the output (file name -> records)."""
        return {}

    # --- deciding ------------------------------------------------------------------------------------
    def reject(self, rec: Record, code: str, detail: str = "") -> None:
        rec.meta.reasons.append(Reason(code, detail, self.name))

    def flag(self, rec: Record, code: str, detail: str = "") -> None:
        rec.meta.flags.append(Reason(code, detail, self.name))

    def derive(self, parent: Record, fields: dict[str, Any], method: str, index: int) -> Record:
        """A record made from `parent` by `method`; its id depends only on the parent, method and index."""
        return derived_record(parent, fields, method, index)

    def __repr__(self) -> str:
        return f"<stage {self.name} batch={self.batch_size} concurrency={self.concurrency}>"


def derived_id(parent_id: str, method: str, index: int) -> str:
    return stable_hash({"p": parent_id, "m": method, "i": index}, 16)


def derived_record(
    parent: Record, fields: dict[str, Any], method: str, index: int, key: str | None = None
) -> Record:
    """A record made from `parent` by `method` (`origin: augmented:<method>`, `parent_id`, the parent's
    plan); its id comes from the parent, `key` (default: the method) and the index."""
    meta = Meta(
        task=parent.meta.task,
        origin=f"augmented:{method}",
        recipe=parent.meta.recipe,
        recipe_hash=parent.meta.recipe_hash,
        parent_id=parent.id,
        plan=dict(parent.meta.plan),
    )
    return Record(id=derived_id(parent.id, key or method, index), fields=fields, meta=meta)


class RecordStage(Stage):
    """A stage that decides one record at a time without waiting on anything (rules, grounding).

    `parallel = True` declares that `apply` reads only the record's id, task, fields and plan, adds to
    its reasons, flags, scores or extras (or edits its fields), and derives nothing: a large job may
    then run it in worker processes (synthpipe.engine.workers)."""

    parallel: ClassVar[bool] = False

    def apply(self, rec: Record) -> list[Record] | None:
        """Decide `rec` in place; return derived records, if any."""
        raise NotImplementedError

    async def process(self, records: list[Record]) -> list[Record]:
        out: list[Record] = []
        for rec in records:
            out.append(rec)
            children = self.apply(rec)
            if children:
                out.extend(children)
        return out


class ModelStage(Stage):
    """A stage that waits on a model for each record; as many records in flight as the model allows."""

    batch_size = 1

    records_per_slot = 4  # records in the stage at once, per request the model may have in flight

    def use_model(self, model: CachedModel) -> CachedModel:
        # More records than request slots: one waiting out a Retry-After or a back-off holds no slot
        # (the backend frees it), and the records behind it keep the server busy meanwhile. The
        # backend's own limit still decides how many requests are in flight.
        self.concurrency = max(self.concurrency, self.records_per_slot * model.backend.max_in_flight)
        return model

    async def apply(self, rec: Record) -> list[Record] | None:
        raise NotImplementedError

    async def process(self, records: list[Record]) -> list[Record]:
        out: list[Record] = []
        for rec in records:
            out.append(rec)
            children = await self.apply(rec)
            if children:
                out.extend(children)
        return out
