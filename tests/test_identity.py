"""Record ids and the run directory's identity depend only on what changes the data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

import synthpipe
from synthpipe.recipe.identity import changes, identity

from .conftest import qa


def test_operational_settings_change_neither_hash(write_recipe) -> None:
    _, base = write_recipe(count=3, output_dir="x", review_sample=5)
    _, ops = write_recipe(
        count=9,
        output_dir="y",
        review_sample=1,
        name="another name",
        models={
            "generator": {
                "max_in_flight": 7,
                "requests_per_minute": 60,
                "tokens_per_minute": 1000,
                "timeout": 5,
                "max_retries": 1,
                "prices": {"input": 1, "output": 2},
                "api_key_env": "SOME_KEY",
            }
        },
    )
    assert base.generation_hash == ops.generation_hash
    assert base.data_hash == ops.data_hash


@pytest.mark.parametrize(
    ("change", "generation_changes"),
    [
        ({"role": "a different role"}, True),
        ({"seed": 1}, True),
        ({"topics": ["warranty"]}, True),
        ({"models": {"generator": {"temperature": 0.3}}}, True),
        ({"models": {"generator": {"backend": "openai", "base_url": "http://h/v1", "model": "m"}}}, True),
        ({"judge": {"threshold": 4.0}}, False),
        ({"checks": {"disable": ["boilerplate"]}}, False),
        ({"dedup": {"minhash_threshold": 0.9}}, False),
    ],
)
def test_what_changes_the_data_changes_the_hash(write_recipe, change, generation_changes) -> None:
    _, base = write_recipe()
    _, other = write_recipe(**change)
    assert base.data_hash != other.data_hash
    assert (base.generation_hash != other.generation_hash) is generation_changes


def test_source_and_example_content_count_not_their_path(write_recipe, tmp_path: Path) -> None:
    (tmp_path / "doc.md").write_text("Returns within 30 days.", encoding="utf-8")
    _, a = write_recipe(sources=[{"path": "doc.md"}])
    (tmp_path / "doc.md").write_text("Returns within 14 days.", encoding="utf-8")
    _, b = write_recipe(sources=[{"path": "doc.md"}])
    assert a.generation_hash != b.generation_hash
    assert changes(identity(a), identity(b)) == [
        f"sources[0]: {identity(a)['sources[0]']!r} -> {identity(b)['sources[0]']!r}"
    ]


def test_a_recipe_given_by_relative_or_absolute_path_is_the_same_recipe(write_recipe, tmp_path: Path) -> None:
    (tmp_path / "pool.jsonl").write_text("", encoding="utf-8")
    path, _ = write_recipe(dedup={"against": ["pool.jsonl"]})
    absolute = synthpipe.load_recipe(path.resolve())
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        relative = synthpipe.load_recipe(Path(path.name))
    finally:
        os.chdir(cwd)
    assert absolute.data_hash == relative.data_hash
    assert absolute.dedup.against == relative.dedup.against == ["pool.jsonl"]  # as written, not rewritten
    assert (
        absolute.resolve("pool.jsonl") == relative.resolve("pool.jsonl") == tmp_path.resolve() / "pool.jsonl"
    )


def test_a_loaded_recipe_is_frozen_and_overrides_make_a_new_one(write_recipe) -> None:
    _, recipe = write_recipe()
    with pytest.raises(ValidationError):
        recipe.count = 5  # type: ignore[misc]
    with pytest.raises(ValidationError):
        recipe.models["generator"].max_in_flight = 3  # type: ignore[misc]
    before = recipe.model_dump(mode="json")
    other = recipe.with_model("generator", max_in_flight=3)
    assert other.models["generator"].max_in_flight == 3
    assert recipe.model_dump(mode="json") == before
    assert other.data_hash == recipe.data_hash


def test_running_leaves_the_recipe_as_it_was(write_recipe, tmp_path: Path) -> None:
    from synthpipe.backends.fake import FakeBackend

    _, recipe = write_recipe(count=2)
    before = recipe.model_dump(mode="json")
    synthpipe.run(
        recipe,
        tmp_path / "out",
        max_in_flight=3,
        api_key_env="SOME_KEY",
        backends={"generator": FakeBackend([qa(0), qa(1)])},
    )
    assert recipe.model_dump(mode="json") == before
