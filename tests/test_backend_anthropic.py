"""The Anthropic Messages backend against an in-process server that speaks the Messages API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from synthpipe.backends import make_backend
from synthpipe.backends.anthropic import AnthropicBackend
from synthpipe.backends.base import GenOptions
from synthpipe.core.errors import RequestRejected, UsageError
from synthpipe.recipe import ModelSpec
from tests.faultserver import DEFAULT_CONTENT, FaultServer, Reply

KEY = "sk-ant-test-91c0ffee"
SCHEMA = {"type": "object", "properties": {"output": {"type": "string"}}, "required": ["output"]}
MSGS = [
    {"role": "system", "content": "You write data."},
    {"role": "user", "content": "One record."},
    {"role": "assistant", "content": "Which topic?"},
    {"role": "user", "content": "Colours."},
]
OPTS = GenOptions(temperature=1.4, top_p=0.9, max_tokens=200, seed=3, stop=["END"])


@pytest.fixture
async def server() -> AsyncIterator[FaultServer]:
    async with FaultServer() as s:
        yield s


@pytest.fixture
async def make(
    server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Callable[..., AnthropicBackend]]:
    monkeypatch.setenv("SYNTH_ANTHROPIC_KEY", KEY)
    made: list[AnthropicBackend] = []

    def build(**fields: Any) -> AnthropicBackend:
        spec = ModelSpec(
            **(
                {
                    "backend": "anthropic",
                    "model": "claude-test",
                    "base_url": server.root,
                    "api_key_env": "SYNTH_ANTHROPIC_KEY",
                    "max_retries": 2,
                }
                | fields
            )
        )
        backend = make_backend(spec)
        assert isinstance(backend, AnthropicBackend)
        backend.backoff_base = 0.01
        made.append(backend)
        return backend

    yield build
    for backend in made:
        await backend.aclose()


async def test_request_shape_and_tool_answer(
    server: FaultServer, make: Callable[..., AnthropicBackend]
) -> None:
    out = await make().chat(MSGS, SCHEMA, OPTS)
    assert json.loads(out.text) == json.loads(DEFAULT_CONTENT)
    assert out.finish_reason == "stop" and out.prompt_tokens == 12 and out.completion_tokens > 0
    seen = server.requests[0]
    assert seen.path == "/v1/messages"
    assert seen.headers["x-api-key"] == KEY and seen.headers["anthropic-version"] == "2023-06-01"
    assert "Authorization" not in seen.headers
    body = seen.body
    assert body["system"] == "You write data."
    assert body["messages"] == [m for m in MSGS if m["role"] != "system"]
    assert body["tools"] == [{"name": "record", "description": "Return the record.", "input_schema": SCHEMA}]
    assert body["tool_choice"] == {"type": "tool", "name": "record"}
    assert (
        body["max_tokens"] == 200 and body["temperature"] == 1.0 and body["top_p"] == 0.9
    )  # Anthropic caps at 1
    assert body["stop_sequences"] == ["END"] and "seed" not in body and "response_format" not in body


async def test_max_tokens_stop_is_length(server: FaultServer, make: Callable[..., AnthropicBackend]) -> None:
    server.enqueue(Reply(content='{"output": "cut"}', finish_reason="length"))
    out = await make().chat(MSGS, SCHEMA, OPTS)
    assert out.finish_reason == "length"


async def test_overloaded_529_and_429_are_retried(
    server: FaultServer, make: Callable[..., AnthropicBackend]
) -> None:
    server.enqueue(Reply.error(529, "Overloaded"), Reply.error(429, "rate_limit_error", retry_after="0.1"))
    backend = make()
    out = await backend.chat(MSGS, SCHEMA, OPTS)
    assert json.loads(out.text)["output"] == "Blue."
    assert server.count == 3 and backend.stats.retries == 2 and backend.stats.rate_limited == 2


async def test_top_p_refusal_drops_top_p_once(
    server: FaultServer, make: Callable[..., AnthropicBackend]
) -> None:
    server.enqueue(Reply.error(400, "`temperature` and `top_p` cannot both be specified for this model."))
    backend = make()
    await backend.chat(MSGS, SCHEMA, OPTS)
    await backend.chat(MSGS, SCHEMA, OPTS)
    assert ["top_p" in r.body for r in server.requests] == [True, False, False]
    assert backend.stats.errors == 0


async def test_other_400_is_rejected_once_without_the_key(
    server: FaultServer, make: Callable[..., AnthropicBackend]
) -> None:
    server.enqueue(Reply.error(400, f"messages: roles must alternate (key {KEY})"))
    with pytest.raises(RequestRejected) as info:
        await make().chat(MSGS, SCHEMA, OPTS)
    assert server.count == 1 and "HTTP 400" in str(info.value) and "/v1/messages" in str(info.value)
    assert KEY not in str(info.value)


async def test_without_schema_text_blocks_are_the_answer(
    server: FaultServer, make: Callable[..., AnthropicBackend]
) -> None:
    server.enqueue(Reply(content="Plain words."))
    out = await make().chat(MSGS, None, OPTS)
    assert out.text == "Plain words." and "tools" not in server.requests[0].body


async def test_non_object_schema_is_wrapped_and_unwrapped(
    server: FaultServer, make: Callable[..., AnthropicBackend]
) -> None:
    schema = {"type": "array", "items": {"type": "string"}}
    server.enqueue(Reply(content='{"value": ["a", "b"]}'))
    out = await make().chat(MSGS, schema, OPTS)
    assert json.loads(out.text) == ["a", "b"]
    assert server.requests[0].body["tools"][0]["input_schema"]["properties"]["value"] == schema


async def test_prompt_dialect_uses_no_tool(
    server: FaultServer, make: Callable[..., AnthropicBackend]
) -> None:
    await make(structured="prompt").chat(MSGS, SCHEMA, OPTS)
    body = server.requests[0].body
    assert "tools" not in body and json.dumps(SCHEMA) in body["messages"][-1]["content"]


def test_identity_endpoint_and_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(UsageError, match=r"export ANTHROPIC_API_KEY="):
        AnthropicBackend(ModelSpec(backend="anthropic", model="claude-x"))
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    backend = AnthropicBackend(ModelSpec(backend="anthropic", model="claude-x"))
    assert backend.endpoint == "https://api.anthropic.com/v1/messages"
    assert backend.identity == {
        "backend": "anthropic",
        "base_url": "https://api.anthropic.com",
        "model": "claude-x",
        "structured": "auto",
    }
    assert KEY not in repr(vars(backend))
    proxied = AnthropicBackend(ModelSpec(backend="anthropic", model="c", base_url="http://127.0.0.1:9/v1/"))
    assert proxied.endpoint == "http://127.0.0.1:9/v1/messages"
