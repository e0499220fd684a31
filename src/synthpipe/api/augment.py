"""`synthpipe.augment`: derived records from any supported file or from records in memory, through the
augment preset (augment -> augment_check -> rules -> ground -> agree -> judge -> dedup); and the augment
parts of `run` (the recipe's `augment:` section)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from synthpipe.api.executor import attach_executor, pick_executor
from synthpipe.api.inputs import (
    RecipeLike,
    RecordsLike,
    as_recipe,
    check_key_env,
    infer_task,
    input_name,
    load_records,
)
from synthpipe.backends import Backend
from synthpipe.core.errors import RecipeError, UsageError
from synthpipe.core.records import Record
from synthpipe.engine.job import Job, Result
from synthpipe.recipe import Recipe

MethodLike = str | Mapping[str, Any]


def _method_entries(
    methods: Sequence[MethodLike],
    n: int | None,
    style: str | None,
    pivots: Sequence[str],
    regenerate_answer: bool,
    opposite: Mapping[str, str] | None,
) -> list[dict[str, Any]]:
    """The `augment.methods` list for methods named on the command line; each option goes to the methods
    that take it, and an option no named method takes is an error (it would silently do nothing)."""
    out: list[dict[str, Any]] = []
    for m in methods:
        entry: dict[str, Any] = {"method": m} if isinstance(m, str) else dict(m)
        name = entry.get("method")
        if n is not None:
            entry["n"] = n
        if style and name == "style":
            entry["style"] = style
        if pivots and name == "backtranslate":
            entry["pivots"] = list(pivots)
        if regenerate_answer and name == "paraphrase":
            entry["regenerate_answer"] = True
        if opposite and name == "stance":
            entry["opposite"] = dict(opposite)
        out.append(entry)
    names = {e.get("method") for e in out}
    for option, given, owner in (
        ("--style", style, "style"),
        ("--pivot", pivots, "backtranslate"),
        ("--regenerate-answer", regenerate_answer, "paraphrase"),
        ("--opposite", opposite, "stance"),
    ):
        if given and owner not in names:
            raise UsageError(
                f"{option} is an option of --method {owner}, which is not among the methods given"
            )
    return out


def _labels_of(records: list[Record], field: str | None) -> list[str]:
    if not field:
        return []
    return sorted({str(v) for r in records if r.ok and (v := r.fields.get(field)) not in (None, "")})


def augment_recipe(
    data: RecordsLike,
    records: list[Record],
    *,
    task: str | None,
    methods: Sequence[MethodLike] | None,
    n: int | None,
    style: str | None,
    pivots: Sequence[str],
    regenerate_answer: bool,
    opposite: Mapping[str, str] | None,
    language: str | None,
    labels: Sequence[str],
    recipe: RecipeLike | None,
    model: str | None,
    base_url: str | None,
    api_key_env: str | None,
    translator_model: str | None,
    translator_base_url: str | None,
    max_in_flight: int | None,
    sources: Sequence[str | Path],
) -> Recipe:
    """The recipe to augment under: the given one (its models, checks and `augment:` unless methods are
    given here), or one made from the options, with the generator (and translator) pointed at
    `model`/`base_url` (default: the embedded model)."""
    from synthpipe.api.files import _guess_language, _read_source
    from synthpipe.api.runs import with_generator
    from synthpipe.recipe import validate
    from synthpipe.tasks import get_task

    if bool(model) != bool(base_url):
        raise UsageError("--model and --base-url go together — give both to use an OpenAI-compatible server")
    if bool(translator_model) != bool(translator_base_url):
        raise UsageError(
            "--translator-model and --translator-base-url go together — give both, or neither to translate "
            "with the generator"
        )
    if language not in (None, "zh", "en"):
        raise UsageError(f"unknown language {language!r} — use zh or en")
    check_key_env(api_key_env, "--api-key-env")
    where = "command line"
    if recipe is not None:
        base = as_recipe(recipe)
        if task and task != base.task:
            raise UsageError(
                f"--task {task} differs from the recipe's task {base.task} — drop --task or fix it"
            )
        kind = base.task
        data_: dict[str, Any] = base.model_dump(mode="json")
        where = base.path or base.name
    else:
        kind = infer_task(records, task, input_name(data))
        data_ = {"name": Path(str(data)).stem if isinstance(data, str | Path) else "records", "task": kind}
        data_["language"] = language or _guess_language(records)
    infer_task(records, kind, input_name(data))
    if language:
        data_["language"] = language
    label_field = get_task(kind).label_field
    if labels or (label_field and not data_.get("labels")):
        # the file's labels; a file of one label (all positive) gains the opposite's (negative)
        seen = _labels_of(records, label_field)
        if len(seen) < 2 and opposite:
            seen = sorted({*seen, *opposite.values()})
        data_["labels"] = list(labels) or seen
        if label_field and len(set(data_["labels"])) < 2:
            raise UsageError(
                f"{input_name(data)}: classify data needs at least two labels — its records have "
                f"{data_['labels'] or 'none'}; give them with --labels A,B"
            )
    augment = dict(data_.get("augment") or {})
    if methods:
        augment["methods"] = _method_entries(methods, n, style, pivots, regenerate_answer, opposite)
    elif any(x for x in (n, style, pivots, regenerate_answer, opposite)):
        raise UsageError("--n, --style, --pivot, --regenerate-answer and --opposite go with --method")
    if not augment.get("methods"):
        raise UsageError(
            "no augmentation method — give --method paraphrase|backtranslate|style|stance"
            + (f", or an `augment:` section in {where}" if recipe is not None else "")
        )
    data_["augment"] = augment
    models = data_.setdefault("models", {"generator": {}})
    if translator_model:
        models["translator"] = {
            "backend": "openai",
            "model": translator_model,
            "base_url": translator_base_url,
            "api_key_env": api_key_env,
        }
    if sources:
        texts = [_read_source(p) for p in sources]
        data_["sources"] = [*data_.get("sources", []), *({"path": str(p)} for p in sources)]
    else:
        texts = []
    try:
        if recipe is not None:
            rcp = as_recipe(recipe).replace(
                **{k: data_[k] for k in ("language", "labels", "models", "augment", "sources") if k in data_}
            )
        else:
            rcp = validate(data_, where)
    except RecipeError as exc:
        if recipe is not None:
            raise
        raise UsageError(_as_options(str(exc))) from None
    if texts:
        rcp = rcp.model_copy(update={"source_texts": [*rcp.source_texts, *texts]})
    return with_generator(rcp, model, base_url, api_key_env, max_in_flight)


def _as_options(message: str) -> str:
    """A recipe error about a recipe made from the options, in the options' words."""
    import re

    text = re.sub(r"^command line: (?:recipe: )?", "", message)
    text = re.sub(r"augment\.methods\[\d+\] \((\w+)\)", r"--method \1", text)
    text = re.sub(r"augment\.methods\[\d+\]\.?(\w*)", lambda m: f"--{m.group(1) or 'method'}", text)
    text = text.replace("pivots: [", "--pivot ").replace("e.g. style: ", "e.g. --style ")
    text = re.sub(r"e\.g\. opposite: \{(\w+): (\w+), (\w+): (\w+)\}", r"e.g. --opposite \1=\2,\3=\4", text)
    return text.replace("]", "") if "--pivot " in text else text


def prepare_augment(
    data: RecordsLike,
    *,
    task: str | None = None,
    methods: Sequence[MethodLike] | None = None,
    n: int | None = None,
    style: str | None = None,
    pivots: Sequence[str] = (),
    regenerate_answer: bool = False,
    opposite: Mapping[str, str] | None = None,
    language: str | None = None,
    labels: Sequence[str] = (),
    recipe: RecipeLike | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key_env: str | None = None,
    translator_model: str | None = None,
    translator_base_url: str | None = None,
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
    from synthpipe.api.files import _prepare
    from synthpipe.engine.presets import PRESETS, build_stages
    from synthpipe.sources.augment import plan_children, records_source

    if n is not None and not 1 <= n <= 20:
        raise UsageError(f"--n {n}: give 1 to 20 derived records per record and method, e.g. --n 3")
    rcp_task = task or (as_recipe(recipe).task if recipe is not None else None)
    records = load_records(data, rcp_task)
    rcp = augment_recipe(
        data,
        records,
        task=task,
        methods=methods,
        n=n,
        style=style,
        pivots=pivots,
        regenerate_answer=regenerate_answer,
        opposite=opposite,
        language=language,
        labels=labels,
        recipe=recipe,
        model=model,
        base_url=base_url,
        api_key_env=api_key_env,
        translator_model=translator_model,
        translator_base_url=translator_base_url,
        max_in_flight=max_in_flight,
        sources=sources,
    )
    parents: dict[str, Record] = {}
    for rec in records:
        if rec.ok:
            parents.setdefault(rec.id, rec)
    children = plan_children(rcp, parents.values())
    if not children:
        raise UsageError(
            f"{input_name(data)}: nothing to augment — no readable record has the parts "
            f"{', '.join(m.method for m in rcp.augment.methods)} rewrites in {rcp.task} data"
        )
    bad = [rec for rec in records if not rec.ok]  # unreadable lines: rejected with their line numbers
    stages = build_stages(PRESETS["augment"], rcp, language=language, parents=parents)
    job, _, _ = _prepare(
        "augment",
        data,
        records,
        rcp,
        stages,
        out,
        language,
        tail={"parents": len(parents)},
        backends=backends,
        use_cache=use_cache,
        cache=cache,
        progress=progress,
        on_warning=on_warning,
        workers=workers,
    )
    planned = bad + children
    return job, records_source(planned), len(planned)


def augment(data: RecordsLike, **options: Any) -> Result:
    """Derived records of `data` (a file path, or records in memory): paraphrase, back-translation, style
    or stance transfer, each checked against its parent (augment_copy, wrong_language, fact_changed,
    meaning_drift) and then by the rule checks, grounding, agreement, judge and dedup.

    Options: `task` (default: from the records' format), `methods` (names, or dicts of
    AugmentMethod options), `n`, `style`, `pivots`, `regenerate_answer`, `opposite`, `language`,
    `labels`, `recipe` (take task, models, checks and `augment:` from a recipe), `model`/`base_url`/
    `api_key_env` (the generator, default: the embedded model), `translator_model`/
    `translator_base_url`, `max_in_flight`, `sources` (documents: grounding runs, and a regenerated
    answer keeps to them), `out` (accepted, rejected, failed, manifest, report; the response cache in
    OUT/cache.sqlite or `cache`, so the same call again asks only what was not answered), `backends`,
    `use_cache`, `progress`, `on_warning`, `workers`, `executor` ("ray": on Ray; `address`)."""
    executor = pick_executor(options)
    job, source, total = prepare_augment(data, **options)
    return attach_executor(job, executor).run(source, total)


async def aaugment(data: RecordsLike, **options: Any) -> Result:
    """`augment` inside an event loop that is already running."""
    executor = pick_executor(options)
    job, source, total = prepare_augment(data, **options)
    return await attach_executor(job, executor).arun(source, total)
