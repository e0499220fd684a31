"""The engine: records from a source through a list of stages into a sink.

Each stage runs as one task reading its inbox (a bounded queue of record lists), so a slow stage holds
back the ones before it instead of filling memory. It forms batches as the stage asks (`batch_size`,
`max_wait`) and keeps up to `concurrency` calls in flight. What a call returns is routed at once: a
record with an error goes to the sink as failed, one with reasons as rejected, the rest to the next
stage's inbox; after the last stage, to the sink as accepted. Every record that enters therefore leaves
in exactly one place, and the sink can append it the moment it is decided. An exception fails the
records of that call, except a usage or model error (a missing extra, a model file), which stops the
run with its message: it would fail every record the same way. So does a stage whose first
`STOP_AFTER_SAME_FAILURES` requests all failed for good with one and the same error (a dead server, a
wrong model name) before any was answered: `RunStopped` names that error, and a re-run tries them again.
"""

from __future__ import annotations

import asyncio
import operator
import time
import traceback
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from synthpipe.core.errors import BackendError, ModelError, RunStopped, UsageError
from synthpipe.core.records import Record
from synthpipe.stages.base import Stage

INBOX_CHUNKS = 16  # lists of records a stage's inbox holds before the stage before it waits
DECIDED_NOW_CHUNK = 256  # records a stage decided at once, routed on together
MAX_DECIDE_NOW_SKIP = 1024  # records sent the usual way, at most, before asking decide_now again
STOP_AFTER_SAME_FAILURES = 8  # final failures, all alike and none answered, that stop a stage's run
_END = None


class Sink(Protocol):
    def write(self, outcome: str, rec: Record) -> None: ...

    def flush(self) -> None: ...


@dataclass
class StageStats:
    """What one stage did in this process (the manifest counts outcomes over the whole output)."""

    calls: int = 0
    records_in: int = 0
    emitted: int = 0
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "records_in": self.records_in,
            "emitted": self.emitted,
            "busy_s": round(self.seconds, 3),
        }


def fail(rec: Record, exc: BaseException, stage: str) -> None:
    """Mark `rec` failed: a backend's final error as it is, anything else as an internal error."""
    if isinstance(exc, BackendError):
        rec.meta.error = f"{type(exc).__name__}: {exc}"
    else:
        rec.meta.error = f"internal error in stage {stage}: {type(exc).__name__}: {exc}"
        rec.meta.extra["traceback"] = traceback.format_exc(limit=5)
    rec.meta.extra["failed_stage"] = stage


class Engine:
    def __init__(
        self,
        stages: list[Stage],
        sink: Sink,
        on_done: Callable[[], None] | None = None,
    ) -> None:
        self.stages = stages
        self.sink = sink
        self.on_done = on_done or (lambda: None)
        self.stats = {s.name: StageStats() for s in stages}
        self._answered: set[str] = set()  # stages that have had one call succeed
        self._same_failure: dict[str, tuple[str, int]] = {}  # stage -> (error, times) before any answer
        self._inboxes: list[asyncio.Queue[list[Record] | None]] = []

    async def run(self, source: AsyncIterator[list[Record]]) -> None:
        """Feed every record of `source` through the stages; returns when all are in the sink."""
        self._inboxes = [asyncio.Queue(INBOX_CHUNKS) for _ in self.stages]
        # A call that must stop the run (usage, model, RunStopped) raises inside a task of its stage;
        # it lands here at once, not when the stage has drained its inbox.
        self._stop = asyncio.get_running_loop().create_future()
        runners = [
            asyncio.create_task(self._drive(k), name=f"stage-{s.name}") for k, s in enumerate(self.stages)
        ]

        async def feed() -> None:
            async for chunk in source:
                await self._route(0, chunk)
                await asyncio.sleep(0)  # let the stages start on it before the next chunk is made
            await self._end(0)
            await asyncio.gather(*runners)

        main = asyncio.create_task(feed(), name="engine-feed")
        try:
            await asyncio.wait({main, self._stop}, return_when=asyncio.FIRST_COMPLETED)
            if self._stop.done():
                raise self._stop.result()
            main.result()
        except BaseException:
            for task in (main, *runners):
                task.cancel()
            await asyncio.gather(main, *runners, return_exceptions=True)
            raise

    async def _route(self, k: int, records: list[Record]) -> None:
        """Records leaving stage k-1 (or the source, k = 0): to the sink when decided, else to stage k."""
        forward: list[Record] = []
        last = k == len(self.stages)
        finished = False
        for rec in records:
            meta = rec.meta
            if meta.error is not None:
                self._finish("failed", rec)
            elif meta.reasons:
                self._finish("rejected", rec)
            elif last:
                self._finish("accepted", rec)
            else:
                forward.append(rec)
                continue
            finished = True
        if finished:
            self.sink.flush()
        if forward:
            await self._inboxes[k].put(forward)

    def _finish(self, outcome: str, rec: Record) -> None:
        self.sink.write(outcome, rec)
        self.on_done()

    async def _end(self, k: int) -> None:
        if k < len(self.stages):
            await self._inboxes[k].put(_END)

    async def _drive(self, k: int) -> None:
        stage, inbox = self.stages[k], self._inboxes[k]
        size, wait = stage.batch_size, stage.max_wait
        loop = asyncio.get_running_loop()
        sem = asyncio.Semaphore(stage.concurrency) if stage.concurrency > 1 else None
        tasks: set[asyncio.Task[None]] = set()
        buf: deque[Record] = deque()
        done = False
        first_at = 0.0  # when the oldest buffered record arrived
        now = stage.decide_now if size == 1 and type(stage).decide_now is not Stage.decide_now else None
        stats = self.stats[stage.name]
        # After a record that could not be decided at once, the next `skip` go the usual way without
        # asking (doubling while misses go on): a run with nothing cached then asks about one record in
        # a thousand, and its first requests are not held back by lookups that cannot succeed.
        skip = backoff = 0
        while buf or not done:
            waiting = not done and (
                not buf or size is None or (len(buf) < size and loop.time() - first_at < wait)
            )
            if waiting:
                timeout = None if not buf or size is None else wait - (loop.time() - first_at)
                try:
                    item = await (inbox.get() if timeout is None else asyncio.wait_for(inbox.get(), timeout))
                except TimeoutError:
                    continue
                while True:
                    if item is _END:
                        done = True
                        break
                    if not buf:
                        first_at = loop.time()
                    buf.extend(item)
                    if inbox.empty():
                        break
                    item = inbox.get_nowait()
                continue
            if now is not None and skip == 0:  # decided at once (cached answers): no task, no await
                ready: list[Record] = []
                while buf and len(ready) < DECIDED_NOW_CHUNK:
                    try:
                        decided = now(buf[0])
                    except Exception:  # the usual path decides it, and fails it properly if it must
                        decided = False
                    if not decided:
                        backoff = min(max(1, 2 * backoff), MAX_DECIDE_NOW_SKIP)
                        skip = backoff
                        break
                    backoff = 0
                    ready.append(buf.popleft())
                if ready:
                    stats.calls += len(ready)
                    stats.records_in += len(ready)
                    await self._route(k + 1, ready)
                    continue
            n = len(buf) if size is None else min(size, len(buf))
            batch = [buf.popleft() for _ in range(n)]
            if skip:
                skip -= 1
            if sem is None:
                await self._call(k, batch, None)
            else:
                await sem.acquire()
                task = asyncio.create_task(self._call(k, batch, sem))
                tasks.add(task)
                task.add_done_callback(self._call_done(tasks))
        while tasks:
            await asyncio.gather(*list(tasks))
        await self._end(k + 1)

    def _call_done(self, tasks: set[asyncio.Task[None]]) -> Callable[[asyncio.Task[None]], None]:
        def done(task: asyncio.Task[None]) -> None:
            tasks.discard(task)
            if not task.cancelled() and task.exception() is not None and not self._stop.done():
                self._stop.set_result(task.exception())

        return done

    async def _call(self, k: int, batch: list[Record], sem: asyncio.Semaphore | None) -> None:
        stage, stats = self.stages[k], self.stats[self.stages[k].name]
        stats.calls += 1
        stats.records_in += len(batch)
        started = time.perf_counter()
        try:
            out = await stage.process(batch)
        except (UsageError, ModelError):
            raise  # bad setup found on first use (a missing extra, a model file): stop, say what to fix
        except Exception as exc:  # a bug or a failed request must not cost the other records
            for rec in batch:
                fail(rec, exc, stage.name)
            out = batch
            if isinstance(exc, BackendError) and stage.name not in self._answered:
                self._count_failure(stage.name, str(exc), batch)
        else:
            if stage.name not in self._answered and any(r.meta.error is None for r in out):
                self._answered.add(stage.name)
                self._same_failure.pop(stage.name, None)
        finally:
            stats.seconds += time.perf_counter() - started
            if sem is not None:
                sem.release()
        if len(out) != len(batch) or not all(map(operator.is_, out, batch)):
            out = self._account(stage, batch, out)
        if sem is not None:
            # Let the stage start its next call (a request to the server) before this one's records
            # are checked further on: answers arrive in bursts, and the server should not wait.
            await asyncio.sleep(0)
        await self._route(k + 1, out)

    def _count_failure(self, stage: str, error: str, batch: list[Record]) -> None:
        """Stop the run when a stage's first requests all failed the same way: every other candidate
        would fail like them. The records of this call are written as failed first (a re-run retries)."""
        before = self._same_failure.get(stage)
        times = before[1] + 1 if before is not None and before[0] == error else 1
        self._same_failure[stage] = (error, times)
        if times >= STOP_AFTER_SAME_FAILURES:
            for rec in batch:
                self._finish("failed", rec)
            self.sink.flush()
            raise RunStopped(
                f"stage {stage}: the first {times} requests all failed the same way and none was "
                f"answered, so the run stopped: {error} — fix that, then run the same command again "
                "(finished records are kept)"
            )

    def _account(self, stage: Stage, batch: list[Record], out: list[Record]) -> list[Record]:
        """Count derived records; a record the stage did not give back fails rather than vanish."""
        given = {id(r) for r in batch}
        returned = {id(r) for r in out}
        self.stats[stage.name].emitted += sum(1 for r in out if id(r) not in given)
        lost = [r for r in batch if id(r) not in returned]
        for rec in lost:
            rec.meta.error = f"internal error in stage {stage.name}: the stage did not return the record"
            rec.meta.extra["failed_stage"] = stage.name
        return out + lost
