"""`synthpipe check FILE`: every input format, line numbers, counts, atomic outputs, exit code 2 errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from synthpipe.cli.check import check

GOOD_ZH = {
    "instruction": "如何重置密码？",
    "input": "",
    "output": "打开“设置-账户安全”，点击“重置密码”，按提示输入验证码即可。",
}
GOOD_EN = {
    "instruction": "How do I reset my password?",
    "output": "Open Settings > Account security and tap Reset password.",
}
PLACEHOLDER = {"instruction": "售后电话是多少？", "input": "", "output": "请拨打 400-XXX-XXXX。"}
BOILER_EN = {
    "instruction": "Do you like jazz?",
    "output": "As an AI language model, I have no taste in music.",
}


def write_jsonl(path: Path, rows: list[Any], blank_after: int | None = None) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    if blank_after is not None:
        lines.insert(blank_after, "")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def run(*args: str) -> Result:
    return CliRunner().invoke(check, list(args), catch_exceptions=False)


def turns(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    out = []
    for user, assistant in pairs:
        out += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return out


DIALOGUE = turns(
    ("Hi, my order is late.", "Sorry to hear that. Could you share the order number?"),
    ("It's 1234.", "Thanks, it left the warehouse yesterday and should arrive tomorrow."),
    ("Can I get a refund on shipping?", "Yes, I've refunded the $5 shipping fee to your card."),
)


def test_alpaca_file_is_split_with_line_numbers_reasons_and_a_manifest(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "data.jsonl", [GOOD_ZH, PLACEHOLDER, GOOD_EN, BOILER_EN], blank_after=2)
    res = run(str(src), "--task", "qa", "--out", str(tmp_path / "out"))
    assert res.exit_code == 0, res.output
    out = tmp_path / "out"
    accepted, rejected = read_jsonl(out / "accepted.jsonl"), read_jsonl(out / "rejected.jsonl")
    assert [r["meta"]["line"] for r in accepted] == [1, 4]  # the blank line 3 counts in numbering
    assert [r["meta"]["line"] for r in rejected] == [2, 5]
    assert [r["code"] for r in rejected[0]["meta"]["reasons"]] == ["placeholder"]
    assert rejected[1]["meta"]["reasons"][0] == {
        "code": "boilerplate",
        "detail": rejected[1]["meta"]["reasons"][0]["detail"],
        "stage": "rules",
    }
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"] == {"attempted": 4, "accepted": 2, "rejected": 2, "failed": 0}
    assert manifest["reasons"] == {
        "boilerplate": {"records": 1, "occurrences": 1},
        "placeholder": {"records": 1, "occurrences": 1},
    }
    assert manifest["input"] == {"file": str(src), "records": 4, "formats": {"alpaca": 4}}
    assert manifest["task"] == "qa" and manifest["command"] == "check"
    assert "4 records" in res.stdout and "2 accepted, 2 rejected" in res.stdout
    assert "boilerplate 1" in res.stdout and "placeholder 1" in res.stdout
    assert not list(out.glob(".*.tmp"))


def test_without_lang_each_instruction_sets_the_language(tmp_path: Path) -> None:
    crossed = {
        "instruction": "周末有什么放松的方法？",
        "output": "Try a long walk in a park, or read a book for an afternoon.",
    }
    src = write_jsonl(tmp_path / "d.jsonl", [GOOD_ZH, GOOD_EN, crossed])
    assert run(str(src), "--task", "qa").exit_code == 0
    rejected = read_jsonl(tmp_path / "d.checked" / "rejected.jsonl")
    assert [(r["meta"]["line"], r["meta"]["reasons"][0]["code"]) for r in rejected] == [(3, "wrong_language")]
    res = run(str(src), "--task", "qa", "--lang", "zh", "--out", str(tmp_path / "zh"))
    manifest = json.loads((tmp_path / "zh" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reasons"] == {"wrong_language": {"records": 2, "occurrences": 2}}, res.output
    assert manifest["language"] == "zh"


def test_default_output_folder_sits_next_to_the_file(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "train.jsonl", [GOOD_EN])
    res = run(str(src), "--task", "qa")
    assert res.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "train.checked").iterdir()) == [
        "accepted.jsonl",
        "manifest.json",
        "rejected.jsonl",
        "report.html",
    ]


def test_sharegpt_and_openai_dialogues(tmp_path: Path) -> None:
    share = {
        "conversations": [
            {"from": "human" if m["role"] == "user" else "gpt", "value": m["content"]} for m in DIALOGUE
        ]
    }
    short = {"messages": DIALOGUE[:2]}
    filler = {"messages": [*DIALOGUE[:3], {"role": "assistant", "content": "Okay."}, *DIALOGUE[4:]]}
    src = write_jsonl(tmp_path / "chat.jsonl", [share, {"messages": DIALOGUE}, short, filler])
    res = run(str(src), "--task", "dialogue", "--lang", "en", "--out", str(tmp_path / "o"))
    assert res.exit_code == 0, res.output
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"] == {"attempted": 4, "accepted": 2, "rejected": 2, "failed": 0}
    assert manifest["input"]["formats"] == {"sharegpt": 1, "openai": 3} and manifest["rounds"] == [3, 6]
    rejected = read_jsonl(tmp_path / "o" / "rejected.jsonl")
    assert {r["meta"]["line"]: {x["code"] for x in r["meta"]["reasons"]} for r in rejected} == {
        3: {"rounds_out_of_range"},
        4: {"filler_turn"},
    }
    res = run(str(src), "--task", "dialogue", "--rounds", "1-6", "--out", str(tmp_path / "o2"))
    assert "1 rejected" in res.stdout


def test_text_label_file_needs_labels_and_reports_label_balance(tmp_path: Path) -> None:
    rows = [
        {"text": "物流很快", "label": "正面"},
        {"text": "太慢了", "label": "差评"},
        {"text": "Great!", "label": "Positive"},
    ]
    src = write_jsonl(tmp_path / "cls.jsonl", rows)
    res = run(str(src), "--task", "classify", "--labels", "正面,负面，positive", "--out", str(tmp_path / "c"))
    assert res.exit_code == 0, res.output
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reasons"] == {"label_not_allowed": {"records": 1, "occurrences": 1}}
    assert manifest["label_balance"] == {"positive": 1, "正面": 1, "负面": 0}
    accepted = read_jsonl(tmp_path / "c" / "accepted.jsonl")
    assert (
        accepted[1]["label"] == "positive" and accepted[1]["meta"]["flags"][0]["code"] == "label_normalised"
    )


def test_own_records_and_json_arrays_are_read_and_old_rule_reasons_replaced(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "d.jsonl", [GOOD_ZH, PLACEHOLDER])
    run(str(src), "--task", "qa", "--out", str(tmp_path / "a"))
    rejected = tmp_path / "a" / "rejected.jsonl"
    again = rejected.with_name("again.jsonl")
    row = read_jsonl(rejected)[0]
    row["meta"]["reasons"].append({"code": "low_score", "stage": "judge"})
    row["output"] = "请拨打 400-800-1234。"  # fixed by hand: the rule reason must go, the judge's stays
    write_jsonl(again, [row])
    res = run(str(again), "--task", "qa", "--out", str(tmp_path / "b"))
    out = read_jsonl(tmp_path / "b" / "rejected.jsonl")
    assert [r["code"] for r in out[0]["meta"]["reasons"]] == ["low_score"], res.output
    assert out[0]["id"] == row["id"] and out[0]["meta"]["line"] == 1

    arr = tmp_path / "arr.json"
    arr.write_text(json.dumps([GOOD_EN, BOILER_EN], ensure_ascii=False, indent=2), encoding="utf-8")
    res = run(str(arr), "--task", "qa", "--out", str(tmp_path / "arr"))
    assert "1 accepted, 1 rejected" in res.stdout


def test_report_html_is_written_when_the_report_module_is_there(tmp_path: Path) -> None:
    pytest.importorskip("synthpipe.report")
    src = write_jsonl(tmp_path / "d.jsonl", [GOOD_ZH, PLACEHOLDER])
    assert run(str(src), "--task", "qa", "--out", str(tmp_path / "o")).exit_code == 0
    assert (tmp_path / "o" / "report.html").is_file()


@pytest.mark.parametrize(
    "args,message",
    [
        (["missing.jsonl", "--task", "qa"], "missing.jsonl: file not found"),
        (["{data}", "--task", "poetry"], "unknown task 'poetry'"),
        (["{data}"], "--task is required"),
        (["{data}", "--task", "classify"], "--labels"),
        (["{data}", "--task", "classify", "--labels", "only_one"], "--labels"),
        (["{data}", "--task", "qa", "--lang", "fr"], "unknown language 'fr'"),
        (["{data}", "--task", "dialogue", "--rounds", "6-3"], "--rounds"),
        (["{data}", "--task", "qa", "--disable", "nope"], "unknown rule code 'nope'"),
        (["{empty}", "--task", "qa"], "no records"),
        (["{latin1}", "--task", "qa"], "latin1.jsonl:1: not UTF-8 text"),
        (["{folder}", "--task", "qa"], "folder: not a file"),
    ],
)
def test_bad_input_prints_one_error_line_and_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    files = {
        "data": write_jsonl(tmp_path / "data.jsonl", [GOOD_EN]),
        "empty": tmp_path / "empty.jsonl",
        "latin1": tmp_path / "latin1.jsonl",
        "folder": tmp_path / "folder",
    }
    files["empty"].write_text("\n", encoding="utf-8")
    files["latin1"].write_bytes('{"instruction": "caf\u00e9"}\n'.encode("latin-1"))
    files["folder"].mkdir()
    res = CliRunner().invoke(check, [a.format(**{k: str(v) for k, v in files.items()}) for a in args])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], res.stderr
    assert not res.stdout


def test_broken_lines_are_rejected_with_their_line_and_the_rest_is_checked(tmp_path: Path) -> None:
    src = tmp_path / "d.jsonl"
    lines = [json.dumps(GOOD_EN), "{not json", json.dumps({"colour": "red"}), "[1, 2]", json.dumps(BOILER_EN)]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run(str(src), "--task", "qa", "--out", str(tmp_path / "o"))
    assert res.exit_code == 0, res.output
    rejected = {r["meta"]["line"]: r for r in read_jsonl(tmp_path / "o" / "rejected.jsonl")}
    assert {n: r["meta"]["reasons"][0]["code"] for n, r in rejected.items()} == {
        2: "invalid_json",
        3: "unrecognised_record",
        4: "unrecognised_record",
        5: "boilerplate",
    }
    assert rejected[2]["meta"]["raw"] == "{not json" and rejected[2]["meta"]["reasons"][0]["stage"] == "read"
    assert "colour" in rejected[3]["meta"]["reasons"][0]["detail"]
    assert [r["meta"]["line"] for r in read_jsonl(tmp_path / "o" / "accepted.jsonl")] == [1]


def test_a_failure_half_way_leaves_earlier_outputs_untouched_and_no_temp_files(
    tmp_path: Path, monkeypatch
) -> None:
    from synthpipe.stages.rules import RuleChecker

    good = write_jsonl(tmp_path / "d.jsonl", [GOOD_EN])
    out = tmp_path / "out"
    run(str(good), "--task", "qa", "--out", str(out))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    write_jsonl(good, [GOOD_ZH, BOILER_EN, GOOD_EN])
    real = RuleChecker.check

    def interrupted(self, rec):
        if rec.meta.line == 2:
            raise KeyboardInterrupt
        return real(self, rec)

    monkeypatch.setattr(RuleChecker, "check", interrupted)
    for target in (out, tmp_path / "fresh"):
        res = CliRunner().invoke(check, [str(good), "--task", "qa", "--out", str(target)])
        assert res.exit_code == 1 and "Aborted" in res.output  # click's answer to Ctrl-C
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not (tmp_path / "fresh").exists()


def test_the_main_command_group_has_check(tmp_path: Path) -> None:
    from synthpipe.cli import cli

    src = write_jsonl(tmp_path / "d.jsonl", [GOOD_EN])
    res = CliRunner().invoke(cli, ["check", str(src), "--task", "qa"])
    assert res.exit_code == 0 and "1 accepted" in res.stdout
