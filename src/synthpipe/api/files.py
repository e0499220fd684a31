"""`synthpipe.check`, `judge` and `dedup`: presets over records from a file or from memory.

Each returns a `Result`; with `out` the accepted, rejected (and for judge, failed) records, the manifest
and report.html are written there all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from synthpipe.api.executor import attach_executor, pick_executor
from synthpipe.api.inputs import (
    RecipeLike,
    RecordsLike,
    as_recipe,
    check_key_env,
    chunks,
    forget,
    formats,
    infer_task,
    input_name,
    load_records,
)
from synthpipe.backends import Backend
from synthpipe.core.errors import UsageError
from synthpipe.engine.job import Job, Result
from synthpipe.recipe import Recipe, validate

# The embedded judge decodes greedily: a verdict should not change from one run to the next.
EMBEDDED_JUDGE = {"backend": "embedded", "temperature": 0.0, "max_tokens": 200}
AUTO = "auto (each record's prompt)"


def _sink(out: str | Path | None, outcomes: tuple[str, ...] = ("accepted", "rejected", "failed")) -> Any:
    from synthpipe.sinks import MemorySink, OutputSet

    if out is None:
        return MemorySink()
    sink = OutputSet(out, outcomes)
    sink.open()
    return sink


def _head(
    task: str, language: str | None, data: RecordsLike, records: list[Any], recipe: Recipe
) -> dict[str, Any]:
    from synthpipe.tasks import get_task

    kind = get_task(task)
    head: dict[str, Any] = {
        "task": task,
        "language": language or AUTO,
        "input": {"file": input_name(data), "records": len(records), "formats": formats(records)},
    }
    if kind.label_field:
        head["labels"] = list(recipe.labels)
    if kind.conversation:
        head["rounds"] = list(recipe.rounds)
    return head


def _prepare(
    command: str,
    data: RecordsLike,
    records: list[Any],
    recipe: Recipe,
    stages: list[Any],
    out: str | Path | None,
    language: str | None,
    *,
    outcomes: tuple[str, ...] = ("accepted", "rejected", "failed"),
    tail: dict[str, Any] | None = None,
    backends: dict[str, Backend] | None = None,
    use_cache: bool = True,
    cache: str | Path | None = None,
    progress: bool | None = False,
    on_warning: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> tuple[Job, Any, int]:
    from synthpipe.engine.models import ModelPool

    forget(records, [s.name for s in stages])
    names = [m for s in stages for m in getattr(s, "model_names", ())]
    pool = ModelPool(recipe, names, backends, use_cache) if names else None
    sink = _sink(out, outcomes)
    job = Job(
        command,
        recipe,
        stages,
        sink,
        pool=pool,
        cache_path=Path(cache)
        if cache is not None and pool is not None
        else (sink.path / "cache.sqlite")
        if pool is not None and sink.path is not None
        else None,
        head=_head(recipe.task, language, data, records, recipe),
        tail={
            "outputs": [f"{o}.jsonl" for o in outcomes] + ["manifest.json", "report.html"] if out else [],
            **(tail or {}),
        },
        on_warning=on_warning or (lambda message: None),
        progress=progress,
        workers=workers,
    )
    return job, chunks(records), len(records)


def _file_recipe(data: RecordsLike, task: str, labels_optional: bool = False, **settings: Any) -> Recipe:
    name = Path(str(data)).stem if isinstance(data, str | Path) else "records"
    context = {"labels_optional": True} if labels_optional else {}
    return validate({"name": name or "records", "task": task, **settings}, "command line", **context)


def _read_source(path: str | Path) -> str:
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"--source {path}: no such file — give a text or Markdown document")
    text = p.read_text(encoding="utf-8-sig")
    if not text.strip():
        raise UsageError(f"--source {path}: the document is empty — give one with text")
    return text


def with_sources(rcp: Recipe, sources: Sequence[str | Path]) -> Recipe:
    """`rcp` with the documents `sources` added to its own: what grounding checks answers against and
    what the judge's faithfulness criterion is shown."""
    texts = [*rcp.source_texts, *(_read_source(p) for p in sources)]
    listed = [*(s.model_dump(exclude_none=True) for s in rcp.sources), *({"path": str(p)} for p in sources)]
    return rcp.replace(sources=listed).model_copy(update={"source_texts": texts})


def prepare_check(
    data: RecordsLike,
    *,
    task: str | None = None,
    language: str | None = None,
    labels: Sequence[str] = (),
    rounds: tuple[int, int] = (3, 6),
    disable: Sequence[str] = (),
    recipe: RecipeLike | None = None,
    sources: Sequence[str | Path] = (),
    out: str | Path | None = None,
    progress: bool | None = False,
    workers: int | None = None,
) -> tuple[Job, Any, int]:
    """Rule checks over `data`. `language` None checks each record against its prompt's language;
    `recipe` takes the task, labels, rounds, constraints and checks from a recipe instead. With
    `sources` (document files), grounding runs too: numbers, terms and sentences against them."""
    from synthpipe.engine.presets import PRESETS, build_stages

    if language not in (None, "zh", "en"):
        raise UsageError(f"unknown language {language!r} — use zh or en")
    records = load_records(data, task or (as_recipe(recipe).task if recipe is not None else None))
    if recipe is not None:
        rcp = as_recipe(recipe)
        if task and task != rcp.task:
            raise UsageError(f"task {task} differs from the recipe's task {rcp.task} — drop one")
        infer_task(records, rcp.task, input_name(data))
        language = language or rcp.language
    else:
        kind = infer_task(records, task, input_name(data))
        rcp = _file_recipe(
            data, kind, labels=list(labels), rounds=list(rounds), checks={"disable": list(disable)}
        )
    names = PRESETS["check"]
    if sources:
        rcp = with_sources(rcp, sources)
        names = (*names, "ground")
    stages = build_stages(names, rcp, language=language)
    return _prepare(
        "check",
        data,
        records,
        rcp,
        stages,
        out,
        language,
        outcomes=("accepted", "rejected"),
        progress=progress,
        workers=workers,
    )


def judge_recipe(
    data: RecordsLike,
    records: list[Any],
    *,
    task: str | None,
    language: str | None,
    labels: Sequence[str],
    recipe: RecipeLike | None,
    model: str | None,
    base_url: str | None,
    api_key_env: str | None,
) -> Recipe:
    """The recipe to judge under: the given one, or one made from the options, with the judge on and
    its models pointed at `model`/`base_url` (default: the embedded model, decoding greedily)."""
    if bool(model) != bool(base_url):
        raise UsageError(
            "--model and --base-url go together — give both to judge with an OpenAI-compatible server"
        )
    check_key_env(api_key_env, "--api-key-env")
    if recipe is not None:
        base = as_recipe(recipe)
        if task and task != base.task:
            raise UsageError(
                f"--task {task} differs from the recipe's task {base.task} — drop --task or fix it"
            )
        data_: dict[str, Any] = base.model_dump(mode="json")
    else:
        kind = infer_task(records, task, input_name(data))
        data_ = {"name": Path(str(data)).stem if isinstance(data, str | Path) else "records", "task": kind}
        data_["language"] = language or _guess_language(records)
        base = None
    if language:
        data_["language"] = language
    if labels:
        data_["labels"] = list(labels)
    models = data_.setdefault("models", {"generator": {}})
    judge = data_.setdefault("judge", {})
    judge["enabled"] = True
    for name in judge.get("models") or ["judge"]:
        if model:
            models[name] = {
                "backend": "openai",
                "model": model,
                "base_url": base_url,
                "api_key_env": api_key_env,
                "temperature": 0.0,
                "max_tokens": 400,
            }
        else:
            models.setdefault(name, dict(EMBEDDED_JUDGE))
    if base is not None:
        return base.replace(**{k: data_[k] for k in ("language", "labels", "models", "judge")})
    return validate(data_, "command line")


def _guess_language(records: list[Any]) -> str:
    from synthpipe.lang import detect_language

    sample = "\n".join(r.text() for r in records[:20])
    return "zh" if detect_language(sample) == "zh" else "en"


def prepare_judge(
    data: RecordsLike,
    *,
    task: str | None = None,
    language: str | None = None,
    labels: Sequence[str] = (),
    recipe: RecipeLike | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key_env: str | None = None,
    threshold: float | None = None,
    rounds: tuple[int, int] | None = None,
    disable: Sequence[str] = (),
    max_in_flight: int | None = None,
    sources: Sequence[str | Path] = (),
    out: str | Path | None = None,
    backends: dict[str, Backend] | None = None,
    use_cache: bool = True,
    cache: str | Path | None = None,
    progress: bool | None = False,
    on_warning: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> tuple[Job, Any, int]:
    """Rule checks, grounding, agreement and the LLM judge over `data`, under `recipe` (its judges,
    criteria, threshold, sources and agreement) or under one made from the options. With `out`, model
    answers are cached in OUT/cache.sqlite (or `cache`), so a repeated call asks only what was not
    answered. `rounds` and `disable` set the dialogue rounds and the rule codes switched off;
    `max_in_flight` the judges' concurrent requests. `sources` (document files, added to the recipe's)
    turn on grounding against them and the judge's faithfulness criterion, which is shown the passage
    of them nearest each record."""
    from synthpipe.engine.presets import PRESETS, build_stages

    if threshold is not None and not 1 <= threshold <= 5:
        raise UsageError(f"threshold {threshold}: must be between 1 and 5")
    rcp_task = task or (as_recipe(recipe).task if recipe is not None else None)
    records = load_records(data, rcp_task)
    rcp = judge_recipe(
        data,
        records,
        task=task,
        language=language,
        labels=labels,
        recipe=recipe,
        model=model,
        base_url=base_url,
        api_key_env=api_key_env,
    )
    infer_task(records, rcp.task, input_name(data))
    changes: dict[str, Any] = {}
    if rounds is not None:
        changes["rounds"] = list(rounds)
    if disable:
        checks = rcp.checks.model_dump(mode="json")
        checks["disable"] = list(dict.fromkeys([*checks.get("disable", []), *disable]))
        changes["checks"] = checks
    if max_in_flight is not None:
        models = {k: v.model_dump(mode="json") for k, v in rcp.models.items()}
        for name in rcp.judge.models or ["judge"]:
            if name in models:
                models[name]["max_in_flight"] = max_in_flight
        changes["models"] = models
    if changes:
        rcp = rcp.replace(**changes)
    if sources:
        rcp = with_sources(rcp, sources)
    check_language = language or (rcp.language if recipe is not None else None)
    stages = build_stages(PRESETS["judge"], rcp, language=check_language, threshold=threshold)
    return _prepare(
        "judge",
        data,
        records,
        rcp,
        stages,
        out,
        check_language,
        backends=backends,
        use_cache=use_cache,
        cache=cache,
        progress=progress,
        on_warning=on_warning,
        workers=workers,
    )


def prepare_dedup(
    data: RecordsLike,
    *,
    task: str | None = None,
    methods: Sequence[str] = ("exact", "minhash"),
    threshold: float | None = None,
    embedding_threshold: float | None = None,
    fields: Sequence[str] | None = None,
    against: Sequence[str | Path] = (),
    embed_url: str | None = None,
    embed_model: str | None = None,
    embed_key_env: str | None = None,
    embedder: Any = None,
    out: str | Path | None = None,
    progress: bool | None = False,
    workers: int | None = None,
) -> tuple[Job, Any, int]:
    """Exact, MinHash and (optionally) embedding duplicates in `data`, and against the `against` files
    (the pool, an earlier run), which are never removed. Keeps the record with the higher judge score,
    then the earlier one."""
    from synthpipe.engine.presets import PRESETS, build_stages

    records = load_records(data, task)
    kind = infer_task(records, task, input_name(data))
    if isinstance(data, str | Path):
        for other in against:
            if Path(other).resolve() == Path(data).resolve():
                raise UsageError(
                    f"--against {other}: is the input file itself — give the pool or an earlier accepted file"
                )
    settings: dict[str, Any] = {"methods": list(methods)}
    if threshold is not None:
        settings["minhash_threshold"] = threshold
    if embedding_threshold is not None:
        settings["embedding_threshold"] = embedding_threshold
    if fields:
        _require_fields(records, list(fields), input_name(data))
        settings["fields"] = list(fields)
    check_key_env(embed_key_env, "--api-key-env")
    from synthpipe.stages.dedup.embed import MULTILINGUAL_MODEL

    local_multilingual = embed_model == MULTILINGUAL_MODEL and not embed_url
    if (embed_model or embed_key_env) and not embed_url and not local_multilingual:
        raise UsageError(
            "--embed-model/--api-key-env need --embed-url (an OpenAI-compatible base URL); "
            f"--embed-model {MULTILINGUAL_MODEL} alone is the local multilingual model"
        )
    models: dict[str, Any] = {"generator": {}}
    if local_multilingual:
        settings["embedding_model"] = MULTILINGUAL_MODEL
    elif embed_url:
        models["embeddings"] = {
            "backend": "openai",
            "model": embed_model or "text-embedding-3-small",
            "base_url": embed_url,
            "api_key_env": embed_key_env,
        }
        settings["embedding_model"] = "embeddings"
    rcp = _file_recipe(data, kind, labels_optional=True, dedup=settings, models=models)
    stages = build_stages(
        PRESETS["dedup"], rcp, against=[str(a) for a in against], whole=True, embedder=embedder
    )
    return _prepare(
        "dedup",
        data,
        records,
        rcp,
        stages,
        out,
        None,
        outcomes=("accepted", "rejected"),
        progress=progress,
        workers=workers,
    )


def _require_fields(records: list[Any], fields: list[str], where: str) -> None:
    """`--fields` that no record has would make every key empty, and every record a duplicate of every
    other: an error that lists the fields the records do have."""
    present: dict[str, None] = {}
    for rec in records:
        if not (rec.meta.reasons and rec.meta.reasons[0].stage == "read"):
            present.update(dict.fromkeys(rec.fields))
    missing = [f for f in fields if f not in present]
    if missing:
        have = ", ".join(present) or "none"
        raise UsageError(
            f"--fields {','.join(missing)}: no record in {where} has "
            f"{'this field' if len(missing) == 1 else 'these fields'}; its records have: {have}"
            f" — e.g. --fields {','.join(list(present)[:2])}"
        )


def _runner(prepare: Any, doc: str) -> tuple[Any, Any]:
    """The sync function and its async twin for a `prepare_*` function."""

    def sync(data: RecordsLike, **options: Any) -> Result:
        executor = pick_executor(options)
        job, source, total = prepare(data, **options)
        return attach_executor(job, executor).run(source, total)

    async def in_loop(data: RecordsLike, **options: Any) -> Result:
        executor = pick_executor(options)
        job, source, total = prepare(data, **options)
        return await attach_executor(job, executor).arun(source, total)

    sync.__doc__, in_loop.__doc__ = doc, doc + "\n\nThe same, inside an event loop that is already running."
    return sync, in_loop


check, acheck = _runner(
    prepare_check,
    """Rule checks over `data` (a file path, or records in memory). Options: `task` (default: from the
    records' format), `language` (None: each record's prompt's), `labels`, `rounds`, `disable`,
    `recipe` (take task, labels, rounds, constraints and checks from it), `sources` (document files:
    grounding runs too), `out`, `progress`, `workers`, `executor` ("ray": on Ray; `address`).""",
)
judge, ajudge = _runner(
    prepare_judge,
    """Rule checks, grounding, agreement and the LLM judge over `data`, under `recipe` (its judges,
    criteria, threshold, sources and agreement) or under one made from the options (`task`,
    `language`, `labels`, `model`/`base_url`/`api_key_env`; default judge: the embedded model).
    With `out`, model answers are cached in OUT/cache.sqlite, so a repeated call asks only what was not
    answered (or in `cache`). Also `threshold`, `rounds`, `disable`, `max_in_flight`, `backends`,
    `use_cache`, `progress`, `on_warning`, `workers`, `executor` ("ray": on Ray; `address`).""",
)
dedup, adedup = _runner(
    prepare_dedup,
    """Exact, MinHash and (optionally) embedding duplicates in `data`, and against the `against` files
    (the pool, an earlier run), which are never removed. Keeps the record with the higher judge score,
    then the earlier one. Options: `task`, `methods`, `threshold`, `embedding_threshold`, `fields`,
    `against`, `embed_url`/`embed_model`/`embed_key_env` or `embedder`, `out`, `progress`, `executor`
    ("ray": MinHash and exact dedup on Ray; `address`, `workers`).""",
)
