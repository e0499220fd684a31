"""The plan space (issue 16, item 1): how many distinct prompts a recipe can make, the warning when
`count` is more, and where the figure is reported (run, prompts, the manifest)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import synthpipe
from synthpipe.backends.fake import FakeBackend
from synthpipe.cli import cli
from synthpipe.prompts import plan
from synthpipe.prompts.space import plan_space

from .conftest import EXAMPLES, qa

TWO_PASSAGES = [{"text": "Returns are accepted within 30 days."}, {"text": "Refunds take 5 business days."}]


def distinct_rendered(recipe: synthpipe.Recipe, count: int) -> int:
    return len({json.dumps(item.messages) for item in plan(recipe, count)})


@pytest.mark.parametrize(
    "fields",
    [
        # 2 topics x 2 personas x 3 question types x 2 example orders; two passages that advance with
        # the topic-persona pairs (4 pairs, 2 passages: 4 combinations, not 8)
        {
            "personas": ["a new customer", "a busy customer"],
            "question_types": ["how-to", "policy", "edge case"],
            "sources": TWO_PASSAGES,
            "examples": [qa(0), qa(1)],
        },
        # three passages do not share a factor with 4 pairs: 12 combinations
        {
            "personas": ["a new customer", "a busy customer"],
            "question_types": ["how-to"],
            "sources": [*TWO_PASSAGES, {"text": "Exchanges are free once per order."}],
        },
        # a persona or an example given twice counts once; subtopics replace their topic
        {
            "topics": ["returns", "refunds"],
            "subtopics": {"refunds": ["gift cards", "timing"]},
            "personas": ["a new customer", "a new customer", "a busy customer"],
            "question_types": ["how-to", "policy"],
            "examples": [qa(0), qa(0), qa(1)],
        },
        # classify: labels advance with the index too (2 x 3 pairs and 4 labels: 12, not 24)
        {
            "task": "classify",
            "labels": ["refund", "return", "exchange", "other"],
            "personas": ["a new customer", "a busy customer", "a regular"],
        },
        # dialogue: the rounds are drawn at random; 3 examples, 3 to a prompt: 6 orders
        {
            "task": "dialogue",
            "rounds": [2, 3],
            "personas": ["a new customer"],
            "examples": [
                {
                    "messages": [
                        {"role": "user", "content": f"Question {i}?"},
                        {"role": "assistant", "content": "Yes."},
                    ]
                }
                for i in range(3)
            ],
        },
    ],
)
def test_the_plan_space_is_the_number_of_distinct_rendered_prompts(write_recipe, fields) -> None:
    _, recipe = write_recipe(**fields)
    space = plan_space(recipe)
    # Enough candidates that every random draw has come up for every cycled combination.
    assert distinct_rendered(recipe, space.distinct_prompts * 40) == space.distinct_prompts
    assert 1 < space.distinct_prompts < 1000


def test_the_figures_of_the_cases_above(write_recipe) -> None:
    _, coupled = write_recipe(
        personas=["a", "b"], question_types=["x", "y", "z"], sources=TWO_PASSAGES, examples=[qa(0), qa(1)]
    )
    space = plan_space(coupled)
    assert space.distinct_prompts == 4 * 3 * 2  # not 2 x 2 x 2 x 3 x 2 = 48
    assert space.dimensions["passages"] == 2 and space.dimensions["example_orders"] == 2
    assert space.to_json()["cycled_combinations"] == 4
    assert "which advance together" in space.factors()
    _, dup = write_recipe(personas=["a", "a", "b"], question_types=["x"], examples=[qa(0), qa(0), qa(1)])
    space = plan_space(dup)
    assert space.dimensions["personas"] == 2 and space.dimensions["example_orders"] == 3  # aab aba baa
    assert space.distinct_prompts == 2 * 2 * 3


def test_temperatures_and_seeds_add_no_prompts(write_recipe) -> None:
    _, recipe = write_recipe(personas=["a"], question_types=["x"])
    _, hot = write_recipe(personas=["a"], question_types=["x"], temperatures=[0.2, 0.7, 1.1], seed=5)
    assert plan_space(recipe).distinct_prompts == plan_space(hot).distinct_prompts == 2
    assert distinct_rendered(hot, 30) == 2


def test_the_shipped_qa_example_has_45_prompts_and_count_1500_warns(tmp_path: Path, monkeypatch) -> None:
    from synthpipe.cli import run as run_cli

    path = EXAMPLES / "qa_en.yaml"
    recipe = synthpipe.load_recipe(path)
    assert plan_space(recipe).distinct_prompts == 45 == distinct_rendered(recipe, 1500)
    real = synthpipe.run

    def with_fake(rcp, out, **options):
        return real(rcp, out, backends={"generator": FakeBackend(default=qa(0))}, **{**options, "workers": 0})

    monkeypatch.setattr(run_cli.synthpipe, "run", with_fake)
    out = tmp_path / "o"
    res = CliRunner().invoke(cli, ["run", str(path), "--count", "1500", "--out", str(out)])
    assert res.exit_code == 0, res.output + res.stderr
    assert "count 1500 is more than the 45 distinct prompts this recipe can make" in res.stderr
    for advice in ("add topics, subtopics, personas or question types", "lower count to 45"):
        assert advice in res.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["plan"]["distinct_prompts"] == 45
    assert manifest["plan"]["dimensions"]["topics"] == 5
    assert any("more than the 45 distinct prompts" in w for w in manifest["warnings"])


def test_a_count_within_the_space_does_not_warn(write_recipe, tmp_path: Path) -> None:
    _, recipe = write_recipe(count=3)
    result = synthpipe.run(
        recipe, tmp_path / "o", backends={"generator": FakeBackend([qa(i) for i in range(3)])}
    )
    assert result.manifest["plan"]["distinct_prompts"] == 72  # 2 topics x 6 personas x 6 question types
    assert not any("distinct prompts" in w for w in result.manifest["warnings"])


def test_prompts_reports_the_plan_space_and_warns(write_recipe) -> None:
    path, _ = write_recipe(count=100, personas=["a"], question_types=["x", "y"])
    res = CliRunner().invoke(cli, ["prompts", str(path)])
    assert res.exit_code == 0, res.output
    assert "plan space: 4 distinct prompts (2 topics × 2 question types) for count 100" in res.output
    assert "count 100 is more than the 4 distinct prompts" in res.stderr
    as_json = CliRunner().invoke(cli, ["prompts", str(path), "--json"])
    json.loads(as_json.stdout)  # the figure goes to stderr, the JSON stays parseable
    shown = synthpipe.preview_prompts(path)
    assert shown["plan"]["distinct_prompts"] == 4 and shown["plan"]["count"] == 100
