"""The judge probe (issue 12's judge work): before a judge's scores may reject, it must tell a known good
record from a known bad one of the recipe's kind and language; a judge that scores everything alike
flags instead of rejecting, warns as it goes, and is left out when another judge passes. The rest of
the judge's tests are in tests/test_judge.py."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import synthpipe
from synthpipe.backends.fake import FakeBackend
from synthpipe.cache import CachedModel
from synthpipe.cli import cli
from synthpipe.core.records import Meta, Record
from synthpipe.stages.base import StageContext
from synthpipe.stages.judge import JudgeStage, probe_messages
from synthpipe.stages.judge_probe import probe_pair, probe_result
from synthpipe.tasks import get_task

from .conftest import qa
from .test_judge import SOURCE, judge_recipe, judging, record, verdict

# --- the probe: a judge that cannot tell good from bad does not reject --------------------------------


def six_clean_records(tmp_path: Path) -> Path:
    data = tmp_path / "faq.jsonl"
    data.write_text("".join(json.dumps(qa(i)) + "\n" for i in range(6)), encoding="utf-8")
    return data


def test_a_judge_scoring_everything_alike_fails_the_probe_and_flags_instead_of_rejecting(
    tmp_path: Path,
) -> None:
    heard: list[str] = []
    fake = FakeBackend(default=verdict(1, "excellent"))  # what the embedded 135M model does
    result = synthpipe.judge(
        six_clean_records(tmp_path),
        task="qa",
        language="en",
        backends={"judge": fake},
        out=tmp_path / "out",
        on_warning=heard.append,
    )
    m = result.manifest
    assert m["counts"] == {"attempted": 6, "accepted": 6, "rejected": 0, "failed": 0}
    assert all(r.meta.scores["overall"] == 1 for r in result.accepted)  # the scores are kept
    assert all([f.code for f in r.meta.flags] == ["judge_unreliable"] for r in result.accepted)
    assert "1.00 < 3.5, not rejected" in result.accepted[0].meta.flags[0].detail
    assert m["flags"] == {"judge_unreliable": {"records": 6, "occurrences": 6}}
    probe = m["stages"]["judge"]["probe"]["judge"]
    assert {k: probe[k] for k in ("good", "bad", "passed", "action")} == {
        "good": 1.0,
        "bad": 1.0,
        "passed": False,
        "action": "flag",
    }
    assert "below the threshold 3.5" in probe["why"] and "less than 1 apart" in probe["why"]
    assert m["stages"]["judge"]["on_unreliable"] == "flag"
    (failed_probe,) = [w for w in m["warnings"] if "failed the probe" in w]
    assert "judge `judge` (fake)" in failed_probe and "judge.on_unreliable: reject" in failed_probe
    assert any("gave all 6 records the same overall score 1" in w for w in m["warnings"])
    assert heard == m["warnings"]  # the terminal hears what the manifest keeps
    on_disk = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk["stages"]["judge"]["probe"] == m["stages"]["judge"]["probe"]
    assert on_disk["warnings"] == m["warnings"]


def test_a_run_with_an_undiscriminating_judge_warns_as_it_goes_and_rejects_nothing(
    write_recipe, tmp_path: Path
) -> None:
    _, recipe = write_recipe(
        count=5,
        models={"generator": {"backend": "fake"}, "judge": {"backend": "fake"}},
        judge={"enabled": True},
    )
    heard: list[str] = []
    gen = FakeBackend([qa(i) for i in range(5)], max_in_flight=1)
    judge = FakeBackend(default=verdict(1, "excellent"))
    m = synthpipe.run(
        recipe, tmp_path / "out", backends={"generator": gen, "judge": judge}, on_warning=heard.append
    ).manifest
    assert m["counts"]["accepted"] == 5 and "judge_low_score" not in m["reasons"]
    assert m["flags"]["judge_unreliable"]["records"] == 5
    assert m["stages"]["judge"]["probe"]["judge"]["action"] == "flag"
    assert [w for w in heard if "failed the probe" in w] == [
        w for w in m["warnings"] if "failed the probe" in w
    ]
    assert any("failed the probe" in w for w in heard)


def test_on_unreliable_reject_rejects_on_the_scores_anyway_but_still_warns(
    write_recipe, tmp_path: Path
) -> None:
    path = judge_recipe(write_recipe, on_unreliable="reject").path
    result = synthpipe.judge(
        six_clean_records(tmp_path),
        recipe=path,
        backends={"judge": FakeBackend(default=verdict(1, "excellent"))},
    )
    m = result.manifest
    assert m["counts"]["rejected"] == 6 and m["reasons"] == {
        "judge_low_score": {"records": 6, "occurrences": 6}
    }
    assert not m["flags"]
    probe = m["stages"]["judge"]["probe"]["judge"]
    assert probe["passed"] is False and probe["action"] == "reject"
    assert any("failed the probe" in w and "still reject" in w for w in m["warnings"])


def test_a_discriminating_judge_passes_the_probe_and_low_scores_reject(tmp_path: Path) -> None:
    answers = [verdict(s) for s in (5, 2, 4, 1, 5, 3)]
    result = synthpipe.judge(
        six_clean_records(tmp_path),
        task="qa",
        language="en",
        backends={"judge": judging(answers, good=4, bad=2, max_in_flight=1)},
    )
    m = result.manifest
    assert m["counts"]["accepted"] == 3 and m["reasons"] == {
        "judge_low_score": {"records": 3, "occurrences": 3}
    }
    assert m["stages"]["judge"]["probe"] == {
        "judge": {"good": 4.0, "bad": 2.0, "passed": True, "action": "reject"}
    }
    assert not m["flags"] and not m["warnings"]


def test_the_probe_is_asked_once_and_a_rerun_finds_it_in_the_cache(tmp_path: Path) -> None:
    data, out = six_clean_records(tmp_path), tmp_path / "out"
    first = synthpipe.judge(
        data, task="qa", language="en", backends={"judge": judging([verdict(4)] * 6)}, out=out
    )
    assert first.manifest["usage_this_run"]["judge"]["requests"] == 6 + 2
    again = synthpipe.judge(data, task="qa", language="en", backends={"judge": FakeBackend()}, out=out)
    assert again.manifest["usage_this_run"]["judge"]["requests"] == 0  # an empty fake: nothing asked
    assert again.manifest["stages"]["judge"]["probe"] == first.manifest["stages"]["judge"]["probe"]


def test_a_judge_that_fails_the_probe_is_left_out_when_another_passes(write_recipe) -> None:
    recipe = judge_recipe(write_recipe, ("good_judge", "flat_judge"), aggregation="min")
    fakes = {
        "good_judge": judging([verdict(5), verdict(2, "wrong window")]),
        "flat_judge": FakeBackend(default=verdict(1, "excellent")),
    }
    warned: list[str] = []

    async def go() -> tuple[list[Record], dict[str, Any]]:
        stage = JudgeStage(recipe)
        await stage.open(
            StageContext(model=lambda name: CachedModel(fakes[name], None, name=name), warn=warned.append)
        )
        recs = [record(), record()]
        for rec in recs:
            await stage.process([rec])
        return recs, await stage.close()

    (ok, low), info = asyncio.run(go())
    assert ok.ok and ok.meta.scores["overall"] == 5 and not ok.meta.flags
    assert ok.meta.scores["judge"]["left_out"] == ["flat_judge"]
    assert ok.meta.scores["judge"]["by_model"]["flat_judge"]["overall"] == 1  # asked, kept, not counted
    assert [r.code for r in low.meta.reasons] == ["judge_low_score"] and "wrong window" in low.meta.reasons[
        0
    ].detail
    assert {n: p["action"] for n, p in info["probe"].items()} == {
        "good_judge": "reject",
        "flat_judge": "left_out",
    }
    assert len(warned) == 1 and "judge `flat_judge`" in warned[0] and "left out of the vote" in warned[0]


@pytest.mark.parametrize(("n", "warns"), [(5, True), (4, False)])
async def test_every_record_with_the_same_score_is_a_warning(write_recipe, n: int, warns: bool) -> None:
    recipe = judge_recipe(write_recipe)
    fake = judging([verdict(4)] * n)  # passes the probe, then says 4 to everything
    warned: list[str] = []
    stage = JudgeStage(recipe)
    await stage.open(StageContext(model=lambda name: CachedModel(fake, None, name=name), warn=warned.append))
    for i in range(n):
        await stage.process([Record(f"r{i}", qa(i), Meta(task="qa"))])
    info = await stage.close()
    assert info["probe"]["judge"]["passed"] is True
    assert warned == (
        [
            f"judge `judge` gave all {n} records the same overall score 4: it is not telling them "
            "apart — read a few by hand, or use a stronger judge model"
        ]
        if warns
        else []
    )


async def test_different_scores_are_no_warning(write_recipe) -> None:
    recipe = judge_recipe(write_recipe)
    fake = judging([verdict(4)] * 5 + [verdict(5)])
    warned: list[str] = []
    stage = JudgeStage(recipe)
    await stage.open(StageContext(model=lambda name: CachedModel(fake, None, name=name), warn=warned.append))
    for i in range(6):
        await stage.process([Record(f"r{i}", qa(i), Meta(task="qa"))])
    await stage.close()
    assert warned == []


@pytest.mark.parametrize(
    ("good", "bad", "threshold", "passed"),
    [
        (5.0, 1.0, 3.5, True),
        (4.2, 3.2, 3.5, True),  # exactly 1 apart, in spite of float rounding
        (4.2, 3.4, 3.5, False),  # less than 1 apart
        (3.4, 1.0, 3.5, False),  # the good record would be rejected
        (1.0, 1.0, 1.0, False),  # everything alike passes a threshold of 1, but tells nothing
        (None, 1.0, 3.5, False),  # unreadable
    ],
)
def test_probe_rule(good: float | None, bad: float | None, threshold: float, passed: bool) -> None:
    assert probe_result(good, bad, threshold).passed is passed


@pytest.mark.parametrize("task", ["qa", "summarize", "rewrite", "classify", "dialogue"])
@pytest.mark.parametrize("language", ["en", "zh"])
def test_probe_records_for_every_kind_in_the_recipe_language(write_recipe, task: str, language: str) -> None:
    labels = {"labels": ["billing", "shipping"]} if task == "classify" else {}
    _, recipe = write_recipe(
        task=task,
        language=language,
        sources=[{"text": SOURCE}],
        models={"generator": {}, "judge": {"backend": "fake"}},
        judge={"enabled": True, "task_points": ["names the order number"]},
        **labels,
    )
    stage = JudgeStage(recipe)
    good, bad = (probe_messages(recipe, stage.criteria, w)[-1]["content"] for w in ("good", "bad"))
    pair = probe_pair(task, language)
    assert good != bad and pair is not None
    for prompt, fields in ((good, pair.good), (bad, pair.bad)):
        assert all(text in prompt for _, text in get_task(task).parts(fields))
        assert ("评分标准" in prompt) is (language == "zh")
        assert (
            pair.source in prompt and SOURCE not in prompt
        )  # faithfulness is scored on the probe's own source
        assert (
            "names the order number" not in prompt and "billing" not in prompt
        )  # the recipe's context stays out
    if task == "classify":
        assert (
            pair.good["label"] == pair.bad["label"] and pair.labels[0] in good
        )  # the bad one is mislabelled


@pytest.mark.model
def test_the_embedded_judge_fails_the_probe_and_rejects_nothing_silently(tmp_path: Path) -> None:
    data, out = six_clean_records(tmp_path), tmp_path / "judged"
    result = CliRunner().invoke(cli, ["judge", str(data), "--task", "qa", "--out", str(out)])
    assert result.exit_code == 0, result.output
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    probe = m["stages"]["judge"]["probe"]["judge"]
    assert probe["passed"] is False and probe["action"] == "flag", probe
    assert "judge_low_score" not in m["reasons"] and m["counts"]["accepted"] == 6
    assert m["flags"]["judge_unreliable"]["records"] == 6
    assert any("failed the probe" in w for w in m["warnings"])
    assert "warning: judge `judge` (" in result.output and "failed the probe" in result.output
