"""Every file-reading command reads every line: a broken line is rejected with its line number and raw
text, the others are processed; only a missing, unreadable or empty file is an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import synthpipe
from synthpipe.backends.fake import FakeBackend
from synthpipe.cli import cli

BROKEN = {250: '{"instruction": "cut off', 500: "not json at all", 750: '["a", "list"]'}


def thousand_lines(tmp_path: Path) -> Path:
    lines = []
    for n in range(1, 1001):
        if n in BROKEN:
            lines.append(BROKEN[n])
        else:
            lines.append(
                json.dumps(
                    {
                        "instruction": f"What does order {n} of item {n * 7} contain?",
                        "output": f"Order {n} holds {n % 9 + 1} boxes of item {n * 7}, shipped in week {n % 52 + 1}.",
                    }
                )
            )
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _broken_lines(result: synthpipe.Result) -> dict[int, str]:
    return {r.meta.line: r.meta.reasons[0].code for r in result.rejected if r.meta.reasons[0].stage == "read"}


def test_check_of_1000_lines_with_3_broken_checks_997_and_rejects_3(tmp_path: Path) -> None:
    result = synthpipe.check(thousand_lines(tmp_path), task="qa", language="en", out=tmp_path / "out")
    assert result.counts == {"attempted": 1000, "accepted": 997, "rejected": 3, "failed": 0}
    assert _broken_lines(result) == {250: "invalid_json", 500: "invalid_json", 750: "unrecognised_record"}
    raw = {r.meta.line: r.meta.raw for r in result.rejected}
    assert raw[500] == "not json at all"
    assert result.manifest["stages"]["read"]["rejected"] == 3
    assert result.manifest["stages"]["rules"]["this_run"]["records_in"] == 997
    lines = [
        json.loads(x)["meta"]["line"] for x in (tmp_path / "out" / "rejected.jsonl").read_text().splitlines()
    ]
    assert lines == [250, 500, 750]


def test_dedup_and_judge_read_every_line_too(tmp_path: Path) -> None:
    path = thousand_lines(tmp_path)
    deduped = synthpipe.dedup(path, task="qa")
    assert deduped.counts["attempted"] == 1000 and _broken_lines(deduped) == {
        250: "invalid_json",
        500: "invalid_json",
        750: "unrecognised_record",
    }
    verdict = {"accuracy": 5, "structure": 5, "fabrication": 5, "style": 5, "task": 5, "reason": "ok"}
    judged = synthpipe.judge(
        path, task="qa", language="en", backends={"judge": FakeBackend(default=verdict, max_in_flight=16)}
    )
    assert judged.counts == {"attempted": 1000, "accepted": 997, "rejected": 3, "failed": 0}
    assert len(_broken_lines(judged)) == 3


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "file not found"),
        (lambda p: p.write_text("\n\n  \n", encoding="utf-8"), "no records in the file"),
        (lambda p: p.mkdir(), "not a file"),
        (
            lambda p: p.write_bytes('{"text": "caf\u00e9"}\n'.encode("gbk", "replace") + b"\xff\xfe\n"),
            "not UTF-8",
        ),
    ],
)
def test_a_missing_empty_or_unreadable_file_is_a_clear_error(tmp_path: Path, make, message: str) -> None:
    path = tmp_path / "data.jsonl"
    make(path)
    for command in (["check", "--task", "qa"], ["dedup"], ["judge", "--task", "qa"]):
        res = CliRunner().invoke(cli, [command[0], str(path), *command[1:], "--out", str(tmp_path / "o")])
        assert res.exit_code == 2, (command, res.output)
        assert res.output.startswith("error: ") and message in res.output and "data.jsonl" in res.output
        assert not (tmp_path / "o").exists()
