"""Live progress: records done, rate, ETA, requests/s, tokens/s, in flight, retries, errors."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any


class RunProgress:
    def __init__(
        self,
        total: int,
        done: int,
        stats: Callable[[], dict[str, Any]],
        enabled: bool | None = None,
        what: str = "run",
    ) -> None:
        self.stats = stats
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.total = total
        self.start = time.monotonic()
        self._last = 0.0
        self.completed = self._base = done
        if not self.enabled:  # nothing to draw: rich is not even imported
            self.advance = self._count  # type: ignore[method-assign]
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.console = Console(stderr=True)
        self._progress = Progress(
            TextColumn(f"[bold]{what}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[stats]}"),
            console=self.console,
            disable=not self.enabled,
            transient=False,
        )
        self._task = self._progress.add_task("run", total=total, completed=done, rate="", stats="")

    def __enter__(self) -> RunProgress:
        if self.enabled:
            self._progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.enabled:
            self.refresh()
            self._progress.stop()

    def _count(self) -> None:
        self.completed += 1

    def advance(self) -> None:
        self.completed += 1
        if time.monotonic() - self._last >= 0.2:
            self.refresh()

    def refresh(self) -> None:
        """Redraw; the stats are gathered only here, not for every record."""
        now = self._last = time.monotonic()
        stats = self.stats()
        elapsed = max(now - self.start, 1e-6)
        rate = f"{(self.completed - self._base) / elapsed:.1f} rec/s"
        parts = []
        if stats:
            parts.append(f"{stats.get('requests', 0) / elapsed:.1f} req/s")
            parts.append(f"{stats.get('completion_tokens', 0) / elapsed:.0f} tok/s")
            parts.append(f"in flight {stats.get('in_flight', 0)}")
            parts.append(f"retries {stats.get('retries', 0)}")
            parts.append(f"errors {stats.get('errors', 0)}")
            if stats.get("cache_hits"):
                parts.append(f"cached {stats['cache_hits']}")
        self._progress.update(self._task, completed=self.completed, rate=rate, stats=" · ".join(parts))
