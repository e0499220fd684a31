"""The versioned pool: every command through the CLI, immutability, splits, concurrent adds, kill -9."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from synthpipe.cli import cli
from synthpipe.pool import Pool

pytest.importorskip("numpy")

WORDS = [
    "invoice",
    "refund",
    "parcel",
    "ticket",
    "badge",
    "laptop",
    "printer",
    "locker",
    "parking",
    "visa",
    "payroll",
    "pension",
    "desk",
    "mentor",
    "badge",
    "rota",
    "shuttle",
    "canteen",
    "gym",
    "library",
    "voucher",
    "courier",
    "warranty",
    "upgrade",
    "roaming",
    "tariff",
    "deposit",
]


def qa_rows(
    n: int, seed: int, origin: str = "generated", model: str = "m1", recipe: str = "faq"
) -> list[dict]:
    """n distinct synthpipe qa records (random words, so no two are near duplicates)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        q = " ".join(rng.choice(WORDS) for _ in range(8)) + f" {seed}-{i}?"
        a = " ".join(rng.choice(WORDS) for _ in range(14)) + f" {rng.randint(0, 10**9)}."
        meta = {
            "task": "qa",
            "origin": origin,
            "model": model,
            "recipe": recipe,
            "plan": {"topic": f"t{i % 3}"},
        }
        rows.append({"id": f"{recipe}-{seed}-{i}", "instruction": q, "input": "", "output": a, "meta": meta})
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def run_dir(tmp: Path, name: str, rows: list[dict], rejected: int = 0) -> Path:
    d = tmp / name
    d.mkdir()
    write_jsonl(d / "accepted.jsonl", rows)
    bad = [
        dict(r, meta=dict(r["meta"], reasons=[{"code": "too_short", "detail": "x", "stage": "rules"}]))
        for r in qa_rows(rejected, 99)
    ]
    write_jsonl(d / "rejected.jsonl", bad)
    return d


def sp(*args: str) -> str:
    res = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def sp_error(*args: str) -> str:
    res = CliRunner().invoke(cli, list(args))
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    return res.output


def snapshot(pool: Path, version: str) -> bytes:
    """A version's records as bytes: what an export of it is built from."""
    recs = Pool(pool).records(version)
    return b"".join(json.dumps(r.to_json(), sort_keys=True).encode() + b"\n" for r in recs)


def fingerprint(pool: Path, version: str) -> str:
    return hashlib.sha256(snapshot(pool, version)).hexdigest()


# --- the commands ----------------------------------------------------------------------------------
def test_every_command_from_init_to_log(tmp_path: Path) -> None:
    pool = tmp_path / "pool"
    assert "version 0" in sp("pool", "init", str(pool))
    run1 = run_dir(tmp_path, "run1", qa_rows(30, 1), rejected=4)
    run2 = run_dir(tmp_path, "run2", qa_rows(20, 2, origin="seed", model="m2", recipe="faq2"))
    out = sp("pool", "add", str(run1), "--pool", str(pool), "--tag", "batch1")
    assert "added 30; already present 0; duplicates 0" in out and "-> version 1" in out
    # adding the same run again adds nothing and makes no version; a near copy is a duplicate
    assert (
        "already present 30" in sp("pool", "add", str(run1), "--pool", str(pool))
        and Pool(pool).resolve() == 1
    )
    near = qa_rows(1, 1)[0] | {"id": "other-id"}
    near["output"] = near["output"].replace(".", "!")
    mixed = write_jsonl(
        tmp_path / "mixed.jsonl", [near, *qa_rows(20, 2, origin="seed", model="m2", recipe="faq2")]
    )
    out = sp("pool", "add", str(mixed), "--pool", str(pool), "--weight", "2")
    assert "added 20" in out and "duplicates 1" in out and "version 2" in out
    assert "already present 20" in sp("pool", "add", str(run2), "--pool", str(pool))

    listing = sp("pool", "list", "--pool", str(pool))
    assert "v2" in listing and "50 records" in listing and "seed 20" in listing and "m2 20" in listing
    shown = json.loads(sp("pool", "show", "2", "--pool", str(pool), "--json"))
    assert shown["summary"]["origin"] == {"generated": 30, "seed": 20}
    assert shown["summary"]["recipe"] == {"faq": 30, "faq2": 20} and shown["weights"] == {"1": 30, "2": 20}

    assert "weight 1.5 for 30 of 30 records (origin=generated) -> version 3" in sp(
        "pool", "weight", "1.5", "--origin", "generated", "--pool", str(pool)
    )
    assert "version 4" in sp("pool", "weight", "0", "--model", "m2", "--pool", str(pool))
    assert "version 5" in sp("pool", "weight", "3", "--tag", "batch1", "--pool", str(pool))
    removed_id = qa_rows(1, 1)[0]["id"]
    assert "removed 1 records -> version 6" in sp("pool", "remove", removed_id, "--pool", str(pool))
    assert "removed 20 records -> version 7" in sp("pool", "remove", "--recipe", "faq2", "--pool", str(pool))

    d = json.loads(sp("pool", "diff", "2", "6", "--pool", str(pool), "--json"))
    assert d["removed"] == [removed_id] and d["added"] == []
    assert len(d["weight_changed"]) == 49 and {c["to"] for c in d["weight_changed"]} == {3.0, 0.0}
    assert "0 added, 20 removed" in sp("pool", "diff", "6", "7", "--pool", str(pool))

    assert "tag release-1 -> version 2" in sp("pool", "tag", "2", "release-1", "--pool", str(pool))
    assert Pool(pool).resolve("release-1") == 2
    log = sp("pool", "log", "--pool", str(pool))
    assert [line.split()[2] for line in log.splitlines()][:8] == [
        "v0",
        "v1",
        "v2",
        "v3",
        "v4",
        "v5",
        "v6",
        "v7",
    ]
    assert "tag release-1 -> v2" in log


def test_versions_never_change_and_export_again_byte_for_byte(tmp_path: Path) -> None:
    pool = tmp_path / "pool"
    Pool.init(pool)
    p = Pool(pool)
    p.add(write_jsonl(tmp_path / "a.jsonl", qa_rows(40, 3)))
    before = {v: fingerprint(pool, v) for v in ("0", "1")}
    p.weight(2.0, recipe="faq")
    p.add(write_jsonl(tmp_path / "b.jsonl", qa_rows(10, 4)))
    p.remove([qa_rows(1, 3)[0]["id"]])
    p.split(0.2)
    assert {v: fingerprint(pool, v) for v in ("0", "1")} == before
    assert [r.meta.weight for r in p.records(1)] == [1.0] * 40
    assert [r.meta.weight for r in p.records(2)] == [2.0] * 40
    assert all(r.meta.pool_version == 1 for r in p.records(1))
    assert len(list(p.records())) == 49


def test_plain_rows_get_an_id_of_their_content_that_the_pool_uses_everywhere(tmp_path: Path) -> None:
    pool = tmp_path / "pool"
    Pool.init(pool)
    rows = [
        {"instruction": f"q {w} {i}?", "input": "", "output": f"a {w} {i} " + "x " * i}
        for i, w in enumerate(WORDS[:5])
    ]
    first = write_jsonl(tmp_path / "one.jsonl", rows)
    other = write_jsonl(tmp_path / "two.jsonl", [{"note": 1} | r for r in rows][:0] + rows[::-1])
    p = Pool(pool)
    p.add(first)
    res = p.add(other)  # the same rows from another file, other lines: already present
    assert res.already_present == 5 and res.version is None
    ids = [r.id for r in p.records()]
    assert p.remove(ids[:1])["removed"] == 1


# --- splits ----------------------------------------------------------------------------------------
def test_split_is_stratified_stable_and_assigns_later_records(tmp_path: Path) -> None:
    pool = tmp_path / "pool"
    Pool.init(pool)
    p = Pool(pool)
    p.add(write_jsonl(tmp_path / "a.jsonl", qa_rows(90, 5) + qa_rows(30, 6, recipe="other")))
    with pytest.raises(Exception, match="no train/eval split yet"):
        list(p.records(split="train"))
    out = sp("pool", "split", "--eval", "0.1", "--by", "recipe,topic", "--pool", str(pool))
    assert "eval 12" in out and "train 108" in out
    first = {r.id: r.meta.extra["split"] for r in p.records()}
    evals = [r for r in p.records(split="eval")]
    # stratified: each (recipe, topic) stratum gives a tenth of itself
    strata = {(r.meta.recipe, r.meta.plan["topic"]) for r in evals}
    assert len(evals) == 12 and len(strata) == 6
    p.add(write_jsonl(tmp_path / "b.jsonl", qa_rows(60, 7)))
    later = {r.id: r.meta.extra["split"] for r in p.records()}
    assert all(later[k] == v for k, v in first.items())  # nobody moved
    new_evals = sum(1 for k, v in later.items() if k not in first and v == "eval")
    assert new_evals == 6
    assert "no new version" in sp(
        "pool", "split", "--eval", "0.1", "--by", "recipe,topic", "--pool", str(pool)
    )
    assert "split already" in sp_error("pool", "split", "--eval", "0.2", "--pool", str(pool))
    # a version from before the split has no split to export
    with pytest.raises(Exception, match="before the split"):
        list(p.records(1, split="eval"))
    assert len(list(p.records(split="train"))) + len(list(p.records(split="eval"))) == 180


# --- bad input -------------------------------------------------------------------------------------
def test_bad_input_is_a_clear_error_and_changes_nothing(tmp_path: Path) -> None:
    pool = tmp_path / "pool"
    sp("pool", "init", str(pool))
    sp("pool", "add", str(write_jsonl(tmp_path / "a.jsonl", qa_rows(5, 8))), "--pool", str(pool))
    before = fingerprint(pool, "latest"), Pool(pool).resolve()
    notpool = tmp_path / "notpool"
    notpool.mkdir()
    (notpool / "x.txt").write_text("hi")
    assert "not a pool" in sp_error("pool", "list", "--pool", str(notpool))
    assert "not a pool" in sp_error("pool", "list", "--pool", str(tmp_path / "missing"))
    assert "no pool given" in sp_error("pool", "list")
    assert "is a pool already" in sp_error("pool", "init", str(pool))
    assert "not empty" in sp_error("pool", "init", str(notpool))
    assert "no version 9" in sp_error("pool", "show", "9", "--pool", str(pool))
    assert "no version or tag 'nope'" in sp_error("pool", "show", "nope", "--pool", str(pool))
    assert "no version or tag" in sp_error("pool", "diff", "0", "nope", "--pool", str(pool))
    assert "must be from 0 to 100" in sp_error(
        "pool", "weight", "-1", "--origin", "generated", "--pool", str(pool)
    )
    assert "must be from 0 to 100" in sp_error(
        "pool", "weight", "nan", "--origin", "generated", "--pool", str(pool)
    )
    assert "must be from 0 to 100" in sp_error(
        "pool", "add", str(tmp_path / "a.jsonl"), "--weight", "-2", "--pool", str(pool)
    )
    assert "no record in the latest version has origin=nothing" in sp_error(
        "pool", "weight", "2", "--origin", "nothing", "--pool", str(pool)
    )
    assert "say which records" in sp_error("pool", "weight", "2", "--pool", str(pool))
    assert "not in the latest version: nope" in sp_error("pool", "remove", "nope", "--pool", str(pool))
    assert "no record in the latest version has recipe=zzz" in sp_error(
        "pool", "remove", "--recipe", "zzz", "--pool", str(pool)
    )
    assert "no such file" in sp_error("pool", "add", str(tmp_path / "none.jsonl"), "--pool", str(pool))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"instruction": "q", "input": "", "output": "a"}\n{not json\n')
    assert "bad.jsonl:2:" in sp_error("pool", "add", str(bad), "--pool", str(pool))
    empty_run = tmp_path / "run"
    empty_run.mkdir()
    assert "no accepted.jsonl" in sp_error("pool", "add", str(empty_run), "--pool", str(pool))
    assert "--eval 1.5" in sp_error("pool", "split", "--eval", "1.5", "--pool", str(pool))
    assert "'colour' is not one of" in sp_error(
        "pool", "split", "--eval", "0.1", "--by", "colour", "--pool", str(pool)
    )
    assert "must be from 0 to 100" in sp_error(
        "pool", "weight", "inf", "--origin", "generated", "--pool", str(pool)
    )
    assert "not a version number" in sp_error("pool", "tag", "1", "7", "--pool", str(pool))
    assert "no @, / or spaces" in sp_error("pool", "tag", "1", "rc@1", "--pool", str(pool))
    sp("pool", "tag", "1", "keep", "--pool", str(pool))
    assert "names version 1 already" in sp_error("pool", "tag", "0", "keep", "--pool", str(pool))
    assert (fingerprint(pool, "latest"), Pool(pool).resolve()) == before


# --- concurrency and kill -9 ------------------------------------------------------------------------
def _spawn_add(src: Path, pool: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "synthpipe", "pool", "add", str(src), "--pool", str(pool)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )


def _writing(pool: Path) -> bool:
    """Whether another process holds the pool's write lock (a change between BEGIN and COMMIT)."""
    db = sqlite3.connect(pool / "pool.sqlite", timeout=0, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        db.close()


def _integrity(pool: Path) -> None:
    db = sqlite3.connect(pool / "pool.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    versions = [v for (v,) in db.execute("SELECT version FROM versions ORDER BY version")]
    assert versions == list(range(len(versions)))
    db.close()


def test_two_adds_at_once_both_land(tmp_path: Path) -> None:
    pool = tmp_path / "pool"
    Pool.init(pool)
    a = write_jsonl(tmp_path / "a.jsonl", qa_rows(3000, 10))
    b = write_jsonl(tmp_path / "b.jsonl", qa_rows(3000, 11))
    procs = [_spawn_add(a, pool), _spawn_add(b, pool)]
    outs = [p.communicate(timeout=240)[0].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert sorted(int(o.rsplit("version ", 1)[1].split()[0]) for o in outs) == [1, 2]
    assert sum("waiting for it" in o for o in outs) == 1, outs  # they overlapped: one waited
    _integrity(pool)
    p = Pool(pool)
    assert len(list(p.records())) == 6000
    assert sorted(len(list(p.records(v))) for v in (1, 2)) == [3000, 6000]


def test_a_kill_during_add_leaves_the_version_before(tmp_path: Path) -> None:
    pool = tmp_path / "pool"
    Pool.init(pool)
    p = Pool(pool)
    p.add(write_jsonl(tmp_path / "first.jsonl", qa_rows(200, 12)))
    before = fingerprint(pool, "latest")
    big = write_jsonl(tmp_path / "big.jsonl", qa_rows(15_000, 13))
    outcomes = []
    for delay in (0.05, 0.6, 1.2):
        proc = _spawn_add(big, pool)
        deadline = time.monotonic() + 60
        # wait until it is inside its transaction (it holds the write lock), then a moment more
        while proc.poll() is None and time.monotonic() < deadline and not _writing(pool):
            time.sleep(0.01)
        time.sleep(delay)
        inside = _writing(pool)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        _integrity(pool)
        latest = Pool(pool).resolve()
        outcomes.append(latest)
        if inside:
            assert latest == 1, "killed inside its transaction, yet a version was written"
        if latest == 1:  # killed before its commit: exactly the version before
            assert fingerprint(pool, "latest") == before
        else:  # it finished: the whole add, not part of it
            assert latest == 2 and len(list(Pool(pool).records())) == 15_200
            break
    assert outcomes[0] == 1, "the first kill should land inside the add"
    # the pool still takes the same add afterwards, whole
    res = Pool(pool).add(big)
    assert res.added + res.already_present == 15_000
    assert len(list(Pool(pool).records())) == 15_200


# --- a run into the pool ---------------------------------------------------------------------------
def test_a_run_adds_its_accepted_records_to_the_recipes_pool(tmp_path: Path, write_recipe) -> None:
    import synthpipe
    from synthpipe.backends.fake import FakeBackend

    from .conftest import qa

    Pool.init(tmp_path / "pool")
    _, recipe = write_recipe(pool="pool", count=4)  # relative to the recipe's folder
    fake = FakeBackend([qa(i) for i in range(4)])
    result = synthpipe.run(recipe, tmp_path / "run", backends={"generator": fake})
    added = result.manifest["pool"]
    assert added["version"] == 1 and added["added"] == result.counts["accepted"] > 0
    ids = sorted(r.id for r in Pool(tmp_path / "pool").records())
    assert ids == sorted(r.id for r in result.accepted)
    # the same run again resumes and adds nothing new
    again = synthpipe.run(recipe, tmp_path / "run", backends={"generator": FakeBackend([])})
    assert again.manifest["pool"]["already_present"] == len(ids) and again.manifest["pool"]["version"] is None
    # a pool that is not there fails before the run writes anything
    with pytest.raises(synthpipe.UsageError, match="not a pool"):
        synthpipe.run(recipe, tmp_path / "run2", backends={"generator": fake}, pool=tmp_path / "nopool")
    assert not (tmp_path / "run2").exists()


# --- exports of pool versions ----------------------------------------------------------------------
def test_an_earlier_version_exports_again_byte_for_byte_with_weights_and_provenance(tmp_path: Path) -> None:
    import synthpipe

    pool = tmp_path / "pool"
    sp("pool", "init", str(pool))
    sp(
        "pool",
        "add",
        str(write_jsonl(tmp_path / "a.jsonl", qa_rows(40, 20))),
        "--pool",
        str(pool),
        "--weight",
        "2.5",
    )
    sp("pool", "tag", "1", "first", "--pool", str(pool))
    first = tmp_path / "first.jsonl"
    sp("export", f"pool:{pool}@first", "--format", "alpaca", "--out", str(first), "--seed", "7")
    sp("pool", "weight", "1", "--origin", "generated", "--pool", str(pool))
    sp("pool", "add", str(write_jsonl(tmp_path / "b.jsonl", qa_rows(10, 21))), "--pool", str(pool))
    sp("pool", "remove", qa_rows(1, 20)[0]["id"], "--pool", str(pool))
    again = tmp_path / "again.jsonl"
    sp("export", f"pool:{pool}@1", "--format", "alpaca", "--out", str(again), "--seed", "7")
    assert again.read_bytes() == first.read_bytes()
    rows = [json.loads(line) for line in first.read_text().splitlines()]
    # weight 2.5: two or three copies of each of the 40 records; provenance on every row
    copies = {}
    for row in rows:
        copies[row["_meta"]["id"]] = copies.get(row["_meta"]["id"], 0) + 1
        assert row["_meta"]["pool_version"] == 1 and row["_meta"]["origin"] == "generated"
        assert row["_meta"]["model"] == "m1" and row["_meta"]["recipe"] == "faq"
    assert len(copies) == 40 and set(copies.values()) <= {2, 3} and 80 < len(rows) < 120
    latest = synthpipe.export(f"pool:{pool}", "alpaca", tmp_path / "latest.jsonl")
    assert latest.rows == 49 and latest.info.pool_version == 4


def test_a_split_pool_exports_train_and_eval_and_the_hf_card_tells_its_story(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    pytest.importorskip("pyarrow")
    import synthpipe

    pool = tmp_path / "pool"
    Pool.init(pool)
    p = Pool(pool)
    p.add(write_jsonl(tmp_path / "a.jsonl", qa_rows(30, 22)))
    p.add(write_jsonl(tmp_path / "s.jsonl", qa_rows(10, 23, origin="seed")), weight=3)
    with pytest.raises(synthpipe.UsageError, match="no train/eval split yet"):
        synthpipe.export(f"pool:{pool}", "openai", tmp_path / "t.jsonl", split="train")
    assert not (tmp_path / "t.jsonl").exists()
    p.split(0.2, by=("origin",))
    train = synthpipe.export(f"pool:{pool}", "openai", tmp_path / "train.jsonl", split="train")
    evals = synthpipe.export(f"pool:{pool}", "openai", tmp_path / "eval.jsonl", split="eval")
    assert evals.rows == 8  # a fifth of each origin, written once whatever the weight
    assert train.rows == 24 + 8 * 3  # seed records weigh 3
    ds = synthpipe.export(f"pool:{pool}", "hf", tmp_path / "ds")
    loaded = datasets.load_from_disk(str(ds.out))
    assert sorted(loaded.keys()) == ["eval", "train"] and len(loaded["eval"]) == 8
    assert set(loaded["train"]["origin"]) == {"generated", "seed"}
    card = (ds.out / "README.md").read_text(encoding="utf-8")
    assert "pool version: 3" in card and "weigh 3" in card and "`faq`" in card and "| eval | 8 |" in card


def test_the_readme_pool_commands_run_as_written(tmp_path: Path, monkeypatch, write_recipe) -> None:
    """The five commands of the README's pool section, in order; the run line with the fake model
    (the same `pool=` path as `run --pool`), every other line through the CLI exactly as written."""
    import shlex

    import synthpipe
    from synthpipe.backends.fake import FakeBackend

    from .conftest import qa

    monkeypatch.chdir(tmp_path)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The training pool", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    lines = [shlex.split(line.split(" #", 1)[0])[1:] for line in section.strip().splitlines()]
    assert [c[0] for c in lines] == ["pool", "run", "pool", "pool", "export"]
    _, recipe = write_recipe(count=4)
    _, hr = write_recipe("hr.yaml", count=4, seed=5, topics=["payroll", "leave"])
    other = tmp_path / "runs" / "hr_faq"
    synthpipe.run(hr, other, backends={"generator": FakeBackend([qa(i + 4) for i in range(4)])})
    for args in lines:
        if args[0] == "run":
            out, pool = args[args.index("--out") + 1], args[args.index("--pool") + 1]
            res = synthpipe.run(
                recipe, out, pool=pool, backends={"generator": FakeBackend([qa(i) for i in range(6)])}
            )
            assert res.manifest["pool"]["added"] > 0
            continue
        sp(*args)
    rows = [json.loads(line) for line in (tmp_path / "train.jsonl").read_text().splitlines()]
    assert rows and all(r["messages"][-1]["role"] == "assistant" for r in rows)
    assert Pool(tmp_path / "pool").resolve() == 3


def test_adding_a_run_again_does_not_undo_a_removal_and_ids_may_repeat_across_recipes(tmp_path: Path) -> None:
    pool = tmp_path / "pool"
    Pool.init(pool)
    p = Pool(pool)
    run = run_dir(tmp_path, "run", qa_rows(5, 30))
    p.add(run)
    gone = qa_rows(1, 30)[0]["id"]
    p.remove([gone])
    res = p.add(run)  # a resumed run added again: the removed record stays out
    assert res.removed_earlier == 1 and res.already_present == 4 and res.version is None
    assert "--readd adds them again" in sp("pool", "add", str(run), "--pool", str(pool))
    assert p.add(run, readd=True).added == 1 and gone in [r.id for r in p.records()]
    # two recipes' paraphrases of their own first example share an id: both are kept
    a, b = qa_rows(1, 31)[0], qa_rows(1, 32)[0]
    a["id"] = b["id"] = "seed-0-paraphrase-0"
    p.add(write_jsonl(tmp_path / "same_ids.jsonl", [a, b]))
    assert [r.id for r in p.records()].count("seed-0-paraphrase-0") == 2
    assert p.remove(["seed-0-paraphrase-0"])["removed"] == 2


def test_a_half_made_init_does_not_block_the_next_one(tmp_path: Path) -> None:
    pool = tmp_path / "pool"
    (pool / ".init").mkdir(parents=True)
    (pool / ".init" / "pool.sqlite").write_bytes(b"")  # what a kill during init leaves
    assert "version 0" in sp("pool", "init", str(pool))
    assert sorted(x.name for x in pool.iterdir()) == ["pool.sqlite"]


def test_a_tag_added_later_does_not_change_an_export_and_at_signs_in_paths_work(tmp_path: Path) -> None:
    pool = tmp_path / "a@b" / "pool"
    Pool.init(pool)
    Pool(pool).add(write_jsonl(tmp_path / "a.jsonl", qa_rows(5, 33)))
    first = tmp_path / "one"
    sp("export", f"pool:{pool}@1", "--format", "hf", "--out", str(first))
    sp("pool", "tag", "1", "release-1", "--pool", str(pool))
    second = tmp_path / "two"
    sp("export", f"pool:{pool}@release-1", "--format", "hf", "--out", str(second))
    assert (first / "README.md").read_text() == (second / "README.md").read_text().replace("two", "one")
    assert Pool(pool).resolve() == 1 and len(list(Pool(pool).records())) == 5


def test_pool_add_takes_several_sources_and_names_a_pool_given_as_a_source(tmp_path: Path) -> None:
    pool = tmp_path / "pool"
    sp("pool", "init", str(pool))
    a = write_jsonl(tmp_path / "a.jsonl", qa_rows(5, 21))
    b = write_jsonl(tmp_path / "b.jsonl", qa_rows(4, 22))
    out = sp_error("pool", "add", str(pool), str(a))  # `pool add POOL SRC`, as `pool init POOL` reads
    assert f"is a pool, not a source — name the pool with --pool: synthpipe pool add {a} --pool {pool}" in out
    assert Pool(pool).resolve() == 0  # nothing changed
    out = sp("pool", "add", str(a), str(b), "--pool", str(pool))
    assert (
        "a.jsonl: added 5" in out
        and "-> version 1" in out
        and "b.jsonl: added 4" in out
        and "-> version 2" in out
    )
