from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from synthpipe.recipe import Recipe, load_recipe

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "synthpipe" / "examples"


@pytest.fixture
def write_recipe(tmp_path: Path):
    """Write a recipe YAML into tmp_path and load it; keyword arguments override the defaults."""

    def _write(name: str = "recipe.yaml", **fields: Any) -> tuple[Path, Recipe]:
        data: dict[str, Any] = {
            "name": "t",
            "task": "qa",
            "language": "en",
            "topics": ["returns", "refunds"],
            "count": 4,
        }
        data.update(fields)
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return path, load_recipe(path)

    return _write


def qa(i: int = 0, **kw: str) -> dict[str, str]:
    """A clean English qa answer, different for each i."""
    base = {
        "instruction": f"How many days do I have to return item number {i} after delivery?",
        "input": "",
        "output": f"You can return item {i} within 30 days of delivery, unused and in its original packaging, "
        "for a full refund to your original payment method.",
    }
    base.update(kw)
    return base


_REAL_PARTS = ("model", "server", "browser", "embed")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a test of a real part (model, server, browser, embeddings) may not quietly skip."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and any(item.get_closest_marker(m) for m in _REAL_PARTS):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, but CI must run the real parts: {report.longrepr}"
