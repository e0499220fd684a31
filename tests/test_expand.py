"""Expansion (issue 16 item 2): `synthpipe expand` and `expand:` in a recipe ask the generator for
subtopics, personas and question types, deduplicate them, keep them in RECIPE.plan.yaml that later loads
read, and never ask again for what the lock holds. Persona pools come from the package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import synthpipe
from synthpipe.backends.fake import FakeBackend
from synthpipe.cli import cli
from synthpipe.core.errors import RecipeError
from synthpipe.prompts.expand import lock_path, missing, read_lock
from synthpipe.prompts.space import plan_space
from synthpipe.recipe import load_recipe

from .conftest import qa

SUBTOPICS = {
    "returns": [
        "1. Refund timing",
        "refund timing.",
        "Returns",
        "return labels",
        "exchanges for another size",
    ],
    "refunds": ["refunds to a gift card", "refund to a gift card", "partial refunds", "late refunds"],
}
PERSONAS = ["a student on a budget", "A student on a budget!", "a busy parent", "a small business owner"]


def answers(calls: list[str]):
    """Expansion answers by what the prompt asks; generation answers a qa record."""

    def answer(messages: Any, schema: Any) -> Any:
        user = messages[-1]["content"]
        for topic, items in SUBTOPICS.items():
            if f'subtopics of "{topic}"' in user:
                calls.append(f"sub:{topic}")
                return {"items": items}
        if "distinct personas" in user:
            calls.append("personas")
            return {"items": PERSONAS}
        if "kinds of request" in user:
            calls.append("qtypes")
            return {"items": ["how-to", "How-to", "comparison", "edge case"]}
        calls.append("generate")
        return qa(len(calls))

    return answer


def test_expand_writes_a_deduplicated_lock_that_later_loads_plan_with(tmp_path: Path, write_recipe) -> None:
    path, recipe = write_recipe()
    before = plan_space(recipe).distinct_prompts
    calls: list[str] = []
    fake = FakeBackend(default=answers(calls))
    cache = tmp_path / "expand.sqlite"
    out = synthpipe.expand(
        path, topics=3, personas=3, question_types=2, backends={"generator": fake}, cache=cache
    )
    # numbering, case, punctuation and a plural s do not make a new item; the topic itself is not its own
    assert out["subtopics"] == {
        "returns": ["Refund timing", "return labels", "exchanges for another size"],
        "refunds": ["refunds to a gift card", "partial refunds", "late refunds"],
    }
    assert out["personas"] == ["a student on a budget", "a busy parent", "a small business owner"]
    assert out["question_types"] == ["how-to", "comparison"]
    assert out["short"] == [] and out["added"] == {"topics": 6, "personas": 3, "question_types": 2}
    lock = read_lock(lock_path(path))
    assert lock is not None and lock.asked == {"topics": 3, "personas": 3, "question_types": 2}
    again = load_recipe(path)
    assert again.subtopics == out["subtopics"] and again.personas == out["personas"]
    # expanded lists replace the built-in defaults (6 personas, 6 question types) that the recipe relied on
    assert plan_space(again).distinct_prompts == out["plan"]["distinct_prompts"] == 6 * 3 * 2
    assert before == 2 * 6 * 6
    prompts = synthpipe.preview_prompts(again, n=3)
    assert "returns / Refund timing" in prompts["candidates"][0]["messages"][-1]["content"]
    # the same request again is answered by the cache: the lock comes out the same, no model asked
    n = len(fake.calls)
    lock_path(path).unlink()
    assert (
        synthpipe.expand(
            path, topics=3, personas=3, question_types=2, cache=cache, backends={"generator": FakeBackend()}
        )["subtopics"]
        == out["subtopics"]
    )
    assert len(fake.calls) == n


def test_a_smaller_list_than_asked_is_reported_and_not_asked_for_on_every_run(
    tmp_path: Path, write_recipe
) -> None:
    path, _ = write_recipe()
    fake = FakeBackend(default={"items": ["a busy parent"]})
    out = synthpipe.expand(path, personas=4, backends={"generator": fake}, cache=tmp_path / "c.sqlite")
    assert out["personas"] == ["a busy parent"] and out["short"] == ["personas: 1 of 4"]
    assert len(fake.calls) == 3  # one request, then EXTRA_ROUNDS more, then it settles
    recipe = load_recipe(path).replace(expand={"personas": 4})
    assert missing(recipe, read_lock(lock_path(path))) == {}


def test_a_run_expands_what_its_recipe_asks_once_then_plans_from_the_lock(
    tmp_path: Path, write_recipe
) -> None:
    path, recipe = write_recipe(
        topics={"list": ["returns", "refunds"], "expand": 2},
        personas={"pool": "retail", "count": 2},
        count=6,
    )
    assert recipe.expand.asked() == {"topics": 2} and len(recipe.personas) == 2
    calls: list[str] = []
    out = tmp_path / "out"
    res = synthpipe.run(path, out, backends={"generator": FakeBackend(default=answers(calls))})
    assert sorted(c for c in calls if c != "generate") == ["sub:refunds", "sub:returns"]
    assert lock_path(path).is_file()
    topics = {r.meta.plan["topic"] for r in res.accepted}
    assert topics <= {f"{t} / {s}" for t, subs in load_recipe(path).subtopics.items() for s in subs}
    assert any(" / " in t for t in topics)
    # a second run (a resume) reads the lock: no expansion request, the same identity, nothing asked
    calls.clear()
    res2 = synthpipe.run(path, out, backends={"generator": FakeBackend(default=answers(calls))})
    assert calls == [] and res2.manifest["counts"]["accepted"] == 6
    # the manifest names the lock the plan came from; a recipe without one names none
    assert res.manifest["plan_lock"] == res2.manifest["plan_lock"] == str(lock_path(path))
    lock_path(path).unlink()
    plain, _ = write_recipe(count=2)
    bare = synthpipe.run(plain, tmp_path / "bare", backends={"generator": FakeBackend(default=answers([]))})
    assert not lock_path(plain).exists() and "plan_lock" not in bare.manifest


def test_a_changed_count_or_a_new_topic_expands_again(tmp_path: Path, write_recipe) -> None:
    path, _ = write_recipe(expand={"topics": 2})
    fake = FakeBackend(default=answers([]))
    synthpipe.expand(path, backends={"generator": fake}, cache=tmp_path / "c.sqlite")
    lock = read_lock(lock_path(path))
    assert missing(load_recipe(path), lock) == {}
    assert missing(load_recipe(path).replace(topics=["returns", "refunds", "exchanges"]), lock) == {
        "topics": 2
    }
    assert missing(load_recipe(path).replace(expand={"topics": 3}), lock) == {"topics": 3}


def test_dry_run_and_prompts_say_that_expansion_is_pending_and_ask_nothing(
    tmp_path: Path, write_recipe
) -> None:
    path, _ = write_recipe(expand={"personas": 5})
    est = synthpipe.estimate(path)  # asks no model: the default generator is never built
    assert any("asks for expansion (personas 5)" in w for w in est.warnings)
    prompts = synthpipe.preview_prompts(load_recipe(path))
    assert any("synthpipe expand" in w for w in prompts["warnings"])
    assert not lock_path(path).exists()


@pytest.mark.parametrize(
    "recipe, args, message",
    [
        ({"topics": []}, ["--topics", "3"], "the recipe has no topics"),
        ({}, [], "say what to expand"),
        ({}, ["--personas", "0"], "--personas 0: give a number from 1 to 500"),
        ({"personas": {"pool": "retial"}}, ["--personas", "3"], "persona pool 'retial' does not exist"),
        ({"personas": {"pool": "retail", "size": 3}}, ["--personas", "3"], "personas.size: unknown key"),
    ],
)
def test_bad_expand_input_is_exit_2_before_any_request(
    tmp_path: Path, recipe: dict[str, Any], args: list[str], message: str
) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        yaml.safe_dump({"name": "t", "task": "qa", "topics": ["returns"], **recipe}), encoding="utf-8"
    )
    res = CliRunner().invoke(cli, ["expand", str(path), *args])
    assert res.exit_code == 2, res.output
    assert "error:" in res.output and message in res.output and "Traceback" not in res.output
    assert not lock_path(path).exists()


def test_a_recipe_that_asks_to_expand_topics_it_does_not_have_is_refused_at_load(write_recipe) -> None:
    with pytest.raises(RecipeError, match=r"expanding topics .* has none — give topics: \{list:"):
        write_recipe(topics={"expand": 20})


def test_a_malformed_lock_names_the_lock_file(tmp_path: Path, write_recipe) -> None:
    path, _ = write_recipe()
    lock_path(path).write_text("personas: a busy parent\n", encoding="utf-8")
    with pytest.raises(RecipeError, match=r"recipe\.plan\.yaml.*personas"):
        load_recipe(path)
    res = CliRunner().invoke(cli, ["prompts", str(path)])
    assert res.exit_code == 2 and "recipe.plan.yaml" in res.output


def test_persona_pools_feed_the_plan_in_both_languages(write_recipe) -> None:
    _, en = write_recipe(personas={"pool": ["retail", "finance"]})
    _, zh = write_recipe("zh.yaml", language="zh", personas={"pool": "retail", "count": 5})
    assert len(en.personas) >= 20 and all(p.startswith(("a ", "an ")) for p in en.personas)
    assert len(zh.personas) == 5 and all(any("\u4e00" <= c <= "\u9fff" for c in p) for p in zh.personas)
    assert plan_space(en).dimensions["personas"] == len(en.personas)
    # the choice of `count` is fixed by the seed: the same recipe gives the same personas
    _, zh_again = write_recipe("zh2.yaml", language="zh", personas={"pool": "retail", "count": 5})
    assert zh_again.personas == zh.personas


@pytest.mark.model
def test_expand_with_the_embedded_model(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": "shop",
                "task": "qa",
                "description": "FAQ answers for an online shop",
                "topics": ["returns"],
            }
        ),
        encoding="utf-8",
    )
    res = CliRunner().invoke(cli, ["expand", str(path), "--question-types", "3", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output[res.output.index("{") :])
    assert 1 <= len(out["question_types"]) <= 3 and all(
        isinstance(q, str) and q for q in out["question_types"]
    )
    assert load_recipe(path).question_types == out["question_types"]
