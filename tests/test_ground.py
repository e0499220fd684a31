"""Grounding: invented numbers, units, names and terms are found in English and Chinese; faithful
answers pass; the recipe decides between flag and reject."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthpipe.core.records import Meta, Record
from synthpipe.engine.presets import PRESETS, build_stages
from synthpipe.stages.ground import (
    GroundingStage,
    build_reference,
    check_grounding,
    cn_numeral,
    extract_numbers,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "synthpipe" / "examples"
SRC_EN = (EXAMPLES / "returns_policy_en.md").read_text(encoding="utf-8")
SRC_ZH = (EXAMPLES / "returns_policy_zh.md").read_text(encoding="utf-8")


def unsupported(answer: str, source: str, *prompt: str) -> list[str]:
    return check_grounding(answer, build_reference([source, *prompt])).unsupported


def qa_record(output: str, instruction: str = "How do returns work?") -> Record:
    return Record("r1", {"instruction": instruction, "input": "", "output": output}, Meta(task="qa"))


# --- English ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "You can return most items within 30 days of delivery for a full refund, if they are unused.",
        "Refunds go back to the original payment method within 5 business days. Open your order in the "
        'Northwind app and choose "Return items".',
        "Damaged items must be reported within 7 days of delivery with a photo; we send a replacement at no cost.",
        'Start in Northwind\'s app: open the order and pick "Return items"; the label comes by email.',
    ],
)
def test_faithful_english_answer_has_nothing_unsupported(answer: str) -> None:
    assert unsupported(answer, SRC_EN) == []


def test_invented_english_numbers_units_and_names_are_found() -> None:
    answer = (
        "You can return items within 45 days. Our Premium Care Plan covers shipping and refunds arrive "
        "in 5 hours via PayPal. Call 1-800-555-0199 for a VIP exchange."
    )
    found = unsupported(answer, SRC_EN)
    assert "45 days" in found
    assert any(f.startswith("5 hours") and "business_day" in f for f in found)  # value in source, unit is not
    for term in ("Premium Care Plan", "PayPal", "1-800-555-0199", "VIP"):
        assert term in found, term
    assert len(found) == 6


def test_terms_the_user_brought_up_are_not_counted_against_the_answer() -> None:
    answer = "Yes, the PX-200 tent can be returned within 30 days of delivery."
    assert unsupported(answer, SRC_EN) == ["PX-200"]
    assert unsupported(answer, SRC_EN, "Can I return my PX-200 tent?") == []


def test_list_markers_and_sentence_initial_words_are_not_findings() -> None:
    answer = "To return an item:\n1. Open your order.\n2. Choose Return items.\nRefunds take 5 business days."
    assert unsupported(answer, SRC_EN) == []


# --- Chinese ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "大部分商品在签收后 30 天内可以退货，须未使用并保留原包装。标注“最终特价”的商品不支持退货。",
        "请在北风 App 中打开订单，选择“申请退货”。退款会在 5 个工作日内原路退回，礼品卡购买的以店铺余额退款。",
        "商品破损请在签收后七天内附照片反馈，我们会免费补发。",  # 七天 written out, 7 天 in the source
    ],
)
def test_faithful_chinese_answer_has_nothing_unsupported(answer: str) -> None:
    assert unsupported(answer, SRC_ZH) == []


def test_invented_chinese_numbers_terms_and_latin_names_are_found() -> None:
    answer = (
        "签收后四十五天内都可以退货，金卡会员还可享受 8 折优惠，请拨打 400-820-8820 联系“极速退款”专线，"
        "或使用 PayPal 付款。退款在 3 个工作日内到账。"
    )
    found = unsupported(answer, SRC_ZH)
    for item in ("四十五天", "金卡会员", "8 折", "400-820-8820", "极速退款", "PayPal", "3 个工作日"):
        assert item in found, item
    assert "金卡" not in found  # one invented name is reported once


def test_chinese_numerals_and_percentages_are_read() -> None:
    assert [cn_numeral(t) for t in ("三十", "十五", "两百", "一万二千", "一百零五")] == [
        30,
        15,
        200,
        12000,
        105,
    ]
    values = {(v, u) for v, u, _ in extract_numbers("百分之五十的商品三十天内可退，一个问题，十分重要")}
    assert values == {("50", "%"), ("30", "day")}  # 一个 and 十分 are not numbers to check


# --- the stage -------------------------------------------------------------------------------------


async def test_stage_flags_or_rejects_per_recipe(write_recipe) -> None:
    invented = "You can return items within 60 days, and our Gold Club members get free pickup."
    facts_only = {"sentences": False}  # the sentence check has its own tests (test_ground_sentences.py)
    _, recipe = write_recipe(sources=[{"text": SRC_EN}], grounding=facts_only)
    stage = GroundingStage.from_recipe(recipe)
    assert stage is not None and recipe.grounding.action == "flag"
    rec = qa_record(invented)
    await stage.process([rec])
    assert rec.ok and [f.code for f in rec.meta.flags] == ["ungrounded"]
    assert "60 days" in rec.meta.flags[0].detail and "Gold Club" in rec.meta.flags[0].detail
    assert rec.meta.scores["grounding"]["unsupported"] == ["60 days", "Gold Club"]

    _, strict = write_recipe(sources=[{"text": SRC_EN}], grounding={**facts_only, "action": "reject"})
    rec = qa_record(invented)
    await GroundingStage.from_recipe(strict).process([rec])
    assert not rec.ok and rec.meta.reasons[0].code == "ungrounded" and rec.meta.reasons[0].stage == "ground"

    _, lenient = write_recipe(
        sources=[{"text": SRC_EN}], grounding={**facts_only, "action": "reject", "max_unsupported": 2}
    )
    rec = qa_record(invented)
    await GroundingStage.from_recipe(lenient).process([rec])
    assert rec.ok and [f.code for f in rec.meta.flags] == ["ungrounded"]  # within the allowance: a flag


async def test_faithful_record_passes_the_stage_with_a_coverage_score(write_recipe) -> None:
    _, recipe = write_recipe(sources=[{"text": SRC_EN}], grounding={"action": "reject"})
    rec = qa_record("You can return most items within 30 days of delivery for a full refund.")
    await GroundingStage.from_recipe(recipe).process([rec])
    assert rec.ok and not rec.meta.flags
    assert rec.meta.scores["grounding"]["coverage"] > 0.8


async def test_dialogue_assistant_turns_are_checked_user_turns_are_reference(write_recipe) -> None:
    _, recipe = write_recipe(
        task="dialogue",
        language="zh",
        sources=[{"text": SRC_ZH}],
        grounding={"action": "reject", "sentence_action": "reject", "max_unsupported_sentences": 0},
    )
    msgs = [
        {"role": "user", "content": "我的订单号 88123 可以退吗？"},
        {"role": "assistant", "content": "订单 88123 在签收后 30 天内可以退货。"},
        {"role": "user", "content": "退款多久到账？"},
        {"role": "assistant", "content": "仓库收到商品后 2 个工作日内到账。"},
    ]
    rec = Record("d1", {"messages": msgs}, Meta(task="dialogue"))
    await GroundingStage.from_recipe(recipe).process([rec])
    # the invented figure is an unsupported fact, and its sentence is unsupported as a whole
    assert [r.code for r in rec.meta.reasons] == ["ungrounded", "unsupported_sentence"]
    assert rec.meta.scores["grounding"]["unsupported"] == ["2 个工作日"]
    assert "仓库收到商品后 2 个工作日内到账" in rec.meta.reasons[1].detail


def test_no_grounding_stage_without_sources_or_for_classify(write_recipe) -> None:
    _, plain = write_recipe()
    assert GroundingStage.from_recipe(plain) is None
    _, cls = write_recipe(task="classify", labels=["a", "b"], sources=[{"text": SRC_EN}])
    assert GroundingStage.from_recipe(cls) is None
    _, off = write_recipe(sources=[{"text": SRC_EN}], grounding={"enabled": False})
    assert [s.name for s in build_stages(PRESETS["judge"], off)] == ["rules"]


def test_a_chinese_figure_glued_to_han_text_is_read() -> None:
    # the number's lookbehind took Han characters for word characters: 住宿费30元 gave nothing
    from synthpipe.stages.ground import extract_numbers

    assert extract_numbers("住宿费30元") == [("30", "cny", "30元")]
    assert extract_numbers("提前24小时取消") == [("24", "hour", "24小时")]
    assert extract_numbers("PX200 and v2") == []  # a code glued to Latin letters is still no figure


def test_a_chinese_figure_is_bound_to_the_sentence_that_names_its_thing() -> None:
    from synthpipe.stages.support import SupportIndex

    source = (
        "因实习需要延期住宿的，可在6月15日前申请，每天收取住宿费20元。钥匙遗失的赔偿30元。"
        "日常保洁按小时计费，每小时45元。新用户可领30元优惠券，满135元可用。"
    )
    clauses = SupportIndex([source]).clauses
    assert clauses.misbound("延期住宿费每天30元", set()) == "30"  # the key's fee, not the stay's
    assert clauses.misbound("延期住宿费每天20元", set()) is None
    # 3 hours at 45 元 is worked out, though 135 元 is also what the source gives the coupon
    assert clauses.misbound("3小时日常保洁是135元", set()) is None


def test_a_named_fraction_and_a_result_of_earlier_sentences_are_worked_out() -> None:
    from synthpipe.stages.support import PromptUnits, SupportIndex, answer_support

    source = (
        "Late check-out until 18:00 is charged at half the nightly rate. "
        "Guests may bring a pet twice a month for 5 EUR. "
        "An online renewal costs 82 GBP. The 50-page passport costs 22 GBP more."
    )
    index = SupportIndex([source])
    prompt = PromptUnits(["Our room is 150 EUR a night. How much is late check-out?"])
    [late] = answer_support(
        ["Late check-out is charged at half the nightly rate, so you'd pay an extra 75 EUR."], index, prompt
    )
    assert late.supported(0.6)
    # a factor the source names elsewhere is no step: "twice a month" makes no 10 EUR out of 5 EUR
    [pet] = answer_support(["A pet costs 10 EUR a month."], index)
    assert not pet.supported(0.6)
    parts, total = answer_support(
        [
            "An online renewal costs 82 GBP, and the 50-page passport costs 22 GBP more.",
            "So you'd pay 104 GBP.",
        ],
        index,
    )
    assert parts.supported(0.6) and total.supported(0.6)
    _, wrong = answer_support(
        [
            "An online renewal costs 82 GBP, and the 50-page passport costs 22 GBP more.",
            "So you'd pay 114 GBP.",
        ],
        index,
    )
    assert not wrong.supported(0.6)


def test_a_sentence_saying_the_source_is_silent_states_nothing_to_support() -> None:
    from synthpipe.stages.support import SupportIndex, sentence_support

    index = SupportIndex(["Visitors park free for the first hour, then pay 3 EUR an hour."])
    for s in (
        "The document doesn't explain how to register a visitor, so you may need to ask the office.",
        "超过3小时怎么收费，须知里没有说明，建议到时问一下车库。",
    ):
        assert sentence_support(s, index).claimless, s
    # a claim beside it is still judged when the sentence says nothing of the source's silence
    assert not sentence_support(
        "Registering a visitor takes two working days at the office.", index
    ).supported(0.6)


def test_an_acknowledgement_states_nothing() -> None:
    from synthpipe.stages.support_units import units

    assert units("Sounds good.") == units("Got it!") == frozenset()
    assert units("The sound system is loud.") == {"sound", "system", "loud"}
