"""`synthpipe run`: plan -> generate -> parse -> rule checks -> LLM quality stages -> dedup -> files.

Each candidate ends in exactly one of accepted.jsonl, rejected.jsonl (every reason) or failed.jsonl
(the error). Workers pull (index, id) pairs from one shared iterator; the event loop is single-threaded, so
writes and the dedup index need no locks."""

from __future__ import annotations

import asyncio
import random
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from synthpipe import __version__
from synthpipe.backends import Backend, make_backend, options_from_spec
from synthpipe.cache import CachedModel, ResponseCache
from synthpipe.core.errors import BackendError
from synthpipe.core.records import Meta, Reason, Record
from synthpipe.engine.progress import RunProgress
from synthpipe.prompts.plan import Planner
from synthpipe.recipe import Recipe
from synthpipe.risk import risk_warnings
from synthpipe.sinks.rundir import RunDir, atomic_write_json, atomic_write_text
from synthpipe.stages.generate import generate_one, record_id

QualityStage = Callable[[Record], Awaitable[None]]


def default_out_dir(recipe: Recipe) -> Path:
    return Path(recipe.output_dir or f"runs/{recipe.name}")


class Pipeline:
    def __init__(
        self,
        recipe: Recipe,
        out_dir: str | Path | None = None,
        *,
        backends: dict[str, Backend] | None = None,
        use_cache: bool = True,
        cache_path: str | Path | None = None,
        count: int | None = None,
        progress: bool | None = None,
        retry_failed: bool = True,
    ) -> None:
        self.recipe = recipe
        self.recipe_hash = recipe.hash
        self.out = RunDir(out_dir or default_out_dir(recipe))
        self.count = count or recipe.count
        self.use_cache = use_cache
        self.cache_path = Path(cache_path) if cache_path else self.out.path / "cache.sqlite"
        self.progress_enabled = progress
        self.retry_failed = retry_failed
        self._backends = dict(backends or {})
        # Built before anything is written, so a missing model file or key fails with nothing half-made.
        if "generator" not in self._backends:
            self._backends["generator"] = make_backend(recipe.models["generator"])
        self.models: dict[str, CachedModel] = {}
        self.session_usage: dict[str, dict[str, int]] = {}
        self.warnings = risk_warnings(recipe)
        self.on_warning: Callable[[str], None] = lambda msg: None

    # ------------------------------------------------------------------ models
    def model(self, name: str) -> CachedModel:
        if name not in self.models:
            backend = self._backends.get(name) or make_backend(self.recipe.models[name])
            self.models[name] = CachedModel(backend, self.cache, self.use_cache, name=name)
        return self.models[name]

    def _quality_stages(self) -> list[QualityStage]:
        from synthpipe.stages.quality import build_quality_stages

        return build_quality_stages(self.recipe, self.model)

    def _checker(self) -> Any:
        from synthpipe.stages.rules import RuleChecker

        return RuleChecker.from_recipe(self.recipe)

    def _deduper(self, accepted: list[Record]) -> Any:
        if not self.recipe.dedup.enabled:
            return None
        from synthpipe.dedup.deduper import Deduper
        from synthpipe.dedup.file import read_existing

        dd = Deduper(self.recipe.dedup, self.recipe.task, models=self.recipe.models)
        # A copy of a few-shot example is not new data: the examples join the index like pool records.
        seeds = [
            Record(id=f"seed-{i}", fields=dict(ex), meta=Meta(task=self.recipe.task, origin="seed"))
            for i, ex in enumerate(self.recipe.examples)
        ]
        dd.add_existing(seeds, source="recipe examples")
        for name, records in read_existing(self.recipe.dedup.against, self.recipe.task).items():
            dd.add_existing(records, source=name)  # the pool: new data must not repeat it
        dd.add_existing(accepted, source=str(self.out.file("accepted")))
        return dd

    # ------------------------------------------------------------------ run
    def run(self) -> dict[str, Any]:
        try:
            import uvloop  # a faster event loop where available (Linux, macOS)
        except ImportError:
            return asyncio.run(self.arun())
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(self.arun())

    async def arun(self) -> dict[str, Any]:
        started = time.time()
        done = self.out.open(retry_failed=self.retry_failed)
        self.cache = ResponseCache(self.cache_path)
        status = "interrupted"
        try:
            for w in self.warnings:
                self.on_warning(w)
            ids = ((i, record_id(self.recipe_hash, i)) for i in range(self.count))
            todo = [(i, rid) for i, rid in ids if rid not in done]
            self.planner = Planner(self.recipe)
            self.checker = self._checker()
            self.deduper = self._deduper(list(self.out.records("accepted")))
            gen = self.model("generator")
            self.quality = self._quality_stages()
            self.gen_options = options_from_spec(self.recipe.models["generator"])
            self._write_manifest(started, "running")
            self.progress = RunProgress(
                total=self.count,
                done=self.count - len(todo),
                stats=self.live_stats,
                enabled=self.progress_enabled,
            )
            pending = iter(todo)
            workers = max(1, min(gen.backend.max_in_flight, len(todo)))
            self._finishing = asyncio.Semaphore(workers)
            self._tasks: set[asyncio.Task[None]] = set()
            with self.progress:
                await asyncio.gather(*(self._worker(pending) for _ in range(workers)))
                while self._tasks:
                    await asyncio.gather(*list(self._tasks))
            status = "complete"
        finally:
            self.out.close()
            manifest = self._write_manifest(started, status)
            for cm in self.models.values():
                await cm.backend.aclose()
            self.cache.close()
        return manifest

    async def _worker(self, todo: Any) -> None:
        for i, rid in todo:
            rec = await self._generate(i, rid)
            if rec.meta.extra.get("cached"):  # nothing to overlap with: finish it here
                await self._finish(rec)
                continue
            # Hand the answer on and send the next request first. Answers arrive in bursts; a request
            # that waited behind sixty other answers' checks would leave the server idle meanwhile.
            await self._finishing.acquire()
            task = asyncio.create_task(self._finish(rec, release=True))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _generate(self, i: int, rid: str) -> Record:
        meta = Meta(task=self.recipe.task, recipe=self.recipe.name, recipe_hash=self.recipe_hash)
        rec = Record(id=rid, fields={}, meta=meta)
        try:
            await generate_one(
                self.planner.item(i), rec, self.model("generator"), self.recipe, self.gen_options
            )
        except Exception as exc:  # a bug must not cost the records already made
            _fail(rec, exc)
        return rec

    async def _finish(self, rec: Record, release: bool = False) -> None:
        try:
            outcome = await self._assess(rec)
            if outcome == "accepted" and self.deduper is not None:
                dup = self.deduper.check(rec)
                if dup is not None:
                    rec.meta.reasons.append(dup)
                    outcome = "rejected"
            self.out.write(outcome, rec)
            self.progress.advance()
        finally:
            if release:
                self._finishing.release()

    async def _assess(self, rec: Record) -> str:
        """Rule checks, then the LLM quality stages while the record is still ok."""
        if rec.meta.error:
            return "failed"
        try:
            if rec.ok:
                rec.meta.reasons.extend(self.checker.check(rec))
            for stage in self.quality:
                if not rec.ok:
                    break
                await stage(rec)
        except Exception as exc:
            _fail(rec, exc)
            return "failed"
        return "accepted" if rec.ok else "rejected"

    # ------------------------------------------------------------------ reporting
    def live_stats(self) -> dict[str, Any]:
        stats: Counter[str] = Counter()
        for cm in self.models.values():
            stats["requests"] += cm.calls
            stats["cache_hits"] += cm.hits
            stats["completion_tokens"] += cm.completion_tokens
            bstats = getattr(cm.backend, "stats", None)
            if bstats is not None:
                b = bstats if isinstance(bstats, dict) else bstats.to_json()
                for k in ("in_flight", "retries", "errors"):
                    stats[k] += int(b.get(k, 0) or 0)
        return dict(stats)

    def _write_manifest(self, started: float, status: str) -> dict[str, Any]:
        counts: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        by_stage: dict[str, Counter[str]] = {}
        flags: Counter[str] = Counter()
        for outcome in ("accepted", "rejected", "failed"):
            for rec in self.out.records(outcome):
                counts[outcome] += 1
                for r in rec.meta.reasons:
                    reasons[r.code] += 1
                    by_stage.setdefault(r.stage or "other", Counter())[r.code] += 1
                for f in rec.meta.flags:
                    flags[f.code] += 1
                if outcome == "failed":
                    reasons["error"] += 1
        counts["attempted"] = counts["accepted"] + counts["rejected"] + counts["failed"]
        previous = _read_json(self.out.manifest_path)
        usage = previous.get("usage", {}) if previous.get("recipe_hash") == self.recipe_hash else {}
        for name, cm in self.models.items():
            spec = self.recipe.models[name]
            now = {
                "requests": cm.calls,
                "cache_hits": cm.hits,
                "prompt_tokens": cm.prompt_tokens,
                "completion_tokens": cm.completion_tokens,
            }
            self.session_usage[name] = {
                k: self.session_usage.get(name, {}).get(k, 0) + v for k, v in now.items()
            }
            total = usage.setdefault(
                name,
                {"requests": 0, "cache_hits": 0, "prompt_tokens": 0, "completion_tokens": 0, "cost_usd": 0.0},
            )
            for k, v in now.items():
                total[k] += v
            total["cost_usd"] = round(
                total["prompt_tokens"] * spec.prices.input / 1e6
                + total["completion_tokens"] * spec.prices.output / 1e6,
                6,
            )
            cm.calls = cm.hits = cm.prompt_tokens = cm.completion_tokens = 0  # counted once
        elapsed = time.time() - started
        manifest = {
            "synthpipe_version": __version__,
            "status": status,
            "recipe": self.recipe.name,
            "recipe_path": self.recipe.path,
            "recipe_hash": self.recipe_hash,
            "task": self.recipe.task,
            "language": self.recipe.language,
            "planned": self.count,
            "counts": {k: counts[k] for k in ("attempted", "accepted", "rejected", "failed")},
            "reasons": dict(reasons.most_common()),
            "reasons_by_stage": {k: dict(v.most_common()) for k, v in by_stage.items()},
            "flags": dict(flags.most_common()),
            "models": {name: _public_model(spec) for name, spec in self.recipe.models.items()},
            "usage": usage,  # all runs into this directory
            "usage_this_run": self.session_usage,
            "timings": {
                "started_at": started,
                "elapsed_s": round(elapsed, 3),
                "runs": previous.get("timings", {}).get("runs", 0) + (status != "running"),
            },
            "warnings": self.warnings,
            "cache": str(self.cache_path),
        }
        if status == "complete":
            manifest["review_sample"] = self._write_review_sample()
        atomic_write_json(self.out.manifest_path, manifest)
        if status == "complete":
            self._write_report(manifest)
        return manifest

    def _write_report(self, manifest: dict[str, Any]) -> None:
        from synthpipe.report import write_report

        write_report(self.out.path, self.out.records("accepted"), self.out.records("rejected"), manifest)

    def _write_review_sample(self) -> int:
        accepted = self.out.records("accepted")
        rng = random.Random(self.recipe.seed)
        sample = rng.sample(accepted, min(self.recipe.review_sample, len(accepted)))
        atomic_write_text(self.out.path / "review_sample.jsonl", "".join(r.dumps() + "\n" for r in sample))
        return len(sample)


def _fail(rec: Record, exc: Exception) -> None:
    if isinstance(exc, BackendError):
        rec.meta.error = f"{type(exc).__name__}: {exc}"
    else:
        rec.meta.error = f"internal error: {type(exc).__name__}: {exc}"
        rec.meta.extra["traceback"] = traceback.format_exc(limit=5)


def _public_model(spec: Any) -> dict[str, Any]:
    """What a report may say about a model: never the key, only the variable's name."""
    return {
        k: v
        for k, v in spec.model_dump(
            include={
                "backend",
                "model",
                "base_url",
                "api_key_env",
                "structured",
                "max_in_flight",
                "temperature",
                "max_tokens",
            }
        ).items()
        if v is not None
    }


def _read_json(path: Path) -> dict[str, Any]:
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


__all__ = ["Pipeline", "Reason", "default_out_dir"]
