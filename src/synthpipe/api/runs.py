"""`synthpipe.run`: plan -> generate -> parse -> rules -> ground -> agree -> judge -> dedup -> sample."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from synthpipe.api.executor import attach_executor, pick_executor, refuse_target
from synthpipe.api.inputs import RecipeLike, as_recipe, check_key_env
from synthpipe.backends import Backend
from synthpipe.core.errors import UsageError
from synthpipe.engine.job import Job, Result
from synthpipe.recipe import Recipe


def default_out_dir(recipe: Recipe) -> Path:
    return Path(recipe.output_dir or f"runs/{recipe.name}")


def with_generator(
    recipe: Recipe,
    model: str | None = None,
    base_url: str | None = None,
    api_key_env: str | None = None,
    max_in_flight: int | None = None,
) -> Recipe:
    """The recipe with its generator pointed at an OpenAI-compatible server, or only its concurrency or
    key variable changed; a new recipe, the given one is left as it was."""
    if not (model or base_url):
        if api_key_env or max_in_flight:
            return recipe.with_model("generator", api_key_env=api_key_env, max_in_flight=max_in_flight)
        return recipe
    if not (model and base_url):
        raise UsageError("--model and --base-url go together — give both to use an OpenAI-compatible server")
    old = recipe.models["generator"]
    spec = {
        "backend": "openai",
        "model": model,
        "base_url": base_url,
        "api_key_env": api_key_env,
        "max_in_flight": max_in_flight or 64,
        **old.model_dump(mode="json", include={"temperature", "top_p", "max_tokens", "seed", "stop"}),
    }
    models = {k: v.model_dump(mode="json") for k, v in recipe.models.items()}
    models["generator"] = spec
    return recipe.replace(models=models)


def _generated_done(sink: Any, done: set[str]) -> int:
    """Finished candidates among `done`: derived records (augmentation) are not candidates."""
    derived = sum(1 for o in ("accepted", "rejected", "failed") for r in sink.records(o) if r.meta.parent_id)
    return len(done) - derived


def _more_than_planned(out: Path | None, done: int, n: int) -> list[str]:
    """A re-run with a smaller count keeps what earlier runs finished: say so, rather than count more
    records than planned without a word."""
    if out is None or done <= n:
        return []
    return [
        f"{out} already holds {done} finished candidates, more than the {n} planned now: they stay in "
        f"the output and its counts; to keep only {n}, write to a new --out"
    ]


def _more_than_target(out: Path | None, accepted: int, n: int) -> list[str]:
    if out is None or accepted <= n:
        return []
    return [
        f"{out} already holds {accepted} accepted records, more than the target of {n}: they stay; "
        f"to keep only {n}, write to a new --out"
    ]


def _tokens_and_cost(usage: dict[str, dict[str, Any]]) -> tuple[int, float]:
    """Tokens of the requests sent and their cost, over every model of `usage`."""
    tokens = sum(u["prompt_tokens"] + u["completion_tokens"] for u in usage.values())
    return tokens, round(sum(u["cost_usd"] for u in usage.values()), 6)


def run(recipe: RecipeLike, out: str | Path | None = None, **options: Any) -> Result:
    """Generate, check and keep training data for `recipe`.

    With `out`, records are appended to OUT/accepted.jsonl, rejected.jsonl and failed.jsonl as they are
    decided, with manifest.json, review_sample.jsonl, report.html and the response cache; the same call
    again resumes, asking the model only for what it has not answered. Without `out` nothing is written
    and answers are cached in memory for this call only (unless `cache` names a file).

    Options: `count`, or `accepted` (plan candidates until that many are accepted, within the budgets
    `max_candidates`, `max_tokens`, `max_cost`; see `synthpipe.engine.target`), `cache`, `use_cache`, `force` (start OUT over when it holds another recipe's
    data), `retry_failed`, `model`/`base_url`/`api_key_env`/`max_in_flight` (point the generator at an
    OpenAI-compatible server, or change its concurrency), `backends` (replace models by name: tests,
    custom clients), `progress`, `on_warning`, `workers` (processes for the rule checks and grounding;
    default: one per spare core for runs of a few thousand records or more, 0 for none; with
    `executor="ray"`, Ray workers), `executor` ("local" or "ray"), `address` (with Ray: "auto",
    "ray://HOST:PORT"; default: a local Ray), `pool` (a pool
    directory: the accepted records are added to it when the run ends, as `synthpipe pool add` does;
    default: the recipe's `pool:`)."""
    executor = pick_executor(options)
    recipe, pool = _with_pool(recipe, out, options.pop("pool", None))
    _fixed_count(executor, recipe, options)
    job, source, total, done = prepare_run(recipe, out, **options)
    return _into_pool(attach_executor(job, executor).run(source, total, done), out, pool)


async def arun(recipe: RecipeLike, out: str | Path | None = None, **options: Any) -> Result:
    """`run` inside an event loop that is already running."""
    executor = pick_executor(options)
    recipe, pool = _with_pool(recipe, out, options.pop("pool", None))
    _fixed_count(executor, recipe, options)
    job, source, total, done = prepare_run(recipe, out, **options)
    return _into_pool(await attach_executor(job, executor).arun(source, total, done), out, pool)


def _fixed_count(executor: Any, recipe: Recipe, options: dict[str, Any]) -> None:
    """An executor runs a fixed number of candidates: a target (`--accepted`, the recipe's `accepted:`)
    is refused before the output is opened."""
    wants = options.get("accepted") is not None or (options.get("count") is None and recipe.accepted)
    if executor is not None and wants:
        refuse_target()


def _with_pool(recipe: RecipeLike, out: str | Path | None, pool: str | Path | None) -> tuple[Recipe, Any]:
    """The recipe, and the pool its accepted records go to (checked now: a wrong pool fails before any
    request, not after the run)."""
    from synthpipe.pool import Pool

    recipe = as_recipe(recipe)
    where = pool if pool is not None else recipe.pool
    if where is None:
        return recipe, None
    path = Path(where)
    if pool is None and not path.is_absolute() and recipe.base_dir:
        path = Path(recipe.base_dir) / path
    if out is None:
        raise UsageError("a pool takes the records of a run directory: give the run an output directory")
    return recipe, Pool(path)


def _into_pool(result: Result, out: str | Path | None, pool: Any) -> Result:
    if pool is not None and out is not None:
        result.manifest["pool"] = {"dir": str(pool.dir), **pool.add(out).to_json()}
    return result


def _expanded(
    recipe: Recipe,
    out: str | Path | None,
    cache: str | Path | None,
    backends: dict[str, Backend] | None,
    on_warning: Callable[[str], None] | None,
) -> Recipe:
    """The recipe expanded where its `expand:` asks for more than its plan lock holds (the requests go
    through the run's response cache, so a killed run does not ask again)."""
    if not recipe.expand.asked():
        return recipe
    from synthpipe.prompts.expand import for_run

    where = Path(cache) if cache else (Path(out) / "cache.sqlite" if out is not None else None)
    return for_run(recipe, (backends or {}).get("generator"), where, on_warning)


def prepare_run(
    recipe: RecipeLike,
    out: str | Path | None = None,
    *,
    count: int | None = None,
    accepted: int | None = None,
    max_candidates: int | None = None,
    max_tokens: int | None = None,
    max_cost: float | None = None,
    cache: str | Path | None = None,
    use_cache: bool = True,
    force: bool = False,
    retry_failed: bool = True,
    model: str | None = None,
    base_url: str | None = None,
    api_key_env: str | None = None,
    max_in_flight: int | None = None,
    backends: dict[str, Backend] | None = None,
    progress: bool | None = False,
    on_warning: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> tuple[Job, Any, int, int]:
    """The job of a run, its source and how many candidates there are and are done already."""
    from synthpipe.engine.models import ModelPool
    from synthpipe.engine.presets import build_stages, run_stage_names
    from synthpipe.engine.target import Budget, Target, check_target
    from synthpipe.prompts.expand import lock_path
    from synthpipe.prompts.plan import check_prompts_fit
    from synthpipe.prompts.space import plan_space
    from synthpipe.recipe.identity import identity
    from synthpipe.risk import risk_warnings
    from synthpipe.sinks import MemorySink, RunDir
    from synthpipe.sources.plan import plan_source

    check_key_env(api_key_env, "--api-key-env")
    budget = Budget(max_candidates, max_tokens, max_cost)
    recipe = with_generator(as_recipe(recipe), model, base_url, api_key_env, max_in_flight)
    check_target(count, accepted, budget, recipe.accepted)
    if accepted is None and count is None:  # a recipe's `accepted:` replaces its `count:`
        accepted = recipe.accepted
    if accepted is not None:
        b = recipe.budget
        budget = Budget(
            budget.max_candidates or b.max_candidates,
            budget.max_tokens or b.max_tokens,
            budget.max_cost or b.max_cost,
        )
    n = accepted or count or recipe.count
    if n < 1:
        raise UsageError(f"count {n}: give a positive number of candidates")
    recipe = _expanded(recipe, out, cache, backends, on_warning)
    seeds = _seed_parents(recipe)
    stages = build_stages(run_stage_names(recipe), recipe, parents={p.id: p for p in seeds})
    check_prompts_fit(recipe)  # a prompt too big for the model's context fails before any write too
    space = plan_space(recipe)
    names = [m for s in stages for m in getattr(s, "model_names", ())] + _augment_models(recipe)
    pool = ModelPool(recipe, names, backends, use_cache)  # a missing model or key fails before any write
    sink: MemorySink = RunDir(out) if out is not None else MemorySink()
    done: set[str] = set()
    previous: dict[str, Any] = {}
    if isinstance(sink, RunDir):
        done = sink.open(identity(recipe), retry_failed=retry_failed, force=force)
        previous = sink.previous_manifest()
    finished = _generated_done(sink, done)
    target = None
    if accepted is not None:
        earlier = previous.get("usage") or {}
        target = Target(
            recipe,
            accepted,
            budget,
            done,
            accepted_before=sum(1 for r in sink.records("accepted") if not r.meta.parent_id),
            finished_before=finished,
            usage=lambda: _tokens_and_cost(pool.total_usage(earlier)),
        )
    try:
        cache_path = Path(cache) if cache else (sink.path / "cache.sqlite" if sink.path else None)
        job = Job(
            "run",
            recipe,
            stages,
            sink,
            pool=pool,
            cache_path=cache_path,
            head={
                "recipe": recipe.name,
                "recipe_path": recipe.path or None,
                # the plan lock whose subtopics, personas and question types the plan holds
                "plan_lock": str(lock)
                if recipe.path and (lock := lock_path(recipe.path)).is_file()
                else None,
                "recipe_hash": recipe.data_hash,
                "generation_hash": recipe.generation_hash,
                "task": recipe.task,
                "language": recipe.language,
                **({"planned": n} if target is None else {}),
                "plan": space.to_json(),
            },
            tail={
                "timings": {"runs": int(previous.get("timings", {}).get("runs", 0)) + 1},
                "outputs": [
                    "accepted.jsonl",
                    "rejected.jsonl",
                    "failed.jsonl",
                    "review_sample.jsonl",
                    "report.html",
                ]
                if sink.path
                else [],
            },
            warnings=[
                *risk_warnings(recipe),
                *filter(None, [space.warning(n)]),
                *(
                    _more_than_planned(sink.path, finished, n)
                    if target is None
                    else _more_than_target(sink.path, target.accepted, n)
                ),
            ],
            on_warning=on_warning or (lambda message: None),
            progress=progress,
            earlier_usage=previous.get("usage") or {},
            earlier_stage_usage=previous.get("usage_by_stage") or {},
            workers=workers,
            then=_augment_generated if recipe.augment.on_generated else None,
            target=target,
        )
    except BaseException:
        sink.close(False)
        raise
    source = plan_source(recipe, n, done) if target is None else target.source()
    if target is not None:  # the target's source adds to the total as it plans
        n = finished
    if seeds:
        from synthpipe.sources.augment import plan_children

        children = plan_children(recipe, seeds, done)
        source, n = _chain(children, source), n + len(children)
    # Finished ids of candidates beyond `count` (a smaller count than last time) only skew the bar.
    return job, source, n, min(finished, n)


def _seed_parents(recipe: Recipe) -> list[Any]:
    """The recipe's real examples, when its `augment:` applies to them."""
    if not recipe.augment.on_seeds:
        return []
    from synthpipe.sources.augment import seed_records

    return seed_records(recipe)


def _augment_models(recipe: Recipe) -> list[str]:
    from synthpipe.stages.augment.methods import model_for

    return [model_for(m, recipe.models) for m in recipe.augment.methods]


async def _chain(first: list[Any], then: Any) -> Any:
    from synthpipe.sources.augment import records_source

    async for chunk in records_source(first):
        yield chunk
    async for chunk in then:
        yield chunk


def _augment_generated(job: Job) -> tuple[list[Any], Any, int]:
    """The second pass of a run whose `augment:` applies to generated records: the derived records of
    every accepted generated record that are not in the output yet, through the augment preset."""
    from synthpipe.engine.presets import PRESETS, build_stages
    from synthpipe.sources.augment import plan_children, records_source

    recipe, sink = job.recipe, job.sink
    parents = {r.id: r for r in sink.records("accepted") if r.meta.origin == "generated"}
    done = {r.id for outcome in ("accepted", "rejected", "failed") for r in sink.records(outcome)}
    children = plan_children(recipe, parents.values(), done)
    # The run's own quality stages, in its order (a recipe's `stages:` may leave some out); the review
    # sample draws from derived records too.
    run = [s.name for s in job.stages]
    names = ("augment", "augment_check", *(n for n in PRESETS["augment"][2:] if n in run))
    if "sample" in run:
        names = (*names, "sample")
    stages = build_stages(names, recipe, parents=parents)
    return stages, records_source(children), len(children)
