"""Judge an existing data file: rule checks, then the recipe's quality stages (grounding, agreement,
judge), written as accepted / rejected / failed / manifest like `check` does, all or nothing.

Model answers go to OUT/cache.sqlite as they arrive, so an interrupted or repeated run asks the model
only for what it has not answered yet."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synthpipe import __version__
from synthpipe.backends import Backend, make_backend
from synthpipe.cache import CachedModel, ResponseCache
from synthpipe.core.errors import BackendError, InputFileError, UsageError
from synthpipe.core.records import Record
from synthpipe.recipe import Recipe
from synthpipe.sinks.rundir import OutputSet
from synthpipe.sources.files import read_records
from synthpipe.stages.judge import criteria_for
from synthpipe.stages.quality import build_quality_stages
from synthpipe.stages.rules import RuleChecker, label_balance

OUTPUTS = ("accepted.jsonl", "rejected.jsonl", "failed.jsonl", "manifest.json")
OWN_STAGES = {"rules", "ground", "agree", "judge"}  # reasons a re-judged file gets afresh


@dataclass(slots=True)
class JudgeResult:
    out_dir: Path
    manifest: dict[str, Any]
    accepted: list[Record] = field(default_factory=list)
    rejected: list[Record] = field(default_factory=list)
    failed: list[Record] = field(default_factory=list)


def default_out_dir(path: Path) -> Path:
    return path.with_name(path.stem + ".judged")


def judge_file(
    path: str | Path,
    recipe: Recipe,
    out_dir: str | Path | None = None,
    *,
    language: str | None = None,
    threshold: float | None = None,
    backends: dict[str, Backend] | None = None,
    use_cache: bool = True,
) -> JudgeResult:
    """Check and judge every record of `path` under `recipe` (its task, labels, sources, models).
    `language` None checks each record against its instruction's language; `backends` replaces models
    by name (tests)."""
    return asyncio.run(
        ajudge_file(
            path,
            recipe,
            out_dir,
            language=language,
            threshold=threshold,
            backends=backends,
            use_cache=use_cache,
        )
    )


async def ajudge_file(
    path: str | Path,
    recipe: Recipe,
    out_dir: str | Path | None = None,
    *,
    language: str | None = None,
    threshold: float | None = None,
    backends: dict[str, Backend] | None = None,
    use_cache: bool = True,
) -> JudgeResult:
    src = Path(path)
    records = list(read_records(src, recipe.task))
    if not records:
        raise InputFileError(str(src), "no records in the file", "give a JSONL file with one record per line")
    out = Path(out_dir) if out_dir else default_out_dir(src)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a folder — give another --out")
    checker = RuleChecker(
        recipe.task,
        language,
        recipe.labels,
        recipe.rounds,
        recipe.constraints,
        recipe.checks,
        source=recipe.path or str(src),
    )
    given = dict(backends or {})
    needed = list(
        dict.fromkeys(
            [
                *(recipe.judge.models if recipe.judge.enabled else []),
                *([recipe.agreement.model] if recipe.agreement.enabled else []),
            ]
        )
    )
    # every backend is built before anything is written: a missing model or key fails cleanly
    built = {name: given.get(name) or make_backend(recipe.models[name]) for name in needed}
    out.mkdir(parents=True, exist_ok=True)
    cache = ResponseCache(out / "cache.sqlite")
    models: dict[str, CachedModel] = {}

    def get_model(name: str) -> CachedModel:
        if name not in models:
            models[name] = CachedModel(
                built.get(name) or make_backend(recipe.models[name]), cache, use_cache, name
            )
        return models[name]

    started = time.time()
    try:
        stages = build_quality_stages(recipe, get_model, threshold)
        outcomes: list[str] = [""] * len(records)

        async def one(i: int) -> None:
            rec = records[i]
            rec.meta.reasons = [r for r in rec.meta.reasons if r.stage not in OWN_STAGES]
            rec.meta.flags = [r for r in rec.meta.flags if r.stage not in OWN_STAGES]
            rec.meta.reasons.extend(checker.check(rec))
            try:
                for stage in stages:
                    if not rec.ok:
                        break
                    await stage(rec)
            except BackendError as exc:
                rec.meta.error = f"{type(exc).__name__}: {exc}"
                outcomes[i] = "failed"
                return
            outcomes[i] = "accepted" if rec.ok else "rejected"

        todo = iter(range(len(records)))

        async def worker() -> None:
            for i in todo:
                await one(i)

        width = max([1, *(m.backend.max_in_flight for m in models.values())])
        await asyncio.gather(*(worker() for _ in range(min(width, len(records)))))
    finally:
        for m in models.values():
            await m.backend.aclose()
        cache.close()
    result = JudgeResult(out, {})
    for rec, outcome in zip(records, outcomes, strict=True):
        getattr(result, outcome).append(rec)
    result.manifest = _manifest(src, recipe, language, threshold, checker, result, models, started)
    _write(out, result)
    return result


def _manifest(
    src: Path,
    recipe: Recipe,
    language: str | None,
    threshold: float | None,
    checker: RuleChecker,
    result: JudgeResult,
    models: dict[str, CachedModel],
    started: float,
) -> dict[str, Any]:
    reasons: Counter[str] = Counter()
    by_stage: dict[str, Counter[str]] = {}
    flags: Counter[str] = Counter()
    for rec in result.rejected:
        for r in rec.meta.reasons:
            reasons[r.code] += 1
            by_stage.setdefault(r.stage or "other", Counter())[r.code] += 1
    for rec in result.accepted + result.rejected:
        flags.update(f.code for f in rec.meta.flags)
    if result.failed:
        reasons["error"] = len(result.failed)
    scores = [
        r.meta.scores["overall"]
        for r in result.accepted + result.rejected
        if isinstance(r.meta.scores.get("overall"), int | float)
    ]
    n = {k: len(getattr(result, k)) for k in ("accepted", "rejected", "failed")}
    manifest: dict[str, Any] = {
        "command": "judge",
        "input": str(src),
        "recipe": recipe.name,
        "recipe_path": recipe.path or None,
        "task": recipe.task,
        "language": language or "auto (the instruction's)",
        "labels": list(recipe.labels) or None,
        "counts": {"attempted": sum(n.values()), **n},
        "reasons": dict(reasons.most_common()),
        "reasons_by_stage": {k: dict(v.most_common()) for k, v in by_stage.items()},
        "flags": dict(flags.most_common()),
        "judge": {
            "models": recipe.judge.models,
            "aggregation": recipe.judge.aggregation,
            "threshold": recipe.judge.threshold if threshold is None else threshold,
            "criteria": criteria_for(recipe),
            "mean_overall": round(sum(scores) / len(scores), 3) if scores else None,
        }
        if recipe.judge.enabled
        else None,
        "grounding": recipe.grounding.model_dump()
        if recipe.source_texts and recipe.grounding.enabled
        else None,
        "agreement": recipe.agreement.model_dump() if recipe.agreement.enabled else None,
        "disabled": sorted(checker.disabled),
        "models": {name: _public_model(recipe, name) for name in models},
        "usage": {
            name: {
                "requests": m.calls,
                "cache_hits": m.hits,
                "prompt_tokens": m.prompt_tokens,
                "completion_tokens": m.completion_tokens,
            }
            for name, m in models.items()
        },
        "outputs": list(OUTPUTS),
        "synthpipe_version": __version__,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "seconds": round(time.time() - started, 3),
    }
    if recipe.task == "classify":
        manifest["label_balance"] = label_balance(result.accepted, recipe.labels)
    return {k: v for k, v in manifest.items() if v is not None}


def _public_model(recipe: Recipe, name: str) -> dict[str, Any]:
    spec = recipe.models[name]
    keep = {"backend", "model", "base_url", "api_key_env", "temperature", "max_tokens"}
    return {k: v for k, v in spec.model_dump(include=keep).items() if v is not None}


def _write(out: Path, result: JudgeResult) -> None:
    with OutputSet(out, OUTPUTS) as files:
        files.write_records("accepted.jsonl", result.accepted)
        files.write_records("rejected.jsonl", result.rejected)
        files.write_records("failed.jsonl", result.failed)
        files.write_json("manifest.json", result.manifest)
        files.commit()
