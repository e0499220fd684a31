"""Regression of dedup quality on the labelled sets (figures in bench/dedup.md; printed, never timed).

The template-heavy FAQ set (bench/data/template_faq_*.jsonl) has a tuning part, which must meet the goal,
a held-out part that nothing was tuned on: its first measurement (P 1.000, R 0.899: 170 of 189
duplicates found, no false removal) is a floor it may not fall under; and a blind part, written later by
someone who never read the dedup code and measured once (P 1.000, R 0.942), which meets the goal.
A second blind part (blind2, 2026-12-06: telecom, insurance, learning, gyms, rentals, tickets) brought a
case the others lack, one answer shared by many subjects named in the question only: its first
measurement was P 0.562, R 0.778; after the question veto it prompted (so no longer blind) it meets the
goal and is held there. The third blind part (blind3) was measured once (P 0.974, R 0.813); the
function-word rules of 2026-12-06 (tested at the end) were chosen looking at all five parts, so every
floor here is on seen data.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("numpy")

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import dedup_bench  # noqa: E402
from synthpipe.core.records import Meta, Record  # noqa: E402
from synthpipe.recipe import DedupConfig  # noqa: E402
from synthpipe.stages.dedup import Deduper, dedup_records  # noqa: E402
from synthpipe.stages.dedup.confirm import QUESTION, SUBJECT, features, similarity, veto  # noqa: E402

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
    # Written by someone who never read the dedup code, measured once: P 1.000, R 0.942 (210 of 223);
    # 213 since the function-word rules (2026-12-06).
    res = dedup_bench.template_scores("blind", streamed)
    _show(f"template set, blind, {'streamed' if streamed else 'batch'}", res)
    assert res["P"] >= GOAL_P and res["R"] >= GOAL_R and res["TP"] >= 212


def test_the_earlier_near_duplicate_set_still_meets_the_goal() -> None:
    import make_neardup_set

    rows = make_neardup_set.make(600, 7)
    records = dedup_bench.records_of(rows)
    _, removed = dedup_records(records, DedupConfig(), "classify")
    res = dedup_bench.score(records, {r.id: r.meta.extra["duplicate_of"]["id"] for r in removed})
    _show("near-duplicate set (600 bases per language)", res)
    # TP 1152 before the function-word rules, 1166 since (2026-12-06)
    assert res["P"] >= GOAL_P and res["R"] >= GOAL_R and res["TP"] >= 1160


@pytest.mark.parametrize("streamed", [False, True], ids=["batch", "streamed"])
def test_second_blind_part_meets_the_goal_since_the_question_veto(streamed: bool) -> None:
    res = dedup_bench.template_scores("blind2", streamed)
    _show(f"template set, blind2, {'streamed' if streamed else 'batch'}", res)
    # TP 185 since the question veto, 191 since the function-word rules (2026-12-06)
    assert res["P"] >= GOAL_P and res["R"] >= GOAL_R and res["TP"] >= 189


@pytest.mark.parametrize("streamed", [False, True], ids=["batch", "streamed"])
def test_third_blind_part_stays_at_its_last_measurement(streamed: bool) -> None:
    # bench/dedup.md: blind3 (2026-12-06: car rental, vet clinic admin, co-working, language schools,
    # movers, venues; written without the code) measured once: P 0.974 R 0.813; the recall goal missed
    # (light rewording of both question and answer: en 0.23, zh 0.52). Since the function-word rules,
    # seen: P 0.982 R 0.893 (167 of 187), still under the recall goal.
    res = dedup_bench.template_scores("blind3", streamed)
    _show(f"template set, blind3, {'streamed' if streamed else 'batch'}", res)
    assert res["P"] >= 0.975 and res["R"] >= 0.885, res


# ---------------------------------------------------------------- the function-word rules (confirm.py)

EN_ANSWER = (
    "Ask the duty manager at the front desk; if it is not solved within 10 days, write to customer care."
)
ZH_ANSWER = "请登录账户，在订单页面点击申请退款，审核通过后五个工作日内到账。"


def test_a_question_reworded_in_function_words_and_one_content_word_is_no_other_question() -> None:
    # "do … speak" / "should … talk": two words each side, but one content word; 怎么…呢 / 要如何: three
    # characters each side, but 怎 么 呢 are a question word and a particle
    pairs = [
        (
            "Who do I speak to if there is a problem with my booking?",
            "Who should I talk to if there is a problem with my booking?",
            EN_ANSWER,
        ),
        ("退款怎么办理呢？", "退款要如何办理？", ZH_ANSWER),
    ]
    for one, other, answer in pairs:
        assert veto(features(one, answer), features(other, answer)) is None, one
    # two content words each side are still another question (a subject named in the question only)
    en = [
        features(f"Can I get a refund for {s}?", EN_ANSWER)
        for s in ("course enrolments", "certificate reissues")
    ]
    zh = [features(f"{s}可以退款吗？", ZH_ANSWER) for s in ("会籍冻结", "套餐变更")]
    assert veto(*en) == QUESTION and veto(*zh) == QUESTION


def test_a_function_word_changed_in_question_and_answer_is_no_subject() -> None:
    en = [
        features(f"{m.capitalize()} I pause my membership?", f"You {m} pause your membership twice a year.")
        for m in ("can", "may")
    ]
    zh = [features(f"入职需要{w}材料？", f"入职需要{w}材料：身份证和学历证明。") for w in ("什么", "哪些")]
    assert veto(*en) is None and veto(*zh) is None
    # a content word changed the same way in both is a subject
    leave = [
        features(f"Who approves {s} leave?", f"{s.capitalize()} leave is approved by your manager.")
        for s in ("annual", "sick")
    ]
    zh_leave = [features(f"{s}由谁审批？", f"{s}由直属经理审批。") for s in ("入职", "报销")]
    assert veto(*leave) == SUBJECT and veto(*zh_leave) == SUBJECT


def test_a_function_word_only_one_record_has_costs_half_a_word() -> None:
    answer = "Microchip registrations cost 30 euros each, including VAT."
    en = (
        features("How much do microchip registrations cost?", answer),
        features("What do microchip registrations cost?", answer),
    )
    zh_answer = "请到前台补办会员卡，工本费十元。"
    zh = features("会员卡丢了怎么补办呢？", zh_answer), features("会员卡丢了去哪补办？", zh_answer)
    # plain Jaccard: 9/12 and 16/21, both under the default threshold 0.8
    assert similarity(*en) == pytest.approx(9 / (12 - 0.5 * 3))
    assert similarity(*zh) == pytest.approx(16 / (21 - 0.5 * 4))
    assert min(similarity(*en), similarity(*zh)) >= DedupConfig().minhash_threshold
    # a negation is not a function word: "not" costs a whole word
    yes = features("Can I cancel?", "You can cancel the booking online at any time.")
    no = features("Can I cancel?", "You can not cancel the booking online at any time.")
    assert similarity(yes, no) == pytest.approx(10 / 11)


def test_questions_reworded_in_function_words_are_near_duplicates_on_both_paths() -> None:
    def qa(rid: str, q: str, a: str) -> Record:
        return Record(rid, {"instruction": q, "input": "", "output": a}, Meta(task="qa"))

    rows = [
        ("a", "Who do I speak to if there is a problem with my booking?", EN_ANSWER),
        ("b", "Who should I talk to if there is a problem with my booking?", EN_ANSWER),
        ("c", "退款怎么办理呢？", ZH_ANSWER),
        ("d", "退款要如何办理？", ZH_ANSWER),
    ]
    _, removed = dedup_records([qa(*r) for r in rows], DedupConfig(), "qa")
    assert {r.id: r.meta.extra["duplicate_of"]["id"] for r in removed} == {"b": "a", "d": "c"}
    deduper = Deduper(DedupConfig(), "qa")
    assert [deduper.check(qa(*r)) is not None for r in rows] == [False, True, False, True]


def test_fourth_blind_part_stays_at_its_first_measurement() -> None:
    # bench/dedup.md: blind4 (2026-12-06: dental clinic admin, bicycle shops, photo printing, translation,
    # wedding planners, tailoring; written without the code) measured once with today's confirm changes:
    # P 0.984 R 0.893 (the code before them, 650db68: P 0.983 R 0.854); the recall goal missed narrowly.
    res = dedup_bench.template_scores("blind4", False)
    _show("template set, blind4, batch", res)
    assert res["P"] >= 0.98 and res["R"] >= 0.89, res


def test_fifth_blind_part_stays_at_its_first_measurement() -> None:
    # bench/dedup.md: blind5 (2026-12-06: restaurants and catering, dry cleaning, childcare, music lessons,
    # pet grooming, locksmiths; written without the code) measured once, with the threshold at 0.78:
    # P 0.944 R 0.843; at 0.8, the shipped default (the 0.78 change was taken back: it made a 1M pool add
    # 20-38 % slower), P 0.936 R 0.808. Both goals missed. Chinese rewording of whole phrases
    # (目前得等多长时间 / 现在要排多久) and subjects named in the question only are left.
    res = dedup_bench.template_scores("blind5", False)
    _show("template set, blind5, batch", res)
    assert res["P"] >= 0.93 and res["R"] >= 0.80, res


def test_sixth_blind_part_stays_at_its_first_measurement() -> None:
    # bench/dedup.md: blind6 (2026-12-06: hotels, parcel lockers, driving tests, library rooms, appliance
    # repair, florists; written without the code) measured once with the threshold at 0.78: P 0.967
    # R 0.763; at 0.8, the shipped default, P 0.967 R 0.753. Rewording of both question and answer is
    # what is missed (en 0.40, zh 0.21 at 0.8).
    res = dedup_bench.template_scores("blind6", False)
    _show("template set, blind6, batch", res)
    assert res["P"] >= 0.96 and res["R"] >= 0.75, res


def test_seventh_blind_part_stays_at_its_first_measurement() -> None:
    # bench/dedup.md: blind7 (2026-12-06: EV charging, campsites, tax help, instrument repair, hair salons,
    # theme parks; written without the code) measured once on the code as it landed (2df4191): P 0.855
    # R 0.653, both goals missed. False removals: one-word contrasts in the question only (upright / grand
    # piano, 单日票 / 双日票); misses: Chinese rewordings of question and answer (0.048).
    res = dedup_bench.template_scores("blind7", False)
    _show("template set, blind7, batch", res)
    assert res["P"] >= 0.85 and res["R"] >= 0.65, res
