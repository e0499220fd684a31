"""report.html's coverage of the plan (issue 16 item 5): accepted counts and reject rates per topic,
persona and question type, with the topics where nothing was accepted flagged."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import synthpipe
from synthpipe.backends.fake import FakeBackend
from synthpipe.core.records import Meta, Reason, Record
from synthpipe.report.coverage import coverage

from .conftest import qa


def answer(messages: Any, schema: Any) -> dict[str, str]:
    """Every prompt about "warranty" gets an answer without an output (the rules reject it)."""
    user = messages[-1]["content"]
    if '"warranty"' in user:
        return {"instruction": "What does the warranty cover?", "input": ""}
    return qa(abs(hash(user)) % 8, output=f"{qa(0)['output']} Case {abs(hash(user)) % 10_000}.")


def test_a_run_report_shows_coverage_and_flags_the_topic_with_nothing_accepted(
    tmp_path: Path, write_recipe
) -> None:
    path, _ = write_recipe(
        topics=["returns", "warranty", "refunds"],
        personas=["a busy parent", "a student"],
        question_types=["how-to", "edge case"],
        count=12,
        dedup={"enabled": False},
    )
    out = tmp_path / "out"
    res = synthpipe.run(path, out, backends={"generator": FakeBackend(default=answer)})
    cov = coverage(res.accepted, res.rejected)
    topics = {r["value"]: r for r in cov["topic"]}
    assert topics["warranty"]["accepted"] == 0 and topics["warranty"]["reject_rate"] == 1.0
    assert topics["warranty"]["top_reason"] == "missing_field"
    assert cov["topic"][0]["value"] == "warranty"  # nothing accepted comes first
    assert topics["returns"]["accepted"] + topics["refunds"]["accepted"] == len(res.accepted) > 0
    assert {r["value"] for r in cov["persona"]} == {"a busy parent", "a student"}
    assert sum(r["accepted"] + r["rejected"] for r in cov["question_type"]) == 12

    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="coverage-topic"' in html and 'id="coverage-persona"' in html
    warn = re.search(r'<p class="warn" data-empty="(\d+)">([^<]*)</p>', html)
    assert warn and warn.group(1) == "1" and "warranty" in warn.group(2)
    assert re.search(r'<tr class="empty" data-value="warranty"><td>warranty</td><td>0</td><td>4</td>', html)


def test_coverage_leaves_out_what_did_not_vary_and_records_without_a_plan() -> None:
    def rec(i: int, topic: str, bad: bool = False) -> Record:
        meta = Meta(task="qa", plan={"topic": topic, "persona": "p"} if topic else {})
        if bad:
            meta.reasons.append(Reason("too_short", "", "rules"))
        return Record(f"r{i}", qa(i), meta)

    cov = coverage([rec(0, "a"), rec(1, "b"), rec(2, "")], [rec(3, "b", True)])
    assert set(cov) == {"topic"}  # one persona, nothing to flag: no table
    assert cov["topic"] == [  # fewest accepted first, then most rejected
        {"value": "b", "accepted": 1, "rejected": 1, "reject_rate": 0.5, "top_reason": "too_short"},
        {"value": "a", "accepted": 1, "rejected": 0, "reject_rate": 0.0, "top_reason": ""},
    ]
    assert coverage([], []) == {}
