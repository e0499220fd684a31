"""Sentence support on the labelled sets of bench/grounding_eval.py (zh and en): the tuning half meets the
goals; every other batch is held at its first measurement or above (see bench/grounding_eval.md for which
were seen when)."""

from __future__ import annotations

import sys
from pathlib import Path

from synthpipe.recipe import GroundingConfig

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import grounding_eval  # noqa: E402


def test_tuning_half_meets_the_goals() -> None:
    fig = grounding_eval.evaluate("tune").figures()
    assert fig["sentence_recall"] >= 0.90 and fig["supported_rejected"] <= 0.05, fig


def test_held_out_half_and_fresh_batch_stay_at_their_first_measured_figures() -> None:
    # First measurements (bench/grounding_eval.md). The held-out half's first run caught 52 or 53 of 55
    # sentences depending on the hash seed (a tie-break since made deterministic); its false
    # rejections (6 of 39 supported answers) miss the 5% goal, and are held at least there.
    per_sentence = GroundingConfig(max_unsupported_sentences=0)
    held = grounding_eval.evaluate("heldout", per_sentence).figures()["counts"]
    assert held["caught"] >= 52 and held["supported_rejected"] <= 6, held
    fresh = grounding_eval.evaluate("fresh", per_sentence).figures()["counts"]
    assert fresh["caught"] >= 19 and fresh["supported_rejected"] <= 2, fresh


def test_by_default_the_labelled_batches_reject_few_supported_answers() -> None:
    # Defaults: one unsupported sentence is a flag, two or more reject. Chosen after the held-out and
    # fresh batches were seen (bench/grounding_eval.md), so these hold figures, they do not prove them.
    for half, most in (("tune", 0), ("heldout", 1), ("fresh", 0)):
        counts = grounding_eval.evaluate(half).figures()["counts"]
        assert counts["supported_rejected"] <= most, (half, counts)
        assert counts["unsupported_answers_caught"] >= counts["unsupported_answers"] - 1, (half, counts)


def test_blind_batch_stays_at_its_measured_figures() -> None:
    # bench/grounding_eval.md: measured once at 32/36 caught and 3/20 supported answers rejected (both
    # goals missed); 2/20 after the Chinese courtesy formulas, 1/20 since the chain, 33/36 caught since
    # figures are bound to their clause (2026-12-06). Held a little below, not proved: blind2 is seen.
    counts = grounding_eval.evaluate("blind2").figures()["counts"]
    assert counts["caught"] >= 32 and counts["supported_rejected"] <= 1, counts


def test_third_blind_batch_stays_at_its_figures() -> None:
    # bench/grounding_eval.md: blind3 (2026-12-06, four new sources) measured once: 32/37 caught, 3/24
    # supported answers rejected, 28 false flags; both goals missed. Since 2026-12-06 (tuned on it, so
    # held, not proved): 34/37 caught, 1/24 rejected, 10 false flags.
    counts = grounding_eval.evaluate("blind3").figures()["counts"]
    assert counts["caught"] >= 33 and counts["supported_rejected"] <= 1, counts
    assert counts["flagged"] - counts["flagged_right"] <= 11, counts


def test_fourth_blind_batch_stays_at_its_first_measurement() -> None:
    # bench/grounding_eval.md: blind4 (2026-12-06, six new sources in grounding_sources_blind4.jsonl, 60
    # answers written without the code) measured once after the changes above: 27/38 caught (0.711), 3/27
    # supported answers rejected (11.1 %); both goals missed. Since round 2 (2026-12-06, tuned on it, so
    # held, not proved): 29/38 caught, 2/27 rejected; goals still missed.
    counts = grounding_eval.evaluate("blind4").figures()["counts"]
    assert counts["caught"] >= 29 and counts["supported_rejected"] <= 2, counts


def test_fifth_blind_batch_stays_at_its_first_measurement() -> None:
    # bench/grounding_eval.md: blind5 (2026-12-06, six more sources in grounding_sources_blind5.jsonl, 60
    # answers written without the code) measured once, after both rounds of today's changes: 29/36 caught
    # (0.806; en 17/18, zh 12/18), 2/30 supported answers rejected (6.7 %); the code before them (650db68)
    # scored 27/36 and 3/30 on it. Both goals still missed. A floor at that first measurement; seen since:
    # 30/36 with Chinese figures glued to Han text read (30元, 24小时).
    counts = grounding_eval.evaluate("blind5").figures()["counts"]
    assert counts["caught"] >= 30 and counts["supported_rejected"] <= 2, counts


def test_sixth_blind_batch_stays_at_its_first_measurement() -> None:
    # bench/grounding_eval.md: blind6 (2026-12-06, hotel, ski rental, passport office, train tickets,
    # property fees, kindergarten; 60 answers written without the code) measured once: 24/32 caught
    # (0.750; en 9/16, zh 15/16), 4/30 supported answers rejected (13.3 %); the code before the day's
    # Chinese-figure fix (68279dc) scored 23/32 and 4/30. Both goals missed, English recall most: the
    # misses reuse the source's words and figures for a false claim. Seen since: 2/30 rejected with
    # named fractions and announced results worked out.
    counts = grounding_eval.evaluate("blind6").figures()["counts"]
    assert counts["caught"] >= 24 and counts["supported_rejected"] <= 2, counts


def test_seventh_blind_batch_stays_at_its_first_measurement() -> None:
    # bench/grounding_eval.md: blind7 (2026-12-06, course registration, a ferry, a water utility, a
    # swimming pool, car inspection, a concert hall; 60 answers written without the code) measured once
    # after the day's arithmetic changes: 26/32 caught (0.812; en 11/16, zh 15/16), 3/30 supported
    # answers rejected (10 %); the code before the day (68279dc) scored the same, 26/32 and 3/30.
    counts = grounding_eval.evaluate("blind7").figures()["counts"]
    assert counts["caught"] >= 26 and counts["supported_rejected"] <= 3, counts


def test_eighth_blind_batch_stays_at_its_first_measurement() -> None:
    # bench/grounding_eval.md: blind8 (2026-12-06, EV charging, garden plots, laptop trade-in, a campsite,
    # a coffee subscription, a theme park pass; 60 answers written without the code) measured once on the
    # code as it landed (2df4191): 21/32 caught (0.656; en 10/16, zh 11/16), 5/30 supported answers
    # rejected (16.7 %). Both goals missed; most misses stretch a rule to another item.
    counts = grounding_eval.evaluate("blind8").figures()["counts"]
    assert counts["caught"] >= 21 and counts["supported_rejected"] <= 5, counts
