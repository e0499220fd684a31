"""The fault server's everyday trouble, apart from the server itself: which faults (`Faults`), and a
per-minute budget metered as a provider does (`Budget`). `tests/faultserver.py` serves them."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class Faults:
    """What the server does to requests nobody scripted: the everyday trouble of real endpoints.

    - `p429`: a random share answered 429 with `Retry-After: retry_after`, whatever the load;
    - `capacity` with `overflow="refuse"`: more than `capacity` requests at once are answered 429 at once;
      with `overflow="queue"`: they wait their turn, so latency grows with load (vLLM, SGLang);
    - `rpm` / `tpm`: a requests / tokens per minute budget (a bucket holding `burst` seconds of it), sent
      in `x-ratelimit-*` headers on every answer; an empty bucket answers 429 with remaining 0;
    - `p500`, `p_garbage`, `p_truncated`, `p_hang`: random server errors, unreadable bodies, answers cut at
      max_tokens, and requests that never answer.
    """

    p429: float = 0.0
    retry_after: str = "1"
    capacity: int | None = None
    overflow: str = "refuse"
    rpm: float | None = None
    tpm: float | None = None
    burst: float = 1.0
    p500: float = 0.0
    p_garbage: float = 0.0
    p_truncated: float = 0.0
    p_hang: float = 0.0
    seed: int = 0


def p95(values: list[float]) -> float | None:
    ordered = sorted(values)
    return ordered[int(len(ordered) * 0.95)] if ordered else None


class Budget:
    """A per-minute budget as a bucket of `burst` seconds, as a provider meters it."""

    def __init__(self, per_minute: float, burst: float) -> None:
        self.per_minute, self.rate = per_minute, per_minute / 60.0
        self.capacity = max(1.0, self.rate * burst)
        self.level, self.stamp = self.capacity, time.monotonic()

    def take(self, amount: float) -> bool:
        now = time.monotonic()
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.level < amount:
            return False
        self.level -= amount
        return True

    def headers(self, unit: str) -> dict[str, str]:
        reset = max(0.0, (1 - self.level) / self.rate) if self.level < 1 else 0.0
        return {
            f"x-ratelimit-limit-{unit}": str(int(self.per_minute)),
            f"x-ratelimit-remaining-{unit}": str(max(0, int(self.level))),
            f"x-ratelimit-reset-{unit}": f"{reset:.3f}s",
        }
