"""Rules every task kind shares, in Chinese and English: what they catch and what they leave alone."""

from __future__ import annotations

from typing import Any

import pytest

from synthpipe.core.errors import RecipeError, UsageError
from synthpipe.core.records import Meta, Record
from synthpipe.lang import cjk_ratio, compact, detect_language, is_blank, normalize
from synthpipe.recipe import ChecksConfig, Constraints
from synthpipe.stages.rules import CODES, RuleChecker


def qa(ins: str, out: Any, inp: Any = "") -> dict[str, Any]:
    return {"instruction": ins, "input": inp, "output": out}


def codes(checker: RuleChecker, fields: dict[str, Any]) -> set[str]:
    return {r.code for r in checker.check_fields(fields)}


ZH_GOOD = qa(
    "如何重置登录密码？",
    "打开 App，进入“我的-设置-账户安全”，点击“重置密码”，输入手机验证码后设置新密码即可。",
)
EN_GOOD = qa(
    "How do I reset my password?",
    "Open the app, go to Settings > Account security, tap Reset password and enter the code we text you.",
)


@pytest.mark.parametrize("lang,fields", [("zh", ZH_GOOD), ("en", EN_GOOD)])
def test_a_good_record_passes_every_rule(lang: str, fields: dict[str, Any]) -> None:
    assert RuleChecker("qa", lang).check_fields(fields) == []
    assert RuleChecker("qa", None).check_fields(fields) == []


# --- structure -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields,code",
    [
        ({"instruction": "如何退货？"}, "missing_field"),
        ({"output": "Use the returns page."}, "missing_field"),
        (qa("如何退货？", None), "missing_field"),
        (qa("How do I return it?", ["Use", "the page"]), "wrong_type"),
        (qa("How do I return it?", 42), "wrong_type"),
        (qa(["如何退货？"], "在订单页申请退货。"), "wrong_type"),
        (qa("How do I return it?", "Use the returns page.", inp={"x": 1}), "wrong_type"),
        (qa("如何退货？", ""), "empty_field"),
        (qa("如何退货？", " \n\t\u3000"), "empty_field"),
        (qa("How do I return it?", "\u200b"), "empty_field"),
        (qa("  ", "Use the returns page."), "empty_field"),
    ],
)
def test_structure_problems_are_reported(fields: dict[str, Any], code: str) -> None:
    assert code in codes(RuleChecker("qa"), fields)


@pytest.mark.parametrize("inp", [None, "", "订单号 2024"])
def test_input_is_optional_but_must_be_text(inp: Any) -> None:
    fields = qa("如何退货？", "在订单页点击“申请退货”即可。", inp=inp)
    if inp is None:
        del fields["input"]
    assert codes(RuleChecker("qa", "zh"), fields) == set()


def test_every_reason_is_returned_not_just_the_first() -> None:
    fields = qa("请介绍{topic}", "作为一个AI语言模型，我认为XXX很好。")
    found = codes(RuleChecker("qa", "zh", constraints=Constraints(banned_words=["很好"])), fields)
    assert {"placeholder", "boilerplate", "banned_word"} <= found


def test_reasons_carry_the_rules_stage_and_a_detail() -> None:
    (reason,) = RuleChecker("qa").check_fields(qa("How do I return it?", ""))
    assert (reason.code, reason.stage) == ("empty_field", "rules")
    assert "output" in reason.detail


# --- lengths ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "out,code",
    [("可以。", "too_short"), ("Yes.", "too_short"), ("好" * 81, "too_long"), ("word " * 30, "too_long")],
)
def test_field_lengths_come_from_the_constraints(out: str, code: str) -> None:
    ck = RuleChecker("qa", constraints=Constraints(lengths={"output": (5, 80)}))
    assert codes(ck, qa("可以改吗？", out)) == {code}  # a yes/no question: "可以。" is not filler_answer


@pytest.mark.parametrize("out", ["可以在设置里修改。", "You can change it in Settings."])
def test_lengths_inside_the_range_pass(out: str) -> None:
    ck = RuleChecker("qa", constraints=Constraints(lengths={"output": (5, 80)}))
    assert "too_short" not in codes(ck, qa("怎么改？", out)) and "too_long" not in codes(
        ck, qa("怎么改？", out)
    )


def test_global_min_and_max_chars_apply() -> None:
    ck = RuleChecker("qa", checks=ChecksConfig(min_chars=3, max_chars=50))
    assert codes(ck, qa("Is it broken?", "No")) == {"too_short"}
    assert codes(ck, qa("Question?", "Yes, " + "it is fine. " * 5)) == {"too_long"}
    assert codes(ck, qa("Question?", "Yes, it is.")) == set()


def test_an_empty_field_is_not_also_too_short() -> None:
    ck = RuleChecker("qa", constraints=Constraints(lengths={"output": (10, 100)}))
    assert codes(ck, qa("Question?", "")) == {"empty_field"}


# --- banned words ----------------------------------------------------------------------------------

BANNED = Constraints(banned_words=["稳赚不赔", "guaranteed returns", "ass"])


@pytest.mark.parametrize(
    "fields",
    [
        qa("这个基金怎么样？", "这款基金稳赚不赔。"),
        qa("这个基金怎么样？", "这款基金稳赚 不赔。"),
        qa("Is this fund safe?", "It offers Guaranteed Returns every year."),
        qa("Is this fund safe?", "It offers guaranteed-returns every year."),
        qa("Is this fund safe? guaranteed returns?", "No fund is risk free."),  # in the instruction too
    ],
)
def test_banned_words_are_caught_in_any_case_and_spacing(fields: dict[str, Any]) -> None:
    assert "banned_word" in codes(RuleChecker("qa", constraints=BANNED), fields)


@pytest.mark.parametrize(
    "fields",
    [
        qa("这个基金怎么样？", "基金有风险，投资需谨慎。"),
        qa("Which class should I take?", "The evening class fits your schedule."),
    ],
)
def test_banned_words_match_whole_words_only(fields: dict[str, Any]) -> None:
    assert "banned_word" not in codes(RuleChecker("qa", constraints=BANNED), fields)


# --- boilerplate -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "out",
    [
        "作为一个AI语言模型，我无法发表个人看法。",
        "作为一名 AI 助手，我建议您咨询医生。",
        "作为人工智能，我没有个人观点。",
        "抱歉，我无法回答这个问题。",
        "我只是一个AI，不能保证准确。",
        "测试回答",
        "根据我的训练数据，答案是 42。",
        "As an AI language model, I cannot browse the web.",
        "As an AI developed by a lab, I have no opinions.",
        "I'm just an AI, so please verify this.",
        "I cannot help with that.",
        "I'm sorry, but I can't assist with that request.",
        "I'm unable to help with that request.",
        "As of my last knowledge update, the price was $5.",
        "This is a test response.",
    ],
)
def test_boilerplate_is_caught(out: str) -> None:
    assert "boilerplate" in codes(RuleChecker("qa"), qa("问题？", out))


@pytest.mark.parametrize(
    "out",
    [
        "作为一名AI工程师，需要扎实的数学和 Python 基础。",
        "抱歉，我无法提供其他用户的个人信息，您可以直接联系对方。",
        "As an AI researcher put it, models are only as good as their data.",
        "I'm sorry, but I can't share other customers' details.",
        'The stock phrase "As an AI language model, I cannot…" was common in early chatbots.',
        "Run the unit tests; the test output shows which case failed.",
    ],
)
def test_ordinary_text_is_not_boilerplate(out: str) -> None:
    assert "boilerplate" not in codes(RuleChecker("qa"), qa("问题？", out))


def test_recipe_boilerplate_phrases_extend_the_defaults() -> None:
    ck = RuleChecker("qa", checks=ChecksConfig(boilerplate=["亲爱的用户", "Dear valued customer"]))
    assert "boilerplate" in codes(ck, qa("问题？", "亲爱的 用户，您好。"))
    assert "boilerplate" in codes(ck, qa("Question?", "Dear Valued Customer, hello."))
    assert "boilerplate" in codes(ck, qa("Question?", "As an AI language model, I can't."))


# --- placeholders ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "out",
    [
        "请联系XXX客服。",
        "Call xxx for help.",
        "Contact [INSERT SUPPORT EMAIL].",
        "Dear [Customer Name],",
        "今天聊聊{topic}。",
        "Hi {{ first_name }},",
        "See <placeholder> for details.",
        "TODO: add the steps",
        "具体流程待补充。",
        "此处填写退款金额",
        "地址：[客户地址]",
        "请联系 [电话号码]。",
        "【请填写联系电话】",
        "请于 YYYY-MM-DD 前提交。",
        "It costs $[PRICE] a month.",
        "Meeting at <TIME>.",
        "Lorem ipsum dolor sit amet.",
    ],
)
def test_placeholders_are_caught(out: str) -> None:
    assert "placeholder" in codes(RuleChecker("qa"), qa("问题？", out))


@pytest.mark.parametrize(
    "ins,out",
    [
        ("XXL 码适合多重？", "XXL 码适合 75–85 公斤。"),
        ("推荐 TODO 清单应用", "可以试试 Todoist，它的 TODO list 分组很好用。"),
        ("How do I format?", 'Use an f-string:\n```python\nprint(f"{name} is {age}")\n```'),
        ("Markdown links?", "Write [Python docs](https://docs.python.org) to link."),
        ("What does TODO mean in code?", "A `# TODO` comment, or a plain TODO: note, marks unfinished work."),
        ("What is 'lorem ipsum'?", 'Dummy text that begins "Lorem ipsum dolor sit amet".'),
        ("给我一个自我介绍模板", "大家好，我叫[姓名]，来自[城市]。"),
        ("LaTeX fractions?", "Write \\frac{a}{b} inside math mode, and ${x} in JS template strings."),
    ],
)
def test_look_alikes_are_not_placeholders(ins: str, out: str) -> None:
    assert "placeholder" not in codes(RuleChecker("qa"), qa(ins, out))


def test_placeholders_in_the_instruction_are_caught_too() -> None:
    assert "placeholder" in codes(RuleChecker("qa"), qa("介绍一下{product}的保修政策", "整机保修两年。"))


def test_recipe_placeholder_patterns_extend_the_defaults_and_bad_ones_are_recipe_errors() -> None:
    ck = RuleChecker("qa", checks=ChecksConfig(placeholder_patterns=[r"%\w+%"]))
    assert "placeholder" in codes(ck, qa("Question?", "Hello %NAME%, welcome."))
    with pytest.raises(RecipeError, match=r"checks\.placeholder_patterns\[0\]"):
        RuleChecker("qa", checks=ChecksConfig(placeholder_patterns=["(unclosed"]))


# --- repeats the instruction -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "task,fields",
    [
        ("qa", qa("如何提高睡眠质量？", "如何提高睡眠质量？")),
        ("qa", qa("如何提高睡眠质量？", "如何 提高睡眠质量")),
        ("qa", qa("如何提高睡眠质量？", "问题：如何提高睡眠质量？")),
        ("qa", qa("请解释什么是区块链。", "什么是区块链？")),
        ("qa", qa("Write a haiku about autumn.", "write a haiku about autumn")),
        ("qa", qa("Write a haiku about autumn.", "You asked: Write a haiku about autumn.")),
        ("rewrite", qa("Make it polite.", "Send me the file now.", inp="Send me the file now.")),
        (
            "summarize",
            qa(
                "总结一下。",
                "公司下月起实行弹性工作制，员工 8 点到 10 点之间到岗。",
                inp="公司下月起实行弹性工作制，员工8点到10点之间到岗。",
            ),
        ),
    ],
)
def test_answers_that_only_repeat_are_caught(task: str, fields: dict[str, Any]) -> None:
    assert "repeats_instruction" in codes(RuleChecker(task), fields)


@pytest.mark.parametrize(
    "task,fields",
    [
        ("qa", qa("What is the capital of France?", "The capital of France is Paris.")),
        ("qa", qa("北京还是上海人口更多？", "上海。")),
        ("qa", qa("What is 2+2?", "What is 2+2? It is 4.")),
        ("rewrite", qa("纠正错别字。", "深受客户的亲睐。", inp="深受客户的亲睐，明年计划在在全国推广。")),
        (
            "rewrite",
            qa(
                "Fix the spelling.", "Highly recommended by customers.", inp="Highly recomended by customers."
            ),
        ),
        (
            "summarize",
            qa(
                "摘录最关键的一句。",
                "皮肤干燥的关键在于角质层锁水能力下降。",
                inp="很多人以为多喝水就行。皮肤干燥的关键在于角质层锁水能力下降。洗后三分钟内涂保湿霜。",
            ),
        ),
    ],
)
def test_real_answers_are_not_repeats(task: str, fields: dict[str, Any]) -> None:
    assert "repeats_instruction" not in codes(RuleChecker(task), fields)


# --- language --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang,fields",
    [
        (
            "zh",
            qa("怎么整理提交历史？", "You can use interactive rebase and squash several commits into one."),
        ),
        ("en", qa("How do I tidy commits?", "你可以使用 git rebase -i 命令，把多个提交合并成一个。")),
        (
            "zh",
            qa(
                "睡前玩手机有什么影响？",
                "寝る前にスマホを見ないことが大切です。ブルーライトが眠気を妨げます。",
            ),
        ),
        (
            "en",
            qa("How do I reset it?", "Puedes restablecer la contraseña desde la página de inicio de sesión."),
        ),
        (
            None,
            qa(
                "周末有什么放松的方法？",
                "Try a long walk in a park, or switch off your phone for an afternoon.",
            ),
        ),
        (None, qa("Any tips for an interview?", "提前了解公司业务，准备两三个体现你能力的具体例子。")),
    ],
)
def test_answers_in_the_wrong_language_are_caught(lang: str | None, fields: dict[str, Any]) -> None:
    assert "wrong_language" in codes(RuleChecker("qa", lang), fields)


@pytest.mark.parametrize(
    "lang,fields",
    [
        (
            "zh",
            qa(
                "怎么读 CSV？",
                '用 pandas 的 read_csv 就行，比如 `pd.read_csv("data.csv")`，再用 df.head() 看前几行。',
            ),
        ),
        ("zh", qa("怎么部署？", "用 Docker Compose 启动 Redis、PostgreSQL 和 Nginx。")),
        ("zh", qa("最流行的语言？", "Python")),
        ("zh", qa("价格？", "iPhone 15 Pro 256GB: $999")),
        ("en", qa("Capital of China?", "Beijing.")),
        (
            "en",
            qa(
                "What is dim sum?",
                "Dim sum (点心) is a Cantonese meal of small dishes such as har gow (虾饺), served with tea.",
            ),
        ),
        ("en", qa("How do you say thank you in Mandarin?", "谢谢 (xièxie).")),
        ("zh", qa("把这句话翻译成英文：会议改到周四。", "The meeting has been moved to Thursday.")),
        (None, qa("17 乘以 23？", "391")),
    ],
)
def test_mixed_short_and_translation_answers_are_not_wrong_language(
    lang: str | None, fields: dict[str, Any]
) -> None:
    assert "wrong_language" not in codes(RuleChecker("qa", lang), fields)


@pytest.mark.parametrize(
    "text,lang",
    [
        ("使用 Python 的 pandas 库可以读取 CSV 文件。", "zh"),
        ("The dish 宫保鸡丁 is spicy and popular in Sichuan.", "en"),
        ("好的", "unknown"),
        ("OK", "unknown"),
        ("日本語の文章を書きます", "other"),
        ("Служба поддержки работает с понедельника по пятницу.", "other"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_text_helpers() -> None:
    assert normalize("  ＡＢＣ\u3000 Ｄ’s ") == "abc d's"
    assert compact("Hello, World！ 你好。") == "helloworld你好"
    assert cjk_ratio("中文abc") == pytest.approx(2 / 5)
    assert is_blank(" \u200b\n") and not is_blank(" a ")


# --- configuration ---------------------------------------------------------------------------------


def test_disable_switches_rules_off_by_code() -> None:
    fields = qa("请介绍{topic}", "XXX")
    assert codes(RuleChecker("qa", checks=ChecksConfig(disable=["placeholder"])), fields) == set()
    assert "wrong_language" not in codes(
        RuleChecker("qa", "zh", checks=ChecksConfig(language=False)), EN_GOOD
    )


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"checks": ChecksConfig(disable=["no_such_rule"])}, RecipeError, r"checks\.disable\[0\]"),
        (
            {"constraints": Constraints(lengths={"answer": (1, 5)})},
            RecipeError,
            r"constraints\.lengths\.answer",
        ),
        ({"task": "poetry"}, UsageError, "unknown task"),
        ({"task": "classify"}, UsageError, "labels"),
        ({"language": "fr"}, UsageError, "unknown language"),
    ],
)
def test_bad_configuration_raises_typed_errors(kwargs: dict[str, Any], error: type, match: str) -> None:
    args = {"task": "qa", **kwargs}
    with pytest.raises(error, match=match):
        RuleChecker(**args)


def test_from_recipe_uses_the_recipe_settings(write_recipe: Any) -> None:
    _, recipe = write_recipe(
        language="zh", constraints={"banned_words": ["竞品"]}, checks={"disable": ["placeholder"]}
    )
    ck = RuleChecker.from_recipe(recipe)
    found = codes(ck, qa("哪个好？", "我们比竞品好，详见XXX。"))
    assert "banned_word" in found and "placeholder" not in found
    assert "wrong_language" in codes(ck, EN_GOOD)


async def test_as_a_stage_it_adds_reasons_and_passes_every_record_on() -> None:
    from synthpipe.stages.rules import RulesStage

    recs = [Record(str(i), f, Meta(task="qa")) for i, f in enumerate([ZH_GOOD, qa("问题？", "")])]
    out = await RulesStage(RuleChecker("qa")).process(recs)
    assert out == recs
    assert [r.ok for r in out] == [True, False]
    assert out[1].meta.reasons[0].code == "empty_field"


def test_every_code_is_documented_snake_case() -> None:
    assert all(code.replace("_", "").isalpha() and code.islower() and CODES[code] for code in CODES)
