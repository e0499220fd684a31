"""What a run would cost, before it starts (`synthpipe run --dry-run`): requests, tokens and dollars per
stage and per model, from the recipe, its `prices` and the prompts it would render. No model is built
and nothing is sent or written.

- Prompt tokens: every planned generation prompt is rendered and counted (a stride sample of
  `SAMPLE_MAX` of them in a bigger plan, scaled up); the quality stages' and augmentation's prompts are
  rendered for the recipe's examples as stand-in records (placeholders when it has none) and averaged.
- Tokens are counted without a tokenizer (`synthpipe.prompts.budget`): one per CJK character and one per
  four other characters, plus 4 per message and 3 for the reply's header.
- Answer lengths, first that applies: the mean completion tokens per request of that stage and model in
  the previous manifest of the output directory; the mean of that model's answers in the response cache,
  when no other stage of the run asks the same model (the cache does not say which stage asked); else
  from the recipe: its examples as the JSON the model returns (the generated record, the agreement's
  answer, the rewritten parts), a verdict of scores and a reason of about `REASON_CHARS` characters
  (judge), a label (label check). A recipe without examples: the middle of `constraints.lengths`, else
  half of `max_tokens`. Never more than `max_tokens`.
- The quality stages are counted as if every candidate reached them, and augmentation of generated
  records as if every candidate were accepted: upper bounds, since a rejected record stops early. The
  judge's probe adds two requests per judge model. Answers a re-run finds in the cache cost nothing, so
  a resumed run costs less than its estimate.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Any

from synthpipe.backends._http import with_schema_instruction
from synthpipe.core.records import Meta, Record
from synthpipe.engine.models import cost_usd
from synthpipe.prompts.budget import prompt_tokens, text_tokens
from synthpipe.prompts.plan import Planner
from synthpipe.prompts.space import space_of
from synthpipe.recipe import Recipe
from synthpipe.tasks import get_task

SAMPLE_MAX = 50_000  # generation prompts rendered for the estimate; a bigger plan is sampled evenly
REASON_CHARS = {"en": 160, "zh": 60}  # a judge's reason: one or two sentences
MODEL_STAGES = ("generate", "augment", "agree", "judge")
TOKEN_RULE = (
    "tokens estimated without a tokenizer: 1 per CJK character, 1 per 4 other characters, "
    "+4 per message and +3 per reply"
)


@dataclass(slots=True)
class StageCost:
    """One stage's requests to one model: how many, their estimated tokens and cost, and where the
    answer length came from."""

    stage: str
    model: str
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    answers_from: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost_usd": self.cost_usd,
            "answers_from": self.answers_from,
        }


@dataclass
class Estimate:
    """The dry run of `recipe`: `rows` per stage and model; `plan` the plan space; `notes` the
    assumptions; `warnings` as a run would give them."""

    recipe: str
    planned: int
    rows: list[StageCost]
    plan: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def by_stage(self) -> dict[str, dict[str, dict[str, Any]]]:
        """{stage: {model: figures}}, the shape of the manifest's `usage_by_stage`."""
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for row in self.rows:
            out.setdefault(row.stage, {})[row.model] = row.to_json()
        return out

    def by_model(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for row in self.rows:
            into = out.setdefault(row.model, {"requests": 0, "prompt_tokens": 0, "completion_tokens": 0})
            for key in ("requests", "prompt_tokens", "completion_tokens"):
                into[key] += getattr(row, key)
            into["cost_usd"] = round(into.get("cost_usd", 0.0) + row.cost_usd, 6)
        return out

    @property
    def total_cost_usd(self) -> float:
        return round(sum(row.cost_usd for row in self.rows), 6)

    def to_json(self) -> dict[str, Any]:
        return {
            "recipe": self.recipe,
            "planned": self.planned,
            "plan": self.plan,
            "by_stage": self.by_stage(),
            "by_model": self.by_model(),
            "cost_usd": self.total_cost_usd,
            "warnings": self.warnings,
            "notes": self.notes,
        }

    def to_text(self) -> str:
        head = (
            "stage",
            "model",
            "requests",
            "prompt tok",
            "completion tok",
            "cost USD",
            "answer length from",
        )
        body = [
            (
                r.stage,
                r.model,
                f"{r.requests:,}",
                f"{r.prompt_tokens:,}",
                f"{r.completion_tokens:,}",
                f"{r.cost_usd:.4f}",
                r.answers_from,
            )
            for r in self.rows
        ]
        models = self.by_model()
        total = (
            "total",
            "",
            f"{sum(m['requests'] for m in models.values()):,}",
            f"{sum(m['prompt_tokens'] for m in models.values()):,}",
            f"{sum(m['completion_tokens'] for m in models.values()):,}",
            f"{self.total_cost_usd:.4f}",
            "",
        )
        table = [head, *body, total]
        widths = [max(len(row[i]) for row in table) for i in range(len(head))]
        right = {2, 3, 4, 5}

        def line(row: tuple[str, ...]) -> str:
            cells = [
                c.rjust(w) if i in right else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ]
            return "  ".join(cells).rstrip()

        lines = [
            f"dry run of {self.recipe}: {self.planned:,} candidates, no model built or asked, nothing written",
            f"plan space: {self.plan['distinct_prompts']:,} distinct prompts ({self.plan['factors']})",
            *(line(row) for row in table),
            "by model: "
            + "; ".join(
                f"{name} {m['requests']:,} requests, {m['prompt_tokens']:,}+{m['completion_tokens']:,} tokens, "
                f"${m['cost_usd']:.4f}"
                for name, m in models.items()
            ),
            *self.notes,
        ]
        return "\n".join(lines)


def estimate_run(
    recipe: Recipe,
    count: int,
    *,
    cache_path: Path | None = None,
    manifest: dict[str, Any] | None = None,
) -> Estimate:
    """The estimate of a run of `count` candidates (see the module doc). `cache_path`: a response cache
    to read answer lengths from (opened read-only); `manifest`: the output directory's last manifest."""
    from synthpipe.engine.presets import build_stages, run_stage_names
    from synthpipe.prompts.expand import pending_warning
    from synthpipe.risk import risk_warnings
    from synthpipe.sources.augment import plan_children, seed_records

    planner = Planner(recipe, check=True)  # a prompt too big for the model fails here, as in a run
    seeds = seed_records(recipe) if recipe.augment.on_seeds else []
    names = tuple(n for n in run_stage_names(recipe) if n in MODEL_STAGES)
    stages = {s.name: s for s in build_stages(names, recipe, parents={p.id: p for p in seeds})}
    standins = _standins(recipe, planner)
    rows: dict[tuple[str, str], _Row] = {}

    def row(stage: str, model: str, default_answer: str) -> _Row:
        return rows.setdefault((stage, model), _Row(stage, model, default_answer))

    # generate
    gen = row("generate", "generator", _generated_from(recipe))
    gen.add(count, _plan_prompt_tokens(planner, count), _generated_tokens(recipe))
    # augment: its derived records then go through the agreement and the judge too
    derived = 0
    augment = stages.get("augment")
    if augment is not None:
        for parents, scale, why in _augment_parents(recipe, seeds, standins, count):
            for parent in parents:
                for req in augment.planned_requests(parent):  # type: ignore[attr-defined]
                    tokens = prompt_tokens(_as_sent(recipe, req.model, req.messages, None))
                    row("augment", req.model, why).add(scale, tokens * scale, req.completion_tokens)
            derived += round(len(plan_children(recipe, parents)) * scale)
    reaching = count + derived
    agree = stages.get("agree")
    if agree is not None:
        _agreement(recipe, agree, standins, reaching, row)
    judge = stages.get("judge")
    if judge is not None:
        _judge(recipe, judge, standins, reaching, row)

    _answer_lengths(recipe, list(rows.values()), cache_path, manifest)
    out = [r.finish(recipe) for r in rows.values()]
    space = space_of(planner)
    notes = [TOKEN_RULE + "."]
    if agree is not None or judge is not None:
        notes.append(
            f"quality stages counted as if all {reaching:,} records reached them: an upper bound, since a "
            "rejected record stops early"
            + ("; the judge's probe adds 2 requests per judge model" if judge is not None else "")
            + "."
        )
    if recipe.augment.on_generated:
        notes.append("augmentation of generated records counted as if every candidate were accepted.")
    done = int((manifest or {}).get("counts", {}).get("attempted", 0))
    if done:
        notes.append(
            f"the output directory holds {done:,} finished records: a run skips them and answers what its "
            "cache holds for free, so it costs less than this."
        )
    if not any(recipe.models[r.model].prices.input or recipe.models[r.model].prices.output for r in out):
        notes.append(
            "no model has `prices` in the recipe, so every cost is 0: set models.<name>.prices: "
            "{input: …, output: …} in USD per million tokens."
        )
    return Estimate(
        recipe=recipe.name,
        planned=count,
        rows=out,
        plan={**space.to_json(), "factors": space.factors()},
        warnings=[*risk_warnings(recipe), *(w for w in [space.warning(count), pending_warning(recipe)] if w)],
        notes=notes,
    )


@dataclass(slots=True)
class _Row:
    stage: str
    model: str
    answers_from: str
    requests: float = 0
    prompt: float = 0
    completion: float = 0  # tokens over all requests, from the recipe
    measured: float | None = None  # mean completion tokens per request, from a manifest or the cache

    def add(self, requests: float, prompt: float, completion_each: float) -> None:
        self.requests += requests
        self.prompt += prompt
        self.completion += requests * completion_each

    def finish(self, recipe: Recipe) -> StageCost:
        spec = recipe.models[self.model]
        each = self.measured if self.measured is not None else self.completion / max(self.requests, 1)
        completion = round(min(each, spec.max_tokens) * self.requests)
        prompt = round(self.prompt)
        return StageCost(
            stage=self.stage,
            model=self.model,
            requests=round(self.requests),
            prompt_tokens=prompt,
            completion_tokens=completion,
            cost_usd=cost_usd(prompt, completion, spec),
            answers_from=self.answers_from,
        )


def _as_sent(
    recipe: Recipe, model: str, messages: list[dict[str, str]], schema: dict[str, Any] | None
) -> Any:
    """The messages as the backend sends them: the "prompt" dialect adds the schema in words."""
    if schema is not None and recipe.models[model].structured == "prompt":
        return with_schema_instruction(messages, schema)
    return messages


def _plan_prompt_tokens(planner: Planner, count: int) -> float:
    """Prompt tokens of candidates 0..count-1: each distinct prompt counted once and multiplied."""
    step = max(1, -(-count // SAMPLE_MAX))
    seen: dict[str, int] = {}
    total = 0
    indices = range(0, count, step)
    for i in indices:
        item = planner.item(i)
        tokens = seen.get(item.prompt_hash)
        if tokens is None:
            sent = _as_sent(planner.recipe, "generator", item.messages, item.schema)
            tokens = seen[item.prompt_hash] = prompt_tokens(sent)
        total += tokens
    return total * count / len(indices)


def _standins(recipe: Recipe, planner: Planner) -> list[Record]:
    """Records that stand for what the run will make: the recipe's examples (each shown the passage it
    would have been planned with), else the placeholders `synthpipe prompts` shows."""
    from synthpipe.stages.describe import sample_record

    kind = get_task(recipe.task)
    docs = len(planner.docs)
    out = []
    for j, ex in enumerate(recipe.examples):
        fields = {k: v for k, v in ex.items() if k in kind.fields}
        plan = {"passage": j % docs} if docs else {}
        out.append(Record(id=f"example-{j}", fields=fields, meta=Meta(task=recipe.task, plan=plan)))
    return out or [sample_record(recipe)]


def _json_tokens(obj: Any) -> int:
    return text_tokens(json.dumps(obj, ensure_ascii=False))


def _generated_from(recipe: Recipe) -> str:
    if recipe.examples:
        return f"recipe examples ({len(recipe.examples)})"
    if _length_fields(recipe):
        return "constraints.lengths"
    return "half of max_tokens"


def _length_fields(recipe: Recipe) -> dict[str, tuple[int, int]]:
    kind = get_task(recipe.task)
    return {k: v for k, v in recipe.constraints.lengths.items() if k in kind.fields}


def _generated_tokens(recipe: Recipe) -> float:
    """Tokens of one generated record, as the JSON object the model returns."""
    kind = get_task(recipe.task)
    if recipe.examples:
        return mean(_json_tokens({k: ex[k] for k in kind.fields if k in ex}) for ex in recipe.examples)
    lengths = _length_fields(recipe)
    if lengths:
        per_char = 1.0 if recipe.language == "zh" else 0.25
        return sum((lo + hi) / 2 * per_char + 4 for lo, hi in lengths.values())
    return recipe.models["generator"].max_tokens / 2


def _augment_parents(
    recipe: Recipe, seeds: list[Record], standins: list[Record], count: int
) -> list[tuple[list[Record], float, str]]:
    """(parents, how many times each counts, where the answer size comes from): the seeds as they are;
    for generated records, the stand-ins scaled to every candidate."""
    out = []
    if seeds:
        out.append((seeds, 1.0, "parts of the seed examples"))
    if recipe.augment.on_generated:
        parents = [
            Record(id=f"standin-{j}", fields=dict(r.fields), meta=Meta(task=recipe.task, plan=r.meta.plan))
            for j, r in enumerate(standins)
        ]
        out.append((parents, count / len(parents), "parts of the recipe examples"))
    return out


def _agreement(recipe: Recipe, stage: Any, standins: list[Record], reaching: int, row: Any) -> None:
    from synthpipe.stages.agree import ANSWER_SCHEMA, answer_messages, label_messages, label_schema

    kind = get_task(recipe.task)
    model = stage.model_name
    if stage.by_label:
        schema = label_schema(list(recipe.labels))
        prompts = [label_messages(recipe, r) for r in standins]
        answers = [
            _json_tokens({"label": str(r.fields.get(kind.label_field or "label", ""))}) for r in standins
        ]
        source = "a label"
    else:
        schema = ANSWER_SCHEMA
        prompts = [answer_messages(recipe, r) for r in standins]
        answers = [_json_tokens({"answer": kind.answer_text(r.fields)}) for r in standins]
        source = "answers of the recipe examples" if recipe.examples else "placeholders"
    each = mean(prompt_tokens(_as_sent(recipe, model, m, schema)) for m in prompts)
    row(stage.usage_name, model, source).add(reaching, reaching * each, mean(answers))


def _judge(recipe: Recipe, stage: Any, standins: list[Record], reaching: int, row: Any) -> None:
    from synthpipe.stages.judge import judge_messages, probe_messages

    criteria, schema = stage.criteria, stage.schema
    chars = REASON_CHARS.get(recipe.language, REASON_CHARS["en"])
    reason = ("好" if recipe.language == "zh" else "x") * chars  # counted as text of that language
    verdict = _json_tokens({**dict.fromkeys(criteria, 4), "reason": reason})
    probes = [m for m in (probe_messages(recipe, criteria, w) for w in ("good", "bad")) if m is not None]
    for model in stage.model_names:
        each = mean(
            prompt_tokens(_as_sent(recipe, model, judge_messages(recipe, rec, criteria), schema))
            for rec in standins
        )
        r = row("judge", model, f"a verdict with a reason of ~{chars} characters")
        r.add(reaching, reaching * each, verdict)
        for messages in probes:
            r.add(1, prompt_tokens(_as_sent(recipe, model, messages, schema)), verdict)


def _answer_lengths(
    recipe: Recipe, rows: list[_Row], cache_path: Path | None, manifest: dict[str, Any] | None
) -> None:
    """Answer lengths measured before, where there are any: the manifest's per stage and model, else the
    cache's per model (only for a model no other stage asks)."""
    usage = (manifest or {}).get("usage_by_stage") or {}
    models_of = {}
    for r in rows:
        models_of.setdefault(recipe.models[r.model].model, set()).add(r.stage)
    cached = _cache_means(cache_path, list(models_of)) if cache_path is not None else {}
    for r in rows:
        seen = (usage.get(r.stage) or {}).get(r.model) or {}
        if int(seen.get("requests", 0)) > 0:
            r.measured = int(seen.get("completion_tokens", 0)) / int(seen["requests"])
            r.answers_from = f"last run's answers ({int(seen['requests']):,})"
            continue
        name = recipe.models[r.model].model
        if name in cached and len(models_of[name]) == 1:
            n, avg = cached[name]
            r.measured = avg
            r.answers_from = f"cached answers of {name} ({n:,})"


def _cache_means(path: Path, models: list[str]) -> dict[str, tuple[int, float]]:
    """{model: (answers, mean completion tokens)} of a response cache, read-only; {} when unreadable."""
    if not path.is_file():
        return {}
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return {}
    try:
        marks = ",".join("?" * len(models))
        found = db.execute(
            "SELECT model, count(*), avg(json_extract(value, '$.completion_tokens')) FROM responses "
            f"WHERE model IN ({marks}) AND json_extract(value, '$.completion_tokens') > 0 GROUP BY model",
            models,
        ).fetchall()
    except sqlite3.Error:
        return {}
    finally:
        db.close()
    return {model: (int(n), float(avg)) for model, n, avg in found if n}
