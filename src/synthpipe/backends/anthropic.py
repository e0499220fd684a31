"""Anthropic's native Messages API over HTTP (`POST {base_url}/v1/messages`).

System turns go into the top-level `system`. Structured output uses one forced tool, `record`, whose
`input_schema` is the task's schema; the completion text is the tool input as JSON. Overload (429, 529)
and 5xx are retried by the shared machinery.
"""

from __future__ import annotations

import json
from typing import Any

from synthpipe.backends._http import HttpBackend, estimate_tokens, with_schema_instruction
from synthpipe.backends.base import Completion, GenOptions, Messages
from synthpipe.core.errors import BackendError, RequestRejected

API_VERSION = "2023-06-01"
TOOL = "record"
_FINISH = {"max_tokens": "length", "refusal": "refusal"}


class AnthropicBackend(HttpBackend):
    kind = "anthropic"
    path = "/v1/messages"
    default_base_url = "https://api.anthropic.com"
    default_key_env = "ANTHROPIC_API_KEY"

    def __init__(self, spec: Any) -> None:
        super().__init__(spec)
        if self.base_url.endswith("/v1"):  # people copy the OpenAI habit; the path already has /v1
            self.base_url = self.base_url[:-3]
            self.endpoint = self.base_url + self.path
        self.send_top_p = True  # newer models refuse temperature and top_p together; dropped on that 400

    def _auth_headers(self, key: str | None) -> dict[str, str]:
        headers = {"anthropic-version": API_VERSION}
        if key:
            headers["x-api-key"] = key
        return headers

    def _payload(
        self, messages: Messages, schema: dict[str, Any] | None, options: GenOptions
    ) -> tuple[bytes, bool]:
        """The request body, and whether the schema was wrapped (the tool input must be an object)."""
        system = "\n\n".join(m.get("content") or "" for m in messages if m.get("role") == "system")
        turns = [
            {"role": m["role"], "content": m.get("content") or ""}
            for m in messages
            if m.get("role") != "system"
        ]
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": options.max_tokens,
            "temperature": min(1.0, options.temperature),
        }
        if self.send_top_p:
            body["top_p"] = options.top_p
        if options.stop:
            body["stop_sequences"] = options.stop
        wrapped = False
        if schema is not None and self.spec.structured == "prompt":
            turns = with_schema_instruction(turns, schema)
        elif schema is not None:
            wrapped = schema.get("type") != "object"
            input_schema = (
                {"type": "object", "properties": {"value": schema}, "required": ["value"]}
                if wrapped
                else schema
            )
            body["tools"] = [
                {"name": TOOL, "description": "Return the record.", "input_schema": input_schema}
            ]
            body["tool_choice"] = {"type": "tool", "name": TOOL}
        if system:
            body["system"] = system
        body["messages"] = turns
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(), wrapped

    def _parse(self, data: dict[str, Any], wrapped: bool) -> Completion:
        blocks = data["content"]
        text = None
        for block in blocks:
            if block.get("type") == "tool_use" and block.get("name") == TOOL:
                value = block["input"]["value"] if wrapped else block["input"]
                text = json.dumps(value, ensure_ascii=False)
                break
        if text is None:
            text = "".join(b.get("text", "") for b in blocks if b.get("type") == "text")
        usage = data.get("usage") or {}
        return Completion(
            text=text,
            finish_reason=_FINISH.get(data.get("stop_reason") or "", "stop"),
            prompt_tokens=int(usage.get("input_tokens") or 0),
            completion_tokens=int(usage.get("output_tokens") or 0),
            model=self.model,
        )

    async def chat(
        self, messages: Messages, schema: dict[str, Any] | None, options: GenOptions
    ) -> Completion:
        est = estimate_tokens(messages, options.max_tokens)
        while True:
            payload, wrapped = self._payload(messages, schema, options)
            try:
                return await self._request(payload, est, lambda data, w=wrapped: self._parse(data, w))
            except RequestRejected as err:
                if self.send_top_p and err.status == 400 and "top_p" in getattr(err, "detail", ""):
                    self.send_top_p = False
                    continue
                self.stats.errors += 1
                raise
            except BackendError:
                self.stats.errors += 1
                raise
