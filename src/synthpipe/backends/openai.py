"""OpenAI-compatible chat completions over HTTP: OpenAI, vLLM, SGLang, Ollama, llama.cpp servers, DeepSeek…

Structured output has three dialects (`models.*.structured`):
- "json_schema": `response_format={"type": "json_schema", "json_schema": {...}}` — OpenAI, vLLM, SGLang,
  llama.cpp's C++ `llama-server`;
- "json_object": `response_format={"type": "json_object", "schema": ...}` — llama-cpp-python's server, which
  turns the schema into a grammar (0.3.x answers "json_schema" with an HTTP 500 validation error);
- "prompt": no response_format; the schema goes into the last user turn and the caller validates.
"auto" starts with json_schema and steps down the list when the server answers 400/422 (or a 500) that
complains about response_format; the backend remembers the step for all later requests.
"""

from __future__ import annotations

import json
from typing import Any

from synthpipe.backends._http import HttpBackend, estimate_tokens, with_schema_instruction
from synthpipe.backends.base import Completion, GenOptions, Messages
from synthpipe.core.errors import BackendError, RequestRejected

FALLBACK = {"json_schema": "json_object", "json_object": "prompt"}
_COMPLAINTS = ("response_format", "json_schema", "json_object")


class OpenAIBackend(HttpBackend):
    kind = "openai"
    path = "/chat/completions"
    default_base_url = "https://api.openai.com/v1"
    default_key_env = "OPENAI_API_KEY"
    bare_host_path = "/v1"  # "http://host:8000" means the usual OpenAI-compatible root

    def __init__(self, spec: Any) -> None:
        super().__init__(spec)
        self.dialect: str = "json_schema" if spec.structured == "auto" else spec.structured

    def _auth_headers(self, key: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"} if key else {}

    def _rejects(self, status: int, detail: str) -> bool:
        # Some servers answer an unsupported response_format with a 500; retrying it cannot help.
        return any(word in detail for word in _COMPLAINTS)

    def _payload(
        self, messages: Messages, schema: dict[str, Any] | None, options: GenOptions, dialect: str | None
    ) -> bytes:
        body: dict[str, Any] = {"model": self.model, "messages": messages, **options.to_json()}
        if dialect == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "record", "schema": schema, "strict": True},
            }
        elif dialect == "json_object":
            body["response_format"] = {"type": "json_object", "schema": schema}
        elif dialect == "prompt" and schema is not None:
            body["messages"] = with_schema_instruction(messages, schema)
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    def _parse(self, data: dict[str, Any]) -> Completion:
        choice = data["choices"][0]
        message = choice["message"]
        text = message.get("content")
        finish = choice.get("finish_reason") or "stop"
        if text is None:
            if not message.get("refusal"):
                raise ValueError("the answer has no message content")
            text, finish = "", "refusal"
        if not isinstance(text, str):
            raise TypeError("message content is not a string")
        usage = data.get("usage") or {}
        return Completion(
            text=text,
            finish_reason=finish,
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            model=self.model,
        )

    async def chat(
        self, messages: Messages, schema: dict[str, Any] | None, options: GenOptions
    ) -> Completion:
        est = estimate_tokens(messages, options.max_tokens)
        while True:
            dialect = self.dialect if schema is not None else None
            payload = self._payload(messages, schema, options, dialect)
            try:
                return await self._request(payload, est, self._parse)
            except RequestRejected as err:
                detail = getattr(err, "detail", "")
                step = FALLBACK.get(dialect or "")
                if (
                    self.spec.structured != "auto"
                    or step is None
                    or err.status not in (400, 422, 500)
                    or not any(word in detail for word in _COMPLAINTS)
                ):
                    self.stats.errors += 1
                    raise
                if self.dialect == dialect:  # another request may have stepped down already
                    self.dialect = step
            except BackendError:
                self.stats.errors += 1
                raise
