"""Backends: one protocol (`chat(messages, schema, options) -> Completion`), one module per kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from synthpipe.backends.base import Backend, Completion, GenOptions, Messages
from synthpipe.core.errors import UsageError

if TYPE_CHECKING:
    from synthpipe.recipe import ModelSpec

__all__ = [
    "Backend",
    "Completion",
    "GenOptions",
    "Messages",
    "backend_names",
    "make_backend",
    "options_from_spec",
    "register_backend",
]


def options_from_spec(spec: ModelSpec) -> GenOptions:
    return GenOptions(
        temperature=spec.temperature,
        top_p=spec.top_p,
        max_tokens=spec.max_tokens,
        seed=spec.seed,
        stop=spec.stop,
    )


def _embedded(spec: ModelSpec) -> Backend:
    from synthpipe.backends.embedded import EmbeddedBackend

    return EmbeddedBackend(model=spec.model, model_path=spec.model_path, n_ctx=spec.n_ctx)


def _openai(spec: ModelSpec) -> Backend:
    from synthpipe.backends.openai import OpenAIBackend

    return OpenAIBackend(spec)


def _anthropic(spec: ModelSpec) -> Backend:
    from synthpipe.backends.anthropic import AnthropicBackend

    return AnthropicBackend(spec)


def _fake(spec: ModelSpec) -> Backend:
    from synthpipe.backends.fake import FakeBackend

    return FakeBackend(model=spec.model)  # no answers: a test passes its own through `backends=`


# name -> factory(spec). Built-in backends register here the way a new one would.
BACKENDS: dict[str, Callable[[ModelSpec], Backend]] = {
    "embedded": _embedded,
    "openai": _openai,
    "anthropic": _anthropic,
    "fake": _fake,
}


def backend_names() -> tuple[str, ...]:
    return tuple(BACKENDS)


def register_backend(name: str, factory: Callable[[ModelSpec], Backend]) -> None:
    BACKENDS[name] = factory


def make_backend(spec: ModelSpec) -> Backend:
    """Build the backend a recipe's model entry asks for. Imports happen here, never at package import."""
    factory = BACKENDS.get(spec.backend)
    if factory is None:
        raise UsageError(f"unknown backend {spec.backend!r} — use one of {', '.join(BACKENDS)}")
    return factory(spec)
