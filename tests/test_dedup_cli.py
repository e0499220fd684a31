from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from synthpipe.cli.dedup import dedup

pytest.importorskip("numpy")

ANSWER = (
    "You can return an unused item within 30 days of delivery, in its original packaging, for a full refund."
)


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def alpaca(tmp_path: Path) -> Path:
    rows = [
        {"instruction": "How long do I have to return an item?", "input": "", "output": ANSWER},  # line 1
        {"instruction": "Can I pay by invoice?", "input": "", "output": "Yes, for business accounts."},  # 2
        {
            "instruction": "how long do I have to return an item",
            "input": "",
            "output": ANSWER.upper(),
        },  # 3: exact
        {
            "instruction": "How long do I have to return an item?",
            "input": "",
            "output": ANSWER.replace("full refund", "complete refund"),
        },  # 4: near
        {
            "instruction": "Do you ship abroad?",
            "input": "",
            "output": "We ship to 30 countries in Europe.",
        },  # 5
    ]
    return write_jsonl(tmp_path / "data.jsonl", rows)


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_dedup_writes_accepted_rejected_and_manifest(tmp_path: Path) -> None:
    src = alpaca(tmp_path)
    result = CliRunner().invoke(dedup, [str(src), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "5 records" in result.output and "3 accepted, 2 rejected" in result.output
    accepted = read(tmp_path / "out" / "accepted.jsonl")
    rejected = read(tmp_path / "out" / "rejected.jsonl")
    assert [r["meta"]["line"] for r in accepted] == [1, 2, 5]
    by_line = {r["meta"]["line"]: r for r in rejected}
    assert by_line[3]["meta"]["reasons"][0]["code"] == "duplicate_exact"
    assert by_line[4]["meta"]["reasons"][0]["code"] == "duplicate_near"
    for r in rejected:
        assert r["meta"]["extra"]["duplicate_of"]["line"] == 1
        assert r["meta"]["extra"]["duplicate_of"]["id"] == accepted[0]["id"]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    info = manifest["stages"]["dedup"]
    assert manifest["task"] == "qa" and info["fields"] == ["instruction", "output"]
    assert manifest["counts"] == {"attempted": 5, "accepted": 3, "rejected": 2, "failed": 0}
    assert manifest["reasons"] == {
        "duplicate_exact": {"records": 1, "occurrences": 1},
        "duplicate_near": {"records": 1, "occurrences": 1},
    }
    assert info["diversity"]["clusters"] == 3 and info["diversity"]["largest_cluster"] == 3
    assert 0 < info["diversity"]["distinct_1"] <= 1
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]  # no temp files left


def test_method_and_threshold_options(tmp_path: Path) -> None:
    src = alpaca(tmp_path)
    result = CliRunner().invoke(dedup, [str(src), "--method", "exact", "--out", str(tmp_path / "a")])
    assert result.exit_code == 0 and "4 accepted, 1 rejected" in result.output
    result = CliRunner().invoke(
        dedup, [str(src), "--minhash-threshold", "0.99", "--out", str(tmp_path / "b")]
    )
    assert result.exit_code == 0 and "4 accepted, 1 rejected" in result.output


def test_against_a_pool_file(tmp_path: Path) -> None:
    pool = write_jsonl(
        tmp_path / "pool.jsonl",
        [{"instruction": "Do you ship abroad?", "input": "", "output": "We ship to 30 countries in Europe."}],
    )
    src = alpaca(tmp_path)
    result = CliRunner().invoke(dedup, [str(src), "--against", str(pool), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    rejected = {r["meta"]["line"]: r for r in read(tmp_path / "out" / "rejected.jsonl")}
    assert rejected[5]["meta"]["extra"]["duplicate_of"]["source"] == str(pool)
    assert "pool.jsonl line 1" in rejected[5]["meta"]["reasons"][0]["detail"]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["stages"]["dedup"]["against"] == {str(pool): 1}
    assert manifest["stages"]["dedup"]["diversity"]["duplicates_of_existing"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.jsonl"], "missing.jsonl: file not found"),
        (["{src}", "--method", "exact,fuzzy"], "--method"),
        (["{src}", "--minhash-threshold", "1.5"], "--minhash-threshold 1.5"),
        (["{src}", "--task", "poetry"], "unknown task"),
        (["{src}", "--against", "{src}"], "is the input file itself"),
        (["{src}", "--embed-model", "m"], "need --embed-url"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    src = alpaca(tmp_path)
    argv = [a.format(src=src) for a in args] + ["--out", str(tmp_path / "out")]
    result = CliRunner().invoke(dedup, argv)
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and message in result.output
    assert not (tmp_path / "out").exists()


def test_a_broken_line_is_rejected_with_its_line_and_the_rest_deduplicated(tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text('{"text": "a", "label": "x"}\n{not json\n{"text": "a", "label": "y"}\n', encoding="utf-8")
    result = CliRunner().invoke(dedup, [str(src), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    rejected = {
        r["meta"]["line"]: r["meta"]["reasons"][0]["code"] for r in read(tmp_path / "out" / "rejected.jsonl")
    }
    assert rejected == {2: "invalid_json", 3: "duplicate_exact"}


def test_a_broken_line_in_a_pool_file_is_an_error(tmp_path: Path) -> None:
    pool = tmp_path / "pool.jsonl"
    pool.write_text('{"text": "a", "label": "x"}\n{not json\n', encoding="utf-8")
    src = write_jsonl(tmp_path / "d.jsonl", [{"text": "b", "label": "x"}])
    result = CliRunner().invoke(dedup, [str(src), "--against", str(pool), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and f"{pool}:2: not valid JSON" in result.output
    assert not (tmp_path / "out").exists()


def test_mixed_tasks_need_task(tmp_path: Path) -> None:
    src = write_jsonl(
        tmp_path / "mixed.jsonl",
        [{"text": "a", "label": "x"}, {"instruction": "q", "input": "", "output": "a"}],
    )
    result = CliRunner().invoke(dedup, [str(src), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "--task" in result.output
    result = CliRunner().invoke(
        dedup, [str(src), "--task", "classify", "--fields", "text,output", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
