"""Issue 11, in Chinese and English: template slots left in any field of any kind ("[brand]", "【产品名】")
are placeholders, honest brackets are not; a record that asks a few-shot example's question again is
`copies_example`, whatever its answer."""

from __future__ import annotations

from typing import Any

import pytest

from synthpipe.stages.rules import CODES, RuleChecker


def qa(ins: str, out: str, inp: str = "") -> dict[str, Any]:
    return {"instruction": ins, "input": inp, "output": out}


def dialogue(*turns: str) -> dict[str, Any]:
    roles = ("user", "assistant")
    return {"messages": [{"role": roles[i % 2], "content": t} for i, t in enumerate(turns)]}


def codes(checker: RuleChecker, fields: dict[str, Any]) -> set[str]:
    return {r.code for r in checker.check_fields(fields)}


KAREN = (
    "Hi, I'm Karen from the [brand] customer care team. Do you have a minute to talk about your recent "
    "delivery in [location]?"
)
EN_TURNS = (
    "My parcel says delivered but it isn't here.",
    "Sorry about that. Could you give me the order number so I can check?",
    "It's 4471-2290.",
    "Thanks. The courier left it at the front desk of your building this morning.",
)
ZH_TURNS = (
    "我的快递显示签收了，但我没收到。",
    "很抱歉给您添麻烦了。请问您的订单号是多少？",
    "订单号是 20240611887。",
    "查到了，快递员把包裹放在了小区快递柜，取件码已经发到您的手机上。",
)


# --- template slots --------------------------------------------------------------------------------


def test_the_issue_example_is_caught_in_a_classify_text() -> None:
    ck = RuleChecker("classify", "en", labels=["sales", "support", "spam"])
    found = ck.check_fields({"text": KAREN, "label": "support"})
    assert [r.code for r in found] == ["placeholder"]
    assert "[brand]" in found[0].detail and "[location]" in found[0].detail


@pytest.mark.parametrize(
    "lang,text",
    [
        ("zh", "您好，我是【公司名称】的客服小李，您在【城市】门店买的净化器可以以旧换新。"),
        ("zh", "用了一周，[产品]的续航比宣传的短不少，有点失望。"),
        ("en", "Hello [customer_first_name], your refund of $25 was sent to your card today."),
        ("en", "Loved the [product]! Shipping to [city] took only two days."),
    ],
)
def test_slots_are_caught_in_a_classify_text(lang: str, text: str) -> None:
    ck = RuleChecker("classify", lang, labels=["a", "b"])
    assert codes(ck, {"text": text, "label": "a"}) == {"placeholder"}


@pytest.mark.parametrize(
    "lang,turns,i,slotted",
    [
        ("en", EN_TURNS, 0, "Hi, I ordered the [item] last Tuesday and it still isn't here."),
        ("en", EN_TURNS, 3, "You can pick it up at <store name> any day after 2 pm."),
        ("zh", ZH_TURNS, 0, "我在[城市]，前天买的东西显示签收了，但我没收到。"),
        ("zh", ZH_TURNS, 3, "查到了，稍后【客服姓名】会给您回电，把取件码告诉您。"),
    ],
)
def test_slots_are_caught_in_any_dialogue_turn(
    lang: str, turns: tuple[str, ...], i: int, slotted: str
) -> None:
    ck = RuleChecker("dialogue", lang, rounds=(1, 6))
    assert codes(ck, dialogue(*turns)) == set()
    changed = list(turns)
    changed[i] = slotted
    found = ck.check_fields(dialogue(*changed))
    assert [(r.code, r.detail.split(":")[0]) for r in found] == [("placeholder", f"messages[{i}]")]


@pytest.mark.parametrize(
    "task,fields,where",
    [
        ("qa", qa("Do you ship the same day?", "Yes, orders ship from our [warehouse] by 5 pm."), "output"),
        (
            "qa",
            qa("How long does the [product] battery last?", "About 10 hours of mixed use."),
            "instruction",
        ),
        ("qa", qa("退货地址是哪里？", "请把商品寄到[仓库地址]，我们收到后 3 个工作日内退款。"), "output"),
        ("qa", qa("【品牌名】的扫地机器人滚刷多久换一次？", "一般每 6 到 12 个月换一次。"), "instruction"),
        ("qa", qa("你们周末营业吗？", "周末正常营业，也可以拨打［门店电话］确认。"), "output"),
        (
            "summarize",
            qa(
                "Summarize this in one sentence.",
                "[Company] grew revenue 12% and raised its outlook.",
                "Northwind Traders grew second-quarter revenue 12% and raised its full-year forecast.",
            ),
            "output",
        ),
        (
            "rewrite",
            qa(
                "Make this more confident.",
                "Dear [hiring manager], I'm a strong fit for the [position] role.",
                "I think I might fit your open role.",
            ),
            "output",
        ),
        ("rewrite", qa("把这段欢迎词改得更热情。", "热烈欢迎您入住[酒店名称]！", "欢迎入住。"), "output"),
    ],
)
def test_slots_are_caught_in_every_field_of_the_instruction_kinds(
    task: str, fields: dict[str, Any], where: str
) -> None:
    found = RuleChecker(task).check_fields(fields)
    assert [(r.code, r.detail.split(":")[0]) for r in found] == [("placeholder", where)]


@pytest.mark.parametrize(
    "ins,out",
    [
        (
            "Is coffee safe in pregnancy?",
            "Up to 200 mg a day is fine [1], per the [ACOG](https://acog.org) [12].",
        ),
        ("What values can a probability take?", "Any number in [0, 1]; odds range over [0, ∞)."),
        (
            "What did she say?",
            'She said "they [the customers] will be refunded [sic]" and [laughs] moved on.',
        ),
        (
            "What did the report omit?",
            "The summary reads “revenue rose […] in spring” and “[...]” elsewhere.",
        ),
        ("Why [citation needed]?", "Editors add [citation needed] after a claim that has no source yet."),
        ("Packing list?", "- [x] Water\n- [X] Rain jacket\n- [ ] Headlamp"),
        ("What is list[str]?", "A list of strings: names: list[str] = names[0:2] keeps the first two."),
        ("API result?", 'It returns [{"id": 1}, {"id": 2}], or [] when nothing matches.'),
        ("How do I copy?", "Press [Ctrl] + [C]. To share, click [Location] > [Copy link] in the menu."),
        ("Song structure?", "[Verse 1]\nWalking home\n[Chorus]\nOh oh oh"),
        ("有哪些科幻小说？", "推荐《三体》和《基地》，《三体》曾获雨果奖[1]，评论见[2]。"),
        ("写一段保温杯详情。", "【产品名称】：真空保温杯\n【容量】：500ml\n【活动时间】6月1日至18日"),
        ("怎么改地址？", "【温馨提示】请在【收货地址】中修改，或进入【我的】-【地址管理】页面。"),
        ("函数连续吗？", "f(x) 在区间 [0, 1] 上连续，[0, 1) 是半开区间。"),
        ("这是什么？", "[图片] 这是收到的杯子，已经裂了。"),
    ],
)
def test_honest_brackets_are_not_slots(ins: str, out: str) -> None:
    assert "placeholder" not in codes(RuleChecker("qa"), qa(ins, out))


def test_markdown_reference_links_are_not_slots() -> None:
    out = "See the [docs] for details.\n\n[docs]: https://docs.python.org"
    assert "placeholder" not in codes(RuleChecker("qa"), qa("Where is the manual?", out))


def test_a_requested_template_may_hold_slots_and_a_prompt_may_quote_one() -> None:
    ck = RuleChecker("qa")
    assert "placeholder" not in codes(
        ck, qa("Write a cold email template.", "Hi [Recruiter Name], I'm [name].")
    )
    quoted = "这是我的催款模板：“尊敬的[客户名称]，请尽快付款。”能改客气点吗？"
    answer = "可以这样写：“尊敬的[客户名称]，您好！您的账单已逾期，方便时请尽快处理。”"
    assert "placeholder" not in codes(RuleChecker("qa", "zh"), qa(quoted, answer))
    # The template request does not excuse an unquoted slot in the instruction itself.
    assert "placeholder" in codes(ck, qa("Write an email template for [brand] customers.", "Hi there,"))


def test_a_slot_the_prompt_names_is_a_mention_but_a_shared_word_is_not() -> None:
    ck = RuleChecker("qa")
    named = ck.check_fields(qa("What does [brand] mean in my draft?", "It marks where [brand] goes."))
    assert [r.detail.split(":")[0] for r in named] == ["instruction"]  # the answer only talks about it
    assert "placeholder" in codes(ck, qa("Which brand is best?", "The [brand] rice cooker is best."))


# --- copies_example --------------------------------------------------------------------------------

QA_EN = [qa("How do I reset my password?", "Go to Settings > Account > Reset password.")]
QA_ZH = [qa("如何申请退货？", "在订单页点击“申请退货”即可。"), qa("发票可以重开吗？", "可以。")]
CLS = [{"text": "The battery died after two days.", "label": "negative"}]
DIA_ZH = [dialogue("我想学 Python，完全没基础，从哪开始？", "先从变量和循环学起。")]


@pytest.mark.parametrize(
    "task,examples,fields,where",
    [
        (
            "qa",
            QA_EN,
            qa("how do I  reset my password", "Tap 'Forgot password' and follow the link."),
            "instruction",
        ),
        (
            "qa",
            QA_ZH,
            qa("发票可以 重开吗?", "可以，在订单详情页点“申请换开”，一个工作日内重开。"),
            "instruction",
        ),
        ("classify", CLS, {"text": "The battery died after two days!", "label": "neutral"}, "text"),
        (
            "dialogue",
            DIA_ZH,
            dialogue(*("我想学Python，完全没基础，从哪开始?", *ZH_TURNS[1:])),
            "messages[0]",
        ),
    ],
)
def test_a_few_shot_question_asked_again_is_caught_whatever_the_answer(
    task: str, examples: list[dict[str, Any]], fields: dict[str, Any], where: str
) -> None:
    ck = RuleChecker(task, labels=["positive", "negative", "neutral"], rounds=(1, 6), examples=examples)
    found = [r for r in ck.check_fields(fields) if r.code == "copies_example"]
    assert len(found) == 1 and found[0].detail.startswith(f"{where}: ")


@pytest.mark.parametrize(
    "task,examples,fields",
    [
        ("qa", QA_EN, qa("I forgot my password. How can I set a new one?", "Tap 'Forgot password'.")),
        ("qa", QA_ZH, qa("退货要怎么申请？", "在“我的订单”里点“申请售后”。")),
        (
            "classify",
            CLS,
            {"text": "The battery lasted two days longer than my old one.", "label": "positive"},
        ),
        ("dialogue", DIA_ZH, dialogue("零基础学 Python 要多久才能上手？", *ZH_TURNS[1:])),
        # a summary of new text under the example's instruction asks something new
        (
            "summarize",
            [qa("Summarize this review.", "Clean but noisy.", "Clean room, thin walls, noisy street.")],
            qa("Summarize this review.", "Great food, slow service.", "The food was great but service slow."),
        ),
    ],
)
def test_a_paraphrase_or_a_new_input_is_not_a_copy(
    task: str, examples: list[dict[str, Any]], fields: dict[str, Any]
) -> None:
    ck = RuleChecker(task, labels=["positive", "negative", "neutral"], rounds=(1, 6), examples=examples)
    assert "copies_example" not in codes(ck, fields)


def test_without_examples_nothing_is_a_copy_and_greetings_never_are() -> None:
    fields = qa("How do I reset my password?", "Use the Forgot password link.")
    assert "copies_example" not in codes(RuleChecker("qa"), fields)
    ck = RuleChecker(
        "dialogue", "zh", rounds=(1, 6), examples=[dialogue("你好，在吗？", "在的，请问有什么可以帮您？")]
    )
    assert "copies_example" not in codes(ck, dialogue("您好！在吗", *ZH_TURNS[1:]))


def test_from_recipe_passes_the_examples_and_the_code_can_be_disabled(write_recipe: Any) -> None:
    _, recipe = write_recipe(examples=QA_EN)
    fields = qa("How do I reset my password?", "Use the link on the sign-in page.")
    assert "copies_example" in codes(RuleChecker.from_recipe(recipe, language=None), fields)
    _, recipe = write_recipe("r2.yaml", examples=QA_EN, checks={"disable": ["copies_example"]})
    assert "copies_example" not in codes(RuleChecker.from_recipe(recipe, language=None), fields)
    assert CODES["copies_example"]
