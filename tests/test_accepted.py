"""`run --accepted N`: candidates are planned until exactly N are accepted, or a budget ends the run and
says which; a re-run continues toward the same target from the cache; bad input is refused first."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import synthpipe
from synthpipe.backends.fake import FakeBackend
from synthpipe.cli import cli

from .faultserver import varied_qa

TOPICS = [f"topic {i}" for i in range(400)]  # every candidate its own prompt, so its own answer


def answer(messages: Any, schema: Any) -> str:
    """A third of the prompts get an answer the rules reject (no output), the rest a distinct qa."""
    if hashlib.sha1(json.dumps(messages).encode()).digest()[0] % 3 == 0:
        return json.dumps({"instruction": "What is the return window?", "input": ""})
    return varied_qa({"messages": messages})


def _fake() -> FakeBackend:
    return FakeBackend(default=answer, max_in_flight=4)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]


def _run(recipe: Path, out: Path, backend: FakeBackend | None = None, **kw: Any) -> dict[str, Any]:
    return synthpipe.run(recipe, out, backends={"generator": backend or _fake()}, **kw).manifest


def test_reaches_exactly_n_accepted_when_some_candidates_are_rejected(tmp_path: Path, write_recipe) -> None:
    recipe, _ = write_recipe(topics=TOPICS)
    out = tmp_path / "out"
    m = _run(recipe, out, accepted=30)
    accepted = _lines(out / "accepted.jsonl")
    assert len(accepted) == 30 and m["counts"]["accepted"] == 30
    assert m["counts"]["rejected"] > 0  # it had to plan past 30 candidates
    t = m["target"]
    assert t["reached"] and t["stopped_by"] is None and t["accepted_so_far"] == 30
    assert t["candidates"] == 30 + m["counts"]["rejected"] + t["not_used"]
    ids = [r["id"] for r in accepted]
    assert len(set(ids)) == 30
    sample = {r["id"] for r in _lines(out / "review_sample.jsonl")}
    assert sample <= set(ids)


def test_the_same_target_again_asks_nothing_and_a_higher_one_continues_from_the_cache(
    tmp_path: Path, write_recipe
) -> None:
    recipe, _ = write_recipe(topics=TOPICS)
    out = tmp_path / "out"
    first = _fake()
    _run(recipe, out, first, accepted=10)
    again = FakeBackend([])  # answers nothing: a request would fail the record
    m = _run(recipe, out, again, accepted=10)
    assert again.calls == [] and m["target"]["reached"] and len(_lines(out / "accepted.jsonl")) == 10
    more = _fake()
    m = _run(recipe, out, more, accepted=25)
    assert len(_lines(out / "accepted.jsonl")) == 25 and m["target"]["reached"]
    # Candidates in flight after the 10th were answered then, not used: now they come from the cache.
    asked_before = {json.dumps(c[0]) for c in first.calls}
    assert not asked_before & {json.dumps(c[0]) for c in more.calls}


@pytest.mark.parametrize(
    ("option", "value"),
    [("max_candidates", 12), ("max_tokens", 1000), ("max_cost", 0.1)],
)
def test_each_budget_stops_the_run_and_says_so(
    tmp_path: Path, write_recipe, option: str, value: float
) -> None:
    recipe, _ = write_recipe(
        topics=TOPICS, models={"generator": {"backend": "fake", "prices": {"input": 100, "output": 100}}}
    )
    out = tmp_path / "out"
    m = _run(recipe, out, accepted=100, **{option: value})
    t = m["target"]
    assert not t["reached"] and t["stopped_by"] == option
    assert 0 < t["accepted_so_far"] < 100 == t["accepted"]
    assert len(_lines(out / "accepted.jsonl")) == t["accepted_so_far"]
    flag = "--" + option.replace("_", "-")
    assert (
        t["message"].startswith(f"stopped by {flag} ")
        and f"{t['accepted_so_far']} of 100 accepted" in t["message"]
    )
    if option == "max_candidates":
        assert t["candidates"] == 12
    else:  # waves sized by the cost per candidate: the run ends near the budget, not a wave past it
        spent = t["tokens"] if option == "max_tokens" else t["cost_usd"]
        assert value <= spent < 1.5 * value


def test_without_max_candidates_a_target_nothing_passes_still_ends(tmp_path: Path, write_recipe) -> None:
    recipe, _ = write_recipe(topics=TOPICS)
    bad = FakeBackend(default={"instruction": "only a question"})
    m = _run(recipe, tmp_path / "out", bad, accepted=3)
    assert m["target"]["stopped_by"] == "max_candidates" and m["target"]["candidates"] == 30
    assert "the default, 10 x --accepted" in m["target"]["message"]


def test_a_budget_stop_then_a_higher_budget_goes_on_to_the_target(tmp_path: Path, write_recipe) -> None:
    recipe, _ = write_recipe(topics=TOPICS)
    out = tmp_path / "out"
    first = _run(recipe, out, accepted=20, max_candidates=10)["target"]
    assert first["stopped_by"] == "max_candidates" and first["candidates"] == 10
    m = _run(recipe, out, accepted=20, max_candidates=200)
    assert m["target"]["reached"] and len(_lines(out / "accepted.jsonl")) == 20
    ids = [r["id"] for o in ("accepted", "rejected") for r in _lines(out / f"{o}.jsonl")]
    assert len(ids) == len(set(ids))  # nothing decided twice
    indexes = {
        r["meta"]["plan"]["index"] for o in ("accepted", "rejected") for r in _lines(out / f"{o}.jsonl")
    }
    assert set(range(10)) <= indexes  # the second run planned on past the first run's candidates


def test_accepted_in_the_recipe_and_kept_out_of_the_data_identity(tmp_path: Path, write_recipe) -> None:
    recipe, loaded = write_recipe(topics=TOPICS, accepted=5, budget={"max_candidates": 400})
    plain = write_recipe("plain.yaml", topics=TOPICS)[1]
    assert loaded.data_hash == plain.data_hash and loaded.generation_hash == plain.generation_hash
    m = _run(recipe, tmp_path / "out")
    assert m["target"]["accepted"] == 5 and m["target"]["budget"] == {"max_candidates": 400}
    assert len(_lines(tmp_path / "out" / "accepted.jsonl")) == 5


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--accepted", "5", "--count", "5"], "--accepted and --count do not go together"),
        (["--accepted", "5", "--max-tokens", "0"], "--max-tokens 0: a budget must be more than 0"),
        (["--accepted", "5", "--max-cost", "-1"], "--max-cost -1.0: a budget must be more than 0"),
        (["--accepted", "5", "--max-candidates", "0"], "--max-candidates 0: a budget must be more than 0"),
        (["--accepted", "0"], "--accepted 0: give a positive number"),
        (["--max-tokens", "100"], "--max-tokens limits a run toward a target: give --accepted N too"),
    ],
)
def test_bad_target_input_is_exit_2_before_any_request(
    tmp_path: Path, write_recipe, monkeypatch: pytest.MonkeyPatch, args: list[str], says: str
) -> None:
    recipe, _ = write_recipe(topics=TOPICS)
    monkeypatch.setattr("synthpipe.engine.models.make_backend", lambda spec: pytest.fail("a model was built"))
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["run", str(recipe), "--out", str(out), "--no-progress", *args])
    assert res.exit_code == 2, res.output
    assert f"error: {says}" in res.output
    assert not out.exists()


def test_cli_prints_the_limit_that_ended_the_run_and_exits_1(
    tmp_path: Path, write_recipe, monkeypatch: pytest.MonkeyPatch
) -> None:
    recipe, _ = write_recipe(topics=TOPICS)
    monkeypatch.setattr("synthpipe.engine.models.make_backend", lambda spec: _fake())
    out = tmp_path / "out"
    args = ["run", str(recipe), "--out", str(out), "--no-progress", "--accepted", "50"]
    res = CliRunner().invoke(cli, [*args, "--max-candidates", "6"])
    assert res.exit_code == 1, res.output
    assert "stopped by --max-candidates 6 (6 candidates used):" in res.output
    assert json.loads((out / "manifest.json").read_text())["target"]["stopped_by"] == "max_candidates"
    res = CliRunner().invoke(cli, [*args, "--max-candidates", "500"])
    assert res.exit_code == 0, res.output
    assert "target reached: 50 accepted" in res.output


def _some_rejected(body: Any) -> str:
    return answer(body["messages"], None)


async def test_reaches_exactly_n_through_the_fault_server_with_random_429s_and_500s(
    tmp_path: Path, write_recipe
) -> None:
    from synthpipe.backends.openai import OpenAIBackend

    from .faultmodes import Faults
    from .faultserver import FaultServer

    faults = Faults(p429=0.2, retry_after="0", p500=0.1, seed=7)
    async with FaultServer(content=_some_rejected, faults=faults) as srv:
        spec = {"backend": "openai", "model": "m", "base_url": srv.url, "max_in_flight": 6, "max_retries": 8}
        recipe, loaded = write_recipe(topics=TOPICS, models={"generator": spec})
        backend = OpenAIBackend(loaded.models["generator"])
        backend.backoff_base = 0.01  # the suite stays fast; the retry path is the same
        result = await synthpipe.arun(loaded, tmp_path / "out", accepted=40, backends={"generator": backend})
        assert srv.answered.get(429) and srv.answered.get(500)
    m = result.manifest
    assert len(_lines(tmp_path / "out" / "accepted.jsonl")) == 40 and m["target"]["reached"]
    assert m["counts"]["rejected"] > 0 and m["counts"]["failed"] == 0
