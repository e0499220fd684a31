"""One Ray worker: the per-record stages of a job, opened once, and the local async engine over each block
of records Ray Data hands it. The block's records come back with their outcome, and the first row of the
block carries what the worker did meanwhile (stage figures, model usage, warnings), or the error that
must stop the run (a usage or model error, RunStopped), so the driver can stop with the same message."""

from __future__ import annotations

import asyncio
import contextlib
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from synthpipe.core.errors import ModelError, RunStopped, UsageError
from synthpipe.core.records import Record


class StageWorker:
    def __init__(self, setup: list[Any]) -> None:
        import ray

        self._open(**ray.get(setup[0]))

    def _open(
        self,
        packed: bytes,
        recipe: Any,
        models: list[str],
        backends: dict[str, Any],
        use_cache: bool,
        cache: str,
    ) -> None:
        import cloudpickle

        from synthpipe.engine.models import ModelPool
        from synthpipe.executors.ray_cache import HostCache
        from synthpipe.stages.base import StageContext

        self.stages = cloudpickle.loads(packed)
        self.loop = asyncio.new_event_loop()
        self.warnings: list[str] = []
        self.pool = ModelPool(recipe, models, backends, use_cache) if models else None
        self.cache = None
        self.sent: dict[str, dict[str, dict[str, int]]] = {}
        if self.pool is not None:
            self.cache = HostCache(Path(cache))
            self.pool.attach(self.cache)  # type: ignore[arg-type]
        ctx = StageContext(
            recipe=recipe, model=self.pool.get if self.pool else None, warn=self.warnings.append
        )
        self.error: BaseException | None = None
        try:
            for stage in self.stages:
                model = (
                    partial(self.pool.get, stage=getattr(stage, "usage_name", stage.name))
                    if self.pool
                    else None
                )
                self.loop.run_until_complete(stage.open(StageContext(**{**ctx.__dict__, "model": model})))
        except (UsageError, ModelError) as exc:  # reported with the first block: Ray would retry forever
            self.error = exc

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        from synthpipe.engine.engine import Engine
        from synthpipe.sinks.base import MemorySink

        records = [Record.from_json(orjson.loads(line)) for line in batch["rec"]]
        sink = MemorySink()
        engine = Engine(self.stages, sink)
        stop: dict[str, str] | None = None
        if self.error is not None:
            stop = _stop(self.error)
        else:
            try:
                self.loop.run_until_complete(engine.run(_source(records)))
            except (UsageError, ModelError, RunStopped) as exc:
                stop = _stop(exc)
        rows: dict[str, list[str]] = {"outcome": [], "rec": [], "info": []}
        for outcome in ("accepted", "rejected", "failed"):
            for rec in sink.records(outcome):
                rows["outcome"].append(outcome)
                rows["rec"].append(rec.dumps())
                rows["info"].append("")
        info = {
            "stats": {name: st.to_json() for name, st in engine.stats.items()},
            "usage": self._usage_delta(),
            "warnings": self.warnings[:],
            "stop": stop,
        }
        self.warnings.clear()
        if not rows["rec"]:  # a stopped block: one row for the message
            rows = {"outcome": ["info"], "rec": [""], "info": [""]}
        rows["info"][0] = orjson.dumps(info).decode()
        return rows

    def _usage_delta(self) -> dict[str, dict[str, dict[str, int]]]:
        """Requests, cache hits and tokens per stage and model since the last block."""
        if self.pool is None:
            return {}
        now = self.pool.stage_usage()
        delta: dict[str, dict[str, dict[str, int]]] = {}
        for stage, models in now.items():
            for name, counts in models.items():
                before = self.sent.get(stage, {}).get(name, {})
                delta.setdefault(stage, {})[name] = {k: v - before.get(k, 0) for k, v in counts.items()}
        self.sent = now
        return delta

    def __del__(self) -> None:
        cache = getattr(self, "cache", None)
        if cache is not None:
            with contextlib.suppress(Exception):
                cache.close()


def _stop(exc: BaseException) -> dict[str, str]:
    return {"type": type(exc).__name__, "message": str(exc)}


async def _source(records: list[Record]) -> Any:
    for i in range(0, len(records), 64):
        yield records[i : i + 64]
