"""`executor="ray"` for every command: checked before the job is prepared, joined to it after."""

from __future__ import annotations

from typing import Any

from synthpipe.core.errors import UsageError
from synthpipe.engine.job import Job


def pick_executor(options: dict[str, Any]) -> Any:
    """Take `executor` and `address` out of `options`; None for the local engine. Unknown names and an
    address without Ray fail here, before anything is read or written. With Ray, `workers` counts Ray
    workers (default: the cluster's CPUs)."""
    from synthpipe.executors import make_executor

    name, address = options.pop("executor", None), options.pop("address", None)
    executor = make_executor(name, address, options.get("workers") if name == "ray" else None)
    if executor is not None and address not in (None, "local"):
        executor.connect()  # joining is quick; a wrong address fails before the output is touched
    return executor


def refuse_target() -> None:
    raise UsageError(
        "--accepted plans candidates in waves from what was accepted so far; --executor ray runs "
        "a fixed number — give --count N instead (or run --accepted on the local executor)"
    )


def attach_executor(job: Job, executor: Any) -> Job:
    """`job` run by `executor`, with a local Ray started now if it needs one."""
    if executor is None:
        return job
    try:
        if job.target is not None:
            refuse_target()
        executor.connect()
        if job.pool is not None:  # each worker needs a request slot of every model: refused before any work
            from synthpipe.executors.limits import worker_share

            worker_share(job.recipe, list(job.pool.models_used()), int(executor.workers or 1))
    except BaseException:
        job.sink.close(False)
        raise
    job.executor = executor
    return job
