"""LLM judge: a rubric scored 1–5 per criterion under a JSON schema, by one or more judge models.

Each judge returns an integer per criterion and a short reason; a judge's overall is the mean of its
criteria (computed here, not asked for: small models do not average reliably). Several judges are
combined per `judge.aggregation`:
- mean: the mean of the judges' overalls must reach the threshold;
- min: every judge's overall must reach it (the strictest judge decides);
- majority: more than half of the judges must reach it; a tie is settled by the mean.
The criteria are the recipe's, plus `task` (points specific to the task kind and `judge.task_points`)
and, when the recipe has source documents, `faithfulness` to the source shown in the prompt.

A judge whose answer cannot be read is dropped from the vote with a `judge_unparseable` flag and its raw
text kept in meta.extra["judge_raw"]; when no judge can be read the record is rejected with that code.

Before the first record each judge model is probed (`synthpipe.stages.judge_probe`) with a known-good and
an obviously wrong record. Under `judge.on_unreliable: flag` (the default) a judge that fails is asked as
before, its scores kept, but it is left out of the vote; when no judge that passed has answered, the
record keeps its scores and gets a `judge_unreliable` flag instead of a `judge_low_score` rejection.
Under `reject` every judge votes as before. Either way a failed probe is a warning, and the probe's
scores go to manifest["stages"]["judge"]["probe"]. A judge that gives every one of `SAME_SCORE_MIN` or
more records the same overall score is a warning too.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from statistics import mean
from typing import TYPE_CHECKING, Any

from synthpipe.backends import options_from_spec
from synthpipe.backends.base import Messages
from synthpipe.core.errors import RecipeError
from synthpipe.core.records import Record
from synthpipe.prompts.render import render_template
from synthpipe.stages.base import ModelStage, StageContext
from synthpipe.stages.context import record_parts, source_passage
from synthpipe.stages.judge_probe import ProbeResult, probe_pair, probe_result
from synthpipe.tasks import ParseError, get_task, load_json_object

if TYPE_CHECKING:
    from synthpipe.recipe import Recipe

STAGE = "judge"
SCORES = [1, 2, 3, 4, 5]
SAME_SCORE_MIN = 5  # judged records from one judge, all with one overall score, that make a warning
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")


def criteria_for(recipe: Recipe) -> list[str]:
    names = list(dict.fromkeys([*recipe.judge.criteria, "task"]))
    if recipe.source_texts and "faithfulness" not in names:
        names.append("faithfulness")
    for i, name in enumerate(recipe.judge.criteria):
        if not _NAME.match(name) or name in ("reason", "overall"):
            raise RecipeError(
                recipe.path or recipe.name,
                f"criterion {name!r} cannot be a JSON score key",
                "use a short snake_case name other than reason/overall",
                field=f"judge.criteria[{i}]",
            )
    return names


def judge_schema(criteria: list[str]) -> dict[str, Any]:
    # Scores first and the reason last: a reply cut off by max_tokens then still holds every score.
    props: dict[str, Any] = {c: {"type": "integer", "enum": SCORES} for c in criteria}
    props["reason"] = {"type": "string"}
    return {
        "type": "object",
        "properties": props,
        "required": [*criteria, "reason"],
        "additionalProperties": False,
    }


def judge_prompt(
    language: str,
    task: str,
    parts: list[tuple[str, str]],
    criteria: list[str],
    *,
    description: str = "",
    role: str = "",
    constraints: dict[str, Any] | None = None,
    labels: list[str] | tuple[str, ...] = (),
    task_points: list[str] | tuple[str, ...] = (),
    source: str = "",
) -> Messages:
    user = render_template(
        language,
        "judge",
        task=task,
        description=description,
        role=role,
        constraints=constraints or {"tone": None, "style": None},
        labels=list(labels),
        criteria=criteria,
        task_points=list(task_points),
        source=source,
        parts=parts,
    )
    return [{"role": "user", "content": user}]


def judge_messages(recipe: Recipe, rec: Record, criteria: list[str]) -> Messages:
    return judge_prompt(
        recipe.language,
        rec.task,
        record_parts(rec),
        criteria,
        description=recipe.description,
        role=recipe.role,
        constraints=recipe.constraints.model_dump(),
        labels=recipe.labels if get_task(rec.task).label_field else [],
        task_points=recipe.judge.task_points,
        source=source_passage(recipe.source_texts, rec),
    )


def probe_messages(recipe: Recipe, criteria: list[str], which: str) -> Messages | None:
    """The judge prompt for the `good` or `bad` probe record of the recipe's task, in its language, under
    the recipe's criteria but the probe's own context (None: the kind has no probe records)."""
    pair = probe_pair(recipe.task, recipe.language)
    if pair is None:
        return None
    fields = pair.good if which == "good" else pair.bad
    return judge_prompt(
        recipe.language,
        recipe.task,
        get_task(recipe.task).parts(fields),
        criteria,
        description=pair.description,
        labels=pair.labels,
        source=pair.source if "faithfulness" in criteria else "",
    )


def _score(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not re.fullmatch(r"[1-5](?:\.0+)?", value):
            return None
        value = float(value)
    if isinstance(value, int | float) and 1 <= value <= 5 and float(value).is_integer():
        return int(value)
    return None


def parse_verdict(text: str, criteria: list[str]) -> dict[str, Any]:
    """{criterion: int, ..., "reason": str}, or ParseError. A reply truncated inside the reason is kept
    when every score is already there."""
    try:
        obj = load_json_object(text)
    except ParseError:
        obj = {}
        for c in criteria:
            m = re.search(rf'"{re.escape(c)}"\s*:\s*"?([1-5])\b', text)
            if m:
                obj[c] = int(m.group(1))
        if len(obj) < len(criteria):
            raise ParseError("judge_unparseable", "not a JSON object with the scores") from None
        m = re.search(r'"reason"\s*:\s*"((?:[^"\\]|\\.)*)', text)
        obj["reason"] = (m.group(1) if m else "") + " …"
    out: dict[str, Any] = {}
    for c in criteria:
        s = _score(obj.get(c))
        if s is None:
            got = json.dumps(obj.get(c), ensure_ascii=False)[:20] if c in obj else "nothing"
            raise ParseError("judge_unparseable", f"{c}: expected an integer 1-5, got {got}")
        out[c] = s
    reason = obj.get("reason")
    out["reason"] = reason.strip()[:500] if isinstance(reason, str) else ""
    out["overall"] = round(mean(out[c] for c in criteria), 3)
    return out


def aggregate(
    verdicts: dict[str, dict[str, Any]], criteria: list[str], how: str, threshold: float
) -> tuple[dict[str, Any], bool]:
    """Combine the judges' verdicts into the record's judge scores and a pass/fail decision."""
    overalls = [v["overall"] for v in verdicts.values()]
    pick = min if how == "min" else mean
    combined: dict[str, Any] = {c: round(pick(v[c] for v in verdicts.values()), 3) for c in criteria}
    combined["overall"] = round(pick(overalls), 3)
    if how == "majority":
        yes = sum(o >= threshold for o in overalls)
        passed = yes * 2 > len(overalls) or (yes * 2 == len(overalls) and combined["overall"] >= threshold)
        combined["votes"] = f"{yes}/{len(overalls)}"
    else:
        passed = combined["overall"] >= threshold
    worst = min(verdicts.items(), key=lambda kv: kv[1]["overall"])
    combined["reason"] = worst[1]["reason"]
    combined["aggregation"] = how
    combined["by_model"] = verdicts
    return combined, passed


class JudgeStage(ModelStage):
    """Scores a record with every judge model; rejects `judge_low_score` below `threshold`, unless the
    judges that answered all failed the probe (then `judge_unreliable` flags, see the module doc)."""

    name = STAGE

    def __init__(self, recipe: Recipe, threshold: float | None = None) -> None:
        self.recipe = recipe
        self.cfg = recipe.judge
        self.threshold = self.cfg.threshold if threshold is None else threshold
        self.criteria = criteria_for(recipe)
        self.schema = judge_schema(self.criteria)
        self.options = {name: options_from_spec(recipe.models[name]) for name in self.cfg.models}
        self.model_names = tuple(self.cfg.models)
        self.probe: dict[str, ProbeResult] = {}
        self.voters: tuple[str, ...] = self.model_names  # judges whose scores may reject
        self._warn: Callable[[str], None] = lambda message: None
        self._seen: dict[str, tuple[int, set[float]]] = {}  # judge -> (records scored, distinct overalls)

    @classmethod
    def from_recipe(cls, recipe: Recipe, threshold: float | None = None, **_: Any) -> JudgeStage | None:
        """None unless `judge.enabled`; `threshold` overrides `judge.threshold` (the judge command's)."""
        return cls(recipe, threshold) if recipe.judge.enabled else None

    async def open(self, ctx: StageContext) -> None:
        self.models = {name: self.use_model(ctx.get_model(name)) for name in self.cfg.models}
        self._warn = ctx.warn
        self.probe = await self._run_probe()
        failed = [name for name, p in self.probe.items() if p.passed is False]
        if self.cfg.on_unreliable == "flag":
            self.voters = tuple(name for name in self.model_names if name not in failed)
        for name in failed:
            self._warn(self._probe_warning(name))

    async def _run_probe(self) -> dict[str, ProbeResult]:
        good, bad = (probe_messages(self.recipe, self.criteria, which) for which in ("good", "bad"))
        if good is None or bad is None:
            why = f"no probe records for task {self.recipe.task}: the judge is not checked"
            return {name: ProbeResult(None, None, None, why) for name in self.models}
        asks = [(name, messages) for name in self.models for messages in (good, bad)]
        answers = await asyncio.gather(*(self._ask(name, messages) for name, messages in asks))
        overall = [v["overall"] if isinstance(v, dict) else None for _, v in answers]
        return {
            name: probe_result(overall[2 * i], overall[2 * i + 1], self.threshold)
            for i, name in enumerate(self.models)
        }

    def _action(self, name: str) -> str:
        """What the judge's scores do: reject (passed, unchecked or on_unreliable: reject), left_out of the
        vote (failed; another judge passed) or flag (failed, and so did every other judge)."""
        if name in self.voters:
            return "reject"
        return "left_out" if self.voters else "flag"

    def _probe_warning(self, name: str) -> str:
        p = self.probe[name]
        what = {
            "reject": "its low scores still reject (judge.on_unreliable: reject)",
            "left_out": "it is left out of the vote, the judges that passed decide",
            "flag": "its low scores flag records (judge_unreliable) instead of rejecting them; set "
            "judge.on_unreliable: reject in the recipe (`judge --recipe`) to reject anyway",
        }[self._action(name)]
        return (
            f"judge `{name}` ({self.models[name].model}) failed the probe on a known-good and an obviously "
            f"wrong {self.recipe.task} record ({p.why}): it cannot tell good records from bad ones, so "
            f"{what} — use a stronger judge model"
        )

    async def close(self) -> dict[str, Any]:
        for name, (n, distinct) in self._seen.items():
            if n >= SAME_SCORE_MIN and len(distinct) == 1:
                self._warn(
                    f"judge `{name}` gave all {n} records the same overall score {next(iter(distinct)):g}: "
                    "it is not telling them apart — read a few by hand, or use a stronger judge model"
                )
        return {
            "models": list(self.cfg.models),
            "aggregation": self.cfg.aggregation,
            "threshold": self.threshold,
            "criteria": self.criteria,
            "on_unreliable": self.cfg.on_unreliable,
            "probe": {name: p.to_json(self._action(name)) for name, p in self.probe.items()},
        }

    async def _ask(self, name: str, messages: Messages) -> tuple[str, dict[str, Any] | str]:
        completion = await self.models[name].chat(messages, self.schema, self.options[name])
        try:
            return name, parse_verdict(completion.text, self.criteria)
        except ParseError as exc:
            return name, f"{exc.detail} — raw: {completion.text[:2000]}"

    def _note(self, verdicts: dict[str, dict[str, Any]]) -> None:
        for name, v in verdicts.items():
            n, distinct = self._seen.get(name, (0, set()))
            if len(distinct) < 2:
                distinct.add(v["overall"])
            self._seen[name] = (n + 1, distinct)

    async def apply(self, rec: Record) -> None:
        messages = judge_messages(self.recipe, rec, self.criteria)
        answers = await asyncio.gather(*(self._ask(name, messages) for name in self.models))
        verdicts = {name: v for name, v in answers if isinstance(v, dict)}
        failed = {name: v for name, v in answers if isinstance(v, str)}
        if failed:
            rec.meta.extra["judge_raw"] = failed
        if not verdicts:
            self.reject(
                rec,
                "judge_unparseable",
                "; ".join(f"{n}: {v.split(' — raw:')[0]}" for n, v in failed.items()),
            )
            return
        for name in failed:
            self.flag(rec, "judge_unparseable", f"judge {name} unreadable, left out of the vote")
        self._note(verdicts)
        trusted = {name: v for name, v in verdicts.items() if name in self.voters}
        scores, passed = aggregate(trusted or verdicts, self.criteria, self.cfg.aggregation, self.threshold)
        if trusted and len(trusted) < len(verdicts):
            scores["by_model"] = verdicts
            scores["left_out"] = [name for name in verdicts if name not in trusted]
        rec.meta.scores["judge"] = scores
        rec.meta.scores["overall"] = scores["overall"]
        if not trusted:
            probes = ", ".join(f"{n} good {self.probe[n].good} / bad {self.probe[n].bad}" for n in verdicts)
            verdict = (
                "passes" if passed else f"overall {scores['overall']:.2f} < {self.threshold:g}, not rejected"
            )
            self.flag(rec, "judge_unreliable", f"{verdict}: the judge failed the probe ({probes})")
        elif not passed:
            votes = f", votes {scores['votes']}" if "votes" in scores else ""
            self.reject(
                rec,
                "judge_low_score",
                f"overall {scores['overall']:.2f} < {self.threshold:g} ({self.cfg.aggregation} of "
                f"{', '.join(trusted)}{votes}): {scores['reason'] or 'no reason given'}",
            )
