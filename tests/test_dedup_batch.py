from __future__ import annotations

import random

import pytest

from synthpipe.core.records import Meta, Record
from synthpipe.recipe import DedupConfig
from synthpipe.stages.dedup import Deduper, dedup_records, priority_order
from synthpipe.stages.dedup.normalize import normalize

pytest.importorskip("numpy")

# words without digits: a changed number makes two records distinct (confirm.py), not near duplicates
VOCAB = [f"w{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(120)] + list("退款订单商品申请")


def make_records(seed: int, n: int = 600, scored: bool = False, prefix: str = "r") -> list[Record]:
    """Texts with many exact copies (case/punctuation changed), near copies (a word or two changed), Chinese."""
    rng = random.Random(seed)
    texts: list[str] = []
    for _ in range(n):
        roll = rng.random()
        if texts and roll < 0.2:
            texts.append(rng.choice(texts).upper() + "!")
        elif texts and roll < 0.5:
            words = rng.choice(texts).split()
            for _ in range(rng.randint(1, 3)):
                words[rng.randrange(len(words))] = rng.choice(VOCAB)
            texts.append(" ".join(words))
        elif roll < 0.6:
            texts.append("".join(rng.choices("退款订单商品申请需要三个工作日以内", k=rng.randint(8, 20))))
        else:
            texts.append(" ".join(rng.choices(VOCAB, k=rng.randint(4, 25))))
    recs = []
    for i, text in enumerate(texts):
        meta = Meta(task="classify", line=i + 1)
        if scored:
            meta.scores["overall"] = rng.choice([1, 2, 3, 4, 5, None])
        recs.append(Record(f"{prefix}{i}", {"text": text, "label": "x"}, meta))
    return recs


def outcome(kept: list[Record], removed: list[Record]) -> tuple[list[str], dict[str, tuple[str, str]]]:
    return (
        [r.id for r in kept],
        {r.id: (r.meta.extra["duplicate_of"]["id"], r.meta.reasons[-1].code) for r in removed},
    )


def copy(recs: list[Record]) -> list[Record]:
    return [
        Record(r.id, dict(r.fields), Meta(task=r.meta.task, line=r.meta.line, scores=dict(r.meta.scores)))
        for r in recs
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batch_equals_streaming_the_same_order_through_the_deduper(seed: int) -> None:
    recs = make_records(seed, scored=seed == 3)
    kept, removed = dedup_records(copy(recs), DedupConfig(), "classify")
    assert len(removed) > 100 and {r.meta.reasons[-1].code for r in removed} == {
        "duplicate_exact",
        "duplicate_near",
    }
    stream = copy(recs)
    deduper = Deduper(DedupConfig(), "classify")
    reasons = {stream[i].id: deduper.check(stream[i]) for i in priority_order(stream)}
    assert [r.id for r in kept] == [r.id for r in stream if reasons[r.id] is None]
    assert outcome(kept, removed)[1] == {
        r.id: (r.meta.extra["duplicate_of"]["id"], reasons[r.id].code)
        for r in stream
        if reasons[r.id] is not None
    }


@pytest.mark.parametrize("seed", [4, 5])
def test_batch_against_the_pool_equals_one_dedup_of_the_union(seed: int) -> None:
    pool, _ = dedup_records(make_records(seed, 300, prefix="p"), DedupConfig(), "classify")
    batch = make_records(seed + 100, 400, scored=True)
    kept, removed = dedup_records(copy(batch), DedupConfig(), "classify", existing=copy(pool))
    union = copy(pool) + copy(batch)
    for rec in union[: len(pool)]:
        rec.meta.scores["overall"] = 100  # the pool outranks every new record
    u_kept, u_removed = dedup_records(union, DedupConfig(), "classify")
    assert [r.id for r in u_kept[: len(pool)]] == [r.id for r in pool]  # nothing of the pool goes
    assert outcome(kept, removed) == outcome(u_kept[len(pool) :], u_removed)
    assert any(r.meta.extra["duplicate_of"]["id"].startswith("p") for r in removed)


def start_of(rid: str, size: int = 250) -> int:
    return int(rid[1:]) // size * size


def test_deduping_in_chunks_against_earlier_chunks_equals_one_pass() -> None:
    recs = make_records(6, 900)
    whole = outcome(*dedup_records(copy(recs), DedupConfig(), "classify"))
    accepted: list[Record] = []
    kept_ids: list[str] = []
    removed_map: dict[str, tuple[str, str]] = {}
    for start in range(0, len(recs), 250):
        kept, removed = dedup_records(
            copy(recs[start : start + 250]), DedupConfig(), "classify", existing=accepted
        )
        accepted += kept
        ids, rem = outcome(kept, removed)
        kept_ids += ids
        removed_map.update(rem)
    assert kept_ids == whole[0]
    assert {k: code for k, (_, code) in removed_map.items()} == {k: code for k, (_, code) in whole[1].items()}
    # One pass removes an exact copy with its earlier twin (same kept record). A chunk never sees a twin
    # that an earlier chunk removed, so it matches the copy against what was kept, where a record kept
    # after the twin may be more similar: the copy is still removed, perhaps as a copy of that one.
    norm = {r.id: normalize(r.fields["text"]) for r in recs}
    differ = {k for k in removed_map if removed_map[k] != whole[1][k]}
    assert all(any(norm[t] == norm[k] and int(t[1:]) < start_of(k) for t in whole[1]) for k in differ), differ
    assert len(differ) < len(removed_map) // 20


def test_keep_rule_prefers_the_higher_score_then_the_earlier_line() -> None:
    def rec(rid: str, score: float | None, line: int) -> Record:
        meta = Meta(task="classify", line=line, scores={} if score is None else {"overall": score})
        return Record(rid, {"text": "Refunds take five working days.", "label": "x"}, meta)

    recs = [rec("a", None, 1), rec("b", 3.5, 2), rec("c", 4.5, 3), rec("d", 4.5, 4)]
    kept, removed = dedup_records(recs, DedupConfig(), "classify")
    assert [r.id for r in kept] == ["c"]
    assert [r.id for r in removed] == ["a", "b", "d"]  # input order
    for r in removed:
        assert r.meta.extra["duplicate_of"] == {
            "id": "c",
            "line": 3,
            "code": "duplicate_exact",
            "similarity": 1.0,
        }
        assert r.meta.reasons == [r.meta.reasons[0]] and "c (line 3)" in r.meta.reasons[0].detail


def test_pool_records_are_named_with_their_file() -> None:
    pool = [
        Record("p", {"text": "Refunds take five working days.", "label": "x"}, Meta(task="classify", line=7))
    ]
    new = [Record("n", {"text": "refunds take five working days", "label": "x"}, Meta(task="classify"))]
    kept, removed = dedup_records(new, DedupConfig(), "classify", existing={"pool.jsonl": pool})
    assert not kept and removed[0].meta.extra["duplicate_of"]["source"] == "pool.jsonl"
    assert "p (pool.jsonl line 7)" in removed[0].meta.reasons[0].detail


def test_nothing_to_do_returns_everything_kept() -> None:
    recs = make_records(7, 20)
    assert dedup_records(recs, DedupConfig(enabled=False), "classify") == (recs, [])
    assert dedup_records([], DedupConfig(), "classify") == ([], [])
