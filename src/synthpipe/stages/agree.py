"""Agreement: a second model does the same job without seeing the record's answer, and we compare.

- qa: the second model answers the instruction (and input, and the source passage when there is one);
  the two answers are compared with `similarity` (bag-of-units F1 over Latin words and Han character
  bigrams: no dependency, works for Chinese). Below `agreement.min_similarity` -> `low_agreement`,
  rejected or flagged per `agreement.action`.
- classify: the second model labels the text blind (schema: an enum of the allowed labels). With
  `agreement.verify_labels` a different label rejects `label_mismatch`; without it, it counts as
  `low_agreement` per `agreement.action`. Both labels are kept in meta.extra["label_check"].
Other task kinds have no agreement stage.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from synthpipe.backends import options_from_spec
from synthpipe.backends.base import Messages
from synthpipe.core.records import Record
from synthpipe.lang import normalize
from synthpipe.prompts.render import render_template
from synthpipe.stages.base import ModelStage, StageContext
from synthpipe.stages.context import source_passage, units
from synthpipe.tasks import ParseError, get_task, load_json_object

if TYPE_CHECKING:
    from synthpipe.cache import CachedModel
    from synthpipe.recipe import Recipe

STAGE = "agree"
ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"answer": {"type": "string"}},
    "required": ["answer"],
    "additionalProperties": False,
}


def similarity(a: str, b: str) -> float:
    """F1 of the shared units (see `context.units`) of two texts: 1.0 same words, 0.0 nothing shared."""
    ua, ub = Counter(units(a)), Counter(units(b))
    if not ua or not ub:
        return 1.0 if not ua and not ub else 0.0
    common = sum((ua & ub).values())
    if not common:
        return 0.0
    p, r = common / sum(ua.values()), common / sum(ub.values())
    return 2 * p * r / (p + r)


def label_schema(labels: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"label": {"type": "string", "enum": labels}},
        "required": ["label"],
        "additionalProperties": False,
    }


def answer_messages(recipe: Recipe, rec: Record) -> Messages:
    f = rec.fields
    user = render_template(
        recipe.language,
        "answer",
        role=recipe.role,
        source=source_passage(recipe.source_texts, rec),
        instruction=str(f.get("instruction") or ""),
        input=str(f.get("input") or ""),
    )
    return [{"role": "user", "content": user}]


def label_messages(recipe: Recipe, rec: Record) -> Messages:
    user = render_template(
        recipe.language,
        "label",
        description=recipe.description,
        labels=recipe.labels,
        text=str(rec.fields.get("text") or ""),
    )
    return [{"role": "user", "content": user}]


def _label_key(label: Any) -> str:
    return normalize(str(label)).replace(" ", "")


class AgreementStage(ModelStage):
    name = STAGE

    def __init__(self, recipe: Recipe) -> None:
        self.recipe = recipe
        self.cfg = recipe.agreement
        self.model_name = self.cfg.model
        self.model_names = (self.model_name,)
        self.options = options_from_spec(recipe.models[self.model_name])
        self.by_label = get_task(recipe.task).agreement == "label"
        # what its requests are counted under in the manifest's usage_by_stage
        self.usage_name = "label_check" if self.by_label and self.cfg.verify_labels else "agreement"
        self._labels = {_label_key(lb): lb for lb in recipe.labels}

    @classmethod
    def from_recipe(cls, recipe: Recipe, **_: Any) -> AgreementStage | None:
        """None unless switched on and the kind has a way to agree (an answer or a label)."""
        if not recipe.agreement.enabled or get_task(recipe.task).agreement is None:
            return None
        return cls(recipe)

    async def open(self, ctx: StageContext) -> None:
        self.model: CachedModel = self.use_model(ctx.get_model(self.model_name))

    async def close(self) -> dict[str, Any]:
        return {
            "model": self.model_name,
            "action": self.cfg.action,
            "min_similarity": self.cfg.min_similarity,
            "verify_labels": self.cfg.verify_labels,
        }

    def _outcome(self, rec: Record, code: str, detail: str) -> None:
        (self.reject if self.cfg.action == "reject" else self.flag)(rec, code, detail)

    async def apply(self, rec: Record) -> None:
        if self.by_label:
            await self._check_label(rec)
        else:
            await self._compare_answer(rec)

    async def _compare_answer(self, rec: Record) -> None:
        completion = await self.model.chat(answer_messages(self.recipe, rec), ANSWER_SCHEMA, self.options)
        try:
            obj = load_json_object(completion.text)
            other = obj.get("answer")
            if not isinstance(other, str) or not other.strip():
                raise ParseError("agreement_unparseable", "no `answer` string")
        except ParseError as exc:
            # the record is not at fault: flag it, keep the raw reply, do not reject
            rec.meta.extra["agreement_raw"] = completion.text[:2000]
            self.flag(rec, "agreement_unparseable", f"{self.model_name}: {exc.detail}")
            return
        output = get_task(rec.task).answer_text(rec.fields)
        sim = round(similarity(output, other), 3)
        rec.meta.scores["agreement"] = sim
        rec.meta.extra["second_answer"] = {"model": self.model_name, "answer": other[:2000]}
        if sim < self.cfg.min_similarity:
            self._outcome(
                rec,
                "low_agreement",
                f"similarity {sim:.2f} < {self.cfg.min_similarity:g} with the answer of model {self.model_name}",
            )

    async def _check_label(self, rec: Record) -> None:
        completion = await self.model.chat(
            label_messages(self.recipe, rec), label_schema(self.recipe.labels), self.options
        )
        proposed = rec.fields.get("label")
        try:
            got = load_json_object(completion.text).get("label")
        except ParseError:
            got = None
        independent = self._labels.get(_label_key(got)) if isinstance(got, str | int) else None
        if independent is None:
            rec.meta.extra["label_check"] = {
                "proposed": proposed,
                "model": self.model_name,
                "raw": completion.text[:500],
            }
            # an unverifiable label is not trusted when verification is asked for
            decide = self.reject if self.cfg.verify_labels else self.flag
            decide(rec, "label_unverified", f"{self.model_name} gave no allowed label")
            return
        rec.meta.extra["label_check"] = {
            "proposed": proposed,
            "independent": independent,
            "model": self.model_name,
        }
        same = _label_key(proposed) == _label_key(independent)
        rec.meta.scores["agreement"] = 1.0 if same else 0.0
        if same:
            return
        detail = f"proposed {str(proposed)[:40]!r}, {self.model_name} labels it {independent!r}"
        if self.cfg.verify_labels:
            self.reject(rec, "label_mismatch", detail)
        else:
            self._outcome(rec, "low_agreement", detail)
