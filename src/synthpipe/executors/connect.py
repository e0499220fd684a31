"""Starting or joining Ray: usage stats and the dashboard off, a clear error for a missing extra or an
address where no cluster answers (found within seconds, never a long hang)."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
from collections.abc import Iterator
from typing import Any

from synthpipe.core.errors import MissingDependencyError, UsageError

CONNECT_TIMEOUT_S = 5.0  # a TCP probe of --address before Ray is asked to join it


def import_ray() -> Any:
    """The `ray` module, telemetry off; an error naming the extra when it is not installed."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_DISABLE_USAGE_STATS", "1")
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise MissingDependencyError("--executor ray", "ray") from None
    return ray


def _probe(address: str) -> None:
    """Fail at once when nothing listens at HOST:PORT (ray://HOST:PORT or a GCS HOST:PORT)."""
    hostport = address.removeprefix("ray://")
    host, sep, port = hostport.rpartition(":")
    if not sep or not port.isdigit():
        raise UsageError(
            f"--address {address!r}: expected auto, ray://HOST:PORT or HOST:PORT — e.g. --address ray://10.0.0.5:10001"
        )
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise UsageError(
            f"--address {address}: no Ray cluster answers there ({exc.strerror or exc}) — start one with "
            "`ray start --head`, fix the address, or leave --address out to run on a local Ray"
        ) from None


def connect(address: str | None, workers: int | None) -> Any:
    """Ray, initialised: the session already started in this process, else the cluster at `address`
    (`auto`: the one started on this machine with `ray start`), else a new local Ray."""
    ray = import_ray()
    if address not in (None, "local", "auto"):
        _probe(address)
    if ray.is_initialized():  # a session this process started or joined before (tests, notebooks)
        return ray
    options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": "ERROR"}
    if address is None or address == "local":
        options["num_cpus"] = max(workers or 0, os.cpu_count() or 1)
        ray.init(**options)
        return ray
    if address.startswith("ray://"):
        options.pop("include_dashboard")
    try:
        with _quiet_stderr():  # Ray's core logs each retry of an address that does not answer
            ray.init(address=address, **options)
    except Exception as exc:  # ConnectionError and Ray's own: one line, with the fix
        raise UsageError(
            f"--address {address}: could not join a Ray cluster ({type(exc).__name__}: {str(exc)[:200]}) — "
            "start one with `ray start --head`, or leave --address out to run on a local Ray"
        ) from None
    return ray


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def cluster_cpus(ray: Any) -> int:
    return max(1, int(ray.cluster_resources().get("CPU", 1)))
