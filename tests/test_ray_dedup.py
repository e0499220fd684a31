"""`dedup --executor ray`: signatures, band groups and confirmations on a real local Ray (2 CPUs) decide
exactly what the local dedup decides — the same kept set, the same reason and the same kept record
named for every removed one — with 1 worker or 2, against an existing file too."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import synthpipe
from synthpipe.cli.dedup import dedup as dedup_cli

from .faultserver import varied_qa

pytestmark = pytest.mark.ray

FILLERS = [f"w{i}ord" for i in range(120)]


def _near(text: str, rng: random.Random) -> str:
    words = text.split()
    if not words:
        return text
    k = rng.randrange(len(words))
    words[k] = rng.choice(("usually", "normally", "often", "always", "simply"))
    return " ".join(words)


def dataset(n: int = 1200, seed: int = 5) -> list[dict[str, Any]]:
    """Fresh qa records, exact copies (case, punctuation), near copies (one word), empty answers, a
    boilerplate family of 100 (one large MinHash bucket) and judge scores on some records."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for i in range(n):
        roll = rng.random()
        if rows and roll < 0.12:
            row = dict(rng.choice(rows))
            row = {**row, "output": row["output"].upper().replace(".", " !")}
        elif rows and roll < 0.3:
            row = dict(rng.choice(rows))
            row = {**row, "output": _near(row["output"], rng)}
        elif roll < 0.32:
            row = {"instruction": f"Question number {i}?", "input": "", "output": ""}
        else:
            row = json.loads(varied_qa({"messages": [i, seed]}))
        row.pop("meta", None)
        if rng.random() < 0.25:
            row["meta"] = {"scores": {"overall": rng.choice([2, 3, 4, 5])}}
        rows.append(row)
    for word in FILLERS[:100]:
        rows.insert(
            rng.randrange(len(rows)),
            {
                "instruction": "How do I reset my password in the app?",
                "input": "",
                "output": f"Open the settings page, choose reset password and follow the link we email {word}.",
            },
        )
    return rows


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def decisions(result: synthpipe.Result) -> dict[str, Any]:
    out: dict[str, Any] = {r.id: "kept" for r in result.accepted}
    for r in result.rejected:
        dup = r.meta.extra.get("duplicate_of", {})
        out[r.id] = (tuple(x.code for x in r.meta.reasons), dup.get("id"), dup.get("source"))
    return out


def _lines(path: Path) -> list[dict[str, Any]]:
    """The records of a file in order, without the time each was read."""
    rows = [json.loads(x) for x in path.read_text().splitlines()]
    for row in rows:
        row["meta"].pop("created_at", None)
    return rows


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("raydedup")
    rows = dataset()
    rng = random.Random(9)
    pool = [{**r, "output": _near(r["output"], rng)} for r in rng.sample(rows[:600], 40) if r["output"]]
    return write_jsonl(tmp / "data.jsonl", rows), write_jsonl(tmp / "pool.jsonl", pool)


def test_ray_dedup_keeps_and_removes_exactly_what_local_dedup_does(
    files: tuple[Path, Path], ray_local: Any
) -> None:
    data, pool = files
    local = decisions(synthpipe.dedup(data, task="qa", against=[pool]))
    codes = [v[0][0] for v in local.values() if v != "kept"]
    # the set is worth testing: every kind of duplicate, against the pool too
    assert codes.count("duplicate_exact") > 50 and codes.count("duplicate_near") > 100
    assert any(v != "kept" and v[2] == str(pool) for v in local.values())
    for workers in (1, 2):
        on_ray = decisions(synthpipe.dedup(data, task="qa", against=[pool], executor="ray", workers=workers))
        diff = {
            k: (local.get(k), on_ray.get(k))
            for k in local.keys() | on_ray.keys()
            if local.get(k) != on_ray.get(k)
        }
        assert not diff, (
            f"{len(diff)} records decided differently with {workers} workers: {list(diff.items())[:3]}"
        )


def test_ray_dedup_decides_the_same_whatever_the_order_of_the_blocks(tmp_path: Path, ray_local: Any) -> None:
    """Keep-first follows the input (and judge scores), never which block finished first."""
    rows = dataset(600, seed=11)
    data = write_jsonl(tmp_path / "d.jsonl", rows)
    from synthpipe.executors import ray_dedup

    first = decisions(synthpipe.dedup(data, task="qa", executor="ray", workers=2))
    small = ray_dedup.BLOCK, ray_dedup.PAIRS
    try:  # many more, smaller tasks: blocks finish in another order
        ray_dedup.BLOCK, ray_dedup.PAIRS = 1000, 1000
        again = decisions(synthpipe.dedup(data, task="qa", executor="ray", workers=2))
    finally:
        ray_dedup.BLOCK, ray_dedup.PAIRS = small
    assert first == again
    assert sum(1 for v in first.values() if v != "kept") > 100


def test_dedup_cli_on_ray_writes_the_files_of_a_local_dedup(files: tuple[Path, Path], ray_local: Any) -> None:
    data, pool = files
    out_local, out_ray = data.parent / "cli-local", data.parent / "cli-ray"
    runner = CliRunner()
    a = runner.invoke(dedup_cli, [str(data), "--task", "qa", "--out", str(out_local)])
    b = runner.invoke(
        dedup_cli, [str(data), "--task", "qa", "--out", str(out_ray), "--executor", "ray", "--workers", "2"]
    )
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    assert a.output.splitlines()[0] == b.output.splitlines()[0]  # "deduplicated N records …: K accepted, …"
    for name in ("accepted.jsonl", "rejected.jsonl"):
        assert _lines(out_local / name) == _lines(out_ray / name)
    assert json.loads((out_ray / "manifest.json").read_text())["executor"]["name"] == "ray"
