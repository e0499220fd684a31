"""report.html shows the dedup stage's template clusters: a chart, and the largest skeletons in full."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path

import pytest

from synthpipe.core.records import Meta, Record
from synthpipe.recipe import DedupConfig
from synthpipe.report import render_report, write_report
from synthpipe.stages.dedup import DedupStage

from .conftest import open_stage

pytest.importorskip("numpy")

CHROMIUM = Path("/usr/bin/chromium")
ATTACK = "<script>window.__pwned = 1</script>"


def faq(i: int, subject: str, template: int) -> Record:
    q, a = [
        ("How long does {s} take?", "{S} is usually completed within {n} working days. Contact HR."),
        ("Who approves {s}?", "{S} must be approved by your line manager within {n} days, " + ATTACK),
        ("{s}一般多久能办完？", "{s}一般在{n}个工作日内办完，如有疑问请联系人事部。"),
    ][template]
    fields = {
        "instruction": q.format(s=subject),
        "input": "",
        "output": a.format(s=subject, S=subject.title(), n=i),
    }
    return Record(f"r{i}", fields, Meta(task="qa", line=i + 1))


def dedup_manifest() -> tuple[list[Record], dict]:
    subjects = ["onboarding", "payroll", "sick leave", "annual leave", "expense claims", "parking"]
    records = [faq(i, s, 0) for i, s in enumerate(subjects)]
    records += [faq(10 + i, s, 1) for i, s in enumerate(subjects[:3])]
    records += [faq(20 + i, s, 2) for i, s in enumerate(["入职", "工资"])]
    stage = DedupStage(DedupConfig(max_per_template=5), "qa")

    async def go() -> dict:
        await open_stage(stage)
        await stage.process(records)
        return await stage.close()

    info = asyncio.run(go())
    manifest = {
        "command": "dedup",
        "task": "qa",
        "counts": {"attempted": 11, "accepted": 10, "rejected": 1, "failed": 0},
        "stages": {"dedup": info},
    }
    return records, manifest


def test_report_shows_template_clusters_escaped() -> None:
    records, manifest = dedup_manifest()
    accepted = [r for r in records if not r.meta.reasons]
    html = render_report(accepted, [r for r in records if r.meta.reasons], manifest)
    assert 'data-chart="templates"' in html and "<script>window" not in html
    assert "days &lt;script&gt;window pwned = # script&gt;</code>" in html  # skeletons are text
    assert html.count('<tr data-records="') == 3
    assert "10 of 10 accepted records share an answer skeleton" in html
    assert "max_per_template 5 removed 1" in html


def test_report_without_a_dedup_stage_has_no_template_chart() -> None:
    html = render_report([], [], {"command": "check", "task": "qa", "counts": {}})
    assert 'data-chart="templates"' not in html and 'id="templates"' not in html


@pytest.mark.browser
def test_template_chart_renders_in_headless_chromium(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("needs Chromium at /usr/bin/chromium (apt-get install -y chromium)")
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("needs playwright (pip install playwright; never `playwright install`)")
    from playwright.sync_api import sync_playwright

    records, manifest = dedup_manifest()
    accepted = [r for r in records if not r.meta.reasons]
    path = write_report(tmp_path, accepted, [r for r in records if r.meta.reasons], manifest)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            bars = page.eval_on_selector_all(
                'figure[data-chart="templates"] rect.bar',
                "els => els.map(e => ({label: e.dataset.label, value: Number(e.dataset.value), "
                "w: e.getBoundingClientRect().width}))",
            )
            assert [b["value"] for b in bars] == [5, 3, 2]  # capped at 5 of 6; largest first
            assert bars[0]["label"].startswith("_ is usually completed within # working days")
            assert bars[0]["w"] > bars[1]["w"] > bars[2]["w"] > 0
            rows = page.eval_on_selector_all("table#templates tbody tr", "els => els.map(e => e.innerText)")
            assert len(rows) == 3 and "人事部" in rows[2]
            assert page.evaluate("window.__pwned === undefined") and not dialogs
        finally:
            browser.close()
