"""Task-kind rules for dialogues (issue 12): a turn that repeats an earlier one or circles
(`repeated_turn`), and an assistant turn that leaves the recipe's topic and sources (`off_topic`), in
Chinese and English, with the look-alikes each must leave alone. The other kinds' rules are in
tests/test_checks_kinds.py."""

from __future__ import annotations

from typing import Any

import pytest

from synthpipe.stages.rules import RuleChecker

from .test_checks_kinds import ROOT, codes, dlg

# --- dialogues --------------------------------------------------------------------------------------

POLICY_ZH = (ROOT / "src/synthpipe/examples/returns_policy_zh.md").read_text(encoding="utf-8")
POLICY_EN = (ROOT / "src/synthpipe/examples/returns_policy_en.md").read_text(encoding="utf-8")
ZH_TURNS = [
    "我退货已经一个星期了，退款怎么还没到？",
    "您好，仓库收到退货后会在 5 个工作日内原路退款。麻烦提供一下订单号，我帮您查一下进度。",
    "订单号 NW20241002。",
    "查到了，仓库 10 月 8 日签收，退款已于 10 月 10 日退回您的原支付账户，银行入账可能还需要 1 到 3 天。",
    "好的，那我再等等，谢谢！",
    "不客气！如果 3 天后还没到账，欢迎随时联系我们。",
]
EN_TURNS = [
    "I returned my order a week ago. Why haven't I got my refund yet?",
    "Hello! Refunds go back to your original payment method within 5 business days after the warehouse receives the item. Could you give me the order number?",
    "It's NW20241002.",
    "Found it: the warehouse received it on October 8 and the refund was issued on October 10. Your bank may take another 1 to 3 days.",
    "Okay, I'll wait a bit longer then. Thanks!",
    "You're welcome! If it still hasn't arrived in 3 days, feel free to contact us again.",
]
TURNS = {"zh": ZH_TURNS, "en": EN_TURNS}
CONTEXT = {
    "zh": {"topics": ["退款未到账"], "sources": [POLICY_ZH]},
    "en": {"topics": ["a refund that has not arrived"], "sources": [POLICY_EN]},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_good_dialogue_passes_with_topic_and_sources(lang: str) -> None:
    assert (
        codes("dialogue", dlg(*TURNS[lang]), plan={"topic": CONTEXT[lang]["topics"][0]}, **CONTEXT[lang])
        == set()
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("change", ["verbatim", "near", "loop"])
def test_a_turn_that_repeats_an_earlier_one_is_caught(lang: str, change: str) -> None:
    turns = list(TURNS[lang])
    if change == "verbatim":
        turns[5] = turns[1]
    elif change == "near":
        turns[5] = ("好的，" if lang == "zh" else "Sure! ") + turns[3]
    else:
        turns[4] = turns[2]  # the user gives the order number again
    assert codes("dialogue", dlg(*turns)) == {"repeated_turn"}


def test_thanks_and_templated_turns_with_new_facts_are_not_repeats() -> None:
    thanks = dlg(
        "羽绒服可以机洗吗？",
        "可以，用 30 度以下冷水和轻柔模式。",
        "谢谢你的帮助！",
        "不客气，烘干时放几个网球，羽绒更蓬松。",
        "谢谢你的帮助！",
        "祝您穿着愉快！",
    )
    assert codes("dialogue", thanks) == set()
    orders = dlg(
        "I'd like to track two orders.",
        "Sure, please send me both order numbers.",
        "NW20240612883 and NW20240612890.",
        "Order NW20240612883 has shipped and should arrive Monday.",
        "And the other one?",
        "Order NW20240612890 has shipped and should arrive Wednesday.",
    )
    assert codes("dialogue", orders) == set()


@pytest.mark.parametrize(
    "lang,digression",
    [
        ("zh", "今年股市波动比较大，建议您把闲钱配置一部分到指数基金，坚持长期定投，年化收益会更稳健。"),
        (
            "en",
            "Markets have been volatile this year, so consider putting spare cash into a low-cost index fund and investing monthly for steadier long-term gains.",
        ),
    ],
)
def test_an_assistant_turn_that_leaves_the_topic_is_off_topic(lang: str, digression: str) -> None:
    turns = list(TURNS[lang])
    turns[3] = digression
    found = codes("dialogue", dlg(*turns), plan={"topic": CONTEXT[lang]["topics"][0]}, **CONTEXT[lang])
    assert found == {"off_topic"}
    assert codes("dialogue", dlg(*turns)) == set()  # nothing to compare with: the rule is off


def test_the_plan_topic_alone_switches_off_topic_on() -> None:
    turns = list(EN_TURNS)
    turns[3] = (
        "Scorpios can expect a lucky week: a mentor will help at work, romance favors bold moves, the lucky color "
        "is purple and the best day for important decisions is Thursday afternoon."
    )
    assert codes("dialogue", dlg(*turns), plan={"topic": "a refund that has not arrived"}) == {"off_topic"}


def test_without_sources_an_answer_in_new_words_is_left_alone() -> None:
    garden = dlg(
        "I just moved into a flat with a small balcony.",
        "Nice! A small balcony is plenty for herbs and salad greens if it gets a few hours of sun.",
        "It faces east, so mornings only.",
        "Morning sun suits lettuce, spinach, parsley and mint; skip tomatoes and peppers, which want six hours or more.",
        "What soil should I use?",
        "Ready-made potting mix is easiest. Put a layer of clay pebbles at the bottom of each pot for drainage.",
    )
    assert codes("dialogue", garden, topics=["balcony gardening"]) == set()


def test_from_recipe_passes_topics_and_sources(write_recipe: Any) -> None:
    _, recipe = write_recipe(task="dialogue", topics=["退款"], sources=[{"text": POLICY_ZH}])
    checker = RuleChecker.from_recipe(recipe)
    assert checker.has_sources and "退款" in checker.background_text
