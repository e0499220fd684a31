"""report.html: self-contained, escaped, and its charts really render in headless Chromium."""

from __future__ import annotations

import importlib.util
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from synthpipe.core.records import Meta, Reason, Record
from synthpipe.report import worst, write_report

CHROMIUM = Path("/usr/bin/chromium")
ATTACK = '<script>window.__pwned = 1; alert("x")</script><img src="https://example.com/x.png">'
LABELS = ["positive", "negative", "neutral"]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [f"{tag} {k}={v}" for k, v in attrs if k in ("src", "href", "action", "srcset", "data")]
        if tag in ("script", "link", "iframe", "object", "embed"):
            self.found.append(tag)


def tags_with_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.found


def judged(i: int, score: int, label: str, reasons: list[Reason] | None = None) -> Record:
    scores = {
        "accuracy": score,
        "structure": 5 - (i % 3),
        "fabrication": score,
        "style": 4,
        "task": 1 + i % 5,
    }
    overall = sum(scores.values()) / len(scores)
    meta = Meta(
        task="classify",
        line=i + 1,
        reasons=reasons or [],
        scores={
            "judge": {**scores, "overall": overall, "reason": "r"},
            "overall": overall,
            "agreement": (i % 10) / 10,
        },
    )
    return Record(f"id{i}", {"text": "word " * (5 + 7 * i), "label": label}, meta)


def sample_run() -> tuple[list[Record], list[Record], dict]:
    accepted = [judged(i, 4 + i % 2, LABELS[i % 2]) for i in range(12)]  # no "neutral" accepted: a zero bar
    rejected = [
        judged(20, 1, "positive", [Reason("judge_low_score", "overall 1.8 < 3.5: " + ATTACK, "judge")]),
        judged(
            21,
            2,
            "negative",
            [
                Reason("label_mismatch", "proposed 'negative', second labels it 'positive'", "agree"),
                Reason("too_short", "text: 3 chars", "rules"),
            ],
        ),
        judged(22, 2, "neutral", [Reason("judge_low_score", "vague", "judge")]),
        Record(
            "id23",
            {"text": ATTACK, "label": "positive"},
            Meta(task="classify", reasons=[Reason("placeholder", "text: 'TODO'", "rules")]),
        ),
    ]
    rejected[1].meta.flags.append(Reason("ungrounded", "not in the source: '60 days'", "ground"))
    manifest = {
        "recipe": "intents <b>demo</b>",
        "task": "classify",
        "language": "en",
        "labels": LABELS,
        "counts": {"attempted": 17, "accepted": 12, "rejected": 4, "failed": 1},
        "usage": {"generator": {"prompt_tokens": 1000, "completion_tokens": 500, "api_key_env": "X"}},
    }
    return accepted, rejected, manifest


def test_report_is_self_contained_and_escapes_record_text(tmp_path: Path) -> None:
    path = write_report(tmp_path, *sample_run())
    html = path.read_text(encoding="utf-8")
    assert path == tmp_path / "report.html"
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "intents &lt;b&gt;demo&lt;/b&gt;" in html
    assert tags_with_links(html) == []  # nothing loaded from anywhere
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not list(tmp_path.glob(".*tmp"))


def test_worst_examples_cover_every_reason_lowest_score_first() -> None:
    _, rejected, _ = sample_run()
    order = [r.meta.reasons[0].code for r in worst(rejected, 3)]
    assert order == ["judge_low_score", "label_mismatch", "placeholder"]
    assert worst(rejected, 1)[0].id == "id20"  # score 1 beats score 2 within judge_low_score


def test_report_without_judge_scores_or_records_still_writes(tmp_path: Path) -> None:
    manifest = {"command": "check", "task": "qa", "counts": {"attempted": 0, "accepted": 0, "rejected": 0}}
    html = write_report(tmp_path, [], [], manifest).read_text(encoding="utf-8")
    assert 'data-chart="reasons" data-empty="1"' in html and "No rejected records." in html


def _browser_or_skip():  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        pytest.skip("needs Chromium at /usr/bin/chromium (apt-get install -y chromium)")
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("needs playwright (pip install playwright; never `playwright install`)")
    from playwright.sync_api import sync_playwright

    return sync_playwright


@pytest.mark.browser
def test_charts_render_in_headless_chromium(tmp_path: Path) -> None:
    sync_playwright = _browser_or_skip()
    accepted, rejected, manifest = sample_run()
    path = write_report(tmp_path, accepted, rejected, manifest)
    requests: list[str] = []
    dialogs: list[str] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("request", lambda req: requests.append(req.url))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(path.as_uri())
            page.wait_for_load_state("load")

            def bars(chart: str) -> list[dict]:
                return page.eval_on_selector_all(
                    f'figure[data-chart="{chart}"] rect.bar',
                    "els => els.map(e => ({label: e.dataset.label, value: Number(e.dataset.value), "
                    "series: e.dataset.series || '', w: e.getBoundingClientRect().width, "
                    "h: e.getBoundingClientRect().height}))",
                )

            for chart in (
                "outcomes",
                "reasons",
                "flags",
                "judge_accuracy",
                "judge_task",
                "judge_overall",
                "agreement",
                "lengths",
                "labels",
            ):
                box = page.locator(f'figure[data-chart="{chart}"] svg').bounding_box()
                assert box and box["width"] > 100 and box["height"] > 20, (chart, box)

            reasons = bars("reasons")
            assert [(b["label"], b["value"]) for b in reasons] == [
                ("judge_low_score", 2),
                ("label_mismatch", 1),
                ("placeholder", 1),
                ("too_short", 1),
            ]
            assert reasons[0]["w"] > reasons[1]["w"] > 0  # bar length follows the count
            assert [(b["label"], b["value"]) for b in bars("outcomes")] == [
                ("accepted", 12),
                ("rejected", 4),
                ("failed", 1),
            ]
            labels = bars("labels")
            assert {b["label"]: b["value"] for b in labels} == {"positive": 6, "negative": 6, "neutral": 0}
            accuracy = bars("judge_accuracy")
            assert [b["label"] for b in accuracy] == ["1", "2", "3", "4", "5"]
            assert [b["value"] for b in accuracy] == [1, 2, 0, 6, 6]
            assert all(b["h"] > 0 for b in accuracy if b["value"])
            lengths = bars("lengths")
            assert len(lengths) == 20 and {b["series"] for b in lengths} == {"accepted", "rejected"}
            assert sum(b["value"] for b in lengths if b["series"] == "accepted") == 12
            judge_criteria = page.eval_on_selector_all('figure[data-chart^="judge_"]', "els => els.length")
            assert judge_criteria == 6  # five criteria and the overall score

            examples = page.locator("article.example")
            assert examples.count() == 4
            assert "<script>window.__pwned" in examples.first.inner_text()  # shown as text, never run
            assert page.evaluate("window.__pwned") is None
            page.screenshot(path="/tmp/synthpipe_report.png", full_page=True)
        finally:
            browser.close()
    assert dialogs == [] and errors == []
    assert [u for u in requests if not u.startswith("file://")] == []
    assert json.loads(json.dumps(manifest))  # the manifest handed in is left as it was
