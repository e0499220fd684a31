"""A fake model with queued answers, for fast tests of the flow (never the only proof)."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from typing import Any

from synthpipe.backends.base import Completion, GenOptions, Messages
from synthpipe.core.errors import RequestRejected

Answer = str | dict[str, Any] | Exception | Callable[[Messages, dict[str, Any] | None], Any]


class FakeBackend:
    def __init__(
        self,
        answers: list[Answer] | None = None,
        model: str = "fake",
        default: Answer | None = None,
        max_in_flight: int = 8,
    ) -> None:
        self.model = model
        self.max_in_flight = max_in_flight
        self.queue: deque[Answer] = deque(answers or [])
        self.default = default
        self.calls: list[tuple[Messages, dict[str, Any] | None, GenOptions]] = []

    def enqueue(self, *answers: Answer) -> None:
        self.queue.extend(answers)

    @property
    def identity(self) -> dict[str, Any]:
        return {"backend": "fake", "model": self.model}

    async def chat(
        self, messages: Messages, schema: dict[str, Any] | None, options: GenOptions
    ) -> Completion:
        self.calls.append((messages, schema, options))
        if self.queue:
            answer = self.queue.popleft()
        elif self.default is not None:
            answer = self.default
        else:
            raise RequestRejected(
                "the fake backend has no answer queued — it is for tests; use embedded, openai or anthropic"
            )
        if callable(answer) and not isinstance(answer, Exception):
            answer = answer(messages, schema)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, Completion):
            return answer
        text = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
        return Completion(
            text=text, prompt_tokens=10, completion_tokens=max(1, len(text) // 4), model=self.model
        )

    async def aclose(self) -> None:
        return None
