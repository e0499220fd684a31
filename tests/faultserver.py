"""A fault-injecting OpenAI-compatible (and Anthropic Messages) server on 127.0.0.1, for tests and benchmarks.

Scripted replies are consumed one per request, in order (`enqueue`), or per path (`enqueue_for`); when the
script is empty every request gets a valid completion whose content is `content`, after `latency` seconds.
The server records what it received and how many requests were in flight at once.

From a script (the benchmark): `python tests/faultserver.py --port 8123 --latency 0.2` prints the base URL;
it serves with `FixedLatencyServer`, a lean protocol that only answers valid completions.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import random
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

if not __package__:  # run as a script (python tests/faultserver.py): make `tests` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.faultmodes import Budget, Faults, p95  # noqa: E402

DEFAULT_CONTENT = json.dumps({"instruction": "Name a colour.", "input": "", "output": "Blue."})


@dataclass
class Reply:
    """One scripted answer. `body` (bytes) replaces the whole response body."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content: str | None = None  # None: the server's default content
    finish_reason: str = "stop"
    body: bytes | None = None
    delay: float = 0.0
    hang: bool = False  # never answer (until the server stops)
    served: bool = False  # latency already spent (fault answers): answer at once

    @classmethod
    def error(cls, status: int, message: str = "scripted error", retry_after: str | None = None) -> Reply:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        body = json.dumps({"error": {"message": message, "type": "scripted", "code": status}}).encode()
        return cls(status=status, headers=headers, body=body)

    @classmethod
    def hanging(cls) -> Reply:
        return cls(hang=True)

    @classmethod
    def garbage(cls) -> Reply:
        return cls(body=b'{"choices": [{"message": {"content": "trunc')

    @classmethod
    def truncated(cls, content: str = '{"instruction": "Name a col') -> Reply:
        return cls(content=content, finish_reason="length")


@dataclass
class Seen:
    """A request the server received."""

    path: str
    headers: dict[str, str]
    body: Any
    at: float  # time.monotonic() on arrival
    in_flight: int  # requests in flight on arrival, this one included


_WORDS = [
    "order",
    "parcel",
    "refund",
    "return",
    "exchange",
    "warranty",
    "courier",
    "label",
    "invoice",
    "account",
    "password",
    "delivery",
    "size",
    "colour",
    "jacket",
    "tent",
    "boots",
    "stove",
    "lantern",
    "backpack",
    "rope",
    "glove",
    "helmet",
    "compass",
    "bottle",
    "blanket",
    "kettle",
    "scarf",
    "sock",
    "map",
    "week",
    "month",
    "day",
    "hour",
    "store",
    "branch",
    "app",
    "website",
    "email",
    "phone",
    "form",
    "receipt",
    "photo",
    "address",
    "member",
    "voucher",
    "cancel",
    "repair",
    "replace",
    "track",
    "confirm",
    "upload",
    "print",
    "choose",
    "open",
    "close",
    "keep",
    "send",
    "check",
    "sign",
    "pack",
    "wrap",
]


def varied_qa(body: Any) -> str:
    """A qa answer of its own for each request (seeded by its messages): no two are near duplicates."""
    seed = hashlib.sha1(
        json.dumps(body.get("messages") if isinstance(body, dict) else body).encode()
    ).digest()
    rng = random.Random(seed)
    words = lambda n: " ".join(rng.choice(_WORDS) for _ in range(n))  # noqa: E731
    return json.dumps(
        {
            "instruction": f"How do I {words(6)}?",
            "input": "",
            "output": f"You can {words(12)}. Then {words(10)} within {rng.randint(2, 90)} days.",
        }
    )


class FaultServer:
    def __init__(
        self,
        latency: float = 0.0,
        content: str | Callable[[Any], str] = DEFAULT_CONTENT,
        record: bool = True,
        faults: Faults | None = None,
    ) -> None:
        self.latency = latency
        self.content = content
        self.record = record
        self.script: deque[Reply] = deque()
        self.by_path: dict[str, deque[Reply]] = {}
        self.requests: list[Seen] = []
        self.in_flight = 0
        self.peak_in_flight = 0
        self.count = 0
        self.url = ""  # base URL of the OpenAI-compatible API, ".../v1"
        self.root = ""
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._fast_body = self._chat_body(content, "stop") if isinstance(content, str) else b""
        self.faults = faults or Faults()
        self._rng = random.Random(self.faults.seed)
        self.busy = 0  # requests being served now (queued ones not counted)
        self._slots = asyncio.Semaphore(self.faults.capacity) if self.faults.capacity else None
        self._rpm = Budget(self.faults.rpm, self.faults.burst) if self.faults.rpm else None
        self._tpm = Budget(self.faults.tpm, self.faults.burst) if self.faults.tpm else None
        self.latencies: list[float] = []  # arrival to answer, of every answered request
        self.answered: dict[int, int] = {}  # status -> count
        self.hung: dict[str, int] = {}  # sha1 of a request body -> times the server hung on it
        self.first_arrival = 0.0  # time.monotonic() of the first request since the last stats reset
        self.last_answer = 0.0  # and of the last answer served (refusals not counted)

    def enqueue(self, *replies: Reply) -> None:
        self.script.extend(replies)

    def enqueue_for(self, path: str, *replies: Reply) -> None:
        self.by_path.setdefault(path, deque()).extend(replies)

    def _next(self, path: str) -> Reply | None:
        queue = self.by_path.get(path)
        if queue:
            return queue.popleft()
        return self.script.popleft() if self.script else None

    def _chat_body(self, content: str, finish: str) -> bytes:
        return json.dumps(
            {
                "id": "chatcmpl-fault",
                "object": "chat.completion",
                "created": 0,
                "model": "fault",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": finish,
                    }
                ],
                "usage": {
                    "prompt_tokens": 12,
                    "completion_tokens": max(1, len(content) // 4),
                    "total_tokens": 12 + max(1, len(content) // 4),
                },
            }
        ).encode()

    def _messages_body(self, request: Any, content: str, finish: str) -> bytes:
        if isinstance(request, dict) and request.get("tools"):
            try:
                value = json.loads(content)
            except ValueError:
                value = {"raw": content}
            blocks: list[dict[str, Any]] = [
                {"type": "tool_use", "id": "toolu_fault", "name": request["tools"][0]["name"], "input": value}
            ]
            stop = "tool_use"
        else:
            blocks, stop = [{"type": "text", "text": content}], "end_turn"
        return json.dumps(
            {
                "id": "msg_fault",
                "type": "message",
                "role": "assistant",
                "model": "fault",
                "content": blocks,
                "stop_reason": "max_tokens" if finish == "length" else stop,
                "stop_sequence": None,
                "usage": {"input_tokens": 12, "output_tokens": max(1, len(content) // 4)},
            }
        ).encode()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.count += 1
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        if not self.first_arrival:
            self.first_arrival = time.monotonic()
        try:
            raw = await request.read()
            reply = self._next(request.path)
            if self.record:
                try:
                    body: Any = json.loads(raw) if raw else None
                except ValueError:
                    body = raw
                self.requests.append(
                    Seen(request.path, dict(request.headers), body, time.monotonic(), self.in_flight)
                )
            if reply is None and self.faults != Faults():
                reply = await self._fault(raw)
                reply.served = True
            if reply is None:  # the plain fixed-latency answer (the benchmark's path)
                if self.latency:
                    await asyncio.sleep(self.latency)
                content = self.content if isinstance(self.content, str) else self.content(json.loads(raw))
                if request.path.endswith("/messages"):
                    return web.Response(
                        body=self._messages_body(json.loads(raw), content, "stop"),
                        content_type="application/json",
                    )
                fast = self._fast_body or self._chat_body(content, "stop")
                return web.Response(body=fast, content_type="application/json")
            if reply.hang:
                await self._stopping.wait()
                return web.Response(status=503)
            delay = 0.0 if reply.served else reply.delay or self.latency
            if delay:
                await asyncio.sleep(delay)
            payload = reply.body
            if payload is None:
                default = self.content if isinstance(self.content, str) else self.content(json.loads(raw))
                content = default if reply.content is None else reply.content
                if request.path.endswith("/messages"):
                    payload = self._messages_body(json.loads(raw), content, reply.finish_reason)
                else:
                    payload = self._chat_body(content, reply.finish_reason)
            return web.Response(
                status=reply.status, body=payload, headers=reply.headers, content_type="application/json"
            )
        finally:
            self.in_flight -= 1

    def _refuse(self, headers: dict[str, str], message: str) -> Reply:
        self.answered[429] = self.answered.get(429, 0) + 1
        body = json.dumps({"error": {"message": message, "type": "rate_limit", "code": 429}}).encode()
        return Reply(status=429, headers={"Retry-After": self.faults.retry_after, **headers}, body=body)

    async def _fault(self, raw: bytes) -> Reply:
        """The answer the `faults` give to one unscripted request (latency and queueing included)."""
        f, arrived = self.faults, time.monotonic()
        headers: dict[str, str] = {}
        for bucket, unit, amount in ((self._rpm, "requests", 1.0), (self._tpm, "tokens", 0.0)):
            if bucket is None:
                continue
            if unit == "tokens":
                try:
                    body = json.loads(raw)
                    # as providers meter it: the prompt's tokens (about 4 characters each) and max_tokens
                    chars = sum(len(str(m.get("content") or "")) for m in body.get("messages", []))
                    amount = chars / 4 + float(body.get("max_tokens", 0))
                except (ValueError, AttributeError, TypeError):
                    amount = 100.0
            ok = bucket.take(amount)
            headers.update(bucket.headers(unit))
            if not ok:
                return self._refuse(headers, f"rate limit: {int(bucket.per_minute)} {unit} per minute")
        if f.capacity and f.overflow == "refuse" and self.busy >= f.capacity:
            return self._refuse(headers, f"over capacity ({f.capacity} at once)")
        u = self._rng.random()
        if u < f.p_hang:
            key = hashlib.sha1(raw).hexdigest()
            self.hung[key] = self.hung.get(key, 0) + 1
            await self._stopping.wait()
            return Reply(status=503)
        u -= f.p_hang
        if u < f.p429:
            return self._refuse(headers, "random rate limit")
        u -= f.p429
        self.busy += 1
        try:
            if self._slots is not None and f.overflow == "queue":
                async with self._slots:
                    await asyncio.sleep(self.latency)
            elif self.latency:
                await asyncio.sleep(self.latency)
        finally:
            self.busy -= 1
        self.latencies.append(time.monotonic() - arrived)
        self.last_answer = time.monotonic()
        if u < f.p500:
            self.answered[500] = self.answered.get(500, 0) + 1
            return Reply.error(500, "random server error")
        u -= f.p500
        self.answered[200] = self.answered.get(200, 0) + 1
        if u < f.p_garbage:
            return Reply(body=b'{"choices": [{"message": {"content": "trunc', headers=headers)
        u -= f.p_garbage
        content = self.content if isinstance(self.content, str) else self.content(json.loads(raw))
        if u < f.p_truncated:
            return Reply(content=content[: len(content) // 2], finish_reason="length", headers=headers)
        return Reply(content=content, headers=headers)

    async def _stats(self, request: web.Request) -> web.Response:
        """Counters since the last reset (`?reset=1` resets them after reading), for bench/faults.py."""
        lat = sorted(self.latencies)
        out = {
            "received": self.count,
            "answered": dict(self.answered),
            "first_arrival": self.first_arrival,
            "last_answer": self.last_answer,
            "peak_in_flight": self.peak_in_flight,
            "latency_p50": lat[len(lat) // 2] if lat else None,
            "latency_p95": p95(self.latencies),
            "latency_min": lat[0] if lat else None,
            "latency_p95_late": p95(self.latencies[len(self.latencies) // 2 :]),
        }
        if request.query.get("reset"):
            self.count = self.peak_in_flight = 0
            self.answered, self.latencies, self.first_arrival, self.last_answer = {}, [], 0.0, 0.0
        return web.json_response(out)

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": "fault", "object": "model"}]})

    def app(self) -> web.Application:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/stats", self._stats)
        app.router.add_post("/v1/chat/completions", self._handle)
        app.router.add_post("/v1/messages", self._handle)
        app.router.add_post("/{tail:.*}", self._handle)  # wrong paths still get scripted answers
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._runner = web.AppRunner(self.app(), access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, backlog=4096)
        await site.start()
        bound = self._runner.addresses[0][1]
        self.root = f"http://{host}:{bound}"
        self.url = self.root + "/v1"
        return self.url

    async def stop(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FaultServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


class FixedLatencyServer:
    """The benchmark's server: every POST gets the same valid chat completion after `latency` seconds.

    A bare asyncio protocol (HTTP/1.1 keep-alive, Content-Length bodies) instead of aiohttp.web, so the
    server spends ~10x less CPU per request than the client it measures; a real remote endpoint costs the
    client machine nothing. GET answers the model list.
    """

    def __init__(self, latency: float = 0.0, content: str = DEFAULT_CONTENT) -> None:
        self.latency = latency
        self.count = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self.url = ""
        self._server: asyncio.base_events.Server | None = None
        chat = FaultServer(content=content)._fast_body
        models = json.dumps({"object": "list", "data": [{"id": "fault", "object": "model"}]}).encode()
        self._chat = _http_response(chat)
        self._models = _http_response(models)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _FixedProtocol(self), host, port, backlog=4096)
        bound = self._server.sockets[0].getsockname()[1]
        self.url = f"http://{host}:{bound}/v1"
        return self.url

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    async def __aenter__(self) -> FixedLatencyServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


def _http_response(body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


class _FixedProtocol(asyncio.Protocol):
    def __init__(self, owner: FixedLatencyServer) -> None:
        self.owner = owner
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return  # the body is still on its way
            self.buffer = self.buffer[end + 4 + length :]
            answer = self.owner._models if head.startswith("GET") else self.owner._chat
            owner = self.owner
            owner.count += 1
            owner.in_flight += 1
            owner.peak_in_flight = max(owner.peak_in_flight, owner.in_flight)
            self.loop.call_later(owner.latency, self._answer, answer)

    def _answer(self, answer: bytes) -> None:
        self.owner.in_flight -= 1
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(answer)


async def _serve(host: str, port: int, latency: float, impl: str, faults: Faults, vary: bool) -> None:
    server: FaultServer | FixedLatencyServer
    if impl == "fast":
        server = FixedLatencyServer(latency)
    else:
        content: Any = varied_qa if vary else DEFAULT_CONTENT
        server = FaultServer(latency=latency, record=False, faults=faults, content=content)
    url = await server.start(host, port)
    print(f"faultserver listening on {url} (latency {latency:g}s, {impl})", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="fixed-latency OpenAI-compatible test server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument(
        "--impl",
        choices=["fast", "aiohttp"],
        default="fast",
        help="fast: bare asyncio protocol (least CPU); aiohttp: the scriptable FaultServer",
    )
    parser.add_argument(
        "--loop",
        choices=["auto", "asyncio", "uvloop"],
        default="auto",
        help="auto: uvloop when installed (the server should cost the client little CPU)",
    )
    faults = parser.add_argument_group("faults (with --impl aiohttp; see the Faults class)")
    for name, kind in (
        ("p429", float), ("retry_after", str), ("capacity", int), ("overflow", str), ("rpm", float),
        ("tpm", float), ("burst", float), ("p500", float), ("p_garbage", float), ("p_truncated", float),
        ("p_hang", float), ("seed", int),
    ):  # fmt: skip
        faults.add_argument("--" + name.replace("_", "-"), dest=name, type=kind, default=None)
    parser.add_argument("--vary", action="store_true", help="a different qa answer per request (varied_qa)")
    args = parser.parse_args()
    given = {k: v for k, v in vars(args).items() if k in Faults.__dataclass_fields__ and v is not None}
    if given and args.impl != "aiohttp":
        parser.error("fault options need --impl aiohttp")
    run: Any = asyncio.run
    if args.loop != "asyncio":
        try:
            import uvloop
        except ImportError:
            if args.loop == "uvloop":
                raise SystemExit("--loop uvloop: uvloop is not installed (pip install uvloop)") from None
        else:
            run = uvloop.run
    with contextlib.suppress(KeyboardInterrupt):
        run(_serve(args.host, args.port, args.latency, args.impl, Faults(**given), args.vary))


if __name__ == "__main__":
    main()
