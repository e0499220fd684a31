"""Augmentation on real parts: the embedded model (SmolLM2-135M via llama.cpp) and llama_cpp.server with
the same GGUF through the OpenAI-compatible backend, for every method in zh and en; and kill -9 in the
middle of `synthpipe augment` over HTTP, then the same command again: no answered request is sent twice."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import synthpipe
from synthpipe.cli import cli
from synthpipe.stages.base import derived_id

from .test_resume_kill import ServerThread, kill_9_when

EN = [
    {
        "instruction": "How long does onboarding take for new hires?",
        "output": "Onboarding takes 3 working days.",
    },
    {
        "instruction": "When is payroll paid each month?",
        "output": "Payroll is paid on the 25th of each month.",
    },
]
ZH = [{"instruction": "新员工入职一般需要多久？", "output": "入职手续一般需要 3 个工作日。"}]
METHODS = ["paraphrase", "backtranslate", {"method": "style", "style": "formal"}]


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _assert_lineage(result: synthpipe.Result, rows: list[dict[str, str]]) -> None:
    derived = result.accepted + result.rejected + result.failed
    assert len(derived) == len(rows) * (2 + 1 + 1)  # n: paraphrase 2, backtranslate 1, style 1
    assert not result.failed
    m = result.manifest
    assert m["counts"]["attempted"] == len(derived)
    assert sum(v["derived"] for v in m["augment"].values()) == len(derived)
    for rec in derived:
        info = rec.meta.extra["augment"]
        assert rec.id == derived_id(rec.meta.parent_id, info["key"], info["k"])
        assert rec.meta.origin == f"augmented:{info['method']}"
        codes = {r.code for r in rec.meta.reasons}
        if codes & {"augment_unparseable", "invalid_json", "truncated"}:
            continue  # a 135M model's reply that is not the asked JSON: rejected, with its text kept
        assert rec.fields["instruction"] and rec.fields["output"]
        if info["method"] == "backtranslate":
            assert info["pivot_lang"] in ("zh", "en") and info["pivot_text"]


@pytest.mark.model
@pytest.mark.parametrize("rows", [EN, ZH], ids=["en", "zh"])
def test_embedded_model_augments_with_every_method(rows: list[dict[str, str]], tmp_path: Path) -> None:
    methods = [{"method": "paraphrase", "n": 2}, {"method": "backtranslate", "n": 1}, METHODS[2]]
    data = _write(tmp_path / "faq.jsonl", rows)
    result = synthpipe.augment(data, task="qa", methods=methods, out=tmp_path / "out")
    _assert_lineage(result, rows)
    again = synthpipe.augment(data, task="qa", methods=methods, out=tmp_path / "out")
    assert again.manifest["usage"]["generator"]["requests"] == 0  # every answer came from the cache
    assert [r.id for r in again.accepted] == [r.id for r in result.accepted]


@pytest.mark.model
def test_llama_cpp_server_augments_through_the_cli(llama_server_url: str, tmp_path: Path) -> None:
    data = _write(tmp_path / "faq.jsonl", EN[:1] + ZH)
    out = tmp_path / "out"
    res = CliRunner().invoke(
        cli,
        [
            "augment", str(data), "--task", "qa", "--method", "paraphrase,backtranslate,style",
            "--n", "1", "--style", "service", "--model", "smollm2", "--base-url", llama_server_url,
            "--out", str(out), "--no-progress",
        ],
    )  # fmt: skip
    assert res.exit_code in (0, 1), res.output
    assert "paraphrase: 2 derived" in res.output and "backtranslate: 2 derived" in res.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["models"]["generator"]["base_url"] == llama_server_url
    rows = [
        json.loads(x)
        for name in ("accepted", "rejected", "failed")
        for x in (out / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(rows) == 6 == manifest["counts"]["attempted"]
    assert {r["meta"]["extra"]["augment"]["language"] for r in rows} == {"en", "zh"}


def _cache_rows(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(path)
        try:
            return db.execute("SELECT count(*) FROM responses").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def test_kill_9_in_augment_then_resume_repeats_no_answered_request(tmp_path: Path) -> None:
    from .augment_fakes import server_content

    parents = [
        {"instruction": f"How many days of leave does plan {i} give in year {2020 + i % 5}?",
         "output": f"Plan {i} gives {10 + i} days of paid leave a year."}
        for i in range(40)
    ]  # fmt: skip
    data = _write(tmp_path / "faq.jsonl", parents)
    with ServerThread(latency=0.1, content=server_content) as srv:
        out = tmp_path / "out"
        cmd = [
            sys.executable, "-m", "synthpipe", "augment", str(data), "--task", "qa",
            "--method", "paraphrase,backtranslate", "--model", "m", "--base-url", srv.url,
            "--out", str(out), "--no-progress", "--max-in-flight", "4",
        ]  # fmt: skip
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        kill_9_when(proc, lambda: _cache_rows(out / "cache.sqlite") >= 30, "augment", poll=0.05)
        answered = _cache_rows(out / "cache.sqlite")
        before = len(srv.server.requests)
        assert not (out / "manifest.json").exists()  # all or nothing: no half-written output

        res = subprocess.run([*cmd[:-1], "8"], env=env, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stdout + res.stderr
        sent_again = len(srv.server.requests) - before
        total = _cache_rows(out / "cache.sqlite")
        # every request of the second run was one that had not been answered: each added a cache row
        assert sent_again == total - answered
        assert total == 40 * (1 + 2 * 2)
        after = len(srv.server.requests)
        res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stdout + res.stderr
        assert len(srv.server.requests) == after, "a finished augment asked the model again"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["attempted"] == 40 * (3 + 2)
    rows = [
        json.loads(x)
        for name in ("accepted", "rejected", "failed")
        for x in (out / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(rows) == len({r["id"] for r in rows}) == 200


@pytest.mark.model
def test_the_readme_augment_examples_run_on_the_embedded_model(tmp_path: Path, monkeypatch) -> None:
    from .test_cli_errors import _readme_commands

    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "faq.jsonl", EN)
    reviews = [
        {"text": "I love this tent, it kept us dry all weekend.", "label": "positive"},
        {"text": "The zip broke on the first night, very disappointed.", "label": "negative"},
    ]
    _write(tmp_path / "reviews.jsonl", reviews)
    synthpipe.init_recipes(tmp_path / "recipes")
    ran = 0
    for args in _readme_commands():
        if args[0] != "augment" or "--base-url" in args:
            continue  # the server example is test_llama_cpp_server_augments_through_the_cli
        res = CliRunner().invoke(cli, [*args, "--no-progress"])
        assert res.exit_code in (0, 1), (args, res.output)
        assert "derived" in res.output and "wrote " in res.output, res.output
        ran += 1
    assert ran == 3
    assert (tmp_path / "reviews.augmented" / "manifest.json").is_file()


@pytest.mark.model
@pytest.mark.parametrize(
    ("rows", "opposite"),
    [
        (
            [
                {"text": "I love this tent, it kept us dry all weekend.", "label": "positive"},
                {"text": "The zip broke on the first night, very disappointed.", "label": "negative"},
            ],
            {"positive": "negative", "negative": "positive"},
        ),
        (
            [
                {"text": "这个帐篷很好用，整个周末都没漏雨。", "label": "正面"},
                {"text": "拉链第一晚就坏了，非常失望。", "label": "负面"},
            ],
            {"正面": "负面", "负面": "正面"},
        ),
    ],
    ids=["en", "zh"],
)
def test_embedded_model_stance_transfer(
    rows: list[dict[str, str]], opposite: dict[str, str], tmp_path: Path
) -> None:
    result = synthpipe.augment(rows, task="classify", methods=["stance"], opposite=opposite)
    kids = result.accepted + result.rejected + result.failed
    assert len(kids) == 2 and not result.failed
    by_parent = {r.meta.line: r for r in kids}
    for line, row in enumerate(rows, 1):
        kid = by_parent[line]
        assert kid.meta.origin == "augmented:stance"
        if {r.code for r in kid.meta.reasons} & {"augment_unparseable", "invalid_json", "truncated"}:
            continue
        assert kid.fields["label"] == opposite[row["label"]]
        assert kid.meta.extra["stance"] == "opposite"
