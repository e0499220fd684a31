"""Take docs/review.png: the review page on a small run, in headless Chromium (for the README).

.venv/bin/python scripts/review_screenshot.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import synthpipe
from synthpipe.core.records import Meta, Reason, Record

ROOT = Path(__file__).resolve().parents[1]
QA = [
    (
        "I paid with a gift card. How will I get my refund?",
        "Purchases made with a gift card are refunded as store credit rather than cash, within 5 business "
        "days after the warehouse receives the item.",
        4.5,
    ),
    ("Can I return a sale item?", "Yes, within 30 days, unless it is marked final sale.", 4.0),
    ("Is return shipping free?", "Return shipping costs 15 EUR unless you use our label.", 2.5),
]


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        run.mkdir()
        rows = []
        for i, (q, a, score) in enumerate(QA):
            meta = Meta(task="qa", origin="generated", model="Qwen2.5-7B-Instruct", plan={"topic": "refunds"})
            meta.scores = {
                "overall": score,
                "judge": {
                    "accuracy": score,
                    "fabrication": score,
                    "overall": score,
                    "reason": "matches the source",
                },
            }
            if score < 3.5:
                meta.reasons.append(Reason("judge_low_score", "overall 2.5 < 3.5", "judge"))
            meta.flags.append(
                Reason("unsupported_sentence", "one sentence not in the source", "ground")
            ) if i == 0 else None
            rows.append(Record(f"qa-{i}", {"instruction": q, "input": "", "output": a}, meta))
        (run / "accepted.jsonl").write_text("".join(r.dumps() + "\n" for r in rows[:2]), encoding="utf-8")
        (run / "rejected.jsonl").write_text(rows[2].dumps() + "\n", encoding="utf-8")
        with synthpipe.review(run, sample=3, seed=1) as server, sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
            )
            page = browser.new_page(viewport={"width": 1100, "height": 720})
            page.goto(server.url)
            page.get_by_test_id("progress").filter(has_text="/ 3").wait_for()
            page.keyboard.press("r")
            page.get_by_test_id("code-not_grounded").check()
            page.get_by_test_id("note").fill("the 5 business days are not in the source")
            page.screenshot(path=str(ROOT / "docs" / "review.png"))
            browser.close()
    print(f"wrote {ROOT / 'docs' / 'review.png'}")


if __name__ == "__main__":
    main()
