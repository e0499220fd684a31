"""Worker processes for the stages that decide one record from the record alone (rules, grounding).

Such a stage declares `parallel = True`. When a job has enough records and the machine has cores to
spare, the job wraps it in `InWorkers`: batches go to a process pool as (id, task, fields, plan), the
worker runs the very same stage object on a bare record, and the decisions come back as the reasons,
flags, scores and extras the stage added, which are merged into the real record. Decisions are the
same as in the main process (a test holds them side by side); only the CPU they run on differs.

Workers are forked (Linux) when the job starts, before it has started any thread, so they inherit the
stages, the registered task kinds and the imported modules without pickling or re-running the
caller's script; a process that already runs other threads is not forked unless `workers=` asks for it.
Workers ignore Ctrl-C (the main process stops them) and are killed by the kernel when it dies. If the pool breaks (a worker
killed), the stage goes on in the main process.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from synthpipe.core.errors import UsageError
from synthpipe.core.records import Meta, Reason, Record
from synthpipe.stages.base import RecordStage, Stage, StageContext

MIN_RECORDS = 4000  # below this, starting workers costs more than it saves
_STAGES: dict[str, RecordStage] = {}

Item = tuple[str, str, dict[str, Any], dict[str, Any]]
Decision = tuple[dict[str, Any], list[Reason], list[Reason], dict[str, Any], dict[str, Any]]


def default_workers(records: int) -> int:
    """Worker processes for a job of `records` records: one per spare core, at least 2 and at most 4;
    none for small jobs, a single core, a system without a safe fork, or a process that already runs
    threads. On 2 cores, 2 workers beside the main process finish sooner than 1, because the main
    process (dedup, the files) often waits (cached re-run of 20,000 qa records, bench/rerun.py: 4.5 s
    with 1 worker, 4.0 s with 2)."""
    cores = os.cpu_count() or 1
    if records < MIN_RECORDS or cores < 2 or not sys.platform.startswith("linux"):
        return 0
    return 0 if threading.active_count() > 1 else min(max(cores - 1, 2), 4)


def _init(stages: dict[str, RecordStage], parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)
    _STAGES.clear()
    _STAGES.update(stages)


def _die_with(parent: int) -> None:
    """Ask the kernel to end this worker when the main process dies, however it dies (kill -9
    included): a forked worker holds copies of its own pipes and would otherwise wait forever."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the main process died before the request was made
        os._exit(1)


def _ready() -> bool:
    return True


def _decide(name: str, items: list[Item]) -> list[Decision]:
    stage = _STAGES[name]
    out: list[Decision] = []
    for rid, task, fields, plan in items:
        rec = Record(rid, fields, Meta(task=task, plan=plan))
        if stage.apply(rec):
            raise RuntimeError(f"stage {name} derived records; it cannot run in worker processes")
        meta = rec.meta
        out.append((rec.fields, meta.reasons, meta.flags, meta.scores, meta.extra))
    return out


class Workers:
    def __init__(self, n: int, stages: list[RecordStage]) -> None:
        import multiprocessing

        if not sys.platform.startswith("linux"):
            raise UsageError("worker processes need Linux's fork — run with workers=0 (--workers 0)")
        self.n = n
        self.pool = ProcessPoolExecutor(
            n,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_init,
            initargs=({s.name: s for s in stages}, os.getpid()),  # inherited through fork, never pickled
        )
        self.pool.submit(_ready).result()  # fork now, while no stage has started a thread

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class InWorkers(Stage):
    """`inner`, with its batches decided in the worker processes."""

    def __init__(self, inner: RecordStage, workers: Workers) -> None:
        self.inner, self.workers = inner, workers
        self.name = inner.name  # type: ignore[misc]
        self.batch_size = inner.batch_size
        self.max_wait = inner.max_wait
        self.concurrency = 2 * workers.n  # one batch queued behind each one being decided
        self.broken = False

    async def open(self, ctx: StageContext) -> None:
        await self.inner.open(ctx)

    async def process(self, records: list[Record]) -> list[Record]:
        if self.broken:
            return await self.inner.process(records)
        items = [(r.id, r.meta.task, r.fields, r.meta.plan) for r in records]
        loop = asyncio.get_running_loop()
        try:
            decisions = await loop.run_in_executor(self.workers.pool, _decide, self.name, items)
        except BrokenProcessPool:
            self.broken = True
            return await self.inner.process(records)
        for rec, (fields, reasons, flags, scores, extra) in zip(records, decisions, strict=True):
            meta = rec.meta
            rec.fields = fields
            meta.reasons.extend(reasons)
            meta.flags.extend(flags)
            meta.scores.update(scores)
            meta.extra.update(extra)
        return records

    async def close(self) -> dict[str, Any]:
        info = {**(await self.inner.close()), "workers": self.workers.n}
        if self.broken:
            info["workers_broke"] = "a worker process died; the main process decided the rest"
        return info

    def files(self) -> dict[str, list[Record]]:
        return self.inner.files()
