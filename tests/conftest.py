from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from synthpipe.recipe import Recipe, load_recipe

from .llama_server import llama_server_url  # noqa: F401  (session fixture for every test module)

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


_QA = [
    (
        "How many days do I have to return a jacket after delivery?",
        "You can return it within 30 days of delivery, unused and in its original packaging, for a full refund.",
    ),
    (
        "Where does my refund go once the warehouse gets my parcel?",
        "Refunds go back to the original payment method within 5 business days after the item arrives.",
    ),
    (
        "Can I swap hiking boots for a bigger size?",
        "Yes. A size exchange is free and can be requested once per order in the Northwind app.",
    ),
    (
        "My tent pole arrived snapped. What now?",
        "Report damaged items within 7 days of delivery with a photo and a replacement is sent at no cost.",
    ),
    (
        "Is return shipping free if I use my own courier?",
        "No. Only returns sent with the prepaid Northwind label are free; your own carrier is at your cost.",
    ),
    (
        "I paid with a gift card. How am I refunded?",
        "Purchases made with a gift card are refunded as store credit rather than cash.",
    ),
    (
        "Are final sale items returnable?",
        "Items marked final sale cannot be returned; other sale items follow the normal 30-day policy.",
    ),
    (
        "How do I start a return from my phone?",
        "Open the order in the Northwind app, choose Return items, and a prepaid label arrives by email.",
    ),
]


def qa(i: int = 0, **kw: str) -> dict[str, str]:
    """A clean English qa answer; different i give unrelated (non-duplicate) records."""
    q, a = _QA[i % len(_QA)]
    base = {"instruction": q, "input": "", "output": a}
    base.update(kw)
    return base


_REAL_PARTS = ("model", "server", "browser", "embed", "ray")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a test of a real part (model, server, browser, embeddings) may not quietly skip."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and any(item.get_closest_marker(m) for m in _REAL_PARTS):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, but CI must run the real parts: {report.longrepr}"


@pytest.fixture(scope="session")
def ray_local():
    """One local Ray with 2 CPUs for the whole test session (starting one costs ~5 s); dashboard and usage
    stats off. Skips when the `ray` extra is missing (CI installs it, where a skip fails)."""
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    ray = pytest.importorskip("ray", reason="the ray extra is not installed: pip install 'synthpipe[ray]'")
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield ray
    if started:
        ray.shutdown()


async def open_stage(stage: Any, model: Any = None, earlier: tuple = ()) -> Any:
    """Open a stage as the engine would, with `model(name) -> CachedModel` for model stages."""
    from synthpipe.stages.base import StageContext

    assert stage is not None
    await stage.open(StageContext(model=model, earlier=list(earlier)))
    return stage


def open_now(stage: Any, model: Any = None, earlier: tuple = ()) -> Any:
    """`open_stage` for stages whose `open` awaits nothing, from sync code or inside a running loop."""
    from synthpipe.stages.base import StageContext

    assert stage is not None
    coro = stage.open(StageContext(model=model, earlier=list(earlier)))
    try:
        coro.send(None)
    except StopIteration:
        return stage
    coro.close()
    raise RuntimeError(f"{stage.name}.open awaited something; use `await open_stage(...)`")
