"""The one backend protocol: `await backend.chat(messages, schema, options) -> Completion`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

Messages = list[dict[str, str]]


@dataclass(slots=True)
class GenOptions:
    temperature: float = 0.8
    top_p: float = 0.95
    max_tokens: int = 512
    seed: int | None = None
    stop: list[str] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in {
                "temperature": self.temperature,
                "top_p": self.top_p,
                "max_tokens": self.max_tokens,
                "seed": self.seed,
                "stop": self.stop,
            }.items()
            if v is not None
        }


@dataclass(slots=True)
class Completion:
    text: str
    finish_reason: str = "stop"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model: str = ""
    cached: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "finish_reason": self.finish_reason,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "model": self.model,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Completion:
        return cls(
            text=data["text"],
            finish_reason=data.get("finish_reason", "stop"),
            prompt_tokens=data.get("prompt_tokens", 0),
            completion_tokens=data.get("completion_tokens", 0),
            model=data.get("model", ""),
        )


@runtime_checkable
class Backend(Protocol):
    """A chat model. `identity` is what the cache key uses to tell endpoints apart (never a key)."""

    model: str
    max_in_flight: int

    @property
    def identity(self) -> dict[str, Any]: ...

    async def chat(
        self, messages: Messages, schema: dict[str, Any] | None, options: GenOptions
    ) -> Completion: ...

    async def aclose(self) -> None: ...
