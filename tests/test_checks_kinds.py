"""Task-kind rules (issue 12): filler answers, repeated and off-topic dialogue turns, summaries that are
not condensed or drop the input's content, rewrites that are the input again or drift from it. Each in
Chinese and English, with the look-alikes each must leave alone, and the labelled set in
bench/data/rules_kinds_labelled.jsonl as a regression test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from synthpipe.core.errors import RecipeError
from synthpipe.core.records import Meta, Record
from synthpipe.recipe import ChecksConfig, Constraints, load_recipe
from synthpipe.stages.rules import RuleChecker
from synthpipe.stages.rules.answer import is_yes_no
from synthpipe.stages.rules.content import numbers
from synthpipe.tasks import get_task

ROOT = Path(__file__).resolve().parents[1]
KIND_CODES = {
    "qa": {"filler_answer"},
    "summarize": {"filler_answer", "not_condensed", "low_coverage"},
    "rewrite": {"filler_answer", "not_rewritten", "meaning_drift"},
    "dialogue": {"repeated_turn", "off_topic"},
}


def rec(ins: str, out: str, inp: str = "") -> dict[str, Any]:
    return {"instruction": ins, "input": inp, "output": out}


def codes(task: str, fields: dict[str, Any], plan: dict[str, Any] | None = None, **kwargs: Any) -> set[str]:
    record = Record("r1", fields, Meta(task=task, plan=plan or {}))
    return {r.code for r in RuleChecker(task, **kwargs).check(record)}


def dlg(*turns: str) -> dict[str, Any]:
    return {"messages": [{"role": ("user", "assistant")[i % 2], "content": t} for i, t in enumerate(turns)]}


# --- declaring and switching the codes --------------------------------------------------------------


@pytest.mark.parametrize("task,expected", sorted(KIND_CODES.items()))
def test_each_kind_declares_its_codes_with_a_description(task: str, expected: set[str]) -> None:
    kind = get_task(task)
    assert set(kind.extra_codes) == expected
    assert all(len(kind.extra_codes[c]) > 20 for c in expected)
    assert expected <= set(RuleChecker(task).codes)


def test_a_kind_rule_is_switched_off_by_checks_disable() -> None:
    fields = rec("How do I reset my password?", "Sure.")
    assert codes("qa", fields) == {"filler_answer"}
    assert codes("qa", fields, checks=ChecksConfig(disable=["filler_answer"])) == set()
    checker = RuleChecker("qa", checks=ChecksConfig(disable=["filler_answer"]))
    assert not any(getattr(r, "codes", ()) == ("filler_answer",) for r in checker._rules)


def test_a_code_of_another_kind_cannot_be_disabled() -> None:
    with pytest.raises(RecipeError, match="off_topic"):
        RuleChecker("qa", checks=ChecksConfig(disable=["off_topic"]))


# --- filler_answer ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "task,fields",
    [
        ("qa", rec("退款一般多久能到账？", "好的。")),
        ("qa", rec("请介绍一下会员有哪些权益。", "没问题！")),
        ("qa", rec("能告诉我怎么申请电子发票吗？", "当然可以～")),
        ("qa", rec("How long does a refund take?", "OK.")),
        ("qa", rec("Could you explain how to reset the router?", "Sure thing!")),
        ("qa", rec("How do I reset my password?", "Yes.")),
        ("qa", rec("How do I apply?", "Sure, here's how:")),
        ("qa", rec("Can I return it?", "Got it.")),
        ("summarize", rec("总结这份通知。", "好的，以下是摘要：", "周六 9 点到 12 点停电，请提前关机。")),
        ("summarize", rec("Summarize this email.", "Got it, thanks.", "The office is closed on Monday.")),
        ("rewrite", rec("把这句话改得委婉一些。", "收到！", "你们的方案太贵了，我们不考虑。")),
        ("rewrite", rec("Rewrite this in a friendlier tone.", "Okay, will do.", "Your ticket is closed.")),
    ],
)
def test_an_acknowledgement_where_content_is_asked_for_is_filler(task: str, fields: dict[str, Any]) -> None:
    assert codes(task, fields) == {"filler_answer"}


@pytest.mark.parametrize(
    "fields",
    [
        rec("这件外套可以退吗？", "可以。"),
        rec("是否支持货到付款？", "是的。"),
        rec("有没有学生优惠？", "没有。"),
        rec("你们周末上班不？", "当然。"),
        rec("Can I pay with PayPal?", "Yes."),
        rec("Is the store open on Sundays?", "No."),
        rec("I ordered last week. Can I still cancel?", "Of course."),
        rec("The refund is automatic, right?", "Right."),
        rec("“收到”用英语怎么说？", "Got it."),
        rec("How do you say “thank you” in Chinese?", "谢谢。"),
        rec("What does 'roger' mean on the radio?", "Understood."),
        rec("中国的首都是哪里？", "北京。"),
    ],
)
def test_yes_no_answers_and_answers_about_words_are_not_filler(fields: dict[str, Any]) -> None:
    assert "filler_answer" not in codes("qa", fields)


def test_rewriting_an_acknowledgement_may_give_one() -> None:
    assert codes("rewrite", rec("把这句回复改得正式一点。", "好的。", "好哒～")) == set()
    assert codes("rewrite", rec("Make this reply more professional.", "Thank you.", "ok, thanks")) == set()


@pytest.mark.parametrize(
    "question,yes_no",
    [
        ("这件衣服能不能退？", True),
        ("请问有学生优惠吗？", True),
        ("退款到了没有？", True),
        ("你知道怎么退货吗？", False),
        ("能告诉我怎么申请发票吗？", False),
        ("Hi, quick question: does the jacket come in XL?", True),
        ("Should I bring my ID?", True),
        ("Can you tell me how to reset it?", False),
        ("Do you know where the store is?", False),
        ("Is it cash or card?", False),
        ("What is a Roth IRA?", False),
    ],
)
def test_yes_no_questions_are_told_from_questions_that_expect_content(question: str, yes_no: bool) -> None:
    assert is_yes_no(question) is yes_no


# --- summaries --------------------------------------------------------------------------------------

ZH_TEXT = (
    "本次季度会议回顾了第二季度的销售情况。华东区完成销售额 1200 万元，同比增长 18%，主要得益于新开的三家门店；"
    "华南区因为物流调整，销售额下滑 6%。会议决定第三季度把华南区的物流外包给顺丰，并由李娜负责在 7 月 15 日前完成交接。"
)
EN_TEXT = (
    "The quarterly meeting reviewed second-quarter sales. The East region reached $1.2 million in sales, up 18% "
    "year over year, mainly thanks to three new stores, while the South region fell 6% because of logistics "
    "changes. The team decided to outsource South region logistics to FastFreight in the third quarter, with "
    "Lisa Chen handling the handover by July 15."
)
ZH_SUMMARY = "二季度华东区销售额 1200 万元、同比增 18%，华南区下滑 6%；三季度华南物流外包给顺丰，李娜 7 月 15 日前完成交接。"
NO_LANG = ChecksConfig(language=False)  # the instruction's language is not what these tests are about
EN_SUMMARY = (
    "Q2: East sales hit $1.2M (+18%) on three new stores, South fell 6%; South logistics go to FastFreight in Q3, "
    "with Lisa Chen handing over by July 15."
)


@pytest.mark.parametrize("text,summary", [(ZH_TEXT, ZH_SUMMARY), (EN_TEXT, EN_SUMMARY)])
def test_a_condensed_summary_that_keeps_the_facts_passes(text: str, summary: str) -> None:
    assert codes("summarize", rec("Summarize the meeting.", summary, text), checks=NO_LANG) == set()


@pytest.mark.parametrize(
    "text,summary",
    [
        (
            ZH_TEXT,
            "季度会议回顾了第二季度的销售：华东区销售额达到 1200 万元，同比增长 18%，主要靠新开的三家门店带动；华南区由于物流"
            "调整，销售额下滑了 6%。会议最终决定，第三季度将华南区的物流外包给顺丰，由李娜负责在 7 月 15 日之前完成交接工作。",
        ),
        (
            EN_TEXT,
            "The quarterly meeting looked back at second-quarter sales: the East region's sales reached $1.2 million, "
            "an 18% increase over last year driven mostly by three newly opened stores, while sales in the South region "
            "dropped 6% due to changes in logistics. It was decided that in the third quarter the South region's "
            "logistics will be outsourced to FastFreight, and Lisa Chen will be responsible for completing the "
            "handover before July 15.",
        ),
    ],
)
def test_a_summary_as_long_as_its_input_is_not_condensed(text: str, summary: str) -> None:
    assert codes("summarize", rec("总结会议。", summary, text), checks=NO_LANG) == {"not_condensed"}


def test_short_inputs_and_other_languages_are_not_measured_for_length() -> None:
    short = "下周一起弹性上班：8 点到 10 点间到岗，每天工作满 8 小时。"
    longer = "公司宣布下周一起实行弹性上班，员工 8 点到 10 点之间到岗即可，每天满 8 小时。"
    assert codes("summarize", rec("用一句话概括。", longer, short)) == set()
    translated = "9 月 20 日周五 9 点到 16 点检修供水，3 到 8 号楼停水，请提前储水，恢复后先放水三分钟，有问题打 8856 1234。"
    english = (
        "Dear residents, the water supply equipment will be serviced on Friday, September 20, from 9 am to 4 pm, "
        "and buildings 3 to 8 will have no running water during that time. Please store some water in advance. "
        "When the supply returns, let it run for three minutes before use. Questions: call 8856 1234."
    )
    assert codes("summarize", rec("用中文总结这封英文邮件。", translated, english)) == set()


@pytest.mark.parametrize(
    "text,summary",
    [
        (ZH_TEXT, "会议讨论了一些业务问题，并做出了相应的安排。"),
        (EN_TEXT, "The meeting discussed some business issues and made a few decisions."),
    ],
)
def test_a_vague_summary_has_low_coverage(text: str, summary: str) -> None:
    assert codes("summarize", rec("总结会议结论。", summary, text), checks=NO_LANG) == {"low_coverage"}


@pytest.mark.parametrize(
    "text,summary",
    [
        (ZH_TEXT, "华东增长、华南下滑，三季度华南物流交给顺丰，由李娜负责交接。"),
        (
            EN_TEXT,
            "East grew while South slipped; FastFreight takes over South logistics next quarter, with Lisa Chen running the handover.",
        ),
    ],
)
def test_a_paraphrased_summary_keeps_enough(text: str, summary: str) -> None:
    assert codes("summarize", rec("Summarize the decisions.", summary, text), checks=NO_LANG) == set()


def test_picking_out_one_sentence_is_not_low_coverage() -> None:
    assert "low_coverage" not in codes(
        "summarize", rec("摘出这段话里最重要的一句。", "会议决定第三季度把华南区的物流外包给顺丰。", ZH_TEXT)
    )


def test_an_acknowledgement_summary_is_only_filler() -> None:
    assert codes("summarize", rec("总结会议。", "好的，明白。", ZH_TEXT)) == {"filler_answer"}


# --- rewrites ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ins,inp,out",
    [
        (
            "改写得更正式、礼貌一些。",
            "老板，明天下午我要去医院复查，能不能请半天假？",
            "老板，明天下午我要去医院复查，能不能请半天假啊？",
        ),
        (
            "把这条留言改得平和些。",
            "你们的快递太慢了，下单五天了还没到，再不到我就退货。",
            "你们的快递太慢了，下单五天了还没到，再不到我就要退货了。",
        ),
        (
            "Make this more formal.",
            "Boss, I need to see a doctor tomorrow afternoon, can I take half a day off?",
            "Boss, I need to see a doctor tomorrow afternoon. Can I take half a day off?",
        ),
        (
            "Rewrite this in a calmer tone.",
            "Your delivery is ridiculously slow and I want it now.",
            "Your delivery is really slow and I want it now.",
        ),
    ],
)
def test_a_rewrite_that_keeps_the_input_is_not_rewritten(ins: str, inp: str, out: str) -> None:
    assert "not_rewritten" in codes("rewrite", rec(ins, out, inp))


@pytest.mark.parametrize(
    "ins,inp,out",
    [
        (
            "改正错别字。",
            "请大家按时参加，报名人数已经超过了预期。",
            "请大家准时参加，报名人数已经超过了预期。",
        ),
        (
            "给这段话加上正确的标点。",
            "明天上午十点开会请大家准时参加会后有聚餐",
            "明天上午十点开会，请大家准时参加，会后有聚餐。",
        ),
        (
            "Fix the typos.",
            "Please submit you're timesheet by Friday so payrol can process it.",
            "Please submit your timesheet by Friday so payroll can process it.",
        ),
        (
            "Add proper punctuation and capitalization.",
            "hi team the demo is moved to friday",
            "Hi team, the demo is moved to Friday.",
        ),
        (
            "Rewrite as a bullet list.",
            "Fill in the form, attach your ID and send both by May 31.",
            "- Fill in the form\n- Attach your ID\n- Send both by May 31",
        ),
    ],
)
def test_edits_that_keep_the_words_on_request_pass(ins: str, inp: str, out: str) -> None:
    assert codes("rewrite", rec(ins, out, inp)) == set()


@pytest.mark.parametrize(
    "ins,inp,out,why",
    [
        (
            "改写成活泼文案。",
            "全场满 200 减 30，活动截止到本月 25 日。",
            "全场满 300 立减 50，活动到本月 15 日，手慢无哦～",
            "numbers changed",
        ),
        (
            "改写得平和些。",
            "下单五天了还没到。",
            "您好，我的订单下单两周了还没收到，麻烦查看一下。",
            "numbers changed",
        ),
        (
            "Rewrite as an announcement.",
            "The meeting moved to Thursday at 3 pm on the 5th floor.",
            "Heads up: the meeting is now Friday at 10 am on the 3rd floor.",
            "numbers changed",
        ),
        (
            "Rewrite this politely.",
            "Please send the contract to Lisa Chen by Monday.",
            "Could you kindly send the contract to Dana Wu by Monday?",
            "names changed",
        ),
        (
            "把通知改得委婉些。",
            "自 3 月 1 日起，产品价格将上调 8%。",
            "好消息！自 3 月 1 日起全部产品降价 8%，欢迎选购。",
            "direction",
        ),
        (
            "Rewrite this gently.",
            "Prices will go up by 8% from March 1.",
            "Great news: prices drop by 8% from March 1!",
            "direction",
        ),
        (
            "改写成规范的问题描述。",
            "这个软件打开后一直转圈，登录不进去，重装了也没用。",
            "问题描述：打印机无法连接无线网络，指示灯一直闪烁红色，已重启路由器。",
            "keeps",
        ),
        (
            "Rewrite as a bug report.",
            "The app just keeps spinning when I open it and I can't log in, reinstalling didn't help.",
            "Issue: the printer won't connect to Wi-Fi and its status light keeps blinking red.",
            "keeps",
        ),
    ],
)
def test_a_rewrite_that_changes_the_facts_drifts(ins: str, inp: str, out: str, why: str) -> None:
    found = RuleChecker("rewrite").check_fields(rec(ins, out, inp))
    assert [r.code for r in found] == ["meaning_drift"] and why in found[0].detail


@pytest.mark.parametrize(
    "ins,inp,out",
    [
        (
            "改成更口语化的说法。",
            "请各位同事于本周五下午五点前提交月度报告。",
            "大家记得周五下午 5 点前把月报交上来哈。",
        ),
        (
            "改成更口语化的说法。",
            "鉴于近期气温骤降，请各位注意添衣保暖，谨防感冒。",
            "最近降温挺厉害的，大家多穿点，别感冒了！",
        ),
        (
            "拟一个新闻标题。",
            "历时三年建设的滨江大桥将于本周六通车，两区之间的通勤时间将缩短 20 分钟。",
            "滨江大桥周六通车 两区通勤缩短 20 分钟",
        ),
        (
            "Make this more casual.",
            "Please submit your monthly reports by 5 pm this Friday.",
            "Hey all, monthly reports are due Friday by five!",
        ),
        (
            "Explain this in plain English.",
            "The tenant shall remit payment no later than the fifth day of each calendar month.",
            "You have to pay your rent by the 5th of every month.",
        ),
        (
            "Turn this into a reusable email template.",
            "Hi Sam, your order 1182 shipped today.",
            "Hi [customer name], your order [order number] shipped today.",
        ),
        (
            "Translate into Chinese.",
            "The meeting has been moved to 3 pm on Thursday.",
            "会议改到周四下午三点。",
        ),
    ],
)
def test_same_facts_in_other_words_do_not_drift(ins: str, inp: str, out: str) -> None:
    assert codes("rewrite", rec(ins, out, inp)) == set()


@pytest.mark.parametrize(
    "a,b",
    [
        ("下午 5 点 30 分", "17:30"),
        ("5:30 pm", "17:30"),
        ("下午五点半", "5:30 PM"),
        ("五天", "5 天"),
        ("five days", "5 days"),
        ("2,000 units", "2000 units"),
        ("半天", "half a day"),
    ],
)
def test_numbers_compare_across_their_spellings(a: str, b: str) -> None:
    assert numbers(a) == numbers(b)


# --- the shipped examples and the labelled set ------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    sorted(p for p in (ROOT / "src/synthpipe/examples").glob("*.yaml") if p.name != "prices.yaml"),
    ids=lambda p: p.stem,
)
def test_the_shipped_example_records_pass_the_kind_rules(path: Path) -> None:
    recipe = load_recipe(path)
    checker = RuleChecker.from_recipe(recipe.model_copy(update={"examples": []}))  # an example copies itself
    plan = {"topic": recipe.topics[0]} if recipe.topics else {}
    for i, example in enumerate(recipe.examples):
        found = checker.check(Record(str(i), dict(example), Meta(task=recipe.task, plan=plan)))
        assert not found, (i, found)


KINDS_DATA = ROOT / "bench" / "data" / "rules_kinds_labelled.jsonl"
ROWS = [json.loads(line) for line in KINDS_DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
_CHECKERS: dict[str, RuleChecker] = {}
# Tuning rows the rules get wrong on purpose, being conservative (see bench/rules_eval.md): a horoscope
# digression that shares the word 颜色 with the user's turn, and a pros-and-cons summary in other words
# whose overlap (0.12) sits among the vague summaries'.
KNOWN_MISSES = {"kinds-off_topic-dialogue-zh-168"}
KNOWN_FALSE_REJECTIONS = {"kinds-clean-summarize-en-074"}
# First measured on the held-out part, once, with no rule changed for it since (bench/rules_eval.md): 41 of
# 42 defects caught (a vague Chinese school-notice summary kept 16% of the input), 0 of 32 clean rejected.
HELD_OUT_CAUGHT, HELD_OUT_DEFECTS = 41, 42
HELD_OUT_REJECTED, HELD_OUT_CLEAN = 0, 32


def row_codes(row: dict[str, Any]) -> set[str]:
    key = json.dumps([row["task"], row["check_lang"], row.get("topics"), row.get("sources")])
    if key not in _CHECKERS:
        _CHECKERS[key] = RuleChecker(
            row["task"],
            row["check_lang"],
            constraints=Constraints(),
            topics=row.get("topics", []),
            sources=row.get("sources", []),
        )
    record = Record(
        row["id"], json.loads(json.dumps(row["record"])), Meta(task=row["task"], plan=row.get("plan", {}))
    )
    return {r.code for r in _CHECKERS[key].check(record)}


def test_the_labelled_set_is_what_the_docs_say() -> None:
    tuning = [r for r in ROWS if not r["id"].startswith("kinds-holdout-")]
    held = [r for r in ROWS if r["id"].startswith("kinds-holdout-")]
    assert len({r["id"] for r in ROWS}) == len(ROWS) and {r["data_lang"] for r in ROWS} == {"zh", "en"}
    assert (sum(1 for r in tuning if r["expect"]), sum(1 for r in tuning if not r["expect"])) == (86, 98)
    assert (sum(1 for r in held if r["expect"]), sum(1 for r in held if not r["expect"])) == (42, 32)
    assert {c for r in ROWS for c in r["expect"]} == set().union(*KIND_CODES.values())


def test_every_tuning_defect_is_caught() -> None:
    rows = [r for r in ROWS if r["expect"] and not r["id"].startswith("kinds-holdout-")]
    missed = {r["id"] for r in rows if not set(r["expect"]) <= row_codes(r)}
    assert missed == KNOWN_MISSES


def test_no_tuning_clean_record_is_rejected() -> None:
    rows = [r for r in ROWS if not r["expect"] and not r["id"].startswith("kinds-holdout-")]
    wrong = {r["id"] for r in rows if row_codes(r)}
    assert wrong == KNOWN_FALSE_REJECTIONS


def test_the_held_out_part_stays_at_or_above_its_first_figures() -> None:
    rows = [r for r in ROWS if r["id"].startswith("kinds-holdout-")]
    defects = [r for r in rows if r["expect"]]
    clean = [r for r in rows if not r["expect"]]
    assert (len(defects), len(clean)) == (HELD_OUT_DEFECTS, HELD_OUT_CLEAN)
    assert sum(1 for r in defects if set(r["expect"]) <= row_codes(r)) >= HELD_OUT_CAUGHT
    assert sum(1 for r in clean if row_codes(r)) <= HELD_OUT_REJECTED


def test_the_condensing_ratio_is_a_recipe_setting() -> None:
    text = "公司宣布下周一起实行弹性上班，员工 8 点到 10 点之间到岗即可，每天满 8 小时，午休一小时，具体安排由部门经理确认后通知大家。"
    summary = "下周一起弹性上班：8 点到 10 点之间到岗，每天满 8 小时，午休一小时，由部门经理确认后通知。"
    fields = rec("总结这条通知。", summary, text)
    assert len(summary) / len(text) > 0.6
    assert "not_condensed" not in codes("summarize", fields, checks=NO_LANG)
    strict = NO_LANG.model_copy(update={"summary_max_ratio": 0.6})
    assert "not_condensed" in codes("summarize", fields, checks=strict)
