"""The review page in real headless Chromium (Playwright with Debian's /usr/bin/chromium): accept, reject
with a reason, an edit the rule checks refuse and one they take, a reload that keeps the place, and what
was stored."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

import synthpipe
from synthpipe.reviews import read_decisions

from .test_review import rec, write_run

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


@pytest.mark.browser
def test_a_reviewer_accepts_rejects_edits_and_reloads(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("needs Chromium at /usr/bin/chromium (apt-get install -y chromium)")
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("needs playwright (pip install playwright; never `playwright install`)")
    from playwright.sync_api import sync_playwright

    run = write_run(tmp_path, [rec(i, score=4.0 + i / 10) for i in range(4)])
    errors: list[str] = []
    with synthpipe.review(run, sample=4, seed=3) as server, sync_playwright() as pw:
        order = [r.id for r in server.session.sample]
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(server.url)
            progress = page.get_by_test_id("progress")
            progress.filter(has_text="1 / 4").wait_for()
            assert order[0] in page.get_by_test_id("record").inner_text()
            assert "overall 4.3 — r3" in page.get_by_test_id("record").inner_text()

            page.keyboard.press("a")  # accept, on to the next
            progress.filter(has_text="2 / 4").wait_for()

            page.keyboard.press("r")  # reject with a code and a note
            page.get_by_test_id("code-wrong_fact").check()
            page.get_by_test_id("note").fill("order number is made up")
            page.keyboard.press("Control+Enter")
            progress.filter(has_text="3 / 4").wait_for()

            page.get_by_test_id("edit").click()  # an edit the rule checks refuse stays unsaved
            page.get_by_test_id("edit-output").fill("")
            page.get_by_test_id("edit-save").click()
            page.get_by_test_id("problems").filter(has_text="rule checks").wait_for()
            page.get_by_test_id("edit-output").fill(
                "Choose Return items in the app; the label comes by email."
            )
            page.get_by_test_id("edit-save").click()
            progress.filter(has_text="4 / 4").wait_for()
            progress.filter(has_text="3 decided").wait_for()

            page.reload()  # the place is kept
            progress.filter(has_text="4 / 4 · 3 decided").wait_for()
            page.keyboard.press("k")
            progress.filter(has_text="3 / 4").wait_for()
            page.get_by_test_id("decided").filter(has_text="edit").wait_for()
            page.keyboard.press("k")
            page.get_by_test_id("decided").filter(
                has_text="reject: wrong_fact — order number is made up"
            ).wait_for()
            page.get_by_test_id("finish").click()
            page.get_by_test_id("decision").filter(has_text="Finished").wait_for()
        finally:
            browser.close()
    assert not errors, errors
    decisions = read_decisions(run / "review" / "decisions.jsonl")
    assert {k: d.action for k, d in decisions.items()} == {
        order[0]: "accept",
        order[1]: "reject",
        order[2]: "edit",
    }
    assert (
        decisions[order[1]].reasons == ["wrong_fact"]
        and decisions[order[1]].note == "order number is made up"
    )
    assert decisions[order[2]].fields["output"] == "Choose Return items in the app; the label comes by email."
    lines = (run / "review" / "decisions.jsonl").read_text().splitlines()
    assert len(lines) == 3 and all(json.loads(line)["at"] > 0 for line in lines)
    exported = synthpipe.export(run, "alpaca", tmp_path / "out.jsonl").out.read_text()
    assert order[1] not in exported and "the label comes by email" in exported
