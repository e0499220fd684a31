"""The benchmark's server: an OpenAI-compatible endpoint on 127.0.0.1 that answers every POST with the same
valid chat completion after a fixed latency. Run it in its own process, so it never shares the client's loop:

    python bench/latency_server.py --port 0 --latency 0.2 [--log]

It prints `listening on http://127.0.0.1:PORT/v1`. A bare asyncio protocol (HTTP/1.1 keep-alive,
Content-Length or chunked bodies) instead of a web framework, so it spends far less CPU per request than the
clients it measures. Besides chat completions it answers

- `GET /stats` (or `/stats?reset=1`): requests received and answered, the in-flight peak, the first
  arrival and the last answer (time.monotonic(), comparable across processes on one machine) and the
  server's own CPU seconds, all since the last reset;
- `GET /log`: with `--log`, one entry per request since the last reset, `[body_sha1, arrived, answered]`
  (`answered` is null when the client went away first) — what the kill-resume check reads;
- `GET /v1/models`: the model list.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import time
from typing import Any

# A qa record that the rule checks accept (see bench/throughput.py's recipe).
DEFAULT_CONTENT = json.dumps(
    {
        "instruction": "How long do I have to return an unused jacket?",
        "input": "",
        "output": "You can return an unused jacket within 30 days of delivery, in its original packaging, "
        "for a full refund to your original payment method.",
    }
)


def chat_body(content: str) -> bytes:
    tokens = max(1, len(content) // 4)
    return json.dumps(
        {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": "bench",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 120, "completion_tokens": tokens, "total_tokens": 120 + tokens},
        }
    ).encode()


def http_response(body: bytes, status: str = "200 OK") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


class LatencyServer:
    def __init__(self, latency: float, content: str = DEFAULT_CONTENT, log: bool = False) -> None:
        self.latency = latency
        self.log_enabled = log
        self.chat = http_response(chat_body(content))
        self.models = http_response(
            json.dumps({"object": "list", "data": [{"id": "bench", "object": "model"}]}).encode()
        )
        self.reset()

    def reset(self) -> None:
        self.received = 0
        self.answered = 0
        self.dropped = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self.first_arrival: float | None = None
        self.last_answer: float | None = None
        self.cpu0 = time.process_time()
        self.log: list[list[Any]] = []

    def stats(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "answered": self.answered,
            "dropped": self.dropped,
            "in_flight": self.in_flight,
            "peak_in_flight": self.peak_in_flight,
            "first_arrival": self.first_arrival,
            "last_answer": self.last_answer,
            "cpu_s": round(time.process_time() - self.cpu0, 3),
        }

    def get(self, target: str) -> bytes:
        path, _, query = target.partition("?")
        if path == "/stats":
            body = json.dumps(self.stats()).encode()
            if "reset=1" in query:
                self.reset()
            return http_response(body)
        if path == "/log":
            return http_response(json.dumps(self.log).encode())
        if path.endswith("/models"):
            return self.models
        return http_response(b'{"error": {"message": "not found"}}', "404 Not Found")


class _Protocol(asyncio.Protocol):
    def __init__(self, server: LatencyServer) -> None:
        self.server = server
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self._one_request():
            pass

    def _one_request(self) -> bool:
        """Consume one complete request from the buffer; False when more bytes are needed."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(self.buffer[:end]).decode("latin-1")
        lines = head.split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        start = end + 4
        if "chunked" in headers.get("transfer-encoding", "").lower():
            parsed = _dechunk(self.buffer, start)
            if parsed is None:
                return False
            body, consumed = parsed
        else:
            length = int(headers.get("content-length", "0") or 0)
            if len(self.buffer) < start + length:
                return False
            body, consumed = bytes(self.buffer[start : start + length]), start + length
        del self.buffer[:consumed]
        method, target = (lines[0].split(" ") + ["", ""])[:2]
        if method == "GET":
            self._write(self.server.get(target))
        else:
            self._chat(body)
        return True

    def _chat(self, body: bytes) -> None:
        srv = self.server
        now = time.monotonic()
        srv.received += 1
        srv.in_flight += 1
        srv.peak_in_flight = max(srv.peak_in_flight, srv.in_flight)
        if srv.first_arrival is None:
            srv.first_arrival = now
        entry: list[Any] | None = None
        if srv.log_enabled:
            entry = [hashlib.sha1(body).hexdigest(), now, None]
            srv.log.append(entry)
        self.loop.call_later(srv.latency, self._answer, entry)

    def _answer(self, entry: list[Any] | None) -> None:
        srv = self.server
        srv.in_flight -= 1
        if self.transport is None or self.transport.is_closing():
            srv.dropped += 1
            return
        self.transport.write(srv.chat)
        srv.answered += 1
        srv.last_answer = time.monotonic()
        if entry is not None:
            entry[2] = srv.last_answer

    def _write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)


def _dechunk(buf: bytearray, pos: int) -> tuple[bytes, int] | None:
    out = bytearray()
    while True:
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            return None
        size = int(bytes(buf[pos:eol]).split(b";")[0], 16)
        pos = eol + 2
        if size == 0:
            trailer_end = buf.find(b"\r\n", pos)  # no trailers expected: just the closing CRLF
            return (bytes(out), trailer_end + 2) if trailer_end >= 0 else None
        if len(buf) < pos + size + 2:
            return None
        out += buf[pos : pos + size]
        pos += size + 2


async def serve(host: str, port: int, latency: float, content: str, log: bool) -> None:
    server = LatencyServer(latency, content, log)
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(lambda: _Protocol(server), host, port, backlog=4096)
    bound = srv.sockets[0].getsockname()[1]
    print(f"listening on http://{host}:{bound}/v1 (latency {latency:g}s)", flush=True)
    async with srv:
        await srv.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description="fixed-latency OpenAI-compatible benchmark server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed)")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds before each answer")
    parser.add_argument("--content", default=DEFAULT_CONTENT, help="the assistant message content")
    parser.add_argument("--log", action="store_true", help="keep a per-request log (GET /log)")
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop")
    args = parser.parse_args()
    coro = serve(args.host, args.port, args.latency, args.content, args.log)
    try:
        if args.loop == "uvloop":
            import uvloop

            uvloop.run(coro)
        else:
            asyncio.run(coro)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
