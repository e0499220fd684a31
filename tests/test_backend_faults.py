"""The OpenAI-compatible backend against a fault-injecting server: retries, limits, keys, dialects."""

from __future__ import annotations

import asyncio
import email.utils
import json
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from synthpipe.backends._http import normalise_base_url, parse_retry_after
from synthpipe.backends.base import GenOptions
from synthpipe.backends.flow import RateBucket
from synthpipe.backends.openai import OpenAIBackend
from synthpipe.core.errors import RateLimited, RequestRejected, ServerError, UsageError
from synthpipe.recipe import ModelSpec
from tests.faultserver import DEFAULT_CONTENT, FaultServer, FixedLatencyServer, Reply

MSGS = [{"role": "system", "content": "You write data."}, {"role": "user", "content": "One record, please."}]
SCHEMA = {"type": "object", "properties": {"output": {"type": "string"}}, "required": ["output"]}
OPTS = GenOptions(temperature=0.3, top_p=0.9, max_tokens=64, seed=7, stop=["\n\n"])


@pytest.fixture
async def server() -> AsyncIterator[FaultServer]:
    async with FaultServer() as s:
        yield s


@pytest.fixture
async def make(server: FaultServer) -> AsyncIterator[Callable[..., OpenAIBackend]]:
    made: list[OpenAIBackend] = []

    def build(**fields: Any) -> OpenAIBackend:
        fields = {
            "backend": "openai",
            "model": "test-model",
            "base_url": server.url,
            "max_retries": 3,
        } | fields
        backend = OpenAIBackend(ModelSpec(**fields))
        backend.backoff_base = 0.01  # keep the suite fast; the back-off shape is the same
        made.append(backend)
        return backend

    yield build
    for backend in made:
        await backend.aclose()


async def test_plain_success_fills_text_usage_and_stats(
    server: FaultServer, make: Callable[..., OpenAIBackend]
) -> None:
    backend = make()
    out = await backend.chat(MSGS, SCHEMA, OPTS)
    assert out.text == DEFAULT_CONTENT and out.finish_reason == "stop"
    assert out.prompt_tokens == 12 and out.completion_tokens > 0
    assert backend.stats.requests == 1 and backend.stats.retries == 0 and backend.stats.in_flight == 0
    assert backend.stats.prompt_tokens == 12
    sent = server.requests[0]
    assert sent.path == "/v1/chat/completions"
    assert "Authorization" not in sent.headers  # no api_key_env: local server, no key
    assert sent.body["model"] == "test-model" and sent.body["messages"] == MSGS
    assert {k: sent.body[k] for k in ("temperature", "top_p", "max_tokens", "seed", "stop")} == {
        "temperature": 0.3,
        "top_p": 0.9,
        "max_tokens": 64,
        "seed": 7,
        "stop": ["\n\n"],
    }


async def test_429_honours_retry_after_then_succeeds(
    server: FaultServer, make: Callable[..., OpenAIBackend]
) -> None:
    server.enqueue(Reply.error(429, "slow down", retry_after="0.2"))
    backend = make()
    out = await backend.chat(MSGS, None, OPTS)
    assert out.text == DEFAULT_CONTENT
    assert backend.stats.retries == 1 and backend.stats.rate_limited == 1
    first, second = server.requests
    assert second.at - first.at >= 0.2


def test_retry_after_forms() -> None:
    assert parse_retry_after({"Retry-After": "3"}) == 3.0
    assert parse_retry_after({"retry-after-ms": "250", "Retry-After": "9"}) == 0.25
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= (parse_retry_after({"Retry-After": when}) or 0) <= 30
    assert parse_retry_after({"Retry-After": "soon"}) is None
    assert parse_retry_after({}) is None


async def test_500_then_200_succeeds(server: FaultServer, make: Callable[..., OpenAIBackend]) -> None:
    server.enqueue(Reply.error(500), Reply.error(502))
    backend = make()
    assert (await backend.chat(MSGS, None, OPTS)).text == DEFAULT_CONTENT
    assert server.count == 3 and backend.stats.retries == 2 and backend.stats.errors == 0


async def test_hanging_request_times_out_is_retried_then_server_error(
    server: FaultServer, make: Callable[..., OpenAIBackend]
) -> None:
    server.enqueue(Reply.hanging(), Reply.hanging())
    backend = make(timeout=0.3, max_retries=1)
    started = time.monotonic()
    with pytest.raises(ServerError) as info:
        await backend.chat(MSGS, None, OPTS)
    assert time.monotonic() - started < 3
    assert server.count == 2 and backend.stats.retries == 1 and backend.stats.errors == 1
    assert "0.3s" in str(info.value) and server.url + "/chat/completions" in str(info.value)
    assert backend.stats.in_flight == 0 and backend.limiter.active == 0


async def test_unparseable_body_is_retried(server: FaultServer, make: Callable[..., OpenAIBackend]) -> None:
    server.enqueue(Reply.garbage())
    backend = make()
    assert (await backend.chat(MSGS, None, OPTS)).text == DEFAULT_CONTENT
    assert server.count == 2


async def test_unparseable_body_every_time_is_a_server_error(
    server: FaultServer, make: Callable[..., OpenAIBackend]
) -> None:
    server.enqueue(Reply.garbage(), Reply.garbage(), Reply(body=b'{"error": "no choices here"}'))
    backend = make(max_retries=2)
    with pytest.raises(ServerError, match="unparseable response body"):
        await backend.chat(MSGS, None, OPTS)
    assert server.count == 3


async def test_truncated_output_is_a_completion_not_an_error(
    server: FaultServer, make: Callable[..., OpenAIBackend]
) -> None:
    server.enqueue(Reply.truncated('{"output": "half'))
    out = await make().chat(MSGS, SCHEMA, OPTS)
    assert out.finish_reason == "length" and out.text == '{"output": "half'


async def test_400_is_rejected_after_exactly_one_request(
    server: FaultServer, make: Callable[..., OpenAIBackend]
) -> None:
    server.enqueue(Reply.error(400, "max_tokens is too large"))
    backend = make()
    with pytest.raises(RequestRejected) as info:
        await backend.chat(MSGS, SCHEMA, OPTS)
    assert server.count == 1 and backend.stats.errors == 1
    assert "HTTP 400" in str(info.value) and "/v1/chat/completions" in str(info.value)
    assert "max_tokens is too large" in str(info.value)


async def test_429_on_every_try_raises_rate_limited(
    server: FaultServer, make: Callable[..., OpenAIBackend]
) -> None:
    server.enqueue(*[Reply.error(429, retry_after="0.01")] * 3)
    backend = make(max_retries=2)
    with pytest.raises(RateLimited, match="HTTP 429.*3 tries"):
        await backend.chat(MSGS, None, OPTS)
    assert server.count == 3 and backend.stats.rate_limited == 3


async def test_connection_refused_is_a_server_error(make: Callable[..., OpenAIBackend]) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nobody listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = make(base_url=f"http://127.0.0.1:{port}/v1", max_retries=1)
    with pytest.raises(ServerError, match=f"127.0.0.1:{port}"):
        await backend.chat(MSGS, None, OPTS)
    assert backend.stats.requests == 2


async def test_key_reaches_server_but_never_errors_or_identity(
    server: FaultServer, make: Callable[..., OpenAIBackend], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "sk-test-7f3a9c1e5b"
    monkeypatch.setenv("SYNTH_TEST_KEY", key)
    backend = make(api_key_env="SYNTH_TEST_KEY", max_retries=1)
    await backend.chat(MSGS, None, OPTS)
    assert server.requests[0].headers["Authorization"] == f"Bearer {key}"
    # Servers echo keys in their errors (OpenAI: "Incorrect API key provided: sk-..."); they must not leak.
    server.enqueue(Reply.error(401, f"Incorrect API key provided: {key}"))
    with pytest.raises(RequestRejected) as rejected:
        await backend.chat(MSGS, None, OPTS)
    server.enqueue(Reply.error(500, f"backend down for {key}"), Reply.error(500, f"backend down for {key}"))
    with pytest.raises(ServerError) as failed:
        await backend.chat(MSGS, None, OPTS)
    for err in (rejected.value, failed.value):
        assert key not in str(err) and key not in repr(err.args)
    assert "SYNTH_TEST_KEY" in str(rejected.value)
    assert key not in json.dumps(backend.identity) and key not in repr(backend)
    assert key not in repr(vars(backend))


async def test_unset_key_variable_is_a_usage_error_naming_it(
    server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SYNTH_MISSING_KEY", raising=False)
    with pytest.raises(UsageError, match=r"\$SYNTH_MISSING_KEY.*export SYNTH_MISSING_KEY="):
        OpenAIBackend(
            ModelSpec(backend="openai", model="m", base_url=server.url, api_key_env="SYNTH_MISSING_KEY")
        )


def test_hosted_endpoint_without_key_variable_uses_the_provider_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(UsageError, match="OPENAI_API_KEY"):
        OpenAIBackend(ModelSpec(backend="openai", model="gpt-4o-mini"))


async def test_concurrency_never_exceeds_max_in_flight(make: Callable[..., OpenAIBackend]) -> None:
    async with FaultServer(latency=0.05) as slow:
        backend = make(base_url=slow.url, max_in_flight=4)
        results = await asyncio.gather(*(backend.chat(MSGS, None, OPTS) for _ in range(24)))
    assert len(results) == 24
    assert slow.peak_in_flight == 4  # reaches the cap (it is concurrent) and never passes it


async def test_requests_per_minute_paces_requests(
    server: FaultServer, make: Callable[..., OpenAIBackend]
) -> None:
    backend = make(requests_per_minute=1200)  # 20/s, bursts of 20
    await asyncio.gather(*(backend.chat(MSGS, None, OPTS) for _ in range(30)))
    arrivals = sorted(r.at for r in server.requests)
    assert arrivals[-1] - arrivals[0] >= 0.45  # the 10 over the burst wait 0.5 s


async def test_token_bucket_debt_and_refund() -> None:
    bucket = RateBucket(per_minute=6000)  # 100 tokens/s, capacity 100
    started = time.monotonic()
    await bucket.take(100)
    assert time.monotonic() - started < 0.05
    bucket.refund(50)  # the estimate was 50 tokens too high
    await bucket.take(70)  # 50 left -> 20 in debt -> 0.2 s
    assert 0.15 <= time.monotonic() - started < 0.5


async def test_tokens_per_minute_limits_throughput(
    server: FaultServer, make: Callable[..., OpenAIBackend]
) -> None:
    backend = make(tokens_per_minute=60 * 400)  # 400 tokens/s; each request is estimated at ~70
    started = time.monotonic()
    await asyncio.gather(*(backend.chat(MSGS, None, GenOptions(max_tokens=64)) for _ in range(12)))
    assert time.monotonic() - started >= 0.5  # 12 x ~70 = 840 tokens, 400 up front, the rest at 400/s
    assert backend.stats.prompt_tokens == 12 * 12


@pytest.mark.parametrize("dialect", ["json_schema", "json_object", "prompt"])
async def test_structured_dialect_request_shape(
    server: FaultServer, make: Callable[..., OpenAIBackend], dialect: str
) -> None:
    await make(structured=dialect).chat(MSGS, SCHEMA, OPTS)
    body = server.requests[0].body
    if dialect == "json_schema":
        assert body["response_format"] == {
            "type": "json_schema",
            "json_schema": {"name": "record", "schema": SCHEMA, "strict": True},
        }
    elif dialect == "json_object":
        assert body["response_format"] == {"type": "json_object", "schema": SCHEMA}
    else:
        assert "response_format" not in body
        assert body["messages"][:-1] == MSGS[:-1] and len(body["messages"]) == len(MSGS)
        last = body["messages"][-1]["content"]
        assert (
            last.startswith(MSGS[-1]["content"]) and json.dumps(SCHEMA) in last and "JSON object only" in last
        )


async def test_no_schema_sends_no_response_format(
    server: FaultServer, make: Callable[..., OpenAIBackend]
) -> None:
    await make().chat(MSGS, None, OPTS)
    assert "response_format" not in server.requests[0].body


async def test_auto_steps_down_dialects_and_remembers(
    server: FaultServer, make: Callable[..., OpenAIBackend]
) -> None:
    server.enqueue(
        Reply.error(400, "response_format json_schema is not supported"),
        Reply.error(422, "response_format.type: must be 'text'"),
    )
    backend = make()
    assert (await backend.chat(MSGS, SCHEMA, OPTS)).text == DEFAULT_CONTENT
    shapes = [r.body.get("response_format", {}).get("type", "none") for r in server.requests]
    assert shapes == ["json_schema", "json_object", "none"]
    assert backend.dialect == "prompt" and backend.stats.errors == 0
    await backend.chat(MSGS, SCHEMA, OPTS)
    assert len(server.requests) == 4 and "response_format" not in server.requests[3].body
    assert backend.identity["structured"] == "auto"  # the cache key does not move with the fall-back


async def test_explicit_dialect_does_not_fall_back(
    server: FaultServer, make: Callable[..., OpenAIBackend]
) -> None:
    server.enqueue(Reply.error(400, "response_format json_schema is not supported"))
    with pytest.raises(RequestRejected, match="response_format"):
        await make(structured="json_schema").chat(MSGS, SCHEMA, OPTS)
    assert server.count == 1


def test_identity_and_base_url_normalisation() -> None:
    assert normalise_base_url("HTTP://user:pw@Example.COM:8000/v1/?api-key=x") == "http://example.com:8000/v1"
    assert normalise_base_url("http://127.0.0.1:8080", "/v1") == "http://127.0.0.1:8080/v1"
    with pytest.raises(UsageError, match="base_url"):
        normalise_base_url("127.0.0.1:8080/v1")
    backend = OpenAIBackend(
        ModelSpec(backend="openai", model="m", base_url="http://LOCALHOST:8000/v1/", structured="json_object")
    )
    assert backend.identity == {
        "backend": "openai",
        "base_url": "http://localhost:8000/v1",
        "model": "m",
        "structured": "json_object",
    }
    assert backend.endpoint == "http://localhost:8000/v1/chat/completions"


async def test_cancelled_chat_frees_its_slot(server: FaultServer, make: Callable[..., OpenAIBackend]) -> None:
    server.enqueue(Reply.hanging())
    backend = make(max_in_flight=1)
    task = asyncio.create_task(backend.chat(MSGS, None, OPTS))
    while server.count == 0:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert backend.limiter.active == 0 and backend.stats.in_flight == 0
    assert (await backend.chat(MSGS, None, OPTS)).text == DEFAULT_CONTENT  # the one slot is usable again


async def test_fixed_latency_script_mode_serves_completions(make: Callable[..., OpenAIBackend]) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).with_name("faultserver.py")),
        "--port",
        "0",
        "--latency",
        "0.05",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        url = line.split("listening on ")[1].split()[0]
        backend = make(base_url=url, max_in_flight=16)
        started = time.monotonic()
        outs = await asyncio.gather(*(backend.chat(MSGS, SCHEMA, OPTS) for _ in range(32)))
        elapsed = time.monotonic() - started
        assert all(json.loads(o.text) == json.loads(DEFAULT_CONTENT) for o in outs)
        assert 0.1 <= elapsed < 2  # two waves of 16 at 0.05 s each, not serial (1.6 s)
    finally:
        proc.terminate()
        await proc.wait()


async def test_fixed_latency_server_in_process() -> None:
    async with FixedLatencyServer(latency=0.02) as fast:
        backend = OpenAIBackend(ModelSpec(backend="openai", model="m", base_url=fast.url, max_in_flight=8))
        try:
            outs = await asyncio.gather(*(backend.chat(MSGS, None, OPTS) for _ in range(20)))
        finally:
            await backend.aclose()
    assert fast.count == 20 and fast.peak_in_flight == 8
    assert all(o.text == DEFAULT_CONTENT and o.prompt_tokens == 12 for o in outs)
