"""The pool's dedup index (issue 14, adding to a big pool): a later add deduplicates against only the pool
records that share an exact or a MinHash band key with what arrives, and decides exactly as deduplicating
against the whole pool does; a pool without the index (made before it) is read in full once and indexed."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

from synthpipe.pool import Pool
from synthpipe.pool import index as dedup_index

from .test_pool import write_jsonl

VOCAB = [
    "".join(random.Random(k).choice("abcdefghijklmnopqrstuvwxyz") for _ in range(3 + k % 6))
    for k in range(3000)
]


def qa_rows(n: int, seed: int) -> list[dict]:
    """n distinct qa records over a large vocabulary (real text shares few words between answers)."""
    rng = random.Random(seed)
    return [
        {
            "id": f"r-{seed}-{i}",
            "instruction": " ".join(rng.choice(VOCAB) for _ in range(8)) + "?",
            "input": "",
            "output": " ".join(rng.choice(VOCAB) for _ in range(16)) + ".",
            "meta": {"task": "qa", "origin": "generated", "model": "m", "recipe": "r"},
        }
        for i in range(n)
    ]


def _near(row: dict, rng: random.Random, i: int) -> dict:
    """A near duplicate: one answer word replaced, the question kept."""
    words = row["output"].split()
    words[rng.randrange(len(words) - 1)] = rng.choice(VOCAB)
    return dict(row, id=f"near-{i}", output=" ".join(words))


def _second_batch(first: list[dict]) -> list[dict]:
    rng = random.Random(5)
    exact = [dict(r, id=f"copy-{i}", output=r["output"].upper()) for i, r in enumerate(first[:40])]
    near = [_near(r, rng, i) for i, r in enumerate(first[40:120])]
    return qa_rows(150, 9) + exact + near + first[200:230]  # new, exact and near copies, already present


def _state(pool: Path) -> list[str]:
    db = sqlite3.connect(pool / "pool.sqlite")
    keys = sorted(
        k
        for (k,) in db.execute(
            "SELECT r.key FROM records r JOIN members m USING (rid) WHERE m.removed IS NULL"
        )
    )
    db.close()
    return keys


def test_an_add_through_the_index_decides_as_the_whole_pool_does_and_reads_less(
    tmp_path: Path, monkeypatch
) -> None:
    first = qa_rows(600, 4)
    pool = tmp_path / "pool"
    Pool.init(pool)
    Pool(pool).add(write_jsonl(tmp_path / "first.jsonl", first))
    db = sqlite3.connect(pool / "pool.sqlite")
    assert db.execute("SELECT COUNT(*) FROM dedup_index").fetchone()[0] == 600
    db.close()
    full = tmp_path / "full"
    shutil.copytree(pool, full)
    db = sqlite3.connect(full / "pool.sqlite")
    db.execute("DELETE FROM dedup_index")  # as a pool made before the index
    db.commit()
    db.close()

    second = write_jsonl(tmp_path / "second.jsonl", _second_batch(first))
    read: list[int] = []
    real = dedup_index.candidates
    monkeypatch.setattr(dedup_index, "candidates", lambda *a: read.append(len(rows := real(*a))) or rows)
    via_index = Pool(pool).add(second)
    assert read and read[0] < 200, read  # the candidates, not the 600 records of the pool
    read.clear()
    via_all = Pool(full).add(second)
    assert read == []  # no index: the whole pool, once
    assert via_index.to_json() | {"source": ""} == via_all.to_json() | {"source": ""}
    assert (
        via_index.duplicates.get("duplicate_exact") == 40
        and via_index.duplicates.get("duplicate_near", 0) >= 70
    )
    assert via_index.added == 150 and via_index.already_present == 30
    assert _state(pool) == _state(full)
    # the full add indexed every record, so the next add on that pool goes through the index too
    Pool(full).add(write_jsonl(tmp_path / "third.jsonl", qa_rows(10, 11)))
    assert read and read[0] == 0


def test_records_without_index_keys_make_the_next_add_read_the_whole_pool(tmp_path: Path) -> None:
    pool = tmp_path / "pool"
    Pool.init(pool)
    Pool(pool).add(write_jsonl(tmp_path / "a.jsonl", qa_rows(50, 1)))
    db = sqlite3.connect(pool / "pool.sqlite")
    db.execute("DELETE FROM dedup_index WHERE rid IN (SELECT rid FROM dedup_index LIMIT 3)")
    db.commit()
    db.close()
    from synthpipe.pool.store import Store

    store = Store(pool)
    try:
        assert not dedup_index.usable(store, "qa")
    finally:
        store.close()
    res = Pool(pool).add(write_jsonl(tmp_path / "b.jsonl", qa_rows(5, 2)))
    assert res.added == 5
    store = Store(pool)
    try:
        assert dedup_index.usable(store, "qa")
    finally:
        store.close()


def test_a_large_batch_sketched_on_two_threads_gives_the_keys_of_one(monkeypatch) -> None:
    from synthpipe.recipe import DedupConfig
    from synthpipe.stages.dedup import batch

    rows = qa_rows(900, 3)
    texts = [r["output"] for r in rows] + ["", "退货 需要 在 七天 内 申请"] * 5
    monkeypatch.setattr(batch, "SKETCH_SPLIT", 100)
    keys, fp, nonempty = batch.sketch(texts, DedupConfig())
    one = batch._sketch_part(texts, DedupConfig())
    assert (keys == one[0]).all() and (fp == one[1]).all() and (nonempty == one[2]).all()
    assert len(nonempty) == len(texts) - 5  # the empty texts have no shingles


def test_an_index_of_other_dedup_defaults_is_not_read(tmp_path: Path, monkeypatch) -> None:
    # the number of band keys follows the threshold: keys written under one default must not be read
    # under another (a lower default threshold, 0.78, makes 14 bands where 0.8 makes 16)
    from synthpipe.pool.store import Store
    from synthpipe.recipe import DedupConfig

    pool = tmp_path / "pool"
    Pool.init(pool)
    Pool(pool).add(write_jsonl(tmp_path / "first.jsonl", qa_rows(50, 4)))
    store = Store(pool)
    assert dedup_index.version() == "1" and dedup_index.usable(store, "qa")
    monkeypatch.setattr(DedupConfig.model_fields["minhash_threshold"], "default", 0.78)
    DedupConfig.model_rebuild(force=True)
    try:
        assert DedupConfig().minhash_threshold == 0.78
        assert dedup_index.version() != "1" and not dedup_index.usable(store, "qa")
    finally:
        monkeypatch.undo()
        DedupConfig.model_rebuild(force=True)
    assert DedupConfig().minhash_threshold == 0.8
