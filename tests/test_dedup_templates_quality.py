"""Regression of dedup quality on the labelled sets (figures in bench/dedup.md; printed, never timed).

The template-heavy FAQ set (bench/data/template_faq_*.jsonl) has a tuning part, which must meet the goal,
a held-out part that nothing was tuned on: its first measurement (P 1.000, R 0.899: 170 of 189
duplicates found, no false removal) is a floor it may not fall under; and a blind part, written later by
someone who never read the dedup code and measured once (P 1.000, R 0.942), which meets the goal.
A second blind part (blind2, 2026-12-06: telecom, insurance, learning, gyms, rentals, tickets) brought a
case the others lack, one answer shared by many subjects named in the question only: its first
measurement was P 0.562, R 0.778; after the question veto it prompted (so no longer blind) it meets the
goal and is held there.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("numpy")

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import dedup_bench  # noqa: E402
from synthpipe.recipe import DedupConfig  # noqa: E402
from synthpipe.stages.dedup import dedup_records  # noqa: E402

GOAL_P, GOAL_R = 0.95, 0.90
HELDOUT_FIRST = {"TP": 170, "FP": 0}  # first measurement of the held-out part, 2026-12-05


def _show(name: str, res: dict) -> None:
    print(
        f"{name}: P={res['P']:.3f} R={res['R']:.3f} (TP {res['TP']}, FP {res['FP']}, missed {res['missed']})"
    )


@pytest.mark.parametrize("streamed", [False, True], ids=["batch", "streamed"])
def test_tuning_part_meets_the_goal(streamed: bool) -> None:
    res = dedup_bench.template_scores("tune", streamed)
    _show(f"template set, tune, {'streamed' if streamed else 'batch'}", res)
    assert res["P"] >= GOAL_P and res["R"] >= GOAL_R


@pytest.mark.parametrize("streamed", [False, True], ids=["batch", "streamed"])
def test_held_out_part_stays_at_or_above_its_first_measurement(streamed: bool) -> None:
    res = dedup_bench.template_scores("heldout", streamed)
    _show(f"template set, held out, {'streamed' if streamed else 'batch'}", res)
    assert res["TP"] >= HELDOUT_FIRST["TP"] and res["FP"] <= HELDOUT_FIRST["FP"]


@pytest.mark.parametrize("streamed", [False, True], ids=["batch", "streamed"])
def test_blind_part_meets_the_goal(streamed: bool) -> None:
    # Written by someone who never read the dedup code, measured once: P 1.000, R 0.942 (210 of 223).
    res = dedup_bench.template_scores("blind", streamed)
    _show(f"template set, blind, {'streamed' if streamed else 'batch'}", res)
    assert res["P"] >= GOAL_P and res["R"] >= GOAL_R and res["TP"] >= 210


def test_the_earlier_near_duplicate_set_still_meets_the_goal() -> None:
    import make_neardup_set

    rows = make_neardup_set.make(600, 7)
    records = dedup_bench.records_of(rows)
    _, removed = dedup_records(records, DedupConfig(), "classify")
    res = dedup_bench.score(records, {r.id: r.meta.extra["duplicate_of"]["id"] for r in removed})
    _show("near-duplicate set (600 bases per language)", res)
    assert res["P"] >= GOAL_P and res["R"] >= GOAL_R


@pytest.mark.parametrize("streamed", [False, True], ids=["batch", "streamed"])
def test_second_blind_part_meets_the_goal_since_the_question_veto(streamed: bool) -> None:
    res = dedup_bench.template_scores("blind2", streamed)
    _show(f"template set, blind2, {'streamed' if streamed else 'batch'}", res)
    assert res["P"] >= GOAL_P and res["R"] >= GOAL_R and res["TP"] >= 185


def test_third_blind_part_stays_at_its_first_measurement() -> None:
    # bench/dedup.md: blind3 (2026-12-06: car rental, vet clinic admin, co-working, language schools,
    # movers, venues; written without the code) measured once: P 0.974 R 0.813; the recall goal missed
    # (light rewording of both question and answer: en 0.23, zh 0.52). A floor at that measurement.
    res = dedup_bench.template_scores("blind3", False)
    _show("template set, blind3, batch", res)
    assert res["P"] >= 0.97 and res["R"] >= 0.81, res
