"""How fast to send: concurrency that follows the server's capacity, and pacing that follows its rate limits.

Two different signals, answered differently:

- **A rate signal** is the server saying "not now": a 429 (or 503) with `Retry-After`, or rate-limit
  headers (`x-ratelimit-limit/remaining/reset-requests|tokens`). The refused request waits out its own
  `Retry-After` without holding a slot; nobody else stops unless the headers say the budget is spent
  (remaining 0: everyone pauses until the reset). With limit headers, sending is paced at just under the
  advertised rate (`ServerLimits`). A sporadic 429 never shrinks concurrency.
- **Overload** is refusals or latency that rise with concurrency. `ConcurrencyControl` keeps, per level
  of requests in flight at send time, how many were sent, answered and refused (decayed, so old history
  fades). On a refusal it looks for the level that best splits answered requests (at or under it) from
  refused ones (above it); when that level is under the limit and nearly everything sent above it was
  refused, it is the server's capacity: the limit drops to it at once and is probed upwards again, one
  slot every `probe_every` seconds. Refusals spread over every level (random 429s) split best at the
  top and change nothing. A server that queues instead of refusing (vLLM, SGLang) shows as window-median
  latency over `tolerance` times the unloaded latency for two windows in a row: the limit then goes
  toward limit / ratio (with `headroom`, at most halving per window). Latency that does not fall with
  4x fewer in flight is the server's own and becomes the new baseline. Clean windows grow the limit
  back: by a quarter while under the last known capacity (recovery in a few round trips), by one slot
  per probe interval above it. The limit never goes under `floor`.

A slot freed by `release` is handed straight to the oldest waiter, so waiting is FIFO.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import statistics
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

REFUSED, OK, FAILED, LIMITED = "refused", "ok", "failed", "limited"  # LIMITED: a refusal by rate budget


@dataclass(slots=True)
class Change:
    at: float  # time.monotonic()
    limit: int
    reason: str

    def to_json(self, start: float) -> dict[str, Any]:
        return {"t": round(self.at - start, 3), "limit": self.limit, "reason": self.reason}


@dataclass
class Ticket:
    level: int  # requests in flight when this one was sent, itself included (0: not sent yet)
    sent: float  # when it left (after any pacing): latency is measured from here
    epoch: int  # the limit's generation when it was sent


@dataclass
class ConcurrencyControl:
    maximum: int
    floor: int = 1
    tolerance: float = 1.5  # latency over the unloaded latency that counts as queueing
    headroom: float = 1.25  # after a cut for latency: how far over the estimated capacity to stay
    probe_every: float = 2.0  # seconds between tries one slot above a capacity found by refusals
    min_refusals: int = 4  # refusals at a level and above before it is taken for the capacity
    limit: int = 0
    active: int = 0  # slots held (a request paced by rate limits holds one)
    in_flight: int = 0  # requests sent and not yet answered
    reason: str = "as configured"
    changes: deque[Change] = field(default_factory=lambda: deque(maxlen=200))

    def __post_init__(self) -> None:
        self.limit = self.limit or self.maximum
        self.floor = max(1, min(self.floor, self.maximum))
        self._waiters: deque[asyncio.Future[None]] = deque()
        size = self.maximum + 2
        self._sent = [0.0] * size  # decayed counts per level at send: sent, answered, refused
        self._ok = [0.0] * size
        self._refused = [0.0] * size
        self._responses = 0
        self.capacity = self.maximum  # the limit refusals last pointed at
        self._probe_at = 0.0
        self._window: list[tuple[int, float]] = []  # (level at send, latency) of this window's successes
        self._base: float | None = None  # unloaded latency: the lowest window median seen
        self._high_windows = 0  # windows in a row over tolerance
        self._high_since: tuple[int, float] | None = None  # limit and median when latency went high
        self._epoch = 0  # bumps when refusals cut the limit: later refusals of earlier sends are old news
        self._start = time.monotonic()

    # --- slots ---------------------------------------------------------------------------------------
    async def acquire(self) -> Ticket:
        if self.active >= self.limit or self._waiters:
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(fut)
            try:
                await fut
            except asyncio.CancelledError:
                if fut.done() and not fut.cancelled():  # the slot was handed over just before the cancel
                    self.active -= 1
                    self._wake()
                raise
        else:
            self.active += 1
        return Ticket(0, time.monotonic(), self._epoch)

    def sending(self, ticket: Ticket) -> None:
        """The request leaves now (after any pacing): its level is what is really in flight with it."""
        self.in_flight += 1
        ticket.level = min(self.in_flight, self.maximum)
        ticket.sent = time.monotonic()
        ticket.epoch = self._epoch
        self._sent[ticket.level] += 1

    def _wake(self) -> None:
        while self._waiters and self.active < self.limit:
            fut = self._waiters.popleft()
            if not fut.done():
                self.active += 1
                fut.set_result(None)

    def release(self, ticket: Ticket, outcome: str) -> None:
        """Free the slot and learn from how the request went: OK, REFUSED (429/503/529 for load),
        LIMITED (429 for a spent rate budget: pacing's business) or FAILED."""
        self.active -= 1
        if not ticket.level:  # never sent (cancelled while paced)
            self._wake()
            return
        self.in_flight -= 1
        now = time.monotonic()
        self._responses += 1
        if self._responses % max(64, 4 * self.limit) == 0:
            self._decay()
        if outcome == REFUSED and not (ticket.epoch != self._epoch and ticket.level > self.limit):
            self._refused[ticket.level] += 1
            self._on_refusal(now)
        elif outcome == OK:
            self._ok[ticket.level] += 1
            if ticket.epoch != self._epoch:
                self._wake()
                return
            self._window.append((ticket.level, now - ticket.sent))
            if len(self._window) >= max(8, self.limit):
                self._end_window(now)
        self._wake()

    # --- learning ------------------------------------------------------------------------------------
    def _decay(self) -> None:
        self._ok = [x * 0.5 for x in self._ok]
        self._sent = [x * 0.5 for x in self._sent]
        self._refused = [x * 0.5 for x in self._refused]

    def _on_refusal(self, now: float) -> None:
        """Find the level that best splits answered requests (at or under it) from refused ones (above
        it): the fewest answers above plus refusals at or under. When that level is under the limit and
        most of what was sent above it was refused, it is the server's capacity. Refusals spread over
        every level (a random 429) split best at the top, so they change nothing."""
        sent, ok, refused = self._sent, self._ok, self._refused
        above_sent, above_refused = sum(sent), sum(refused)
        errors = best = sum(ok)  # split at 0: every answer counts against it
        best_k, at_best = 0, (above_sent, above_refused)
        for k in range(1, self.maximum + 1):
            above_sent -= sent[k]
            above_refused -= refused[k]
            errors += refused[k] - ok[k]
            if errors <= best:  # ties go to the higher level: never cut more than the evidence says
                best, best_k, at_best = errors, k, (above_sent, above_refused)
        over_sent, over_refused = at_best
        # A server over its capacity refuses nearly everything sent above it (refusals come back at once,
        # answers later: what is still out counts against the cut); a random 429 hits any level.
        if best_k < self.limit and over_refused >= self.min_refusals and over_refused >= 0.75 * over_sent:
            self.capacity = max(self.floor, best_k)
            self._probe_at = now + self.probe_every
            self._epoch += 1
            self._window = []
            self._set(self.capacity, f"refusals above {best_k} in flight", now)
            # what was learnt above the new limit is spent: a later probe starts from a clean slate
            for k in range(best_k + 1, self.maximum + 1):
                sent[k] = ok[k] = refused[k] = 0.0

    def _end_window(self, now: float) -> None:
        window, self._window = self._window, []
        median = statistics.median(lat for _, lat in window)
        if self._base is None:
            # The opening burst: requests sent while few were in flight met no queue, whatever came after.
            low = [lat for level, lat in window if level <= max(2, self.limit // 16)]
            self._base = statistics.median(low) if low else median
        elif median < self._base:
            self._base = (self._base + median) / 2  # half way: one lucky window does not reset it
        ratio = median / self._base if self._base > 0 else 1.0
        if ratio > self.tolerance:
            self._high_windows += 1
            if self._high_windows < 2:
                return  # one slow window is a hiccup (a busy client loop, one long answer); two are a queue
            if self._high_since is None:
                self._high_since = (self.limit, median)
            elif self.limit <= self.floor or (
                self.limit <= self._high_since[0] // 4 and median > 0.75 * self._high_since[1]
            ):
                # Four times fewer in flight (or the floor) and hardly faster: the latency is the
                # server's own, not a queue of ours. It becomes the new unloaded latency.
                self._base, self._high_since = median, None
                self.capacity = self.maximum  # and what the cuts took for capacity was not
                return
            # In a queue, latency grows in step with what is in flight, so limit / ratio is about what
            # the server serves at once; a little headroom over that keeps it busy (Vegas, gradient2).
            target = max(self.floor, int(self.limit * max(0.5, self.headroom / ratio)))
            if target < self.limit:
                self.capacity = target
                self._probe_at = now + self.probe_every
                self._epoch += 1  # what was sent before the cut still sits in the queue: not evidence
                self._window = []
                self._set(target, f"latency {ratio:.1f}x unloaded", now)
            return
        self._high_since = None
        self._high_windows = 0
        if self.limit >= self.maximum:
            return
        if self.limit < self.capacity:
            grown = min(self.capacity, self.limit + max(1, self.limit // 4))
            self._set(grown, "recovering", now)
        elif now >= self._probe_at:
            self._probe_at = now + self.probe_every
            self._set(min(self.maximum, self.limit + 1), "probing for capacity", now)

    def _set(self, limit: int, reason: str, now: float) -> None:
        if limit == self.limit:
            return
        self.limit, self.reason = limit, reason
        self.changes.append(Change(now, limit, reason))
        self._wake()

    def history(self) -> list[dict[str, Any]]:
        return [c.to_json(self._start) for c in self.changes]


class RateBucket:
    """Token bucket that may go into debt: a caller takes what it needs and sleeps off the debt.

    Waiting is therefore FIFO without a lock; `refund` corrects an estimate once the real usage is known.
    """

    def __init__(self, per_minute: float, burst_seconds: float = 1.0, capacity: float | None = None) -> None:
        self.rate = per_minute / 60.0
        self.capacity = capacity if capacity is not None else max(1.0, self.rate * burst_seconds)
        self.level = self.capacity
        self.stamp = time.monotonic()
        self.waited = 0.0  # seconds callers slept on this bucket

    def _refill(self) -> None:
        now = time.monotonic()
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    async def take(self, amount: float) -> None:
        self._refill()
        self.level -= amount
        if self.level < 0:
            wait = -self.level / self.rate
            self.waited += wait
            await asyncio.sleep(wait)

    def refund(self, amount: float) -> None:
        self._refill()
        self.level = min(self.capacity, self.level + amount)

    def retune(self, per_minute: float, capacity: float, level: float | None = None) -> None:
        """Follow a server's advertised limit (and, when given, what it says is left)."""
        self._refill()
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, capacity)
        if level is not None:
            self.level = min(self.level, level)
        self.level = min(self.level, self.capacity)


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")


def parse_duration(value: str | None) -> float | None:
    """`1s`, `6m0s`, `120ms`, `1h2m`, or plain seconds, as seconds."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parts = _DURATION.findall(value)
    if not parts:
        return None
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    return sum(float(n) * scale[unit] for n, unit in parts)


class ServerLimits:
    """Pacing from the rate-limit headers a server sends (`x-ratelimit-*-requests` and `-tokens`).

    The advertised per-minute limit becomes a bucket that refills at `margin` of it; what the server
    says is left caps the bucket's level; remaining 0 pauses everyone until the reset. A recipe's own
    `requests_per_minute` / `tokens_per_minute` start the buckets before any header is seen."""

    margin = 0.97
    first_wait = 1.0  # seconds the others wait for the first answer's headers, at most

    def __init__(self, requests_per_minute: float | None, tokens_per_minute: float | None) -> None:
        self._open = False  # the first answer came back (or first_wait ran out): everyone may go
        self._first: asyncio.Event | None = None
        self.requests = RateBucket(requests_per_minute) if requests_per_minute else None
        self.tokens = RateBucket(tokens_per_minute) if tokens_per_minute else None
        self._own = (requests_per_minute, tokens_per_minute)
        self.pause_until = 0.0  # time.monotonic() before which nobody sends
        self.paused = 0.0  # seconds spent waiting on a server-wide pause
        self.advertised: dict[str, float] = {}

    @property
    def waited(self) -> float:
        return self.paused + sum(b.waited for b in (self.requests, self.tokens) if b is not None)

    async def wait(self, est_tokens: int) -> None:
        if not self._open:
            # The very first request goes alone, so the budget its answer's headers state is known
            # before a burst could overrun it; the rest wait one round trip (first_wait at most).
            if self._first is None:
                self._first = asyncio.Event()
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._first.wait(), self.first_wait)
                self._open = True
        pause = self.pause_until - time.monotonic()
        if pause > 0:
            self.paused += pause
            await asyncio.sleep(pause)
        if self.requests is not None:
            await self.requests.take(1)
        if self.tokens is not None:
            await self.tokens.take(est_tokens)

    def answered(self) -> None:
        """A response (or a failure) came back: requests held for the first one's headers may go."""
        if not self._open:
            self._open = True
            if self._first is not None:
                self._first.set()

    def refund_tokens(self, amount: float) -> None:
        if self.tokens is not None:
            self.tokens.refund(amount)

    @staticmethod
    def exhausted(headers: Any) -> bool:
        """The headers say a rate budget is spent (remaining 0)."""
        return any(
            (left := _number(headers.get(f"x-ratelimit-remaining-{unit}"))) is not None and left <= 0
            for unit in ("requests", "tokens")
        )

    def update(self, headers: Any) -> None:
        """Learn from one response's headers (any status)."""
        for unit, own in (("requests", self._own[0]), ("tokens", self._own[1])):
            limit = _number(headers.get(f"x-ratelimit-limit-{unit}"))
            remaining = _number(headers.get(f"x-ratelimit-remaining-{unit}"))
            if limit is None and remaining is None:
                continue
            if limit is not None and limit > 0:
                self.advertised[unit] = limit
                rate = limit * self.margin if own is None else min(own, limit * self.margin)
                bucket = getattr(self, unit)
                if bucket is None:
                    bucket = RateBucket(rate, capacity=limit)
                    setattr(self, unit, bucket)
                bucket.retune(
                    rate, capacity=limit, level=None if remaining is None else remaining * self.margin
                )
            if remaining is not None and remaining <= 0:
                reset = parse_duration(headers.get(f"x-ratelimit-reset-{unit}")) or 1.0
                self.pause_until = max(self.pause_until, time.monotonic() + reset)


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None
