"""Running a coroutine to its end from synchronous code, also from inside a running event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any


def run_to_end(coro: Coroutine[Any, Any, Any], thread_name: str = "synthpipe-async") -> Any:
    """`asyncio.run(coro)`; when called from a thread whose event loop is running (the `run` pipeline, a
    notebook), on a private loop in a thread of its own, with its result or exception handed back."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def worker() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # handed back to the caller's thread below
            box["error"] = exc

    thread = threading.Thread(target=worker, name=thread_name)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]
