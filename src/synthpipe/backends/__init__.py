"""Backends: one protocol (`chat(messages, schema, options) -> Completion`), one module per kind."""

from __future__ import annotations

from typing import TYPE_CHECKING

from synthpipe.backends.base import Backend, Completion, GenOptions, Messages

if TYPE_CHECKING:
    from synthpipe.recipe import ModelSpec

__all__ = ["Backend", "Completion", "GenOptions", "Messages", "make_backend", "options_from_spec"]


def options_from_spec(spec: ModelSpec) -> GenOptions:
    return GenOptions(
        temperature=spec.temperature,
        top_p=spec.top_p,
        max_tokens=spec.max_tokens,
        seed=spec.seed,
        stop=spec.stop,
    )


def make_backend(spec: ModelSpec) -> Backend:
    """Build the backend a recipe's model entry asks for. Imports happen here, never at package import."""
    if spec.backend == "embedded":
        from synthpipe.backends.embedded import EmbeddedBackend

        return EmbeddedBackend(model=spec.model, model_path=spec.model_path, n_ctx=spec.n_ctx)
    if spec.backend == "openai":
        from synthpipe.backends.openai import OpenAIBackend

        return OpenAIBackend(spec)
    if spec.backend == "anthropic":
        from synthpipe.backends.anthropic import AnthropicBackend

        return AnthropicBackend(spec)
    from synthpipe.backends.fake import FakeBackend

    return FakeBackend(model=spec.model, default="{}")
