"""A shared prices file (issue 16 item 4): `prices_file:` in a recipe or $SYNTHPIPE_PRICES prices the
models that give no `prices:`, by model name; the dry run and the run's cost use it; bad files are clear
errors naming the file and the entry."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import synthpipe
from synthpipe.backends.fake import FakeBackend
from synthpipe.cli import cli
from synthpipe.core.errors import RecipeError
from synthpipe.recipe import load_recipe
from synthpipe.recipe.identity import data_hash

from .conftest import EXAMPLES, qa

FAKE = {"backend": "fake", "model": "m-small"}


def _recipe(tmp_path: Path, name: str = "r.yaml", **extra) -> Path:
    data = {
        "name": "t",
        "task": "qa",
        "topics": ["returns"],
        "count": 4,
        "models": {"generator": FAKE},
        **extra,
    }
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_prices_file_prices_the_models_by_name_and_the_run_costs_with_it(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "prices.yaml").write_text("m-small: {input: 2.0, output: 8.0}\nother: {input: 1}\n")
    path = _recipe(tmp_path, prices_file="prices.yaml")
    recipe = load_recipe(path)
    assert (recipe.models["generator"].prices.input, recipe.models["generator"].prices.output) == (2.0, 8.0)
    assert data_hash(recipe) == data_hash(load_recipe(_recipe(tmp_path, "unpriced.yaml")))  # not data
    est = synthpipe.estimate(path)
    assert est.total_cost_usd > 0
    res = synthpipe.run(
        path, tmp_path / "out", backends={"generator": FakeBackend(default=lambda m, s: qa(len(m)))}
    )
    used = res.manifest["usage"]["generator"]
    assert used["cost_usd"] == pytest.approx(used["prompt_tokens"] * 2e-6 + used["completion_tokens"] * 8e-6)


def test_the_environment_names_a_prices_file_for_every_recipe_and_a_recipes_own_prices_win(
    tmp_path: Path, monkeypatch
) -> None:
    prices = tmp_path / "shared.yaml"
    prices.write_text("m-small: {input: 1.0, output: 1.0}\n")
    monkeypatch.setenv("SYNTHPIPE_PRICES", str(prices))
    assert load_recipe(_recipe(tmp_path)).models["generator"].prices.input == 1.0
    own = _recipe(tmp_path, models={"generator": {**FAKE, "prices": {"input": 3.0, "output": 4.0}}})
    assert load_recipe(own).models["generator"].prices.input == 3.0


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "prices file"),  # missing
        ("m-small: {input: -1}\n", "m-small.input"),
        ("m-small: {input: 1, outptu: 2}\n", "m-small.outptu"),
        ("- m-small\n", "give a mapping of model name"),
        ("m-small: {input: [1\n", "not readable YAML"),
    ],
)
def test_a_bad_prices_file_is_a_clear_error(tmp_path: Path, content: str | None, message: str) -> None:
    if content is not None:
        (tmp_path / "prices.yaml").write_text(content)
    path = _recipe(tmp_path, prices_file="prices.yaml")
    with pytest.raises(RecipeError, match=message):
        load_recipe(path)
    res = CliRunner().invoke(cli, ["run", str(path), "--dry-run"])
    assert (
        res.exit_code == 2
        and "error:" in res.output
        and "prices" in res.output
        and "Traceback" not in res.output
    )


def test_the_shipped_prices_file_loads_and_is_refused_as_a_recipe(tmp_path: Path) -> None:
    path = _recipe(tmp_path, prices_file=str(EXAMPLES / "prices.yaml"))
    assert load_recipe(path).models["generator"].prices.input == 0
    res = CliRunner().invoke(cli, ["run", str(EXAMPLES / "prices.yaml")])
    assert res.exit_code == 2 and "this is a prices file, not a recipe" in res.output
