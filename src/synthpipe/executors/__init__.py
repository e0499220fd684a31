"""Executors: who runs a job's stages. `local` is the asyncio engine in this process (engine/engine.py);
`ray` runs the same stages on Ray Data (ray_data.py), on a local Ray or an existing cluster.

Ray is imported only when a job asks for it, never when synthpipe is imported."""

from __future__ import annotations

from typing import Any

from synthpipe.core.errors import UsageError

EXECUTORS = ("local", "ray")


def make_executor(name: str | None, address: str | None = None, workers: int | None = None) -> Any:
    """None for the local engine; a RayExecutor for `ray`. Bad combinations fail here, before any work."""
    name = name or "local"
    if name not in EXECUTORS:
        raise UsageError(f"--executor {name!r}: unknown — use --executor local or --executor ray")
    if name == "local":
        if address is not None:
            raise UsageError("--address is for --executor ray — add --executor ray, or drop --address")
        return None
    if workers == 0:
        raise UsageError("--workers 0 with --executor ray: give at least 1 Ray worker, or leave it out")
    from synthpipe.executors.connect import import_ray
    from synthpipe.executors.ray_data import RayExecutor

    import_ray()  # a missing extra is named before anything is read or written
    return RayExecutor(address=address, workers=workers)
