"""`synthpipe eval` and `synthpipe feedback` (issue 15, items 3 and 4): a served model answers the eval
split, a judge grades each answer against the reference (classify: exact match), the failures become the
next round's recipe with the failing cases as seeds whose lineage survives into the records derived from
them; every bad input is one `error:` line, exit code 2, and nothing written."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import synthpipe
from synthpipe.backends.fake import FakeBackend
from synthpipe.cli import cli
from synthpipe.core.errors import RequestRejected
from synthpipe.core.records import Meta, Record

from .conftest import qa
from .test_resume_kill import ServerThread, kill_9_when

WRONG = "ZZWRONG"  # what the served model says when it gets a question wrong
TENTS = [
    "The tent I ordered has a torn seam and I want to send it back.",
    "Please take back the two-person tent, it is too small for the three of us.",
]
BOOTS = [
    "When will the money for my returned hiking boots reach my card?",
    "The refund for my boots has not shown up on my statement after two weeks.",
]


def _records() -> list[Record]:
    """qa about returns (answered wrongly), qa about refunds (answered right), classify about tents
    (right) and boots (wrong): two of each kind of outcome land in a 50% eval split by task and topic."""
    out = []
    for i in range(8):
        topic = "returns" if i % 2 == 0 else "refunds"
        plan = {"index": i, "topic": topic, "question_type": "how-to"}
        meta = Meta(task="qa", origin="generated", recipe="faq-en", model="gen", plan=plan)
        out.append(Record(f"qa{i}", qa(i), meta))
    for topic, texts, label in (("tents", TENTS, "return_request"), ("boots", BOOTS, "refund_status")):
        for j, text in enumerate(texts):
            meta = Meta(
                task="classify", origin="generated", recipe="intents-en", plan={"index": j, "topic": topic}
            )
            out.append(Record(f"{topic}{j}", {"text": text, "label": label}, meta))
    return out


def _pool(tmp_path: Path, split: bool = True) -> tuple[Path, list[Record]]:
    data = tmp_path / "data.jsonl"
    data.write_text("".join(r.dumps() + "\n" for r in _records()), encoding="utf-8")
    directory = tmp_path / "pool"
    pool = synthpipe.Pool.init(directory)
    pool.add(data)
    if not split:
        return directory, []
    pool.split(eval_share=0.5, by=("task", "topic"))
    return directory, list(pool.records(None, "eval"))


def _by_prompt() -> dict[str, Record]:
    """Each record by the text the served model is asked (its instruction or its classify text)."""
    return {r.fields.get("instruction") or r.fields["text"]: r for r in _records()}


def served_answer(messages: list[dict[str, str]], schema: Any = None) -> str:
    asked = messages[-1]["content"]
    for text, rec in _by_prompt().items():
        if asked.endswith(text):
            topic = rec.meta.plan["topic"]
            if rec.task == "classify":
                return "return_request" if topic == "boots" else f"Label: {rec.fields['label']}."
            return f"{WRONG}: no idea, about 90 days" if topic == "returns" else rec.fields["output"]
    raise AssertionError(f"unexpected question {asked!r}")


def judge_answer(messages: list[dict[str, str]], schema: Any = None) -> dict[str, Any]:
    user = messages[-1]["content"]
    assert "<reference_answer>" in user and "correctness" in user
    answer = re.search(r"<model_answer>\n(.*?)\n</model_answer>", user, re.S).group(1)  # type: ignore[union-attr]
    if WRONG in answer:
        return {
            "correctness": 1,
            "faithfulness": 2,
            "correctness_reason": "gives 90 days where the reference says 30",
            "faithfulness_reason": "invents a number",
        }
    return {"correctness": 5, "faithfulness": 5, "correctness_reason": "matches", "faithfulness_reason": "ok"}


def _fakes() -> tuple[FakeBackend, FakeBackend]:
    return FakeBackend(default=served_answer), FakeBackend(default=judge_answer)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def invoke(*args: Any):
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_error(res: Any, fragment: str) -> None:
    lines = res.stderr.strip().splitlines()
    assert res.exit_code == 2, (res.exit_code, res.output)
    assert lines and lines[-1].startswith("error: ") and fragment in lines[-1], res.stderr
    assert "Traceback" not in res.output


# --- eval ---------------------------------------------------------------------------------------------
def test_eval_of_a_pool_split_writes_results_failures_and_a_summary_per_task_and_topic(
    tmp_path: Path,
) -> None:
    pool, eval_records = _pool(tmp_path)
    assert len(eval_records) == 6
    served, judge = _fakes()
    out = tmp_path / "ev"
    result = synthpipe.evaluate(
        pool=pool,
        model="ft",
        base_url="http://127.0.0.1:9/v1",
        out=out,
        backends={"served": served, "judge": judge},
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "cache.sqlite",
        "failures.jsonl",
        "manifest.json",
        "results.jsonl",
    ]

    rows = _lines(out / "results.jsonl")
    assert [r["id"] for r in rows] == [r.id for r in eval_records]  # one line per eval record, in order
    assert rows == result.rows
    for row in rows:
        assert {"id", "prompt", "reference", "answer", "scores", "reasons", "pass"} <= set(row)
        rec = next(r for r in eval_records if r.id == row["id"])
        assert row["topic"] == rec.meta.plan["topic"] and row["task"] == rec.task
        assert row["pass"] is (row["topic"] in ("refunds", "tents"))
        if rec.task == "qa":
            assert row["prompt"] == rec.fields["instruction"] and row["reference"] == rec.fields["output"]
            assert set(row["scores"]) == {"correctness", "faithfulness", "overall"}
            assert set(row["reasons"]) == {"correctness", "faithfulness"}
        else:
            assert (
                row["prompt"]
                == f"Classify the text. Labels: return_request, refund_status.\n\n{rec.fields['text']}"
            )
            assert row["reference"] == rec.fields["label"] and set(row["scores"]) == {"exact_match"}
    assert len(judge.calls) == 4  # the qa records only: classify is graded by exact match
    assert len(served.calls) == 6

    failures = _lines(out / "failures.jsonl")
    assert [f["id"] for f in failures] == [r["id"] for r in rows if r["pass"] is False]
    assert {f["topic"] for f in failures} == {"returns", "boots"}
    returns = next(f for f in failures if f["topic"] == "returns")
    assert returns["reasons"]["correctness"] == "gives 90 days where the reference says 30"
    assert returns["task"] == "qa" and returns["recipe"] == "faq-en" and returns["question_type"] == "how-to"
    assert returns["fields"]["output"] == returns["reference"]  # the whole eval record, for feedback
    boots = next(f for f in failures if f["topic"] == "boots")
    assert boots["reasons"]["exact_match"] == "expected 'refund_status', got 'return_request'"

    s = json.loads((out / "manifest.json").read_text())["eval"]
    assert (s["count"], s["passed"], s["below_threshold"], s["not_graded"], s["errors"]) == (6, 3, 3, 0, 0)
    qa_topics = s["by_task"]["qa"]["topics"]
    assert (qa_topics["returns"]["count"], qa_topics["returns"]["pass_rate"]) == (2, 0.0)
    assert qa_topics["returns"]["mean"] == {"correctness": 1, "faithfulness": 2}
    assert qa_topics["refunds"]["pass_rate"] == 1.0 and qa_topics["refunds"]["mean"]["correctness"] == 5
    assert s["by_task"]["qa"]["pass_rate"] == 0.5 and s["by_task"]["qa"]["mean"]["correctness"] == 3
    assert s["by_task"]["classify"]["topics"]["boots"]["mean"] == {"exact_match": 0}
    assert result.manifest["counts"] == {"attempted": 6, "accepted": 3, "rejected": 3, "failed": 0}
    assert result.manifest["reasons"]["below_threshold"]["records"] == 3


def test_the_same_eval_again_asks_nothing_and_a_partial_one_asks_only_what_is_missing(tmp_path: Path) -> None:
    pool, eval_records = _pool(tmp_path)
    out = tmp_path / "ev"
    # the served model fails two questions for good: they fail, the rest are graded and cached
    flaky = FakeBackend([RequestRejected("model overloaded")] * 2, default=served_answer)
    first = synthpipe.evaluate(
        pool=pool,
        model="ft",
        base_url="http://x/v1",
        out=out,
        backends={"served": flaky, "judge": _fakes()[1]},
    )
    assert first.summary["errors"] == 2 and len(first.failed) == 2
    failed_rows = [r for r in _lines(out / "results.jsonl") if "error" in r]
    assert len(failed_rows) == 2 and all(r["pass"] is None for r in failed_rows)

    served, judge = _fakes()
    second = synthpipe.evaluate(
        pool=pool, model="ft", base_url="http://x/v1", out=out, backends={"served": served, "judge": judge}
    )
    assert len(served.calls) == 2  # only the two that failed are asked again
    assert len(judge.calls) == sum(
        1 for r in second.rows if r["id"] in {f.id for f in first.failed} and r["task"] == "qa"
    )
    assert second.summary["errors"] == 0 and second.summary["count"] == 6

    dead, dead_judge = FakeBackend([]), FakeBackend([])  # any request would fail
    third = synthpipe.evaluate(
        pool=pool, model="ft", base_url="http://x/v1", out=out, backends={"served": dead, "judge": dead_judge}
    )
    assert dead.calls == [] and dead_judge.calls == []
    assert third.rows == second.rows
    assert third.manifest["usage_this_run"]["served"]["requests"] == 0
    assert third.manifest["usage_this_run"]["served"]["cache_hits"] == 6


def test_the_cli_over_http_prints_the_summary_and_asks_nothing_the_second_time(tmp_path: Path) -> None:
    pool, _ = _pool(tmp_path)

    def content(body: dict[str, Any]) -> str:
        if body["model"] == "judge-m":
            return json.dumps(judge_answer(body["messages"]))
        return served_answer(body["messages"])

    out = tmp_path / "ev"
    with ServerThread(latency=0.0, content=content) as srv:
        args = ["eval", "--pool", pool, "--model", "ft", "--base-url", srv.url, "--judge-model", "judge-m",
                "--judge-base-url", srv.url, "--out", out, "--no-progress"]  # fmt: skip
        res = invoke(*args)
        assert res.exit_code == 0, res.output + res.stderr
        asked = srv.server.count
        assert asked == 6 + 4  # six questions, four qa answers judged
        lines = res.output.splitlines()
        assert lines[0].startswith("evaluated 6 records of ") and "3 passed, 3 below threshold 3" in lines[0]
        header = next(i for i, x in enumerate(lines) if x.startswith("task"))
        assert lines[header].split() == [
            "task",
            "topic",
            "n",
            "correctness",
            "faithfulness",
            "exact_match",
            "pass",
        ]
        table = {tuple(x.split()[:2]): x.split() for x in lines[header + 1 : header + 9]}
        assert table[("qa", "returns")][-1] == "0%" and table[("qa", "refunds")][-1] == "100%"
        assert table[("classify", "tents")][-1] == "100%" and table[("classify", "boots")][-1] == "0%"
        assert f"synthpipe feedback {out / 'failures.jsonl'} --recipe RECIPE" in res.output
        before = (out / "results.jsonl").read_text()

        again = invoke(*args)
        assert again.exit_code == 0, again.output
        assert srv.server.count == asked  # nothing asked twice
        assert (
            "served: 0 requests, 6 cached" in again.output and "judge: 0 requests, 4 cached" in again.output
        )
        assert (out / "results.jsonl").read_text() == before


def test_a_data_file_of_dialogues_and_labels_is_asked_what_it_was_trained_on(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    rows = [
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi, my boots leak."},
                      {"role": "assistant", "content": "Sorry! Since when?"}, {"role": "user", "content": "Day one."},
                      {"role": "assistant", "content": "Report it within 7 days with a photo."}]},
        {"text": "Where is my refund?", "label": "refund_status"},
        {"messages": [{"role": "user", "content": "Hello?"}]},  # no assistant turn: cannot be asked
    ]  # fmt: skip
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    served = FakeBackend(["Report it within a week, with a photo.", "refund_status"])
    judge = FakeBackend(
        [{"correctness": 4, "faithfulness": 5, "correctness_reason": "a", "faithfulness_reason": "b"}]
    )
    result = synthpipe.evaluate(
        data, model="ft", base_url="http://x/v1", labels=["return_request", "refund_status"],
        backends={"served": served, "judge": judge},
    )  # fmt: skip
    assert result.out_dir is None
    assert served.calls[0][0] == rows[0]["messages"][:4] and served.calls[0][1] is None
    assert served.calls[1][0][0]["content"].startswith(
        "Classify the text. Labels: return_request, refund_status."
    )
    dialogue, label, unusable = result.rows
    assert dialogue["reference"] == "Report it within 7 days with a photo." and dialogue["pass"] is True
    assert dialogue["prompt"].startswith("system: Be brief.\nuser: Hi, my boots leak.")
    assert label["pass"] is True and label["scores"] == {"exact_match": 1}
    assert unusable["pass"] is None and unusable["not_graded"].startswith("eval_unusable: a dialogue needs")
    assert result.summary["not_graded"] == 1
    judge_prompt = judge.calls[0][0][0]["content"]
    assert "<reference_answer>\nReport it within 7 days with a photo.\n</reference_answer>" in judge_prompt
    assert set(judge.calls[0][1]["required"]) == {
        "correctness",
        "faithfulness",
        "correctness_reason",
        "faithfulness_reason",
    }


def test_chinese_records_get_the_chinese_judge_prompt(tmp_path: Path) -> None:
    rows = [{"instruction": "新员工入职一般需要多久？", "output": "入职手续一般需要 3 个工作日。"}]
    judge = FakeBackend(
        [
            {
                "correctness": 2,
                "faithfulness": 2,
                "correctness_reason": "天数不对",
                "faithfulness_reason": "编造",
            }
        ]
    )
    result = synthpipe.evaluate(
        rows, model="ft", base_url="http://x/v1", backends={"served": FakeBackend(["五天。"]), "judge": judge}
    )
    assert "参考答案" in judge.calls[0][0][0]["content"]
    assert result.failures[0]["reasons"] == {"correctness": "天数不对", "faithfulness": "编造"}


def test_classify_alone_needs_no_judge(tmp_path: Path) -> None:
    rows = [{"text": t, "label": "refund_status"} for t in BOOTS]
    served = FakeBackend(['{"label": "refund_status"}', "It is refund_status or return_request."])
    labels = ["return_request", "refund_status"]
    result = synthpipe.evaluate(
        rows, model="ft", base_url="http://x/v1", labels=labels, backends={"served": served}
    )
    assert "judge" not in result.manifest["models"] and result.manifest["stages"]["grade"]["judge"] is None
    assert [r["pass"] for r in result.rows] == [True, False]  # naming two labels is no answer
    assert result.rows[1]["predicted"] is None


# --- eval: bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--base-url", "http://127.0.0.1:9/v1"], "--model missing: name the served model"),
        (["--model", "ft"], "--base-url missing"),
        ([], "--model and --base-url missing"),
        (["--model", "ft", "--base-url", "http://x/v1", "--judge-model", "j"], "--judge-model and --judge-base-url go together"),
    ],
)  # fmt: skip
def test_eval_without_the_served_model_is_an_error(tmp_path: Path, args: list[str], fragment: str) -> None:
    pool, _ = _pool(tmp_path)
    out = tmp_path / "ev"
    one_error(invoke("eval", "--pool", pool, *args, "--out", out), fragment)
    assert not out.exists()


def test_eval_of_a_pool_without_an_eval_split_is_an_error(tmp_path: Path) -> None:
    pool, _ = _pool(tmp_path, split=False)
    out = tmp_path / "ev"
    res = invoke("eval", "--pool", pool, "--model", "ft", "--base-url", "http://x/v1", "--out", out)
    one_error(res, "the pool has no train/eval split")
    assert f"synthpipe pool split --pool {pool} --eval 0.1" in res.stderr
    assert not out.exists()


@pytest.mark.parametrize("content", ["", "\n\n"])
def test_eval_of_an_empty_source_is_an_error(tmp_path: Path, content: str) -> None:
    data = tmp_path / "empty.jsonl"
    data.write_text(content, encoding="utf-8")
    out = tmp_path / "ev"
    one_error(
        invoke("eval", data, "--model", "ft", "--base-url", "http://x/v1", "--out", out),
        "no records to evaluate",
    )
    assert not out.exists()


def test_eval_of_a_bad_line_or_a_folder_that_is_no_run_is_an_error(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps(qa(0)) + "\n{not json\n", encoding="utf-8")
    out = tmp_path / "ev"
    one_error(invoke("eval", data, "--model", "ft", "--base-url", "http://x/v1", "--out", out), f"{data}:2: ")
    folder = tmp_path / "nothing"
    folder.mkdir()
    one_error(
        invoke("eval", folder, "--model", "ft", "--base-url", "http://x/v1", "--out", out),
        "not a run directory",
    )
    pool, _ = _pool(tmp_path)
    one_error(invoke("eval", data, "--pool", pool, "--model", "ft", "--base-url", "http://x/v1"), "not both")
    assert not out.exists()


# --- a real server -------------------------------------------------------------------------------------
@pytest.mark.model
def test_llama_cpp_server_as_the_served_model_and_the_judge(llama_server_url: str, tmp_path: Path) -> None:
    data = tmp_path / "eval.jsonl"
    rows = [qa(0), qa(2), {"text": TENTS[0], "label": "return_request"}]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "ev"
    args = ["eval", data, "--model", "smollm2", "--base-url", llama_server_url, "--judge-model", "smollm2",
            "--judge-base-url", llama_server_url, "--labels", "return_request,refund_status",
            "--max-tokens", "64", "--out", out, "--no-progress"]  # fmt: skip
    res = invoke(*args)
    assert res.exit_code == 0, res.output + res.stderr
    results = _lines(out / "results.jsonl")
    assert len(results) == 3 and all(isinstance(r["answer"], str) for r in results)
    for r in results[:2]:  # a 135M judge may write anything; what it wrote is graded or said unreadable
        graded = r["pass"] in (True, False) and set(r["scores"]) == {"correctness", "faithfulness", "overall"}
        unreadable = r["pass"] is None and r.get("not_graded", "").startswith("judge_unparseable")
        assert graded or unreadable, r
    assert results[2]["pass"] in (True, False) and "exact_match" in results[2]["scores"]
    failures = _lines(out / "failures.jsonl")
    assert [f["id"] for f in failures] == [r["id"] for r in results if r["pass"] is False]
    again = invoke(*args)
    assert again.exit_code == 0 and "served: 0 requests, 3 cached" in again.output
    assert _lines(out / "results.jsonl") == results


def test_the_embedded_judge_comes_with_a_warning_and_a_split_needs_a_pool(tmp_path: Path) -> None:
    from synthpipe.api.evaluate import prepare_evaluate

    job, _, total = prepare_evaluate([qa(0)], model="ft", base_url="http://x/v1")
    assert total == 1 and "too small to grade answers reliably" in job.warnings[0]
    job, _, _ = prepare_evaluate([{"text": "t", "label": "a"}], model="ft", base_url="http://x/v1")
    assert job.warnings == []  # classify alone: no judge at all
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps(qa(0)) + "\n", encoding="utf-8")
    res = invoke(
        "eval", data, "--split", "eval", "--model", "ft", "--base-url", "http://x/v1", "--out", tmp_path / "o"
    )
    one_error(res, "--split eval: ")
    assert "splits exist only in a pool" in res.stderr and not (tmp_path / "o").exists()


def test_kill_9_during_eval_then_the_same_command_asks_only_what_was_not_answered(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from .test_augment_models import _cache_rows as rows
    from .test_resume_kill import ServerThread

    verdict = {"correctness": 4, "faithfulness": 4, "correctness_reason": "ok", "faithfulness_reason": "ok"}

    data = tmp_path / "eval.jsonl"
    data.write_text(
        "".join(
            json.dumps({"instruction": f"How many days of leave does plan {i} give?", "input": "",
                        "output": f"Plan {i} gives {10 + i} days."}) + "\n"
            for i in range(60)
        ),
        encoding="utf-8",
    )  # fmt: skip
    with ServerThread(latency=0.1, content=lambda body: json.dumps(verdict)) as srv:
        out = tmp_path / "ev"
        cmd = [sys.executable, "-m", "synthpipe", "eval", str(data), "--model", "m", "--base-url", srv.url,
               "--judge-model", "j", "--judge-base-url", srv.url, "--out", str(out), "--no-progress",
               "--max-in-flight", "4"]  # fmt: skip
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        kill_9_when(proc, lambda: rows(out / "cache.sqlite") >= 40, "eval", poll=0.05)
        answered, before = rows(out / "cache.sqlite"), len(srv.server.requests)
        assert 0 < answered < 120
        res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stdout + res.stderr
        total = rows(out / "cache.sqlite")
        # every request of the second run had not been answered before: each added a cache row
        assert len(srv.server.requests) - before == total - answered and total == 120
    results = _lines(out / "results.jsonl")
    assert len(results) == 60 and all(r["pass"] is True for r in results)
