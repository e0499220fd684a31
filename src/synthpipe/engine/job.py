"""One command from start to end: models behind the cache, stages opened, the engine over a source into
a sink, then the manifest, the stages' extra files and the report. Every command (run, check, judge,
dedup) is a Job with its own preset, source and sink; the Python API builds them, the CLI calls the API.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from synthpipe.cache import ResponseCache
from synthpipe.core.errors import RunStopped
from synthpipe.core.records import Record
from synthpipe.engine.engine import Engine
from synthpipe.engine.manifest import build_manifest
from synthpipe.engine.models import ModelPool, public_model
from synthpipe.engine.target import Target
from synthpipe.recipe import Recipe
from synthpipe.sinks.base import MemorySink
from synthpipe.stages.base import Stage, StageContext

MANIFEST_EVERY_S = 5.0  # a running command rewrites its manifest this often (longer for big outputs)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """A run makes millions of short-lived objects and keeps every record: with the default thresholds
    the cyclic garbage collector rescans the kept records over and over (about a tenth of a cached
    re-run). Collect less often, and leave what existed before the run out of the scans."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(before[0], 20_000), max(before[1], 50), max(before[2], 50))
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


@dataclass
class Result:
    """What a command produced: the records of each outcome and the manifest (also written to `out_dir`
    when the command wrote files)."""

    accepted: list[Record]
    rejected: list[Record]
    failed: list[Record]
    manifest: dict[str, Any]
    out_dir: Path | None = None

    @property
    def counts(self) -> dict[str, int]:
        return dict(self.manifest.get("counts", {}))

    def __repr__(self) -> str:
        c = self.counts
        where = f", out_dir={str(self.out_dir)!r}" if self.out_dir else ""
        return (
            f"Result({c.get('accepted', 0)} accepted, {c.get('rejected', 0)} rejected, "
            f"{c.get('failed', 0)} failed{where})"
        )


@dataclass
class Job:
    command: str
    recipe: Recipe
    stages: list[Stage]
    sink: MemorySink
    pool: ModelPool | None = None
    cache_path: Path | None = None  # None with a pool: answers cached in memory for this run only
    head: dict[str, Any] = field(default_factory=dict)  # task, language, input… for the manifest
    tail: dict[str, Any] = field(default_factory=dict)  # more manifest keys, after the counts
    warnings: list[str] = field(default_factory=list)
    on_warning: Callable[[str], None] = lambda message: None
    progress: bool | None = False
    earlier_usage: dict[str, Any] = field(default_factory=dict)
    earlier_stage_usage: dict[str, Any] = field(default_factory=dict)  # the last manifest's usage_by_stage
    workers: int | None = None  # processes for the parallel stages; None: as many as pay off
    # A second pass over what the first accepted (augmenting accepted generated records): called once the
    # first pass has finished, it gives the stages and the source of the second, and how many records.
    then: Callable[[Job], tuple[list[Stage], AsyncIterator[list[Record]], int]] | None = None
    then_stages: list[str] = field(default_factory=list)  # the manifest names of the second pass's stages
    # `run --accepted N`: the source plans toward the target and the engine writes through its gate.
    target: Target | None = None
    # Who runs the stages: None for the engine in this process; an executor (synthpipe.executors) gives
    # an engine of its own for a list of stages, built before they open (it may ship them elsewhere).
    executor: Any = None

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)
        self.on_warning(message)

    def run(self, source: AsyncIterator[list[Record]], total: int, done: int = 0) -> Result:
        """Run in a fresh event loop (uvloop where installed)."""
        try:
            import uvloop
        except ImportError:
            uvloop = None
        with _fewer_collections():
            if uvloop is None:
                return asyncio.run(self.arun(source, total, done))
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                return runner.run(self.arun(source, total, done))

    async def arun(self, source: AsyncIterator[list[Record]], total: int, done: int = 0) -> Result:
        from synthpipe.engine.progress import RunProgress

        started = time.time()
        status = "interrupted"
        cache = None
        if self.pool is not None:
            cache = ResponseCache(self.cache_path or ":memory:")
            self.pool.attach(cache)
        engine: Any = None
        pool = self._workers(total - done if self.target is None else self.target.n)
        try:
            for message in self.warnings:
                self.on_warning(message)
            ctx = StageContext(
                recipe=self.recipe,
                model=self.pool.get if self.pool is not None else None,
                earlier=list(self.sink.records("accepted")),
                warn=self.warn,
            )
            stats = self.pool.live_stats if self.pool is not None else dict
            progress = RunProgress(
                total=total, done=done, stats=stats, enabled=self.progress, what=self.command
            )
            into: Any = self.sink
            if self.target is not None:
                into, self.target.on_plan = self.target.gate(self.sink), progress.add_total
            made = self._engine(self.stages, into, progress.advance)  # before the stages open
            for stage in self.stages:
                await stage.open(self._context(ctx, stage))
            self._write_manifest(started, "running", {})
            engine = made
            live = asyncio.create_task(self._keep_manifest(started, engine))
            passes = [(self.stages, engine)]
            try:
                with progress:
                    await engine.run(source)
                    if self.then is not None:
                        passes.append(await self._second_pass(progress))
            except RunStopped as exc:
                status, self.tail["stopped"] = "stopped", str(exc)
                raise
            finally:
                live.cancel()
                await asyncio.gather(live, return_exceptions=True)
            info = {}
            for n, (stages, eng) in enumerate(passes):
                for stage in stages:
                    key = stage.name if n == 0 else f"{stage.name} (augmented)"
                    info[key] = {**(await stage.close()), "this_run": eng.stats[stage.name].to_json()}
                    for name, records in stage.files().items():
                        if self.target is not None and self.target.not_used:  # in no file
                            records = [r for r in records if r.id not in self.target.not_used]
                        self.sink.write_records(name, records)
            status = "complete"
        finally:
            this_run = (
                {} if engine is None else {s: {"this_run": st.to_json()} for s, st in engine.stats.items()}
            )
            manifest = self._write_manifest(started, status, info if status == "complete" else this_run)
            if status == "complete" and self.sink.path is not None:
                self._write_report(manifest)
            self.sink.close(status == "complete")
            if self.pool is not None:
                await self.pool.aclose()
            if cache is not None:
                cache.close()
            if pool is not None:
                pool.close()
        return Result(
            accepted=self.sink.records("accepted"),
            rejected=self.sink.records("rejected"),
            failed=self.sink.records("failed"),
            manifest=manifest,
            out_dir=self.sink.path,
        )

    async def _second_pass(self, progress: Any) -> tuple[list[Stage], Any]:
        """The `then` pass: its stages see everything accepted so far as earlier records (dedup indexes
        them), and write into the same sink."""
        assert self.then is not None
        stages, source, n = self.then(self)
        ctx = StageContext(
            recipe=self.recipe,
            model=self.pool.get if self.pool is not None else None,
            earlier=list(self.sink.records("accepted")),
            warn=self.warn,
        )
        engine = self._engine(stages, self.sink, progress.advance)
        for stage in stages:
            await stage.open(self._context(ctx, stage))
        self.then_stages = [f"{stage.name} (augmented)" for stage in stages]
        progress.add_total(n)
        await engine.run(source)
        return stages, engine

    def _engine(self, stages: list[Stage], sink: Any, on_done: Callable[[], None]) -> Any:
        """The engine that runs `stages` into `sink`: this process's, or the executor's."""
        if self.executor is None:
            return Engine(stages, sink, on_done=on_done)
        return self.executor.engine(self, stages, sink, on_done)

    def _context(self, ctx: StageContext, stage: Stage) -> StageContext:
        """`ctx` for one stage: the models it gets count their usage under the stage's usage name
        (generate, augment, agreement, label_check, judge…)."""
        if self.pool is None:
            return ctx
        return replace(ctx, model=partial(self.pool.get, stage=getattr(stage, "usage_name", stage.name)))

    async def _keep_manifest(self, started: float, engine: Engine) -> None:
        """Rewrite the `running` manifest every few seconds, so a killed run's manifest shows what it
        had done. Counting is over every record kept, so the interval grows with the cost of a write."""
        if self.sink.path is None:
            return
        interval = MANIFEST_EVERY_S
        while True:
            await asyncio.sleep(interval)
            t0 = time.perf_counter()
            this_run = {s: {"this_run": st.to_json()} for s, st in engine.stats.items()}
            self._write_manifest(started, "running", this_run)
            interval = max(MANIFEST_EVERY_S, 20 * (time.perf_counter() - t0))

    def _workers(self, records: int) -> Any:
        """Start worker processes for the parallel stages when the job is big enough (or asked to)."""
        from synthpipe.engine.workers import InWorkers, Workers, default_workers

        parallel = [s for s in self.stages if getattr(s, "parallel", False)]
        n = default_workers(records) if self.workers is None else self.workers
        if not parallel or n < 1 or self.executor is not None:  # an executor has workers of its own
            return None
        pool = Workers(n, parallel)
        self.stages = [InWorkers(s, pool) if s in parallel else s for s in self.stages]  # type: ignore[arg-type]
        return pool

    def _write_manifest(self, started: float, status: str, info: dict[str, dict[str, Any]]) -> dict[str, Any]:
        tail: dict[str, Any] = {}
        if self.pool is not None:
            tail["models"] = {name: public_model(self.recipe.models[name]) for name in self.pool.models}
            tail["usage"] = self.pool.total_usage(self.earlier_usage)
            tail["usage_this_run"] = self.pool.usage()
            tail["usage_by_stage"] = self.pool.total_stage_usage(self.earlier_stage_usage)
            flow = self.pool.flow()
            if flow:
                tail["flow"] = flow
            tail["cache"] = str(self.cache_path) if self.cache_path else None
        if self.executor is not None:
            tail["executor"] = self.executor.describe()
        tail.update(self.tail)
        if self.target is not None:
            tail["target"] = self.target.to_json()
        from synthpipe.stages.augment.counts import augment_counts

        kept = {o: self.sink.records(o) for o in ("accepted", "rejected", "failed")}
        augmented = augment_counts(kept)
        if augmented:
            tail["augment"] = augmented
        tail["warnings"] = self.warnings
        from synthpipe.tasks import get_task

        kind = get_task(self.recipe.task)
        if kind.label_field and self.recipe.labels:
            from synthpipe.stages.rules import label_balance

            tail["label_balance"] = label_balance(kept["accepted"], self.recipe.labels)
        manifest = build_manifest(
            command=self.command,
            status=status,
            records=kept,
            stage_names=[s.name for s in self.stages] + self.then_stages,
            stage_info=info,
            started=started,
            head=self.head,
            tail=tail,
        )
        self.sink.write_manifest(manifest)
        return manifest

    def _write_report(self, manifest: dict[str, Any]) -> None:
        from synthpipe.report import render_report

        try:
            html = render_report(self.sink.records("accepted"), self.sink.records("rejected"), manifest)
        except Exception as exc:  # the records are written; a report failure must not hide them
            self.warn(f"report.html not written ({type(exc).__name__}: {exc})")
            return
        self.sink.write_text("report.html", html)
