"""Export (issue 14): accepted records into alpaca, sharegpt, openai, llamafactory, parquet and hf, each
row keeping its provenance, weights applied as copies the same way every time, and every bad input an
`error: …` with exit code 2 and nothing written."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import synthpipe
from synthpipe.backends.fake import FakeBackend
from synthpipe.cli import cli

from .conftest import qa

FORMATS = ("alpaca", "sharegpt", "openai", "llamafactory", "parquet", "hf")


def record(rid: str, task: str, fields: dict[str, Any], **meta: Any) -> dict[str, Any]:
    """One synthpipe record line, as a run's accepted.jsonl holds it."""
    base = {
        "task": task,
        "origin": "generated",
        "recipe": "faq",
        "recipe_hash": "abc123",
        "model": "m-7b",
        "weight": 1.0,
        "reasons": [],
    }
    return {"id": rid, **fields, "meta": {**base, **meta}}


def chat(*turns: str, system: str | None = None) -> dict[str, Any]:
    msgs = [{"role": "system", "content": system}] if system else []
    msgs += [{"role": "user" if i % 2 == 0 else "assistant", "content": t} for i, t in enumerate(turns)]
    return {"messages": msgs}


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def invoke(*args: Any):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def run_dir(write_recipe, tmp_path: Path) -> Path:
    """A real run directory: 4 accepted qa records from `synthpipe run` with a fake generator."""
    _, recipe = write_recipe(count=4)
    out = tmp_path / "runs" / "qa_en"
    result = synthpipe.run(recipe, out, backends={"generator": FakeBackend([qa(i) for i in range(4)])})
    assert result.counts["accepted"] == 4
    return out


@pytest.fixture
def mixed_file(tmp_path: Path) -> Path:
    """qa, dialogue (one with its own system turn) and classify records, with splits and weights."""
    return write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            record("q1", "qa", qa(0), extra={"split": "train"}),
            record(
                "q2", "qa", qa(1, input="Order 4411"), origin="seed", weight=2.0, extra={"split": "train"}
            ),
            record("d1", "dialogue", chat("Hi", "Hello!", "Can I return boots?", "Yes, within 30 days.")),
            record("d2", "dialogue", chat("Refund?", "In 5 days.", system="You are Northwind support.")),
            record(
                "c1", "classify", {"text": "I want my money back", "label": "refund"}, extra={"split": "eval"}
            ),
        ],
    )


# --- every format -------------------------------------------------------------------------------------
def test_alpaca_from_a_run_directory_keeps_fields_and_provenance(run_dir: Path) -> None:
    result = synthpipe.export(run_dir, format="alpaca")
    assert result.out == run_dir.parent / "export" / "qa_en.alpaca.jsonl" and result.rows == 4
    rows = read_jsonl(result.out)
    accepted = read_jsonl(run_dir / "accepted.jsonl")
    assert [r["instruction"] for r in rows] == [a["instruction"] for a in accepted]
    assert [r["output"] for r in rows] == [a["output"] for a in accepted]
    assert list(rows[0]) == ["instruction", "input", "output", "_meta"]
    for row, acc in zip(rows, accepted, strict=True):
        meta = row["_meta"]
        assert meta["id"] == acc["id"] and meta["recipe_hash"] == acc["meta"]["recipe_hash"]
        assert (meta["origin"], meta["model"], meta["recipe"]) == ("generated", "fake", "t")
        assert meta["pool_version"] is None and meta["split"] is None
    assert result.info.recipes == {"t": accepted[0]["meta"]["recipe_hash"]}
    assert "generator: SmolLM2-135M-Instruct" in result.info.models


def test_each_kind_in_alpaca(mixed_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.jsonl"
    synthpipe.export(mixed_file, "alpaca", out, system="Be brief.", weights=False)
    rows = {r["_meta"]["id"]: r for r in read_jsonl(out)}
    assert rows["q2"]["instruction"] == qa(1)["instruction"] and rows["q2"]["input"] == "Order 4411"
    assert rows["q1"]["system"] == "Be brief."
    # a dialogue: the last exchange is instruction/output, the earlier ones LLaMA-Factory's history
    assert (
        rows["d1"]["instruction"] == "Can I return boots?" and rows["d1"]["output"] == "Yes, within 30 days."
    )
    assert rows["d1"]["history"] == [["Hi", "Hello!"]] and rows["d1"]["input"] == ""
    assert (
        rows["d2"]["system"] == "You are Northwind support." and "history" not in rows["d2"]
    )  # its own wins
    assert rows["c1"]["instruction"] == "Classify the text." and rows["c1"]["input"] == "I want my money back"
    assert rows["c1"]["output"] == "refund"


def test_sharegpt_turns_for_qa_and_dialogue(tmp_path: Path) -> None:
    data = write_jsonl(
        tmp_path / "d.jsonl",
        [
            record("q", "qa", qa(1, input="Order 4411")),
            record("d", "dialogue", chat("Hi", "Hello!", "Boots?", "Yes.", system="Support.")),
        ],
    )
    result = synthpipe.export(data, "sharegpt", system="Be brief.")
    q, d = read_jsonl(result.out)
    assert q["conversations"] == [
        {"from": "system", "value": "Be brief."},
        {"from": "human", "value": qa(1)["instruction"] + "\n\nOrder 4411"},
        {"from": "gpt", "value": qa(1)["output"]},
    ]
    assert [t["from"] for t in d["conversations"]] == ["system", "human", "gpt", "human", "gpt"]
    assert d["conversations"][0]["value"] == "Support." and d["_meta"]["id"] == "d"


def test_openai_lines_hold_only_messages_and_the_sidecar_holds_provenance_by_position(
    mixed_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "train.jsonl"
    result = synthpipe.export(mixed_file, "openai", out, system="Be brief.")
    assert result.files == [out, tmp_path / "train.meta.jsonl"]
    lines, meta = read_jsonl(out), read_jsonl(tmp_path / "train.meta.jsonl")
    assert len(lines) == len(meta) == result.rows == 6  # q2 has weight 2
    assert all(list(line) == ["messages"] for line in lines)
    assert [m["line"] for m in meta] == list(range(1, 7))
    assert [m["id"] for m in meta] == ["q1", "q2", "q2", "d1", "d2", "c1"]
    by_id = dict(zip([m["id"] for m in meta], lines, strict=True))
    assert by_id["q1"]["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": qa(0)["instruction"]},
        {"role": "assistant", "content": qa(0)["output"]},
    ]
    assert by_id["d2"]["messages"][0] == {"role": "system", "content": "You are Northwind support."}
    assert by_id["c1"]["messages"][1:] == [
        {"role": "user", "content": "Classify the text.\n\nI want my money back"},
        {"role": "assistant", "content": "refund"},
    ]
    assert {m["origin"] for m in meta if m["id"] == "q2"} == {"seed"}
    assert {(m["model"], m["recipe"], m["split"]) for m in meta if m["id"] == "c1"} == {
        ("m-7b", "faq", "eval")
    }


def test_classify_from_a_run_directory_names_its_label_set(tmp_path: Path) -> None:
    run = tmp_path / "intents"
    run.mkdir()
    write_jsonl(
        run / "accepted.jsonl", [record("c", "classify", {"text": "Where is my parcel?", "label": "track"})]
    )
    (run / "run.json").write_text(json.dumps({"identity": {"labels": ["refund", "track"]}}))
    rows = read_jsonl(synthpipe.export(run, "alpaca").out)
    assert rows[0]["instruction"] == "Classify the text. Labels: refund, track."


def test_parquet_reads_back_with_pyarrow(mixed_file: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    data = write_jsonl(tmp_path / "qa.jsonl", read_jsonl(mixed_file)[:2])
    result = synthpipe.export(data, "parquet", tmp_path / "qa.parquet")
    table = pq.read_table(result.out)
    assert table.column_names == [
        "instruction",
        "input",
        "output",
        "id",
        "task",
        "origin",
        "model",
        "recipe",
        "recipe_hash",
        "parent_id",
        "pool_version",
        "split",
        "weight",
    ]
    rows = table.to_pylist()
    assert [r["id"] for r in rows] == ["q1", "q2", "q2"] and rows[1]["input"] == "Order 4411"
    assert rows[1]["origin"] == "seed" and rows[1]["weight"] == 2.0 and rows[0]["split"] == "train"
    summary = json.loads(pq.read_metadata(result.out).metadata[b"synthpipe"])
    assert summary["counts"]["rows"] == 3 and summary["info"]["recipes"] == {"faq": "abc123"}


def test_parquet_holds_dialogues_as_lists_of_turns(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    data = write_jsonl(tmp_path / "d.jsonl", [record("d", "dialogue", chat("Hi", "Hello!"))])
    rows = pq.read_table(synthpipe.export(data, "parquet").out).to_pylist()
    assert rows[0]["messages"] == [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"},
    ]


def test_hf_opens_with_datasets_load_from_disk_as_a_datasetdict_and_its_card_says_what_it_holds(
    tmp_path: Path,
) -> None:
    datasets = pytest.importorskip("datasets")
    rows = [
        record(f"t{i}", "qa", qa(i), extra={"split": "train"}, weight=2.0 if i == 0 else 1.0)
        for i in range(3)
    ]
    rows += [record("e0", "qa", qa(5), origin="seed", extra={"split": "eval"}, weight=3.0)]
    data = write_jsonl(tmp_path / "pool.jsonl", rows)
    result = synthpipe.export(data, "hf", tmp_path / "ds")
    ds = datasets.load_from_disk(str(result.out))
    assert isinstance(ds, datasets.DatasetDict) and list(ds) == ["train", "eval"]
    assert ds["train"]["id"] == ["t0", "t0", "t1", "t2"] and ds["eval"]["id"] == ["e0"]  # eval: once
    assert ds["train"][2]["instruction"] == qa(1)["instruction"] and ds["train"][2]["model"] == "m-7b"
    assert ds["eval"][0]["origin"] == "seed" and ds["eval"][0]["weight"] == 3.0
    card = (result.out / "README.md").read_text()
    assert "`faq`: `abc123`" in card and "m-7b" in card
    assert "| train | 4 |" in card and "| eval | 1 |" in card and "| seed | 1 |" in card
    assert "floor(w) copies" in card and "random.Random(0)" in card


def test_hf_of_one_split_is_a_dataset_with_dialogues(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    data = write_jsonl(tmp_path / "d.jsonl", [record("d", "dialogue", chat("Hi", "Hello!"))])
    ds = datasets.load_from_disk(str(synthpipe.export(data, "hf").out))
    assert isinstance(ds, datasets.Dataset) and ds.num_rows == 1
    assert ds[0]["messages"] == [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"},
    ]


# --- weights -------------------------------------------------------------------------------------------
def weighted(tmp_path: Path, weights: list[float], name: str = "w.jsonl") -> Path:
    return write_jsonl(
        tmp_path / name, [record(f"r{i}", "qa", qa(i), weight=w) for i, w in enumerate(weights)]
    )


def test_weight_2_5_gives_2_or_3_copies_and_0_none(tmp_path: Path) -> None:
    data = weighted(tmp_path, [2.5, 0, 1, 2.5, 2.5, 2.5, 2.5, 2.5])
    result = synthpipe.export(data, "alpaca", tmp_path / "o.jsonl")
    order = [r["_meta"]["id"] for r in read_jsonl(result.out)]
    ids = Counter(order)
    assert "r1" not in ids and ids["r2"] == 1
    copies = [ids[f"r{i}"] for i in (0, 3, 4, 5, 6, 7)]
    assert set(copies) <= {2, 3} and len(set(copies)) == 2  # 6 draws at 0.5: both outcomes, for seed 0
    assert result.dropped == 1 and result.rows == sum(copies) + 1
    assert order == sorted(order, key=lambda i: int(i[1:]))  # in source order, copies next to each other


def test_the_same_seed_gives_byte_identical_output_and_another_seed_does_not(tmp_path: Path) -> None:
    data = weighted(tmp_path, [0.5 + (i % 4) * 0.3 for i in range(200)])
    outs = [
        synthpipe.export(data, fmt, tmp_path / f"{n}-{fmt}.jsonl", seed=seed).out
        for n, seed in enumerate((7, 7, 8))
        for fmt in ("openai", "parquet")
    ]
    for fmt_at in (0, 1):
        first, again, other = (outs[fmt_at + 2 * k].read_bytes() for k in range(3))
        assert first == again and first != other
    assert (tmp_path / "0-openai.meta.jsonl").read_bytes() == (tmp_path / "1-openai.meta.jsonl").read_bytes()


def test_copies_over_many_records_match_the_fraction(tmp_path: Path) -> None:
    data = weighted(tmp_path, [1.3] * 2000)
    result = synthpipe.export(data, "alpaca", tmp_path / "o.jsonl", seed=3)
    assert 2000 + 600 - 80 < result.rows < 2000 + 600 + 80  # 600 expected, sd about 20
    once = synthpipe.export(data, "alpaca", tmp_path / "once.jsonl", weights=False)
    assert once.rows == 2000 and "not applied" in once.info.weight_rules[-1] and once.info.seed is None


def test_a_negative_or_non_numeric_weight_is_an_error_naming_the_record(tmp_path: Path) -> None:
    data = weighted(tmp_path, [1, -2])
    one_error(invoke("export", data, "--format", "alpaca"), f"{data}:2: record r1: weight -2 must be")
    text = write_jsonl(tmp_path / "t.jsonl", [record("t", "qa", qa(0), weight="heavy")])
    one_error(
        invoke("export", text, "--format", "alpaca"), f"{text}:1: record t: weight 'heavy' is not a number"
    )
    assert not (tmp_path / "export").exists()
    assert invoke("export", data, "--format", "alpaca", "--no-weights").exit_code == 0


# --- bad input: `error: …`, exit code 2, nothing written ----------------------------------------------
def one_error(res, fragment: str) -> None:
    lines = res.stderr.strip().splitlines()
    assert res.exit_code == 2, (res.exit_code, res.output, res.stderr)
    assert lines and lines[-1].startswith("error: ") and fragment in lines[-1], res.stderr
    assert "Traceback" not in res.output + res.stderr


def bad_inputs(d: Path) -> dict[str, tuple[list[Any], str]]:
    qa_file = write_jsonl(d / "qa.jsonl", [record(f"q{i}", "qa", qa(i)) for i in range(3)])
    labelled = write_jsonl(
        d / "intents.jsonl", [record("c", "classify", {"text": "refund me", "label": "refund"})]
    )
    mixed = write_jsonl(
        d / "mixed.jsonl",
        [record("q", "qa", qa(0)), record("c", "classify", {"text": "refund me", "label": "refund"})],
    )
    broken = write_jsonl(d / "broken.jsonl", [qa(0), qa(1), '{"instruction": "cut off', qa(2)])
    rejected = write_jsonl(
        d / "rejected.jsonl", [record("x", "qa", qa(0), reasons=[{"code": "too_short", "stage": "rules"}])]
    )
    unended = write_jsonl(d / "chat.jsonl", [record("d", "dialogue", chat("Hi", "Hello!", "Still there?"))])
    (d / "empty.jsonl").write_text("\n")
    (d / "exists.jsonl").write_text("keep me\n")
    (d / "folder").mkdir()
    return {
        "unknown format": (
            [qa_file, "--format", "csv"],
            "unknown format 'csv' — use --format alpaca, sharegpt",
        ),
        "kind the format cannot hold": (
            [labelled, "--format", "sharegpt"],
            f"{labelled}:1: record c: --format sharegpt cannot hold classify records — use --format alpaca, openai,",
        ),
        "mixed tasks": (
            [mixed, "--format", "sharegpt"],
            f"{mixed}:2: record c: --format sharegpt cannot hold classify records (the source mixes qa and classify",
        ),
        "mixed fields in parquet": (
            [mixed, "--format", "parquet"],
            f"{mixed}:2: record c: a classify record",
        ),
        "bad line": ([broken, "--format", "alpaca"], f"{broken}:3: not valid JSON"),
        "rejected record": ([rejected, "--format", "alpaca"], "record x: was rejected (too_short)"),
        "dialogue without an answer": (
            [unended, "--format", "openai"],
            "does not end with an assistant turn",
        ),
        "missing SRC": ([d / "nope.jsonl", "--format", "alpaca"], "nope.jsonl: not found"),
        "folder that is no run": ([d / "folder", "--format", "alpaca"], "without accepted.jsonl"),
        "empty file": ([d / "empty.jsonl", "--format", "alpaca"], "no records to export"),
        "split of a file": (
            [qa_file, "--format", "alpaca", "--split", "train"],
            "splits exist only in a pool",
        ),
        "unknown split": (
            [qa_file, "--format", "alpaca", "--split", "test"],
            "--split 'test': use train, eval",
        ),
        "existing out": (
            [qa_file, "--format", "alpaca", "--out", d / "exists.jsonl"],
            "exists.jsonl: already exists — give another --out, or --force",
        ),
        "system with hf": ([qa_file, "--format", "hf", "--system", "x"], "--system: hf keeps"),
        "seed without weights": (
            [qa_file, "--format", "alpaca", "--seed", "1", "--no-weights"],
            "--seed draws",
        ),
        "force over a folder that is no export": (
            [qa_file, "--format", "hf", "--out", d / "folder", "--force"],
            "is not an earlier export of this format",
        ),
    }


CASES = [
    "unknown format",
    "kind the format cannot hold",
    "mixed tasks",
    "mixed fields in parquet",
    "bad line",
    "rejected record",
    "dialogue without an answer",
    "missing SRC",
    "folder that is no run",
    "empty file",
    "split of a file",
    "unknown split",
    "existing out",
    "system with hf",
    "seed without weights",
    "force over a folder that is no export",
]


@pytest.mark.parametrize("case", CASES)
def test_each_bad_input_is_one_error_with_exit_2_and_nothing_written(case: str, tmp_path: Path) -> None:
    cases = bad_inputs(tmp_path)
    assert sorted(cases) == sorted(CASES)
    args, fragment = cases[case]
    before = tree(tmp_path)
    one_error(invoke("export", *args), fragment)
    assert tree(tmp_path) == before
    assert (tmp_path / "exists.jsonl").read_text() == "keep me\n"


def test_a_split_of_a_run_directory_is_an_error(run_dir: Path) -> None:
    before = tree(run_dir.parent)
    res = invoke("export", run_dir, "--format", "openai", "--split", "eval")
    one_error(
        res, f"(`synthpipe pool add {run_dir} --pool DIR`), run `synthpipe pool split --pool DIR --eval"
    )
    assert tree(run_dir.parent) == before


def test_a_failure_half_way_leaves_nothing_and_keeps_an_earlier_export(tmp_path: Path) -> None:
    rows = [record(f"q{i}", "qa", qa(i)) for i in range(500)] + ["not json"]
    data = write_jsonl(tmp_path / "late.jsonl", rows)
    for fmt in FORMATS:
        one_error(invoke("export", data, "--format", fmt), f"{data}:501: not valid JSON")
    assert not (tmp_path / "export").exists()
    good = write_jsonl(tmp_path / "good.jsonl", rows[:2])
    out = tmp_path / "o.jsonl"
    synthpipe.export(good, "openai", out)
    before = out.read_bytes()
    one_error(invoke("export", data, "--format", "openai", "--out", out, "--force"), ":501:")
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "good.jsonl",
        "late.jsonl",
        "o.jsonl",
        "o.meta.jsonl",
    ]


def test_force_replaces_an_earlier_export(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "qa.jsonl", [record("a", "qa", qa(0))])
    first = synthpipe.export(data, "hf", tmp_path / "ds")
    write_jsonl(data, [record("b", "qa", qa(1)), record("c", "qa", qa(2))])
    res = invoke("export", data, "--format", "hf", "--out", tmp_path / "ds", "--force")
    assert res.exit_code == 0, res.stderr
    assert "exported 2 records from" in res.output and f"wrote {first.out}" in res.output
    state = json.loads((first.out / "state.json").read_text())
    assert state["_data_files"] == [{"filename": "data-00000-of-00001.arrow"}]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds", "qa.jsonl"]


# --- the API --------------------------------------------------------------------------------------------
def test_synthpipe_export_is_the_function_after_the_exports_package_is_imported(tmp_path: Path) -> None:
    import subprocess

    # a fresh interpreter, since this one has imported everything already
    code = (
        "import sys; from synthpipe.exports import ExportInfo; import synthpipe; "
        "r = synthpipe.export(sys.argv[1], 'openai'); print(r.rows, synthpipe.ExportInfo is ExportInfo)"
    )
    data = write_jsonl(tmp_path / "qa.jsonl", [record("a", "qa", qa(0), weight=2.0)])
    out = subprocess.run([sys.executable, "-c", code, str(data)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["2", "True"]


def test_records_in_memory_export_to_the_out_given(tmp_path: Path) -> None:
    recs = [synthpipe.Record("m1", qa(0), synthpipe.Meta(task="qa", model="m"))]
    result = synthpipe.export(recs, "openai", out=tmp_path / "mem.jsonl")
    assert result.rows == 1 and result.info.source == "records in memory"
    assert read_jsonl(tmp_path / "mem.meta.jsonl")[0]["model"] == "m"
    with pytest.raises(synthpipe.UsageError, match="give out=PATH"):
        synthpipe.export(recs, "openai")


def test_exporting_jsonl_never_imports_pyarrow(tmp_path: Path) -> None:
    import subprocess

    data = write_jsonl(tmp_path / "qa.jsonl", [record("a", "qa", qa(0))])
    code = (
        "import sys, synthpipe; synthpipe.export(sys.argv[1], 'llamafactory'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyarrow', 'datasets', 'numpy')))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(data)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_without_pyarrow_parquet_names_the_extra(tmp_path: Path, monkeypatch) -> None:
    data = write_jsonl(tmp_path / "qa.jsonl", [record("a", "qa", qa(0))])
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    one_error(invoke("export", data, "--format", "parquet"), "pip install 'synthpipe[export]'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["qa.jsonl"]


def test_a_json_array_file_with_a_byte_order_mark_exports(tmp_path: Path) -> None:
    path = tmp_path / "arr.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps([qa(0), qa(1)]).encode())
    result = synthpipe.export(path, "alpaca")
    assert [r["instruction"] for r in read_jsonl(result.out)] == [qa(0)["instruction"], qa(1)["instruction"]]
