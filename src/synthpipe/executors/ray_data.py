"""The Ray executor: the same stages as a local run, on Ray Data.

A job's stages split in two. The per-record stages (generate, parse, rules, grounding, agreement,
judge, augmentation) run as a batch map on Ray workers: the records are split into blocks, and each
worker runs the local async engine over a block, with its share of every model's concurrency and rate
limits (limits.py). What the blocks decide streams back to this process, which writes it to the same
files as a local run. The stages that need the whole set (dedup, the review sample) then run here over
everything that passed; dedup itself is distributed (ray_dedup.py) and decides keep-first over the
whole set at once, so the same input gives the same kept set however the blocks were scheduled.

Resume: answered requests are in the cache (ray_cache.py); a block's rejected and failed records are
in the output as soon as it finishes and the records that passed wait in a pending file (pending.py),
so a re-run plans neither again."""

from __future__ import annotations

import asyncio
import math
import tempfile
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson

from synthpipe.core import errors
from synthpipe.core.errors import UsageError
from synthpipe.core.records import Record
from synthpipe.engine.engine import Engine, StageStats
from synthpipe.stages.base import Stage

WHOLE_SET = ("dedup", "sample")  # stages that decide over every record: run after the per-record ones
MIN_BLOCK, MAX_BLOCK = 16, 4096


class RayExecutor:
    """`--executor ray`: where to run (`address`) and on how many workers (default: the cluster's CPUs)."""

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        self.address, self.workers = address, workers
        self.passes = 0
        self.ray: Any = None

    def connect(self) -> None:
        if self.ray is None:
            from synthpipe.executors.connect import cluster_cpus, connect

            self.ray = connect(self.address, self.workers)
            ctx = self.ray.data.DataContext.get_current()
            ctx.enable_progress_bars = False
            ctx.print_on_execution_start = False
            import logging

            logging.getLogger("ray.data").setLevel(logging.ERROR)
            self.workers = self.workers or cluster_cpus(self.ray)

    def engine(self, job: Any, stages: list[Stage], sink: Any, on_done: Callable[[], None]) -> RayEngine:
        self.connect()
        self.passes += 1
        return RayEngine(self, job, stages, sink, on_done, "" if self.passes == 1 else f"-{self.passes}")

    def describe(self) -> dict[str, Any]:
        return {"name": "ray", "address": self.address or "local", "workers": self.workers}


class RayEngine:
    """Engine's interface (`stats`, `run(source)`) over Ray."""

    def __init__(
        self,
        executor: RayExecutor,
        job: Any,
        stages: list[Stage],
        sink: Any,
        on_done: Callable[[], None],
        name: str,
    ) -> None:
        import cloudpickle

        self.executor, self.job, self.sink, self.on_done, self.name = executor, job, sink, on_done, name
        cut = next((k for k, s in enumerate(stages) if s.name in WHOLE_SET), len(stages))
        self.head, self.tail = stages[:cut], stages[cut:]
        self.packed = cloudpickle.dumps(self.head)  # before they open here: workers open their own
        self.stats = {s.name: StageStats() for s in stages}

    async def run(self, source: AsyncIterator[list[Record]]) -> None:
        from synthpipe.executors.pending import Pending
        from synthpipe.sinks import RunDir

        records = [rec async for chunk in source for rec in chunk]
        folder = self.sink.path if isinstance(self.sink, RunDir) and self.tail else None
        pending = Pending(folder, self.name)
        done = {r.id for o in ("accepted", "rejected", "failed") for r in self.sink.records(o)}
        passed = pending.load(self.job.recipe.data_hash, done)
        waiting = {r.id for r in passed}
        todo = [r for r in records if r.id not in waiting and not self._decided(r)]
        try:
            if self.head and todo:
                await self._head(todo, passed, pending)
            else:
                passed.extend(todo)
            if self.tail:
                await self._tail(passed)
            elif not self.head:
                self._write("accepted", passed)
        finally:
            pending.close()
        pending.clear()

    def _decided(self, rec: Record) -> bool:
        """A record that arrives failed or rejected (an unreadable line) goes to the output at once."""
        if rec.meta.error is not None:
            self._write("failed", [rec])
        elif rec.meta.reasons:
            self._write("rejected", [rec])
        else:
            return False
        return True

    def _write(self, outcome: str, records: list[Record]) -> None:
        for rec in records:
            self.sink.write(outcome, rec)
            self.on_done()
        if records:
            self.sink.flush()

    async def _head(self, todo: list[Record], passed: list[Record], pending: Any) -> None:
        from synthpipe.executors.ray_cache import merge_shards

        cache, scratch = self._cache_path()
        merge_shards(cache)  # answers a killed run received, before any worker asks again
        rows = iter(self._blocks(todo, str(cache)).iter_batches(batch_size=None, batch_format="numpy"))
        pool = ThreadPoolExecutor(1, thread_name_prefix="ray-blocks")  # Ray's iterator, off the loop
        loop = asyncio.get_running_loop()
        try:
            while (batch := await loop.run_in_executor(pool, next, rows, None)) is not None:
                self._block_done(batch, passed, pending)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            if scratch is None:
                merge_shards(cache)
            else:
                scratch.cleanup()

    def _cache_path(self) -> tuple[Path, Any]:
        """The run's cache file; without one (a run with no output folder), a scratch file for this run."""
        if self.job.cache_path is not None:
            return Path(self.job.cache_path), None
        scratch = tempfile.TemporaryDirectory(prefix="synthpipe-ray-")
        return Path(scratch.name) / "cache.sqlite", scratch

    def _blocks(self, todo: list[Record], cache: str) -> Any:
        from synthpipe.executors.limits import worker_share
        from synthpipe.executors.ray_worker import StageWorker

        ray, n = self.executor.ray, int(self.executor.workers or 1)
        pool = self.job.pool
        models = pool.models_used() if pool is not None else []
        recipe = worker_share(self.job.recipe, models, n)
        size = self._block_size(len(todo), n, recipe, models)
        ds = ray.data.from_items(
            [{"rec": rec.dumps()} for rec in todo], override_num_blocks=math.ceil(len(todo) / size)
        )
        setup = {
            "packed": self.packed,
            "recipe": recipe,
            "models": models,
            "backends": dict(pool._given) if pool is not None else {},
            "use_cache": pool.use_cache if pool is not None else True,
            "cache": cache,
        }
        return ds.map_batches(
            StageWorker,
            # a reference inside a list: Ray hands it over as it is, and the worker fetches the setup
            fn_constructor_args=([ray.put(setup)],),
            batch_size=size,
            compute=ray.data.ActorPoolStrategy(size=n),
            num_cpus=min(1.0, max(0.25, self._cpus() / n)),
            batch_format="numpy",
            zero_copy_batch=True,
        )

    def _cpus(self) -> float:
        return float(self.executor.ray.cluster_resources().get("CPU", 1))

    @staticmethod
    def _block_size(records: int, workers: int, recipe: Any, models: list[str]) -> int:
        """Enough records per block to keep a worker's request slots busy, and at least two blocks per
        worker so a block that finishes late leaves the others working (and a re-run skips finished ones)."""
        slots = max([4 * recipe.models[m].max_in_flight for m in models] or [0])
        want = max(256, 8 * slots)
        return max(MIN_BLOCK, min(want, MAX_BLOCK, math.ceil(records / (2 * workers))))

    def _block_done(self, batch: dict[str, Any], passed: list[Record], pending: Any) -> None:
        """Ray may hand over several blocks' rows at once: each block's first row has its `info`."""
        infos = [orjson.loads(line) for line in batch["info"] if line]
        for info in infos:
            self._count(info)
        by: dict[str, list[Record]] = {"accepted": [], "rejected": [], "failed": []}
        for outcome, line in zip(batch["outcome"], batch["rec"], strict=True):
            if outcome in by:
                by[outcome].append(Record.from_json(orjson.loads(line)))
        self._write("rejected", by["rejected"])
        self._write("failed", by["failed"])
        if self.tail:
            passed.extend(by["accepted"])
            pending.add(by["accepted"])
        else:
            self._write("accepted", by["accepted"])
        for info in infos:
            if info["stop"]:
                stop = info["stop"]
                raise getattr(errors, stop["type"], UsageError)(stop["message"])

    def _count(self, info: dict[str, Any]) -> None:
        for message in info["warnings"]:
            self.job.warn(message)
        if self.job.pool is not None:
            self.job.pool.add_usage(info["usage"])
        for stage, figures in info["stats"].items():
            st = self.stats[stage]
            st.calls += figures["calls"]
            st.records_in += figures["records_in"]
            st.emitted += figures["emitted"]
            st.seconds += figures["busy_s"]

    async def _tail(self, passed: list[Record]) -> None:
        """The whole-set stages, here, over every record that passed; dedup distributed over the workers."""
        from synthpipe.executors.ray_dedup import ray_dedup_records
        from synthpipe.sinks.base import position
        from synthpipe.stages.dedup import DedupStage

        for stage in self.tail:
            if isinstance(stage, DedupStage):
                stage.batch_size = None  # the whole set at once: keep-first does not depend on timing
                stage.batch_dedup = ray_dedup_records(self.executor.ray, int(self.executor.workers or 1))
        engine = Engine(self.tail, self.sink, on_done=self.on_done)
        passed.sort(key=position)

        async def source() -> AsyncIterator[list[Record]]:
            for i in range(0, len(passed), 1024):
                yield passed[i : i + 1024]

        await engine.run(source())
        for name, st in engine.stats.items():
            self.stats[name] = st
