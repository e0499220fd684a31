"""Shared machinery of the HTTP backends: one aiohttp session, adaptive concurrency, rate limits, retries.

Each backend owns one `ClientSession` (keep-alive, connector limit = max_in_flight). A chat goes through
`HttpBackend._request`, which waits for the rate limits and a concurrency slot, posts bytes that were
serialised once, and retries 429/408/5xx, time-outs, connection errors and unparseable bodies with
jittered exponential back-off (or the server's Retry-After), holding no slot while it waits. How many
requests may be in flight, and how fast they may be sent, is `synthpipe.backends.flow`'s business:
rate signals pace, overload (refusals or latency that rise with concurrency) shrinks concurrency.

The key lives only in the request headers. It is never part of `identity`, a message or a repr.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import os
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from synthpipe.backends.base import Completion, GenOptions, Messages
from synthpipe.backends.flow import FAILED, LIMITED, OK, REFUSED, ConcurrencyControl, ServerLimits
from synthpipe.core.errors import BackendError, RateLimited, RequestRejected, ServerError, UsageError

if TYPE_CHECKING:
    import aiohttp

    from synthpipe.recipe import ModelSpec

OVERLOAD_STATUSES = frozenset({429, 503, 529})  # the server asks us to slow down
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 520, 522, 524, 529})


@dataclass(slots=True)
class BackendStats:
    """Live counters; the progress bar and the manifest read them."""

    requests: int = 0  # HTTP requests sent, retries included
    retries: int = 0  # requests sent again after a failed try
    errors: int = 0  # chat calls that failed for good
    in_flight: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    rate_limited: int = 0  # 429 / 529 answers received
    refused: int = 0  # 429 / 503 / 529 answers: the server declined
    timeouts: int = 0  # tries that ran past a time-out
    started: float = field(default_factory=time.monotonic)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        del out["started"]
        return out


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
        self.stats = BackendStats()
        self.limiter = ConcurrencyControl(spec.max_in_flight, floor=spec.min_in_flight)
        self.limits = ServerLimits(spec.requests_per_minute, spec.tokens_per_minute)
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
            timeout = aiohttp.ClientTimeout(
                total=self.timeout,
                connect=self.spec.connect_timeout,
                sock_read=self.spec.first_byte_timeout or self.timeout,
            )
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=timeout, raise_for_status=False
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
        import aiohttp

        if isinstance(exc, aiohttp.ConnectionTimeoutError):
            return f"no connection within {self.spec.connect_timeout:g}s (models.*.connect_timeout) to {self.endpoint}"
        if isinstance(exc, aiohttp.SocketTimeoutError):
            limit = self.spec.first_byte_timeout or self.timeout
            return f"no answer within {limit:g}s (models.*.first_byte_timeout) from POST {self.endpoint}"
        if isinstance(exc, TimeoutError):
            return f"no answer within {self.timeout:g}s (models.*.timeout) from POST {self.endpoint}"
        return self._scrub(f"{type(exc).__name__} on POST {self.endpoint}: {exc}")

    def flow(self) -> dict[str, Any]:
        """How sending went, for the manifest: concurrency and why it moved, refusals, time-outs, waits."""
        stats, minutes = self.stats, max(1e-9, (time.monotonic() - self.stats.started) / 60)
        return {
            "concurrency": self.limiter.limit,
            "max_in_flight": self.max_in_flight,
            "why": self.limiter.reason,
            "changes": self.limiter.history()[-50:],
            "refused": stats.refused,
            "rate_limited": stats.rate_limited,
            "rate_limited_per_min": round(stats.rate_limited / minutes, 2),
            "timeouts": stats.timeouts,
            "timeouts_per_min": round(stats.timeouts / minutes, 2),
            "rate_wait_s": round(self.limits.waited, 3),
            "advertised_limits": dict(self.limits.advertised),
        }

    async def _request(
        self, payload: bytes, est_tokens: int, parse: Callable[[Any], Completion]
    ) -> Completion:
        """Send one chat request with retries. `parse` raises KeyError/ValueError/... on a malformed body."""
        import aiohttp

        session = self._session_now()
        stats, limiter, limits = self.stats, self.limiter, self.limits
        tries = self.max_retries + 1
        for attempt in range(tries):
            ticket = await limiter.acquire()
            try:
                await limits.wait(est_tokens)  # paced after the slot: a request waiting here is next to go
            except BaseException:
                limiter.release(ticket, FAILED)
                raise
            limiter.sending(ticket)
            status = 0
            outcome = FAILED
            retry_after: float | None = None
            timed_out = False
            try:
                stats.requests += 1
                stats.in_flight += 1
                try:
                    async with session.post(self.endpoint, data=payload, headers=self._headers) as resp:
                        status = resp.status
                        raw = await resp.read()
                        limits.update(resp.headers)
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
                        outcome = OK
                        stats.prompt_tokens += completion.prompt_tokens
                        stats.completion_tokens += completion.completion_tokens
                        used = completion.prompt_tokens + completion.completion_tokens
                        if used:
                            limits.refund_tokens(est_tokens - used)
                        return completion
                else:
                    err = self._status_error(status, raw, retry_after)
                    if status in OVERLOAD_STATUSES:
                        # A spent budget (the rate-limit headers say so) is pacing's to handle, not load.
                        outcome = LIMITED if limits.exhausted(resp.headers) else REFUSED
                        stats.refused += 1
                        if status != 503:
                            stats.rate_limited += 1
            except (aiohttp.ClientError, TimeoutError) as exc:
                if isinstance(exc, TimeoutError):
                    stats.timeouts += 1
                    timed_out = True
                err = ServerError(self._describe(exc))
            finally:
                limits.answered()
                limiter.release(ticket, outcome)  # freed at once: a waiting retry holds no slot

            if not err.retryable or attempt == tries - 1:
                if attempt:
                    err.args = (f"{err} (gave up after {attempt + 1} tries)",)
                raise err
            if timed_out:
                delay = 0.0  # the time-out was the wait: the slot is free, go again at once
            elif retry_after is not None:
                if retry_after > self.max_retry_after:
                    err.args = (f"{err} (the server asks to wait {retry_after:.0f}s; giving up)",)
                    raise err
                delay = retry_after * random.uniform(1.0, 1.1)  # this request only: the others go on
            else:
                delay = min(self.backoff_cap, self.backoff_base * 2**attempt) * random.uniform(0.5, 1.0)
            stats.retries += 1
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # the loop either returns or raises
