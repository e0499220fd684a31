"""Live progress: records done, rate, ETA, requests/s, tokens/s, in flight, retries, errors, and how
sending is held back (allowed concurrency and why, 429s and time-outs per minute, rate-limit waits)."""

from __future__ import annotations

import sys
import time
from collections import deque
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
        self._recent: deque[tuple[float, int, int]] = deque()  # (when, 429s, time-outs) for per-minute rates
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

    def add_total(self, n: int) -> None:
        """More records to come (a second pass: the derived records of accepted ones)."""
        self.total += n
        if self.enabled:
            self._progress.update(self._task, total=self.total)

    def _count(self) -> None:
        self.completed += 1

    def advance(self) -> None:
        self.completed += 1
        if time.monotonic() - self._last >= 0.2:
            self.refresh()

    def _flow(self, now: float, stats: dict[str, Any]) -> list[str]:
        """Allowed concurrency and why it moved; 429s and time-outs over the last minute; rate waits."""
        parts = []
        if "concurrency" in stats and stats["concurrency"] < stats.get("max_in_flight", 0):
            parts.append(f"limit {stats['concurrency']}/{stats['max_in_flight']} ({stats.get('why', '')})")
        self._recent.append((now, stats.get("rate_limited", 0), stats.get("timeouts", 0)))
        while len(self._recent) > 2 and now - self._recent[1][0] >= 60:
            self._recent.popleft()
        t0, r0, h0 = self._recent[0]
        span = max(now - t0, 1.0) / 60
        limited, hung = stats.get("rate_limited", 0) - r0, stats.get("timeouts", 0) - h0
        if limited:
            parts.append(f"429s {limited / span:.0f}/min")
        if hung:
            parts.append(f"time-outs {hung / span:.0f}/min")
        if stats.get("rate_wait_s", 0) >= 1:
            parts.append(f"rate waits {stats['rate_wait_s']:.0f}s")
        return parts

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
            parts.extend(self._flow(now, stats))
        self._progress.update(self._task, completed=self.completed, rate=rate, stats=" · ".join(parts))
