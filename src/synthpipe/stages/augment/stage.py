"""augment: fill a planned derived record from its parent with the model (paraphrase, back-translation,
style or stance transfer).

A derived record reaches this stage as the augment source plans it, like a generated candidate from the
plan source: an id made from the parent's id, the method and k (`derived_id`), `origin:
augmented:<method>`, `parent_id`, and `meta.extra["augment"]` = {method, key, k}; its fields are empty.
The stage rebuilds the request from the parent and the method, so a resumed run asks exactly what the
first asked and the response cache answers it.

- paraphrase: one request per parent asks for all n rewrites at once (the model sees them together, so
  siblings differ from each other, not only from the parent); its n records share that request.
- backtranslate: two requests per record, source -> pivot -> source; record k takes pivots[k % len]
  and its own sampling seed. Both hops are kept: `pivot_lang`, `pivot_text`.
- style, stance: one request per record, seed varied by k.
With `regenerate_answer` (paraphrase of qa, summarize or rewrite) the new question is answered again, from
the recipe's sources when it has them. Records of other origins pass untouched (decided at once).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from synthpipe.backends import options_from_spec
from synthpipe.backends.base import GenOptions
from synthpipe.core.records import Record
from synthpipe.lang import detect_language
from synthpipe.prompts.render import render_template
from synthpipe.stages.augment import methods as M
from synthpipe.stages.augment.counts import is_derived
from synthpipe.stages.base import ModelStage, StageContext
from synthpipe.tasks import ParseError, get_task, load_json_object

if TYPE_CHECKING:
    from synthpipe.cache import CachedModel
    from synthpipe.recipe import AugmentMethod, Recipe

STAGE = "augment"


def parent_language(recipe: Recipe, parts: list[M.Part]) -> str:
    """zh or en from the parent's own text; the recipe's language when the text does not say."""
    lang = detect_language("\n".join(t for _, t in parts))
    return lang if lang in ("zh", "en") else recipe.language


class AugmentStage(ModelStage):
    name = STAGE

    def __init__(self, recipe: Recipe, parents: dict[str, Record]) -> None:
        self.recipe = recipe
        self.kind = get_task(recipe.task)
        self.parents = parents
        self.methods: dict[str, AugmentMethod] = dict(
            zip(M.method_keys(recipe.augment.methods), recipe.augment.methods, strict=True)
        )
        self.model_of = {key: M.model_for(m, recipe.models) for key, m in self.methods.items()}
        self.model_names = tuple(dict.fromkeys(self.model_of.values()))
        self.options = {key: options_from_spec(recipe.models[name]) for key, name in self.model_of.items()}
        self._shared: dict[tuple[str, str], asyncio.Future[Any]] = {}
        self._left: dict[tuple[str, str], int] = {}  # siblings yet to take a shared answer

    @classmethod
    def from_recipe(
        cls, recipe: Recipe, *, parents: dict[str, Record] | None = None, **_: Any
    ) -> AugmentStage | None:
        if not recipe.augment.methods:
            return None
        return cls(recipe, parents if parents is not None else {})

    async def open(self, ctx: StageContext) -> None:
        self.models: dict[str, CachedModel] = {
            name: self.use_model(ctx.get_model(name)) for name in self.model_names
        }

    def decide_now(self, rec: Record) -> bool:
        return not is_derived(rec)  # generated candidates and seeds go on at once

    async def close(self) -> dict[str, Any]:
        return {
            "methods": {
                key: {**m.model_dump(exclude_defaults=True), "n": m.count, "model": self.model_of[key]}
                for key, m in self.methods.items()
            }
        }

    def planned_requests(self, parent: Record) -> list[PlannedRequest]:
        """The requests the derived records of `parent` would send, built as `apply` builds them but
        without a model, with an answer size for each (`synthpipe.engine.estimate`). The second hop of a
        back-translation shows the parent's text in place of the pivot text it has not got; replies a
        dialogue's changed user turns may need are left out (they depend on the answers)."""
        from synthpipe.prompts.budget import text_tokens
        from synthpipe.stages.agree import answer_messages

        out: list[PlannedRequest] = []
        for key, method in self.methods.items():
            parts = M.targets(self.kind, method.method, parent.fields)
            if not parts:
                continue
            lang = parent_language(self.recipe, parts)
            d = _Derivation(parent, parent, method, key, 0, parts, lang)
            model = self.model_of[key]
            size = text_tokens(json.dumps(dict(parts), ensure_ascii=False))
            name, n = method.method, method.count
            if name == "paraphrase":
                messages = self._render("augment_paraphrase", d, parts, n=n)
                out.append(PlannedRequest(model, messages, n * size + 4))
                if method.regenerate_answer and "output" in parent.fields:
                    answer = text_tokens(json.dumps({"answer": parent.fields["output"]}, ensure_ascii=False))
                    out += [PlannedRequest(model, answer_messages(self.recipe, parent), answer)] * n
            elif name == "backtranslate":
                pivots = M.pivots_for(method, lang)
                for k in range(n):
                    there = M.language_name(pivots[k % len(pivots)], lang)
                    for target in (there, M.language_name(lang, lang)):
                        messages = self._render("augment_translate", d, parts, target=target)
                        out.append(PlannedRequest(model, messages, size))
            else:
                template = "augment_style" if name == "style" else "augment_stance"
                more = {"style": _style_words(method.style or "", lang)} if name == "style" else {}
                out += [PlannedRequest(model, self._render(template, d, parts, **more), size)] * n
        return out

    # --- one derived record ---------------------------------------------------------------------------
    async def apply(self, rec: Record) -> None:
        if not is_derived(rec):
            return
        info = rec.meta.extra["augment"]
        key, k = info["key"], int(info["k"])
        parent = self.parents.get(rec.meta.parent_id or "")
        method = self.methods.get(key)
        if parent is None or method is None:  # a planning bug, not the model's fault
            raise RuntimeError(f"no parent {rec.meta.parent_id} or method {key} for derived record {rec.id}")
        parts = M.targets(self.kind, method.method, parent.fields)
        d = _Derivation(rec, parent, method, key, k, parts, parent_language(self.recipe, parts))
        model_name = self.model_of[key]
        rec.meta.model = self.models[model_name].model
        info.update(model=model_name, language=d.lang)
        params = method.model_dump(exclude_defaults=True, exclude={"method", "model"})
        if params:
            info["params"] = params
        try:
            await self._derive(d)
        except ParseError as exc:
            self.reject(rec, exc.code, exc.detail)

    async def _derive(self, d: _Derivation) -> None:
        name = d.method.method
        if name == "paraphrase":
            new = await self._paraphrase(d)
        elif name == "backtranslate":
            new = await self._backtranslate(d)
        else:
            new = await self._transfer(d)
        rec = d.rec
        rec.fields = M.with_parts(self.kind, d.parent.fields, new)
        if name == "stance" and self.kind.label_field:
            label = d.parent.fields.get(self.kind.label_field)
            rec.fields[self.kind.label_field] = d.method.opposite.get(str(label), label)
        if name == "paraphrase" and d.method.regenerate_answer and "output" in rec.fields:
            await self._answer_again(d)
        if self.kind.conversation and name in ("paraphrase", "backtranslate"):
            await self._replies_again(d)

    def _options(self, d: _Derivation, k: int) -> GenOptions:
        base = self.options[d.key]
        return replace(base, seed=(base.seed or 0) + k)  # siblings sample differently, reproducibly

    async def _ask(self, d: _Derivation, messages: Any, schema: Any, opts: GenOptions) -> dict[str, Any]:
        rec = d.rec
        completion = await self.models[self.model_of[d.key]].chat(messages, schema, opts)
        usage = rec.meta.usage
        usage["prompt_tokens"] = usage.get("prompt_tokens", 0) + completion.prompt_tokens
        usage["completion_tokens"] = usage.get("completion_tokens", 0) + completion.completion_tokens
        if completion.finish_reason == "length":
            rec.meta.raw = completion.text[:2000]
            raise ParseError("truncated", f"the model's reply hit max_tokens={opts.max_tokens}")
        try:
            return load_json_object(completion.text)
        except ParseError:
            rec.meta.raw = completion.text[:2000]
            raise

    async def _ask_answer(self, d: _Derivation, messages: Any, opts: GenOptions, what: str) -> str:
        """The `answer` text of a request that asks for one (a regenerated answer or reply)."""
        from synthpipe.stages.agree import ANSWER_SCHEMA

        answer = (await self._ask(d, messages, ANSWER_SCHEMA, opts)).get("answer")
        if not isinstance(answer, str) or not answer.strip():
            raise ParseError("augment_unparseable", f"{what}: no `answer` text")
        return answer.strip()

    @staticmethod
    def _parts_of(obj: Any, keys: list[str], what: str) -> dict[str, str]:
        if not isinstance(obj, dict):
            raise ParseError("augment_unparseable", f"{what}: expected a JSON object")
        out = {}
        for key in keys:
            value = obj.get(key)
            if not isinstance(value, str) or not value.strip():
                raise ParseError("augment_unparseable", f"{what}: no text for `{key}`")
            out[key] = value.strip()
        return out

    def _render(
        self, template: str, d: _Derivation, parts: list[M.Part], **more: Any
    ) -> list[dict[str, str]]:
        user = render_template(
            d.lang,
            template,
            what=M.what(d.lang, self.kind, d.method.method),
            original=dict(parts),
            shape=M.shape([k for k, _ in parts], d.lang),
            role=self.recipe.role,
            **more,
        )
        return [{"role": "user", "content": user}]

    async def _paraphrase(self, d: _Derivation) -> dict[str, str]:
        n, k = d.method.count, d.k
        shared = (d.parent.id, d.key)
        future = self._shared.get(shared)
        if future is None:  # the n siblings share one request: ask once, even while it is in flight
            future = asyncio.get_running_loop().create_future()
            self._shared[shared] = future
            messages = self._render("augment_paraphrase", d, d.parts, n=n)
            try:
                schema = M.paraphrase_schema(d.keys, n)
                future.set_result(await self._ask(d, messages, schema, self._options(d, 0)))
            except BaseException as exc:
                future.set_exception(exc)
                future.exception()  # retrieved: siblings re-raise it themselves
                del self._shared[shared]  # a sibling or a re-run asks again
                raise
            self._left[shared] = n
        obj = await future
        self._left[shared] = self._left.get(shared, 1) - 1
        if self._left[shared] <= 0:
            self._shared.pop(shared, None)
            self._left.pop(shared, None)
        items = obj.get("paraphrases")
        if not isinstance(items, list):
            raise ParseError("augment_unparseable", "no `paraphrases` list")
        if k >= len(items):
            raise ParseError("augment_unparseable", f"the model gave {len(items)} paraphrases of {n}")
        return self._parts_of(items[k], d.keys, f"paraphrase {k + 1}")

    async def _backtranslate(self, d: _Derivation) -> dict[str, str]:
        pivots = M.pivots_for(d.method, d.lang)
        pivot = pivots[d.k % len(pivots)]
        opts, schema = self._options(d, d.k), M.parts_schema(d.keys)
        there = self._render("augment_translate", d, d.parts, target=M.language_name(pivot, d.lang))
        middle = self._parts_of(await self._ask(d, there, schema, opts), d.keys, "to pivot")
        info = d.rec.meta.extra["augment"]
        info["pivot_lang"] = pivot
        info["pivot_text"] = middle if len(middle) > 1 else next(iter(middle.values()))
        back = self._render(
            "augment_translate", d, list(middle.items()), target=M.language_name(d.lang, d.lang)
        )
        return self._parts_of(await self._ask(d, back, schema, opts), d.keys, "back")

    async def _transfer(self, d: _Derivation) -> dict[str, str]:
        name = d.method.method
        template = "augment_style" if name == "style" else "augment_stance"
        more = {"style": _style_words(d.method.style or "", d.lang)} if name == "style" else {}
        messages = self._render(template, d, d.parts, **more)
        obj = await self._ask(d, messages, M.parts_schema(d.keys), self._options(d, d.k))
        if name == "stance":
            d.rec.meta.extra["stance"] = "opposite"
        return self._parts_of(obj, d.keys, name)

    async def _answer_again(self, d: _Derivation) -> None:
        from synthpipe.stages.agree import answer_messages

        rec = d.rec
        before = rec.fields.get("output")
        messages = answer_messages(self.recipe, rec)
        rec.fields["output"] = await self._ask_answer(d, messages, self._options(d, 0), "regenerated answer")
        rec.meta.extra["augment"]["parent_output"] = before

    async def _replies_again(self, d: _Derivation) -> None:
        """A dialogue whose user turn changed meaningfully (it keeps less than REPLY_AGAIN_BELOW of the
        turn's content words) gets the assistant turn after it written again, from the conversation up
        to there; the turns stay where they are, so user and assistant still alternate."""
        from synthpipe.stages.augment.checks import content_share
        from synthpipe.stages.rules.content import Units

        before = d.parent.fields.get("messages") or []
        msgs = d.rec.fields.get("messages") or []
        again = []
        for i in range(min(len(before), len(msgs)) - 1):
            old, new, old_reply, reply = before[i], msgs[i], before[i + 1], msgs[i + 1]
            if not all(isinstance(m, dict) for m in (old, new, old_reply, reply)):
                continue
            if new.get("role") != "user" or reply.get("role") != "assistant":
                continue
            share, size = content_share(
                Units(str(old.get("content", ""))), Units(str(new.get("content", "")))
            )
            if size < 3 or share >= REPLY_AGAIN_BELOW:
                continue
            user = render_template(
                d.lang,
                "augment_reply",
                role=self.recipe.role,
                conversation=[{"role": m.get("role"), "content": m.get("content")} for m in msgs[: i + 1]],
                reply=str(old_reply.get("content", "")),
            )
            text = await self._ask_answer(
                d, [{"role": "user", "content": user}], self._options(d, d.k), f"reply to turn {i + 1}"
            )
            msgs[i + 1] = {**reply, "content": text}
            again.append(i + 2)
        if again:
            d.rec.meta.extra["augment"]["replies_again"] = again  # 1-based turns written again


@dataclass(frozen=True, slots=True)
class PlannedRequest:
    """A request a derived record would send: the model's recipe name, the messages, the answer's
    estimated tokens."""

    model: str
    messages: list[dict[str, str]]
    completion_tokens: int


@dataclass(slots=True)
class _Derivation:
    """One derived record being made: the record, its parent, the method (and its key), k, the parent's
    parts the method rewrites and their language."""

    rec: Record
    parent: Record
    method: AugmentMethod
    key: str
    k: int
    parts: list[M.Part]
    lang: str

    @property
    def keys(self) -> list[str]:
        return [name for name, _ in self.parts]


REPLY_AGAIN_BELOW = 0.5

_STYLES = {
    "en": {
        "formal": "formal and precise, as in official written communication",
        "colloquial": "colloquial and relaxed, as people talk in everyday chat",
        "service": "a friendly, polite customer-service voice",
    },
    "zh": {
        "formal": "正式、严谨的书面语",
        "colloquial": "口语化、轻松的日常聊天语气",
        "service": "亲切、礼貌的客服语气",
    },
}


def _style_words(style: str, lang: str) -> str:
    """A named style in words the model can follow; a style described by the user as it is."""
    return _STYLES.get(lang, _STYLES["en"]).get(style.strip().lower(), style.strip())


def pivot_text(rec: Record) -> str:
    """The text of a back-translation's pivot hop, all its parts joined."""
    value = rec.meta.extra.get("augment", {}).get("pivot_text", "")
    return value if isinstance(value, str) else "\n".join(str(v) for v in value.values())
