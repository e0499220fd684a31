"""`synthpipe.evaluate`: ask a trained, served model the eval records' questions and grade its answers
against their reference answers (see synthpipe.stages.eval and synthpipe.evaluation)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synthpipe.api.inputs import check_key_env, chunks
from synthpipe.backends import Backend
from synthpipe.core.errors import UsageError
from synthpipe.core.records import Meta, Reason, Record
from synthpipe.engine.job import Job

if TYPE_CHECKING:
    from synthpipe.evaluation.results import EvalResult

DEFAULT_THRESHOLD = 3.0
SERVED, JUDGE = "served", "judge"
# The embedded judge when no judge server is given (as `synthpipe judge`): greedy, so verdicts are stable.
EMBEDDED_JUDGE = {"backend": "embedded", "temperature": 0.0, "max_tokens": 300}


@dataclass
class _EvalJob(Job):
    """A job whose manifest carries the eval summary, and that writes no report.html: results.jsonl and
    the printed summary per task and topic are its report."""

    threshold: float = DEFAULT_THRESHOLD

    def _write_manifest(self, started: float, status: str, info: dict[str, dict[str, Any]]) -> dict[str, Any]:
        from synthpipe.evaluation.results import summarize

        kept = (r for o in ("accepted", "rejected", "failed") for r in self.sink.records(o))
        self.tail["eval"] = summarize(kept, self.threshold)
        return super()._write_manifest(started, status, info)

    def _write_report(self, manifest: dict[str, Any]) -> None:
        return None


def _server(
    model: str, base_url: str, key_env: str | None, max_in_flight: int | None, max_tokens: int
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "backend": "openai",
        "model": model,
        "base_url": base_url,
        "api_key_env": key_env,
        "temperature": 0.0,  # the model's own best answer, and the same request (a cache hit) next time
        "top_p": 1.0,
        "max_tokens": max_tokens,
    }
    if max_in_flight is not None:
        spec["max_in_flight"] = max_in_flight
    return spec


def prepare_evaluate(
    src: str | Path | Iterable[dict[str, Any] | Record] | None = None,
    *,
    model: str | None = None,
    base_url: str | None = None,
    pool: str | Path | None = None,
    split: str | None = None,
    judge_model: str | None = None,
    judge_base_url: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    out: str | Path | None = None,
    max_in_flight: int | None = None,
    api_key_env: str | None = None,
    judge_api_key_env: str | None = None,
    labels: Sequence[str] = (),
    language: str | None = None,
    max_tokens: int = 512,
    cache: str | Path | None = None,
    use_cache: bool = True,
    backends: dict[str, Backend] | None = None,
    progress: bool | None = False,
    on_warning: Callable[[str], None] | None = None,
) -> tuple[Job, Any, int]:
    """The eval job, its source and how many records; every check is made before anything is written."""
    from synthpipe.backends import options_from_spec
    from synthpipe.engine.models import ModelPool
    from synthpipe.evaluation.questions import Unusable, load_eval_set, question
    from synthpipe.evaluation.results import EvalMemory, EvalOutput
    from synthpipe.recipe import validate
    from synthpipe.stages.eval import EVAL, AskStage, GradeStage
    from synthpipe.tasks import get_task

    given = dict(backends or {})
    if not (model and base_url) and SERVED not in given:
        missing = " and ".join(o for o, v in (("--model", model), ("--base-url", base_url)) if not v)
        raise UsageError(
            f"{missing} missing: name the served model to evaluate and its OpenAI-compatible server, e.g. "
            "--model my-finetune --base-url http://127.0.0.1:8000/v1"
        )
    if bool(judge_model) != bool(judge_base_url):
        raise UsageError(
            "--judge-model and --judge-base-url go together — give both to judge on an OpenAI-compatible "
            "server, or neither for the embedded judge"
        )
    if not 1 <= threshold <= 5:
        raise UsageError(f"--threshold {threshold:g}: must be a judge score between 1 and 5")
    if language not in (None, "zh", "en"):
        raise UsageError(f"unknown language {language!r} — use zh or en")
    if max_tokens < 1:
        raise UsageError(f"max_tokens {max_tokens}: give a positive number of tokens")
    check_key_env(api_key_env, "--api-key-env")
    check_key_env(judge_api_key_env, "--judge-api-key-env")
    if judge_api_key_env is None and judge_base_url and judge_base_url == base_url:
        judge_api_key_env = api_key_env  # one server, one key; never sent to another server unasked

    es = load_eval_set(src, pool, split, labels)
    records: list[Record] = []
    needs_judge = False
    for n, original in enumerate(es.records, 1):
        rec = Record(original.id, dict(original.fields), Meta.from_json(original.meta.to_json()))
        rec.meta.reasons, rec.meta.flags, rec.meta.error = [], [], None
        ev: dict[str, Any] = {"n": n}
        rec.meta.extra[EVAL] = ev
        try:
            q = question(rec, es.labels)
        except Unusable as exc:
            rec.meta.reasons.append(Reason("eval_unusable", str(exc), "ask"))
        else:
            ev.update(messages=q.messages, prompt=q.prompt, reference=q.reference)
            needs_judge = needs_judge or not get_task(rec.task).label_field
        records.append(rec)

    served = (
        _server(model, base_url, api_key_env, max_in_flight, max_tokens)
        if model and base_url
        else {"backend": "fake", "model": model or SERVED, "temperature": 0.0, "max_tokens": max_tokens}
    )
    judge = (
        _server(judge_model, judge_base_url, judge_api_key_env, max_in_flight, 400)
        if judge_model and judge_base_url
        else dict(EMBEDDED_JUDGE)
    )
    tasks = list(dict.fromkeys(r.task for r in records))
    rcp = validate(
        {
            "name": f"eval-{es.name}",
            "task": tasks[0],
            "language": language or "en",
            "models": {"generator": {}, SERVED: served, JUDGE: judge},
        },
        "command line",
        labels_optional=True,
    )
    stages = [
        AskStage(options_from_spec(rcp.models[SERVED]), SERVED),
        GradeStage(
            threshold,
            options_from_spec(rcp.models[JUDGE]),
            language,
            es.labels,
            JUDGE if needs_judge else None,
        ),
    ]
    names = [m for s in stages for m in s.model_names]
    models = ModelPool(rcp, names, given, use_cache)  # a missing model file fails before any write
    sink = EvalOutput(out) if out is not None else EvalMemory()
    if isinstance(sink, EvalOutput):
        sink.open()
    cache_path = Path(cache) if cache is not None else (sink.path / "cache.sqlite" if sink.path else None)
    warnings = []
    if needs_judge and judge["backend"] == "embedded" and JUDGE not in given:
        warnings.append(
            "the judge is the embedded SmolLM2-135M, which is too small to grade answers reliably: give "
            "--judge-model and --judge-base-url for a real judge"
        )
    job = _EvalJob(
        "eval",
        rcp,
        stages,  # type: ignore[arg-type]
        sink,
        pool=models,
        cache_path=cache_path,
        head={
            "task": tasks[0] if len(tasks) == 1 else ", ".join(tasks),
            "language": language or "auto (each record's)",
            "input": es.input,
            "labels": es.labels or None,
        },
        tail={"outputs": ["results.jsonl", "failures.jsonl", "manifest.json"] if out is not None else []},
        warnings=warnings,
        on_warning=on_warning or (lambda message: None),
        progress=progress,
        workers=0,
        threshold=threshold,
    )
    return job, chunks(records), len(records)


def evaluate(src: str | Path | Iterable[dict[str, Any] | Record] | None = None, **options: Any) -> EvalResult:
    """Ask a served model the eval records' questions and grade each answer against the reference.

    The eval records: `pool=DIR` (its `split`, eval by default), or `src`: a run directory, a data file,
    or records in memory (dicts in any supported format, or `Record` objects).
    `model`/`base_url` (and `api_key_env`, `max_in_flight`, `max_tokens`) name the served model, an
    OpenAI-compatible server asked greedily; `judge_model`/`judge_base_url` (`judge_api_key_env`, by
    default `api_key_env` when the judge is on the same server) the judge, else the embedded model.
    The judge scores correctness and faithfulness 1–5 with reasons; an answer passes when both reach
    `threshold` (3). classify is graded by exact label match, without a judge; `labels` is the label set
    the model is asked with (default: the run's or the pool's labels). `language` (zh/en) picks the judge
    prompt, by default each record's.

    With `out`, writes OUT/results.jsonl, failures.jsonl, manifest.json and caches every answer in
    OUT/cache.sqlite (or `cache`): the same call again asks nothing already answered. Without `out`,
    nothing is written. `backends={"served": …, "judge": …}` replaces the models (tests); also
    `use_cache`, `progress`, `on_warning`."""
    job, source, total = prepare_evaluate(src, **options)
    return _as_eval(job.run(source, total))


async def aevaluate(
    src: str | Path | Iterable[dict[str, Any] | Record] | None = None, **options: Any
) -> EvalResult:
    """`evaluate` inside an event loop that is already running."""
    job, source, total = prepare_evaluate(src, **options)
    return _as_eval(await job.arun(source, total))


def _as_eval(result: Any) -> EvalResult:
    from synthpipe.evaluation.results import EvalResult

    return EvalResult(result.accepted, result.rejected, result.failed, result.manifest, result.out_dir)
