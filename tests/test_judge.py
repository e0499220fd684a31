"""The LLM judge: rubric prompt and schema, threshold, aggregation over several judges, unreadable
answers; through the stage, the pipeline and the `judge` command. Fake models for the logic, the real
embedded model (and a real llama.cpp server) for the structure of real answers."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import synthpipe
from synthpipe.backends.base import Completion
from synthpipe.backends.fake import FakeBackend
from synthpipe.cache import CachedModel
from synthpipe.cli import cli
from synthpipe.core.errors import RecipeError, ServerError
from synthpipe.core.records import Meta, Record
from synthpipe.engine.presets import PRESETS, build_stages
from synthpipe.stages.describe import describe_prompts
from synthpipe.stages.judge import JudgeStage, parse_verdict
from synthpipe.stages.judge_probe import probe_pair
from synthpipe.tasks import get_task

from .conftest import open_stage, qa

CRITERIA = ["accuracy", "structure", "fabrication", "style", "task"]
SOURCE = "Returns are accepted within 30 days of delivery. Refunds take 5 business days."


def verdict(score: int | list[int], reason: str = "fine") -> dict[str, Any]:
    scores = score if isinstance(score, list) else [score] * len(CRITERIA)
    return {**dict(zip(CRITERIA, scores, strict=True)), "reason": reason}


def judge_recipe(write_recipe, judges: tuple[str, ...] = ("judge",), **judge: Any):
    models = {"generator": {"backend": "fake"}, **{j: {"backend": "fake", "max_tokens": 150} for j in judges}}
    return write_recipe(models=models, judge={"enabled": True, "models": list(judges), **judge})[1]


def probe_side(prompt: str, task: str = "qa", language: str = "en") -> str | None:
    """`good` or `bad` when `prompt` is the judge probe's record of that kind, else None."""
    pair = probe_pair(task, language)
    assert pair is not None
    for side, fields in (("good", pair.good), ("bad", pair.bad)):
        if all(text in prompt for _, text in get_task(task).parts(fields)):
            return side
    return None


def judging(answers: list[Any] = (), good: int = 5, bad: int = 1, **kw: Any) -> FakeBackend:
    """A fake judge that tells the probe's records apart (every criterion `good` or `bad`) and answers
    the records with `answers`, in order."""
    queue = deque(answers)

    def answer(messages: Any, schema: Any) -> Any:
        side = probe_side(messages[-1]["content"])
        if side is not None:
            score = good if side == "good" else bad
            return {c: score for c in schema["required"] if c != "reason"} | {"reason": f"probe {side}"}
        return queue.popleft()

    return FakeBackend(default=answer, **kw)


def record_calls(fake: FakeBackend) -> list[Any]:
    """The fake's calls about records, the probe's left out."""
    return [c for c in fake.calls if probe_side(c[0][-1]["content"]) is None]


async def stage_with(recipe, answers: dict[str, list[Any]], threshold: float | None = None):
    fakes = {name: judging(a) for name, a in answers.items()}
    stage = await open_stage(
        JudgeStage(recipe, threshold), lambda name: CachedModel(fakes[name], None, name=name)
    )
    return stage, fakes


def record(**kw: str) -> Record:
    return Record("r1", qa(1, **kw), Meta(task="qa"))


async def test_high_score_passes_with_scores_and_the_rubric_prompt(write_recipe) -> None:
    recipe = judge_recipe(write_recipe)
    stage, fakes = await stage_with(recipe, {"judge": [verdict([5, 4, 5, 4, 5], "clear and correct")]})
    rec = record()
    await stage.process([rec])
    assert rec.ok
    j = rec.meta.scores["judge"]
    assert {c: j[c] for c in CRITERIA} == dict(zip(CRITERIA, [5, 4, 5, 4, 5], strict=True))
    assert j["overall"] == rec.meta.scores["overall"] == 4.6
    assert j["reason"] == "clear and correct" and j["by_model"]["judge"]["overall"] == 4.6
    ((messages, schema, options),) = record_calls(fakes["judge"])
    prompt = messages[-1]["content"]
    assert rec.fields["output"] in prompt and rec.fields["instruction"] in prompt
    assert "fabrication: 5 = nothing invented" in prompt
    assert schema["required"] == [*CRITERIA, "reason"]
    assert schema["properties"]["accuracy"] == {"type": "integer", "enum": [1, 2, 3, 4, 5]}
    assert options.max_tokens == 150


async def test_low_score_rejects_with_the_judges_reason(write_recipe) -> None:
    recipe = judge_recipe(write_recipe)
    stage, _ = await stage_with(recipe, {"judge": [verdict([2, 3, 1, 3, 2], "invents a 60-day window")]})
    rec = record()
    await stage.process([rec])
    assert [r.code for r in rec.meta.reasons] == ["judge_low_score"]
    detail = rec.meta.reasons[0].detail
    assert "2.20 < 3.5" in detail and "invents a 60-day window" in detail
    assert rec.meta.reasons[0].stage == "judge" and rec.meta.scores["overall"] == 2.2


async def test_threshold_override_from_the_command(write_recipe) -> None:
    recipe = judge_recipe(write_recipe)
    stage, _ = await stage_with(recipe, {"judge": [verdict(3)]}, threshold=2.5)
    rec = record()
    await stage.process([rec])
    assert rec.ok


@pytest.mark.parametrize(
    ("how", "scores", "passes", "overall"),
    [
        ("mean", [5, 2], True, 3.5),  # (5 + 2) / 2 reaches 3.5
        ("min", [5, 2], False, 2.0),  # the strictest judge decides
        ("majority", [5, 2], True, 3.5),  # 1 of 2: a tie, settled by the mean
        ("majority", [4, 4, 1], True, 3.0),  # 2 of 3 pass although the mean does not
        ("majority", [5, 3, 3], False, 3.667),  # 1 of 3 pass although the mean does
        ("mean", [4, 4, 1], False, 3.0),
    ],
)
async def test_aggregation_across_judges(
    write_recipe, how: str, scores: list[int], passes: bool, overall: float
) -> None:
    names = tuple(f"j{i}" for i in range(len(scores)))
    recipe = judge_recipe(write_recipe, names, aggregation=how)
    stage, fakes = await stage_with(
        recipe, {n: [verdict(s, f"says {s}")] for n, s in zip(names, scores, strict=True)}
    )
    rec = record()
    await stage.process([rec])
    assert rec.ok is passes
    assert rec.meta.scores["overall"] == overall
    assert set(rec.meta.scores["judge"]["by_model"]) == set(names)
    assert all(len(record_calls(f)) == 1 for f in fakes.values())
    if not passes:
        assert f"says {min(scores)}" in rec.meta.reasons[0].detail  # the harshest judge's reason


@pytest.mark.parametrize(
    "answer",
    [
        "The answer looks good to me, I would give it a 4.",
        {"accuracy": 7, "structure": 4, "fabrication": 4, "style": 4, "task": 4, "reason": "x"},
        {"accuracy": True, "structure": 4, "fabrication": 4, "style": 4, "task": 4, "reason": "x"},
        {"accuracy": 4, "reason": "missing the rest"},
    ],
)
async def test_unreadable_judge_answer_rejects_and_keeps_the_raw_text(write_recipe, answer: Any) -> None:
    recipe = judge_recipe(write_recipe)
    stage, _ = await stage_with(recipe, {"judge": [answer]})
    rec = record()
    await stage.process([rec])
    assert [r.code for r in rec.meta.reasons] == ["judge_unparseable"]
    raw = answer if isinstance(answer, str) else json.dumps(answer)
    assert raw in rec.meta.extra["judge_raw"]["judge"]
    assert "overall" not in rec.meta.scores


async def test_one_unreadable_judge_of_two_is_left_out_and_flagged(write_recipe) -> None:
    recipe = judge_recipe(write_recipe, ("j0", "j1"))
    stage, _ = await stage_with(recipe, {"j0": ["no idea"], "j1": [verdict(4)]})
    rec = record()
    await stage.process([rec])
    assert rec.ok and rec.meta.scores["overall"] == 4
    assert [f.code for f in rec.meta.flags] == ["judge_unparseable"]
    assert list(rec.meta.scores["judge"]["by_model"]) == ["j1"]


def test_reply_cut_inside_the_reason_keeps_its_scores() -> None:
    text = '{"accuracy": 4, "structure": 5, "fabrication": 4, "style": 3, "task": 4, "reason": "The answer is cor'
    v = parse_verdict(text, CRITERIA)
    assert [v[c] for c in CRITERIA] == [4, 5, 4, 3, 4] and v["reason"].startswith("The answer is cor")
    assert (
        parse_verdict(
            '```json\n{"accuracy": "4", "structure": 4.0, "fabrication": 4, "style": 4, "task": 4}\n```',
            CRITERIA,
        )["overall"]
        == 4
    )


async def test_backend_error_propagates_to_the_caller(write_recipe) -> None:
    recipe = judge_recipe(write_recipe)
    stage, _ = await stage_with(recipe, {"judge": [ServerError("HTTP 503 from http://127.0.0.1:1/v1")]})
    with pytest.raises(ServerError):
        await stage.process([record()])


async def test_judge_sees_the_source_and_scores_faithfulness(write_recipe) -> None:
    _, recipe = write_recipe(
        sources=[{"text": SOURCE}],
        models={"generator": {}, "judge": {"backend": "fake"}},
        judge={"enabled": True, "task_points": ["states the time limit"]},
    )
    fake = judging([verdict([5, 5, 5, 5, 5]) | {"faithfulness": 2}])
    stages = build_stages(PRESETS["judge"], recipe)
    assert [s.name for s in stages] == ["rules", "ground", "judge"]
    rec = record(output="Returns are accepted within 30 days of delivery.")
    for stage in stages:
        await open_stage(stage, lambda name: CachedModel(fake, None, name=name))
        await stage.process([rec])
    ((messages, schema, _),) = record_calls(fake)
    assert SOURCE in messages[-1]["content"] and "states the time limit" in messages[-1]["content"]
    assert "faithfulness" in schema["required"]
    assert rec.meta.scores["judge"]["faithfulness"] == 2 and rec.meta.scores["overall"] == 4.5


def test_bad_criterion_name_is_a_recipe_error(write_recipe) -> None:
    _, recipe = write_recipe(
        models={"generator": {}, "judge": {"backend": "fake"}},
        judge={"enabled": True, "criteria": ["accuracy", "reason"]},
    )
    with pytest.raises(RecipeError, match=r"judge\.criteria\[1\]"):
        build_stages(PRESETS["judge"], recipe)


def test_prompts_show_the_judge_prompt_in_the_recipe_language(write_recipe) -> None:
    path, recipe = write_recipe(
        language="zh",
        topics=["退货"],
        sources=[{"text": "签收后 30 天内可以退货。"}],
        models={"generator": {}, "judge": {"backend": "fake"}},
        judge={"enabled": True},
    )
    ((title, messages),) = describe_prompts(recipe)
    assert title.startswith("judge prompt") and "faithfulness" in title
    text = messages[-1]["content"]
    assert "评分标准" in text and "签收后 30 天内可以退货。" in text and "<生成的回答>" in text
    result = CliRunner().invoke(cli, ["prompts", str(path)])
    assert result.exit_code == 0, result.output
    assert "===== judge prompt" in result.output and "评分标准" in result.output


def test_pipeline_rejects_low_scores_and_keeps_the_overall_score(write_recipe, tmp_path: Path) -> None:
    _, recipe = write_recipe(
        count=3,
        models={"generator": {"backend": "fake"}, "judge": {"backend": "fake"}},
        judge={"enabled": True, "threshold": 4},
    )
    gen = FakeBackend([qa(i) for i in range(3)], max_in_flight=1)
    judge = judging([verdict(5, "good"), verdict(2, "vague"), verdict(4, "ok")])
    manifest = synthpipe.run(recipe, tmp_path / "out", backends={"generator": gen, "judge": judge}).manifest
    assert manifest["counts"]["accepted"] == 2
    assert manifest["reasons"] == {"judge_low_score": {"records": 1, "occurrences": 1}}
    assert manifest["stages"]["judge"]["threshold"] == 4
    rows = [
        json.loads(x) for x in (tmp_path / "out" / "rejected.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert rows[0]["meta"]["scores"]["overall"] == 2 and "vague" in rows[0]["meta"]["reasons"][0]["detail"]
    assert manifest["usage"]["judge"]["requests"] == 3 + 2  # the probe's good and bad record
    assert manifest["stages"]["judge"]["probe"] == {
        "judge": {"good": 5.0, "bad": 1.0, "passed": True, "action": "reject"}
    }
    assert not manifest["warnings"] and not manifest["flags"]
    assert (tmp_path / "out" / "report.html").is_file()


# --- the `judge` command ---------------------------------------------------------------------------


def test_judge_command_errors_are_one_line_with_exit_2(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"text": "great", "label": "pos"}) + "\n", encoding="utf-8")
    runner = CliRunner()
    cases = [
        (["judge", str(tmp_path / "missing.jsonl"), "--task", "qa"], "file not found"),
        (["judge", str(data)], "--task is required"),
        (["judge", str(data), "--task", "classify"], "--labels positive,negative"),
        (["judge", str(data), "--task", "qa", "--model", "m"], "--model and --base-url go together"),
        (
            ["judge", str(data), "--task", "qa", "--api-key-env", "sk-abc123"],
            "NAME of an environment variable",
        ),
    ]
    for args, message in cases:
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("error: ") and message in result.output, result.output
        assert "sk-abc123" not in result.output


@pytest.mark.model
def test_embedded_judge_returns_integer_scores_and_a_reason(write_recipe) -> None:
    from synthpipe.backends.embedded import EmbeddedBackend

    _, recipe = write_recipe(
        models={"generator": {}, "judge": {"temperature": 0, "max_tokens": 150}}, judge={"enabled": True}
    )
    backend = EmbeddedBackend()
    rec = record()

    async def go() -> None:
        stage = await open_stage(JudgeStage(recipe), lambda name: CachedModel(backend, None, name=name))
        await stage.process([rec])

    asyncio.run(go())
    j = rec.meta.scores.get("judge")
    assert j is not None, rec.meta  # constrained decoding: a 135M model still answers in the schema
    for c in CRITERIA:
        assert isinstance(j[c], int) and 1 <= j[c] <= 5, (c, j)
    assert isinstance(j["reason"], str)
    assert 1 <= rec.meta.scores["overall"] <= 5
    assert (
        rec.ok or rec.meta.reasons[0].code == "judge_low_score"
    )  # low scores reject only after a passed probe
    assert rec.ok or not any(f.code == "judge_unreliable" for f in rec.meta.flags)


@pytest.mark.model
def test_judge_command_on_the_embedded_model_writes_all_outputs(tmp_path: Path) -> None:
    data = tmp_path / "faq.jsonl"
    rows = [qa(1), qa(2, output="TODO")]  # the second fails the rules before any model call
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "judged"
    result = CliRunner().invoke(
        cli, ["judge", str(data), "--task", "qa", "--out", str(out), "--min-score", "1"]
    )
    assert result.exit_code == 0, result.output
    for name in ("accepted.jsonl", "rejected.jsonl", "failed.jsonl", "manifest.json", "report.html"):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"] == {"attempted": 2, "accepted": 1, "rejected": 1, "failed": 0}
    assert (
        manifest["usage"]["judge"]["requests"] == 1 + 2  # the record, and the probe's good and bad record
        and manifest["models"]["judge"]["backend"] == "embedded"
    )
    accepted = json.loads((out / "accepted.jsonl").read_text(encoding="utf-8"))
    assert accepted["meta"]["line"] == 1 and 1 <= accepted["meta"]["scores"]["overall"] <= 5
    rejected = json.loads((out / "rejected.jsonl").read_text(encoding="utf-8"))
    assert rejected["meta"]["line"] == 2 and rejected["meta"]["reasons"][0]["code"] == "placeholder"
    again = CliRunner().invoke(
        cli, ["judge", str(data), "--task", "qa", "--out", str(out), "--min-score", "1"]
    )
    assert again.exit_code == 0
    again_manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert again_manifest["usage_this_run"]["judge"] == {
        "requests": 0,
        "cache_hits": 3,
        "prompt_tokens": 0,
        "completion_tokens": 0,
    }
    assert again_manifest["stages"]["judge"]["probe"] == manifest["stages"]["judge"]["probe"]


@pytest.mark.server
@pytest.mark.model
def test_judge_command_with_an_openai_compatible_server(
    tmp_path: Path,
    llama_server_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "faq.jsonl"
    data.write_text(json.dumps(qa(3)) + "\n", encoding="utf-8")
    monkeypatch.setenv("JUDGE_TEST_KEY", "sk-test-secret-value")
    out = tmp_path / "judged"
    result = CliRunner().invoke(
        cli,
        [
            "judge",
            str(data),
            "--task",
            "qa",
            "--out",
            str(out),
            "--model",
            "smollm2",
            "--base-url",
            llama_server_url,
            "--api-key-env",
            "JUDGE_TEST_KEY",
        ],
    )
    assert result.exit_code == 0, result.output
    manifest_text = (out / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(manifest_text)
    assert manifest["models"]["judge"]["backend"] == "openai" and manifest["usage"]["judge"]["requests"] == 3
    assert "sk-test-secret-value" not in manifest_text
    rows = [
        json.loads(x)
        for name in ("accepted.jsonl", "rejected.jsonl", "failed.jsonl")
        for x in (out / name).read_text(encoding="utf-8").splitlines()
    ]
    assert len(rows) == 1 and not rows[0]["meta"].get("error"), rows
    assert rows[0]["meta"]["scores"]["judge"]["by_model"]["judge"]["reason"] is not None


def test_completion_object_answers_are_accepted_by_the_fake(write_recipe) -> None:
    """The fake hands a Completion through untouched: a judge cut off by max_tokens is still parsed."""
    recipe = judge_recipe(write_recipe)
    cut = Completion(
        text='{"accuracy": 5, "structure": 5, "fabrication": 5, "style": 5, "task": 5, "reason": "go',
        finish_reason="length",
    )
    rec = record()

    async def go() -> None:
        stage, _ = await stage_with(recipe, {"judge": [cut]})
        await stage.process([rec])

    asyncio.run(go())
    assert rec.ok and rec.meta.scores["overall"] == 5


# --- judge --source ---------------------------------------------------------------------------------
def test_judge_with_source_grounds_the_answers_and_scores_faithfulness_to_that_document(
    tmp_path: Path,
) -> None:
    rows = [
        {
            "instruction": "How long do I have to return it?",
            "input": "",
            "output": "Within 30 days of delivery.",
        },
        {
            "instruction": "How long do I have to return it?",
            "input": "",
            "output": "You can return it within 30 days of delivery. I'm not going to do anything to help you "
            "with your return. I'm going to just let you keep your order and sell it to someone else.",
        },
    ]
    data = tmp_path / "answers.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    doc = tmp_path / "policy.md"
    doc.write_text(SOURCE, encoding="utf-8")

    def answer(messages: Any, schema: dict[str, Any] | None) -> dict[str, Any]:
        return {**dict.fromkeys((schema or {}).get("required", []), 5), "reason": "fine"}

    model = FakeBackend(default=answer, max_in_flight=4)
    res = synthpipe.judge(data, task="qa", language="en", sources=[doc], backends={"judge": model})
    assert list(res.manifest["stages"]) == ["rules", "ground", "judge"]
    assert [r.meta.line for r in res.accepted] == [1]
    assert [x.code for x in res.rejected[0].meta.reasons] == ["unsupported_sentence"]
    judged = [c for c in model.calls if "How long do I have to return it?" in str(c[0])]
    schema = judged[0][1] or {}
    assert "faithfulness" in schema["properties"] and SOURCE in str(judged[0][0])

    plain_model = FakeBackend(default=answer, max_in_flight=4)
    plain = synthpipe.judge(data, task="qa", language="en", backends={"judge": plain_model})
    assert list(plain.manifest["stages"]) == ["rules", "judge"] and plain.counts["accepted"] == 2
    assert all("faithfulness" not in (c[1] or {}).get("properties", {}) for c in plain_model.calls)

    missing = CliRunner().invoke(
        cli, ["judge", str(data), "--task", "qa", "--source", str(tmp_path / "no.md")]
    )
    assert missing.exit_code == 2 and "error: --source" in missing.stderr and "no such file" in missing.stderr
