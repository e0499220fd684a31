"""Shared machinery of the HTTP backends: one aiohttp session, adaptive concurrency, rate limits, retries.

Each backend owns one `ClientSession` (keep-alive, connector limit = max_in_flight). A chat goes through
`HttpBackend._request`, which waits for the request/token buckets and a concurrency slot, posts bytes that
were serialised once, and retries 429/408/5xx, time-outs, connection errors and unparseable bodies with
jittered exponential back-off (or the server's Retry-After). A 429 halves the allowed concurrency; successes
grow it back (AIMD), so a run settles just under the provider's limit instead of hammering it.

The key lives only in the request headers. It is never part of `identity`, a message or a repr.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import os
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from synthpipe.backends.base import Completion, GenOptions, Messages
from synthpipe.core.errors import BackendError, RateLimited, RequestRejected, ServerError, UsageError

if TYPE_CHECKING:
    import aiohttp

    from synthpipe.recipe import ModelSpec

OVERLOAD_STATUSES = frozenset({429, 503, 529})  # the server asks us to slow down
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 520, 522, 524, 529})


@dataclass(slots=True)
class BackendStats:
    """Live counters; the progress bar reads them while a run is going."""

    requests: int = 0  # HTTP requests sent, retries included
    retries: int = 0  # requests sent again after a failed try
    errors: int = 0  # chat calls that failed for good
    in_flight: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    rate_limited: int = 0  # 429 / 529 answers received
    concurrency: int = 0  # requests allowed in flight right now (shrinks on 429)

    def to_json(self) -> dict[str, int]:
        return asdict(self)


class AdaptiveLimiter:
    """A semaphore whose size moves: halved on overload, grown back on successes (AIMD).

    A slot freed by `release` is handed straight to the oldest waiter, so waiting is FIFO.
    """

    def __init__(self, maximum: int) -> None:
        self.maximum = maximum
        self.limit = maximum
        self.active = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._epoch = 0  # bumps on every shrink; a burst of 429s from one window shrinks once
        self._credit = 0

    async def acquire(self) -> int:
        """Wait for a slot; returns the epoch to pass to `overloaded`."""
        if self.active < self.limit and not self._waiters:
            self.active += 1
            return self._epoch
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():  # the slot was handed over just before the cancel
                self.release()
            raise
        return self._epoch

    def release(self) -> None:
        self.active -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.active < self.limit:
            fut = self._waiters.popleft()
            if not fut.done():
                self.active += 1
                fut.set_result(None)

    def succeeded(self) -> None:
        if self.limit >= self.maximum:
            return
        self._credit += 1
        if self._credit >= self.limit:  # one full window without overload: grow a little
            self._credit = 0
            self.limit = min(self.maximum, self.limit + max(1, self.limit // 16))
            self._wake()

    def overloaded(self, epoch: int) -> None:
        if epoch != self._epoch:  # this request was sent before the last shrink
            return
        self._epoch += 1
        self._credit = 0
        self.limit = max(1, self.limit // 2)


class RateBucket:
    """Token bucket that may go into debt: a caller takes what it needs and sleeps off the debt.

    Waiting is therefore FIFO without a lock; `refund` corrects an estimate once the real usage is known.
    """

    def __init__(self, per_minute: float, burst_seconds: float = 1.0) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate * burst_seconds)
        self.level = self.capacity
        self.stamp = time.monotonic()

    def _refill(self) -> None:
        now = time.monotonic()
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    async def take(self, amount: float) -> None:
        self._refill()
        self.level -= amount
        if self.level < 0:
            await asyncio.sleep(-self.level / self.rate)

    def refund(self, amount: float) -> None:
        self._refill()
        self.level = min(self.capacity, self.level + amount)


def read_key(env_name: str | None) -> str | None:
    """The API key from the environment, or None when no key is configured (local servers)."""
    if not env_name:
        return None
    key = os.environ.get(env_name, "").strip()
    if not key:
        raise UsageError(
            f"the model needs an API key but ${env_name} is not set — "
            f"run `export {env_name}=...` (or set models.*.api_key_env to another variable)"
        )
    return key


def normalise_base_url(url: str, default_path: str = "") -> str:
    """Lower-case scheme and host, no credentials, query or trailing slash; a bare host gets `default_path`."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"base_url {url!r} is not an http(s) URL — fix models.*.base_url, e.g. http://127.0.0.1:8000/v1"
        )
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    path = parts.path.rstrip("/") or default_path
    return urlunsplit((parts.scheme.lower(), netloc, path, "", ""))


def with_schema_instruction(messages: Messages, schema: dict[str, Any]) -> Messages:
    """The "prompt" dialect: ask for the JSON in words, on the last user turn (templates want alternation)."""
    note = (
        "Reply with one JSON object only — no prose, no code fences — that matches this JSON schema:\n"
        + json.dumps(schema, ensure_ascii=False)
    )
    out = list(messages)
    if out and out[-1].get("role") == "user":
        out[-1] = {**out[-1], "content": f"{out[-1].get('content') or ''}\n\n{note}"}
    else:
        out.append({"role": "user", "content": note})
    return out


def estimate_tokens(messages: Messages, max_tokens: int) -> int:
    return sum(len(m.get("content") or "") for m in messages) // 4 + max_tokens


def parse_retry_after(headers: Any) -> float | None:
    """Seconds to wait from `retry-after-ms`, or `Retry-After` as seconds or an HTTP date."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def error_detail(raw: bytes, limit: int = 300) -> str:
    """The server's own words about an error, short: `error.message` when the body is JSON."""
    text = raw.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:limit]
    if isinstance(data, dict):
        err = data.get("error")
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])[:limit]
        if isinstance(err, str):
            return err[:limit]
        if "detail" in data:  # FastAPI validation errors (llama-cpp-python's server)
            return json.dumps(data["detail"], ensure_ascii=False)[:limit]
        if isinstance(data.get("message"), str):
            return data["message"][:limit]
    return text[:limit]


class _Secret(str):
    """A key whose repr is stars, so `vars(backend)` or a traceback with locals cannot show it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'***'"


class _RedactedHeaders(dict):  # type: ignore[type-arg]
    """Request headers whose repr never shows the key (tracebacks with locals, debuggers)."""

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{k!r}: '***'" for k in self) + "}"


class HttpBackend:
    """Base of the HTTP backends. Subclasses build the payload and parse the answer; this class sends it."""

    kind = "http"
    path = ""
    default_base_url = ""
    default_key_env: str | None = None
    bare_host_path = ""  # what a base_url without a path gets
    backoff_base = 0.5  # seconds; doubles per try, with jitter
    backoff_cap = 30.0
    max_retry_after = 300.0  # longer waits than this are the provider's quota, not congestion

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.model = spec.model
        self.max_in_flight = spec.max_in_flight
        self.base_url = normalise_base_url(spec.base_url or self.default_base_url, self.bare_host_path)
        self.endpoint = self.base_url + self.path
        # Real provider endpoints need a key even when the recipe names no variable.
        self.key_env = spec.api_key_env or (self.default_key_env if spec.base_url is None else None)
        key = read_key(self.key_env)
        self._key = _Secret(key) if key else None
        self._headers = _RedactedHeaders(
            {"Content-Type": "application/json", **self._auth_headers(self._key)}
        )
        self.timeout = spec.timeout
        self.max_retries = spec.max_retries
        self.stats = BackendStats(concurrency=spec.max_in_flight)
        self.limiter = AdaptiveLimiter(spec.max_in_flight)
        self._rpm = RateBucket(spec.requests_per_minute) if spec.requests_per_minute else None
        self._tpm = RateBucket(spec.tokens_per_minute) if spec.tokens_per_minute else None
        self._pause_until = 0.0  # loop time before which nobody sends (a server's Retry-After)
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _auth_headers(self, key: str | None) -> dict[str, str]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.model!r}, base_url={self.base_url!r})"

    @property
    def identity(self) -> dict[str, Any]:
        return {
            "backend": self.kind,
            "base_url": self.base_url,
            "model": self.model,
            "structured": self.spec.structured,
        }

    def _scrub(self, text: str) -> str:
        if self._key:
            text = text.replace(self._key, "***")
        if self.spec.base_url and self.spec.base_url.rstrip("/") != self.base_url:
            text = text.replace(self.spec.base_url.rstrip("/"), self.base_url)  # credentials or query in URL
        return text

    def _session_now(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            import aiohttp

            connector = aiohttp.TCPConnector(
                limit=self.max_in_flight, keepalive_timeout=60, ttl_dns_cache=300
            )
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=aiohttp.ClientTimeout(total=self.timeout), raise_for_status=False
            )
            self._loop = loop
        return self._session

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def chat(
        self, messages: Messages, schema: dict[str, Any] | None, options: GenOptions
    ) -> Completion:
        raise NotImplementedError

    def _rejects(self, status: int, detail: str) -> bool:
        """Hook: True when a 5xx really complains about the request (so retrying is pointless)."""
        return False

    def _status_error(self, status: int, raw: bytes, retry_after: float | None) -> BackendError:
        detail = self._scrub(error_detail(raw))
        msg = f"HTTP {status} from POST {self.endpoint}" + (f": {detail}" if detail else "")
        if status == 429:
            return RateLimited(msg, status=status, retry_after=retry_after)
        if status in RETRY_STATUSES or status >= 500:
            if self._rejects(status, detail):
                err: BackendError = RequestRejected(msg, status=status)
            else:
                err = ServerError(msg, status=status, retry_after=retry_after)
        elif status in (401, 403):
            fix = (
                f"check the key in ${self.key_env}"
                if self.key_env
                else "this endpoint wants a key: set models.*.api_key_env to the variable that holds it"
            )
            err = RequestRejected(f"{msg} — {fix}", status=status)
        elif status == 404:
            err = RequestRejected(f"{msg} — check models.*.base_url and models.*.model", status=status)
        else:
            err = RequestRejected(msg, status=status)
        err.detail = detail  # type: ignore[attr-defined]  # read by dialect fall-backs
        return err

    def _describe(self, exc: BaseException) -> str:
        if isinstance(exc, TimeoutError):
            return f"no answer within {self.timeout:g}s (models.*.timeout) from POST {self.endpoint}"
        return self._scrub(f"{type(exc).__name__} on POST {self.endpoint}: {exc}")

    async def _request(
        self, payload: bytes, est_tokens: int, parse: Callable[[Any], Completion]
    ) -> Completion:
        """Send one chat request with retries. `parse` raises KeyError/ValueError/... on a malformed body."""
        import aiohttp

        session = self._session_now()
        loop = asyncio.get_running_loop()
        stats, limiter = self.stats, self.limiter
        tries = self.max_retries + 1
        for attempt in range(tries):
            if self._rpm is not None:
                await self._rpm.take(1)
            if self._tpm is not None:
                await self._tpm.take(est_tokens)
            epoch = await limiter.acquire()
            status = 0
            retry_after: float | None = None
            try:
                pause = self._pause_until - loop.time()
                if pause > 0:
                    await asyncio.sleep(pause)
                stats.requests += 1
                stats.in_flight += 1
                try:
                    async with session.post(self.endpoint, data=payload, headers=self._headers) as resp:
                        status = resp.status
                        raw = await resp.read()
                        if status in OVERLOAD_STATUSES:
                            retry_after = parse_retry_after(resp.headers)
                finally:
                    stats.in_flight -= 1
                if status == 200:
                    try:
                        completion = parse(json.loads(raw))
                    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
                        err: BackendError = ServerError(
                            f"unparseable response body from POST {self.endpoint} ({type(exc).__name__}: "
                            f"{self._scrub(str(exc))[:120]})",
                            status=status,
                        )
                    else:
                        limiter.succeeded()
                        stats.concurrency = limiter.limit
                        stats.prompt_tokens += completion.prompt_tokens
                        stats.completion_tokens += completion.completion_tokens
                        if self._tpm is not None and (
                            completion.prompt_tokens or completion.completion_tokens
                        ):
                            self._tpm.refund(
                                est_tokens - completion.prompt_tokens - completion.completion_tokens
                            )
                        return completion
                else:
                    err = self._status_error(status, raw, retry_after)
            except (aiohttp.ClientError, TimeoutError) as exc:
                err = ServerError(self._describe(exc))
            finally:
                limiter.release()

            if status in OVERLOAD_STATUSES:
                if status != 503:
                    stats.rate_limited += 1
                limiter.overloaded(epoch)
                stats.concurrency = limiter.limit
            if not err.retryable or attempt == tries - 1:
                if attempt:
                    err.args = (f"{err} (gave up after {attempt + 1} tries)",)
                raise err
            if retry_after is not None:
                if retry_after > self.max_retry_after:
                    err.args = (f"{err} (the server asks to wait {retry_after:.0f}s; giving up)",)
                    raise err
                delay = retry_after * random.uniform(1.0, 1.1)
                self._pause_until = max(self._pause_until, loop.time() + retry_after)
            else:
                delay = min(self.backoff_cap, self.backoff_base * 2**attempt) * random.uniform(0.5, 1.0)
            stats.retries += 1
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # the loop either returns or raises
