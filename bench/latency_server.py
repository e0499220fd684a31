"""The benchmark's server: an OpenAI-compatible endpoint on 127.0.0.1 that answers every POST with the same
valid chat completion after a fixed latency. Run it in its own process, so it never shares the client's loop:

    python bench/latency_server.py --port 0 --latency 0.2 [--log] [--vary]

It prints `listening on http://127.0.0.1:PORT/v1`. A bare asyncio protocol (HTTP/1.1 keep-alive,
Content-Length or chunked bodies) instead of a web framework, so it spends far less CPU per request than the
clients it measures. Besides chat completions it answers

- `GET /stats` (or `/stats?reset=1`): requests received and answered, the in-flight peak, the first
  arrival and the last answer (time.monotonic(), comparable across processes on one machine) and the
  server's own CPU seconds, all since the last reset;
- `GET /log`: with `--log`, one entry per request since the last reset, `[body_sha1, arrived, answered]`
  (`answered` is null when the client went away first) — what the kill-resume check reads;
- `GET /v1/models`: the model list.

By default every answer is the same qa object. With `--vary` each answer is its own English qa object, drawn
deterministically from the request body by `vary_qa` (same body, same answer): a question of 40-120
characters and an answer of two or more sentences (80-300 characters) built from about 450 distinct words,
18 question and 22 sentence templates and numbers. Nearly no two are duplicates at MinHash Jaccard 0.8
(about 0.07% of 200,000 are), all pass the rule checks of the qa_en example, and one costs about 40 µs.
bench/rerun.py also uses `vary_qa` to make data files.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import re
import string
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


# --- varied answers (--vary) ---------------------------------------------------------------------------
# Word lists (hyphens become spaces in ITEMS) and templates for `vary_qa`.
ITEMS = tuple(
    w.replace("-", " ")
    for w in (  # noqa: SIM905
        "jacket rain-jacket tent backpack sleeping-bag sleeping-pad pair-of-hiking-boots pair-of-trail-shoes "
        "fleece down-vest headlamp camping-stove water-filter pair-of-trekking-poles climbing-harness helmet "
        "kayak-paddle dry-bag cooler hammock camp-chair lantern compass pair-of-gloves beanie base-layer "
        "pair-of-wool-socks pair-of-gaiters pair-of-snowshoes pair-of-ski-goggles bike-light duffel daypack "
        "pair-of-cycling-shorts tarp bivy-sack cook-set insulated-bottle pair-of-sandals pair-of-rain-pants "
        "softshell parka sun-hat pair-of-binoculars multitool first-aid-kit camp-table pillow stuff-sack "
        "pair-of-crampons ice-axe chalk-bag pair-of-climbing-shoes wetsuit life-vest fishing-rod map-case "
        "solar-charger poncho thermos"
    ).split()
)
ADJECTIVES = tuple(
    "blue green red black grey orange yellow purple lightweight waterproof insulated unopened unused "  # noqa: SIM905
    "oversized small large medium kids womens mens two-person four-season discounted clearance brand-new "
    "heavy compact padded reflective breathable ultralight rugged packable stretchy warm sturdy folding "
    "hooded zippered quilted wide narrow".split()
)
VERBS = ("return", "exchange", "swap", "replace", "refund", "resize", "cancel", "reorder")
PAST = ("bought", "ordered", "received", "picked", "got", "purchased", "collected", "unpacked")
WHEN = (
    "last week", "yesterday", "two weeks ago", "on Monday", "on Friday", "during the spring sale", "in March",
    "over the holidays", "this morning", "a month ago", "before my trip", "after my hike", "on Black Friday",
    "at the weekend", "in the summer sale", "for my birthday",
)  # fmt: skip
RELATIONS = tuple(
    "partner son daughter brother sister friend colleague neighbour father mother cousin uncle aunt".split()  # noqa: SIM905
)
CHANNELS = ("app", "website", "phone line", "live chat", "email form", "store counter", "account page")
CONDITIONS = (
    "damaged", "scratched", "torn", "soaked", "missing a strap", "in the wrong size", "in the wrong colour",
    "with a broken zip", "with a bent pole", "dented", "without its manual", "with a cracked buckle",
    "with a stain", "with loose stitching", "with a missing lid",
)  # fmt: skip
PAYMENTS = ("card", "gift card", "store credit", "bank transfer", "debit card", "voucher", "wallet")
PARTS = ("receipt", "box", "tags", "order number", "packing slip", "invoice", "original bag", "label")
PLACES = ("post office", "parcel locker", "drop-off point", "local store", "courier depot", "pickup shop")
CARRIERS = ("private courier", "local carrier", "express service", "postal service")
ATTRIBUTES = ("size", "colour", "model", "fit", "length", "width")
TEAMS = ("support team", "returns desk", "service crew", "warehouse staff", "help centre")
STATES = ("unused", "clean", "unworn", "in its box", "with the tags on", "unwashed", "folded")
GREETINGS = ("Hi!", "Hello!", "Quick question:", "Hey there!", "Good morning!", "Sorry to bother you!")
OPENERS = (
    "Good news:", "In short,", "Usually,", "As a rule,", "For your order,", "Sure,", "Happily,",
    "Thanks for asking:", "To be clear,", "In most cases,", "Yes,", "First,", "Simply put,",
)  # fmt: skip
USUALLY = ("usually", "normally", "typically", "often", "mostly", "generally")
PICK = ("pick", "choose", "select", "check", "measure")
QUESTIONS = (
    "How do I {verb} a {adj} {item} that I {past} {when}?",
    "Can I {verb} the {adj} {item} I {past} for my {rel} {when}?",
    "What happens if my {adj} {item} arrives {cond}?",
    "Is it possible to {verb} {num} items from one order I {past} {when}?",
    "Where do I send a {adj} {item} if it came {cond}?",
    "How long does a refund for a {adj} {item} take to reach my {pay}?",
    "Do I need the {part} to {verb} a {item} I {past} {when}?",
    "Why was my {item} refunded as {pay} instead of to my {pay2}?",
    "Could you {verb} my {rel}'s {adj} {item} if it was paid with a {pay}?",
    "Which {place} accepts returns of a {adj} {item} with your label?",
    "My {item} is {cond}, can I get a new one within {num} days?",
    "Does the {adj} {item} count as final sale if I {past} it {when}?",
    "{greet} I {past} a {adj} {item} {when}; how do I {verb} it?",
    "Is there a fee to {verb} a {item} that came {cond}?",
    "What should I do with the {part} when I {verb} my {adj} {item}?",
    "Can my {rel} {verb} the {item} at a {place} instead of me?",
    "{greet} Will I get {pay} or my money back for a {adj} {item}?",
    "How many days do I have to {verb} a {item} {past} {when}?",
)
SENTENCES = (
    "{open} you can {verb} the {adj} {item} within {num} days of delivery as long as it is {state}.",
    "{open} open your order in the {chan}, select the {item}, and choose {verb} from the menu.",
    "Refunds {usually} reach your {pay} within {num} business days after the warehouse scans the parcel.",
    "If the {item} arrived {cond}, send us a photo within {num} days and we ship a {adj} replacement.",
    "{open} anything {past} {when} with a {pay} is paid back to that same {pay}.",
    "Please keep the {part} and the {part2}, since the {team} checks both before approving it.",
    "Our {team} can help through the {chan} if the {item} was a present from your {rel}.",
    "Shipping back is free with the prepaid label, while a {carrier} {usually} charges about {num} dollars.",
    "A {adj} {item} that is no longer {state} may only be refunded as {pay}.",
    "Exchanges for a different {attr} are free once per order, so {pick} the new {attr} carefully.",
    "{open} you {usually} get an email about {num} hours after dropping the parcel at a {place}.",
    "We cannot take back a {item} marked final sale, but a {adj} {item2} from the same order is fine.",
    "Tell the {team} your {part} and the reason, for example that it came {cond}.",
    "Pack the {item} {state}, print the label from the {chan}, and leave it at any {place}.",
    "{open} a {item} bought for your {rel} {when} follows the same {num}-day rule.",
    "The {team} {usually} answers within {num} hours when you write through the {chan}.",
    "Wrap the {adj} {item} in its {part} so nothing gets {cond2} on the way back.",
    "If you {past} the {item2} with a {pay}, the refund shows up there, not as {pay2}.",
    "{open} a replacement {item} leaves the warehouse about {num} days after the {team} approves it.",
    "You may {verb} up to {num} items per order, and each one needs its own {part}.",
    "Returns handed in at a {place} are tracked, so keep the {part} until the money arrives.",
    "Sadly a {item} that came back {cond} and without the {part} cannot be {verb2}d.",
)
FILLERS = {
    "verb": VERBS, "verb2": ("exchange", "refund", "replace", "resize"), "adj": ADJECTIVES, "item": ITEMS,
    "item2": ITEMS, "past": PAST, "when": WHEN, "rel": RELATIONS, "chan": CHANNELS, "cond": CONDITIONS,
    "cond2": ("scratched", "torn", "wet", "dented", "crushed", "dirty"), "pay": PAYMENTS, "pay2": PAYMENTS,
    "part": PARTS, "part2": PARTS, "place": PLACES, "carrier": CARRIERS, "attr": ATTRIBUTES, "team": TEAMS,
    "state": STATES, "greet": GREETINGS, "open": OPENERS, "usually": USUALLY, "pick": PICK,
}  # fmt: skip


_SLOTS = {t: [n for _, n, _, _ in string.Formatter().parse(t) if n in FILLERS] for t in QUESTIONS + SENTENCES}
_AN = re.compile(r"\b([Aa]) ([aeiou])")  # "a unused" -> "an unused"


def _fill(rng: random.Random, template: str) -> str:
    slots = {name: rng.choice(FILLERS[name]) for name in _SLOTS[template]}
    if "{num" in template:
        slots["num"] = str(rng.randint(2, 60))
    return _AN.sub(r"\1n \2", template.format(**slots))


def vary_qa(key: bytes) -> dict[str, str]:
    """A qa object (instruction 40-120 chars ending in "?", output 80-300 chars) determined by `key`."""
    rng = random.Random(int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big"))
    question = _fill(rng, rng.choice(QUESTIONS))
    while not 40 <= len(question) <= 120:
        question = _fill(rng, rng.choice(QUESTIONS))
    parts: list[str] = []
    size = -1
    for template in rng.sample(SENTENCES, len(SENTENCES)):
        sentence = _fill(rng, template)
        if size + 1 + len(sentence) > 300:
            continue
        parts.append(sentence)
        size += 1 + len(sentence)
        if len(parts) >= 2 and rng.random() < 0.5:  # one sentence alone is too often a near duplicate
            break
    return {"instruction": question, "input": "", "output": " ".join(parts)}


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
    def __init__(
        self, latency: float, content: str = DEFAULT_CONTENT, log: bool = False, vary: bool = False
    ) -> None:
        self.latency = latency
        self.log_enabled = log
        self.vary = vary
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
        reply = http_response(chat_body(json.dumps(vary_qa(body)))) if srv.vary else srv.chat
        self.loop.call_later(srv.latency, self._answer, entry, reply)

    def _answer(self, entry: list[Any] | None, reply: bytes) -> None:
        srv = self.server
        srv.in_flight -= 1
        if self.transport is None or self.transport.is_closing():
            srv.dropped += 1
            return
        self.transport.write(reply)
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


async def serve(host: str, port: int, latency: float, content: str, log: bool, vary: bool) -> None:
    server = LatencyServer(latency, content, log, vary)
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
    parser.add_argument(
        "--vary", action="store_true", help="a different qa answer per request body (see vary_qa)"
    )
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop")
    args = parser.parse_args()
    coro = serve(args.host, args.port, args.latency, args.content, args.log, args.vary)
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
