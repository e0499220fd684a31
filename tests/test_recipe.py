from __future__ import annotations

from pathlib import Path

import pytest

from synthpipe.core.errors import RecipeError
from synthpipe.recipe import load_recipe

from .conftest import EXAMPLES


@pytest.mark.parametrize(
    "path", sorted(p for p in EXAMPLES.glob("*.yaml") if p.name != "prices.yaml"), ids=lambda p: p.name
)
def test_every_shipped_example_recipe_loads(path: Path) -> None:
    recipe = load_recipe(path)
    assert recipe.count > 0
    assert len(recipe.data_hash) == 12 and len(recipe.generation_hash) == 12


@pytest.mark.parametrize(
    ("fields", "expect"),
    [
        ({"cnt": 3}, "cnt: unknown key"),
        ({"count": 0}, "count: must be a positive number"),
        ({"count": "many"}, "count: Input should be a valid integer"),
        ({"task": "classify"}, "labels: a classify recipe needs at least two distinct labels"),
        ({"task": "poem"}, "task: unknown task 'poem' — use one of qa, summarize"),
        (
            {"models": {"generator": {"backend": "openai", "max_in_flight": "x"}}},
            "models.generator.max_in_flight",
        ),
        ({"models": {"generator": {"api_key_env": "sk-abcdef123"}}}, "NAME of an environment variable"),
        ({"sources": [{"text": "   "}]}, "sources[0]: source document is empty"),
        ({"sources": [{"path": "nope.md"}]}, "sources[0].path: source file"),
        ({"rounds": [5, 2]}, "rounds"),
        ({"dedup": {"against": ["pool.jsonl"]}}, "dedup.against[0]: file"),
        ({"judge": {"enabled": True, "models": ["nobody"]}}, "`nobody` is not defined"),
        ({"examples": [{"instruction": "q"}]}, "examples: example 0 lacks output"),
    ],
)
def test_bad_recipe_names_the_file_the_field_and_the_problem(write_recipe, fields, expect) -> None:
    with pytest.raises(RecipeError) as err:
        write_recipe(**fields)
    msg = str(err.value)
    assert "recipe.yaml" in msg
    assert expect in msg
    assert "\n" not in msg


def test_invalid_yaml_gives_line_and_column(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("task: qa\ntopics: [a, b\ncount: 3\n", encoding="utf-8")
    with pytest.raises(RecipeError, match=r"bad.yaml: invalid YAML at line \d+, column \d+"):
        load_recipe(p)


def test_missing_recipe_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match="recipe file not found.*synthpipe init"):
        load_recipe(tmp_path / "missing.yaml")


def test_examples_file_is_read_and_validated(write_recipe, tmp_path: Path) -> None:
    (tmp_path / "ex.jsonl").write_text(
        '{"instruction": "q", "input": "", "output": "a"}\n\n', encoding="utf-8"
    )
    _, recipe = write_recipe(examples_file="ex.jsonl")
    assert recipe.examples == [{"instruction": "q", "input": "", "output": "a"}]
    (tmp_path / "ex.jsonl").write_text('{"instruction": "q"}\n', encoding="utf-8")
    with pytest.raises(RecipeError, match=r"ex.jsonl:1: missing output"):
        write_recipe(examples_file="ex.jsonl")
