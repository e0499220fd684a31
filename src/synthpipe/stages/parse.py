"""parse: the model's raw text -> the record's fields, by the task kind's parser.

A reply cut off at `max_tokens` is rejected `truncated`, and one that is not a record of the kind gets
the parser's code (`invalid_json`, `missing_field`, `wrong_type`); both keep the raw text in `meta.raw`.
Records that already have fields (read from a file) pass untouched."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synthpipe.core.records import Record
from synthpipe.stages.base import RecordStage
from synthpipe.tasks import ParseError, get_task

if TYPE_CHECKING:
    from synthpipe.recipe import Recipe


class ParseStage(RecordStage):
    name = "parse"
    batch_size = 512

    def __init__(self, recipe: Recipe) -> None:
        self.recipe = recipe
        self.kind = get_task(recipe.task)

    @classmethod
    def from_recipe(cls, recipe: Recipe, **_: Any) -> ParseStage:
        return cls(recipe)

    def apply(self, rec: Record) -> None:
        meta = rec.meta
        if meta.raw is None or rec.fields:
            return
        cut = meta.extra.pop("truncated_at", None)
        if cut is not None:
            self.reject(rec, "truncated", f"output hit max_tokens={cut}")
            return
        try:
            rec.fields = self.kind.parse(meta.raw, self.recipe)
        except ParseError as exc:
            self.reject(rec, exc.code, exc.detail)
            return
        meta.raw = None
