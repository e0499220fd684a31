"""Dialogue rules, in Chinese and English: what they catch and what they leave alone."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from synthpipe.recipe import ChecksConfig, Constraints
from synthpipe.stages.rules import RuleChecker

ZH = [
    (
        "你好，我上周买的电饭煲一插电就跳闸。",
        "很抱歉给您添麻烦了，这多半是线路短路，请先停止使用。方便提供订单号吗？",
    ),
    ("订单号是 20240612883。", "好的，已经查到了，还在质保期内，我为您申请换新，快递员 48 小时内上门取件。"),
    ("需要我自己打包吗？", "有原包装可以用原包装，没有也没关系，快递员会带包装材料。"),
    ("好的，谢谢！", "不客气，给您带来不便很抱歉，祝您生活愉快！"),
]
EN = [
    (
        "Hi, my new rice cooker trips the breaker as soon as I plug it in.",
        "Sorry about that; it sounds like a short, so please stop using it. Could you share your order number?",
    ),
    (
        "It's 20240612883.",
        "Thanks, it's under warranty, so I've requested a replacement and a courier will collect the old one within 48 hours.",
    ),
    (
        "Do I need to pack it myself?",
        "Use the original box if you have it; otherwise the courier brings packaging.",
    ),
    ("Great, thanks!", "You're welcome, and sorry again for the hassle. Have a good evening!"),
]
DIALOGUES = {"zh": ZH, "en": EN}


def msgs(lang: str, rounds: int = 4, system: str = "") -> list[dict[str, str]]:
    out = [{"role": "system", "content": system}] if system else []
    for user, assistant in DIALOGUES[lang][:rounds]:
        out += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return out


def codes(messages: Any, lang: str | None = None, **kwargs: Any) -> set[str]:
    return {r.code for r in RuleChecker("dialogue", lang, **kwargs).check_fields({"messages": messages})}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("explicit", [True, False])
def test_a_good_dialogue_passes(lang: str, explicit: bool) -> None:
    assert codes(msgs(lang), lang if explicit else None) == set()
    assert codes(msgs(lang, 3, system="You are a support agent."), lang) == set()


# --- structure -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "messages,code",
    [
        (None, "missing_field"),
        ("user: hi\nassistant: hello", "wrong_type"),
        ([], "empty_field"),
        ([*msgs("zh")[:7], "不客气"], "wrong_type"),
        ([*msgs("en")[:7], {"role": "assistant", "content": ["You're", "welcome"]}], "wrong_type"),
        ([*msgs("en")[:7], {"role": "assistant"}], "missing_field"),
        ([*msgs("zh")[:7], {"content": "不客气"}], "missing_field"),
    ],
)
def test_structure_problems_are_reported(messages: Any, code: str) -> None:
    assert code in codes(messages)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", ["human", "gpt", "User", "model", "tool", "客服"])
def test_bad_roles_are_caught(lang: str, role: str) -> None:
    m = msgs(lang)
    m[2]["role"] = role
    assert "bad_role" in codes(m, lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_system_turn_is_only_allowed_first(lang: str) -> None:
    m = msgs(lang)
    m.insert(2, {"role": "system", "content": "Be brief."})
    assert "bad_role" in codes(m, lang)
    assert "bad_role" not in codes(msgs(lang, system="Be brief."), lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_starting_with_the_assistant_is_caught(lang: str) -> None:
    greeting = {"zh": "您好，请问有什么可以帮您？", "en": "Hello! How can I help?"}[lang]
    m = [{"role": "assistant", "content": greeting}, *msgs(lang)]
    assert "starts_with_assistant" in codes(m, lang)
    assert "starts_with_assistant" in codes(msgs(lang)[1:], lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_two_turns_in_a_row_from_one_side_are_caught(lang: str) -> None:
    m = msgs(lang)
    m.insert(3, {"role": "user", "content": {"zh": "还有一个问题。", "en": "One more thing."}[lang]})
    assert "not_alternating" in codes(m, lang)
    m = msgs(lang)
    m.insert(2, copy.deepcopy(m[1]))
    assert "not_alternating" in codes(m, lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("content", ["", " ", "\n\u200b"])
def test_empty_turns_are_caught(lang: str, content: str) -> None:
    m = msgs(lang)
    m[3]["content"] = content
    assert codes(m, lang) == {"empty_turn"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_last_user_turn_left_unanswered_is_caught(lang: str) -> None:
    m = [
        *msgs(lang),
        {"role": "user", "content": {"zh": "那我再想想。", "en": "Let me think about it."}[lang]},
    ]
    assert "ends_with_user" in codes(m, lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rounds_outside_the_range_are_caught(lang: str) -> None:
    assert "rounds_out_of_range" in codes(msgs(lang, 2), lang)
    long = msgs(lang) + msgs(lang)
    assert "rounds_out_of_range" in codes(long, lang)  # 8 rounds, allowed 3-6
    assert "rounds_out_of_range" not in codes(msgs(lang, 3), lang)
    assert "rounds_out_of_range" not in codes(msgs(lang, 2), lang, rounds=(1, 2))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bad_roles_do_not_also_report_order_problems(lang: str) -> None:
    m = msgs(lang)
    m[2]["role"] = "human"
    assert codes(m, lang) == {"bad_role"}


# --- filler ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang,filler",
    [
        ("zh", "好的"),
        ("zh", "明白了。"),
        ("zh", "好的，明白了。"),
        ("zh", "还有问题吗？"),
        ("zh", "嗯嗯，收到～"),
        ("zh", "好的呢😊"),
        ("zh", "明白啦"),
        ("zh", "好的，我明白您的意思了。"),
        ("en", "Okay."),
        ("en", "Understood."),
        ("en", "Sure!"),
        ("en", "Got it, thanks!"),
        ("en", "Is there anything else I can help you with?"),
        ("en", "Sounds good to me!"),
        ("en", "No worries at all!"),
        ("en", "Alright 👍"),
        ("en", "Sure, I can help with that."),
    ],
)
def test_filler_only_assistant_turns_are_caught(lang: str, filler: str) -> None:
    m = msgs(lang)
    m[3]["content"] = filler
    assert "filler_turn" in codes(m, lang)


@pytest.mark.parametrize(
    "lang,answer",
    [
        ("zh", "好的，已经帮您取消订单，退款 1–3 个工作日原路返回。"),
        ("zh", "明白了，这种情况多半是线路短路，请先停止使用。"),
        ("zh", "是的，周日正常营业。"),
        ("zh", "不客气，祝您生活愉快！"),
        ("en", "Okay! You can upgrade to Pro at any time."),
        ("en", "Sure, open Settings and tap Reset."),
        ("en", "You're welcome, have a great trip!"),
    ],
)
def test_short_answers_with_content_are_not_filler(lang: str, answer: str) -> None:
    m = msgs(lang)
    m[3]["content"] = answer
    assert "filler_turn" not in codes(m, lang)


def test_user_turns_may_be_filler_and_recipe_phrases_extend_the_list() -> None:
    m = msgs("zh")
    m[2]["content"] = "好的"
    assert "filler_turn" not in codes(m, "zh")
    m = msgs("en")
    m[3]["content"] = "Roger that!"
    assert "filler_turn" not in codes(m, "en")
    assert "filler_turn" in codes(m, "en", checks=ChecksConfig(filler_phrases=["roger that"]))


# --- self-talk -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang,content",
    [
        ("zh", "好的。\n用户：那运费谁出？\n助手：运费由我们承担。"),
        ("zh", "[用户]：我想退货。[助手]：好的，请提供订单号。"),
        ("zh", "用户：怎么开发票？助手：在订单详情里申请。"),
        ("zh", "问：多久到货？\n答：一般三天。"),
        ("zh", "用户说：能便宜点吗？\n我回答：已经是最低价了。"),
        ("zh", "我们晚上 9 点下班。——用户：那周末呢？——客服：周末 10 点到 6 点。"),
        ("en", "Sure.\nUser: Who pays for shipping?\nAssistant: We do."),
        ("en", "User: Can I return it? Assistant: Yes, within 30 days."),
        ("en", "Q: How long does delivery take?\nA: About three days."),
        ("en", "**User:** Is it waterproof?\n**Assistant:** Yes, IP68."),
        ("en", "Yes.\n\nCustomer: Do you have parking?\nAgent: Yes, behind the building."),
    ],
)
def test_one_turn_writing_both_sides_is_caught(lang: str, content: str) -> None:
    m = msgs(lang)
    m[3]["content"] = content
    assert "self_talk" in codes(m, lang)


def test_a_user_turn_writing_the_assistant_line_is_caught() -> None:
    m = msgs("en")
    m[2]["content"] = "Do I pack it?\nAssistant: No, the courier does."
    assert "self_talk" in codes(m, "en")


@pytest.mark.parametrize(
    "lang,user,answer",
    [
        ("zh", "系统升级时会怎样？", "升级期间登录页会提示用户：服务维护中，请稍后再试。"),
        ("en", "Which plan?\nA: Basic\nB: Pro", "B, the Pro plan, if you need more than one user."),
        ("en", "What's a good backup plan?", "Plan A: rebook online. Plan B: ask for a hotel voucher."),
        (
            "en",
            "Can you make me a mini FAQ about returns?",
            "Q: How long do I have?\nA: 30 days.\nQ: Is it free?\nA: Yes.",
        ),
        (
            "zh",
            "帮我写几条关于退货的常见问题。",
            "问：多久可以退？\n答：7 天内。\n问：运费谁出？\n答：质量问题由我们承担。",
        ),
        (
            "en",
            "Write a short dialogue between a customer and a barista.",
            "Customer: A latte, please.\nBarista: Coming right up!",
        ),
        ("zh", "帮我写一段顾客和客服的对话，培训用。", "顾客：能退货吗？\n客服：签收 7 天内可以退。"),
    ],
)
def test_labels_that_are_not_self_talk_are_left_alone(lang: str, user: str, answer: str) -> None:
    m = msgs(lang)
    m[2]["content"], m[3]["content"] = user, answer
    assert "self_talk" not in codes(m, lang)


# --- shared rules applied per turn -----------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_assistant_turn_echoing_the_user_is_caught(lang: str) -> None:
    m = msgs(lang)
    m[3]["content"] = m[2]["content"]
    assert "repeats_instruction" in codes(m, lang)


@pytest.mark.parametrize("lang,other", [("zh", "en"), ("en", "zh")])
@pytest.mark.parametrize("explicit", [True, False])
def test_an_assistant_turn_in_the_wrong_language_is_caught(lang: str, other: str, explicit: bool) -> None:
    m = msgs(lang)
    m[3]["content"] = DIALOGUES[other][1][1]
    assert "wrong_language" in codes(m, lang if explicit else None)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_turn_lengths_boilerplate_and_placeholders(lang: str) -> None:
    ck = {
        "constraints": Constraints(lengths={"assistant": (10, 60)}, banned_words=["稳赚不赔", "free money"])
    }
    m = msgs(lang)
    m[1]["content"] = {"zh": "可以。", "en": "Yes."}[lang]
    m[3]["content"] = {
        "zh": "作为一个AI语言模型，我建议联系XXX客服，稳赚不赔。",
        "en": "As an AI language model, I suggest [INSERT CONTACT]. Free money!",
    }[lang]
    found = codes(m, lang, **ck)
    assert {"too_short", "boilerplate", "placeholder", "banned_word"} <= found
    assert "too_long" in codes(msgs(lang), lang, constraints=Constraints(lengths={"content": (1, 30)}))
