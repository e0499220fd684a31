"""`synthpipe advise` (issue 15, item 5): the method's first step, deciding whether synthetic data fits a
task at all: the three questions, the table (recommended, conditional, not recommended) in English and
Chinese, answers that move a verdict, and the commands and settings it points to, which must exist."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import BaseModel

import synthpipe
from synthpipe.cli import cli
from synthpipe.recipe import Recipe


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["advise", *args], input=input)


def as_json(*args: str, input: str | None = None) -> dict:
    res = invoke(*args, "--json", input=input)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


# --- the table --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("describe", "verdict", "category", "lang"),
    [
        ("FAQ answers for our returns policy", "recommended", "faq", "en"),
        ("根据退换货政策生成常见问题解答", "recommended", "faq", "zh"),
        ("Questions and answers about the employee handbook", "recommended", "policy_qa", "en"),
        ("Summarise support tickets in two sentences", "recommended", "summary", "en"),
        ("把产品说明改写得更口语化", "recommended", "rewrite", "zh"),
        ("Rewrite each sentence in plain English", "recommended", "rewrite", "en"),  # not a court sentence
        ("客服场景的多轮对话，3 到 6 轮", "recommended", "dialogue", "zh"),
        ("情感分类", "conditional", "sentiment", "zh"),
        ("Classify the intent of customer messages", "conditional", "intent", "en"),
        ("医疗诊断", "not_recommended", "medical_diagnosis", "zh"),
        ("Suggest a diagnosis from the patient's symptoms", "not_recommended", "medical_diagnosis", "en"),
        ("legal judgement of criminal cases", "not_recommended", "legal_judgement", "en"),
        ("根据案情预测判决和量刑", "not_recommended", "legal_judgement", "zh"),
        ("合同效力", "not_recommended", "contract_validity", "zh"),
        ("Decide whether a contract is enforceable", "not_recommended", "contract_validity", "en"),
        ("image captions for product photos", "not_recommended", "multimodal", "en"),
        ("语音转文字", "not_recommended", "multimodal", "zh"),
        ("Generate math word problems", "conditional", "unknown", "en"),
    ],
)
def test_a_description_is_placed_in_the_methods_table(describe, verdict, category, lang) -> None:
    advice = synthpipe.advise(describe)
    assert (advice.verdict, advice.category, advice.lang) == (verdict, category, lang)
    assert advice.reasons and advice.checks and advice.next_steps
    if category != "unknown":
        assert advice.placed_by == "description" and advice.matched


@pytest.mark.parametrize(
    ("describe", "why"),
    [
        ("医疗诊断", "医疗诊断：错误的答案和正确的一样像样"),
        ("legal judgement of criminal cases", "Legal judgement turns on facts, jurisdiction and case law"),
        ("合同效力", "合同是否有效取决于合同全文"),
        ("image captions for product photos", "synthpipe generates and checks text only"),
    ],
)
def test_a_risky_domain_is_not_recommended_with_its_reason_and_real_data_instead(describe, why) -> None:
    advice = synthpipe.advise(
        describe, structure="yes", examples=200, verifiable="yes"
    )  # answers don't save it
    assert advice.verdict == "not_recommended" and advice.task is None and advice.recipe is None
    assert advice.reasons[0].startswith(why)
    assert not any("init" in step for step in advice.next_steps)
    assert any(step.startswith("synthpipe check real.jsonl") for step in advice.next_steps)


def test_the_words_that_placed_a_task_are_shown_as_written() -> None:
    advice = synthpipe.advise("Image captions for our catalogue")
    assert advice.matched == ["Image captions"]
    assert "(from “Image captions”)" in advice.to_text().splitlines()[0]


def test_a_second_risky_domain_is_a_reason_too() -> None:
    advice = synthpipe.advise("Describe the image of an X-ray and give a diagnosis")
    assert advice.category == "medical_diagnosis"
    assert any(r.startswith("synthpipe generates and checks text only") for r in advice.reasons)


def test_a_high_stakes_domain_keeps_the_verdict_and_asks_for_a_bigger_review_sample() -> None:
    advice = synthpipe.advise("FAQ for a medical clinic: opening hours and parking", structure=True)
    assert advice.verdict == "recommended"
    assert any("“medical” is a high-stakes domain" in r for r in advice.reasons)
    review = next(c for c in advice.checks if c.settings == ("review_sample",))
    assert "raise it" in review.why


# --- the three answers ------------------------------------------------------------------------------
def test_all_yes_keeps_a_recommended_task_recommended() -> None:
    advice = synthpipe.advise("FAQ answers", structure="yes", examples=40, verifiable="yes")
    assert advice.verdict == "recommended"
    assert [(q.id, q.answer, q.given) for q in advice.questions] == [
        ("structure", "yes", True),
        ("examples", "yes", True),
        ("verifiable", "yes", True),
    ]
    assert advice.questions[1].examples == 40
    assert not any("unsure" in r for r in advice.reasons)


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        ({"verifiable": "no"}, "You said what is generated cannot be verified"),
        ({"structure": False}, "You said the input → output structure is not clear"),
        ({"examples": 0}, "You have no real examples"),
        ({"examples": "no"}, "You have no real examples"),
    ],
)
def test_a_no_moves_a_recommended_task_down_to_conditional(answers, reason) -> None:
    full = {"structure": "yes", "examples": 30, "verifiable": "yes"} | answers
    advice = synthpipe.advise("FAQ answers from our returns policy", **full)
    assert advice.verdict == "conditional" and advice.category == "faq" and advice.task == "qa"
    assert any(
        r.startswith("The table says recommended, but your answers make it conditional")
        for r in advice.reasons
    )
    assert any(r.startswith(reason) for r in advice.reasons)


def test_answers_never_move_a_task_below_conditional() -> None:
    advice = synthpipe.advise("情感分类", structure="否", examples=0, verifiable="否")
    assert advice.verdict == "conditional" and advice.lang == "zh"
    assert any(r.startswith("你回答生成的内容无法核查") for r in advice.reasons)
    unknown = synthpipe.advise("Generate math word problems", structure="no", examples="no", verifiable="no")
    assert unknown.verdict == "conditional"
    assert any("fix that first" in r for r in unknown.reasons)


def test_a_few_real_examples_are_said_to_be_few_without_moving_the_verdict() -> None:
    advice = synthpipe.advise("FAQ answers", structure="yes", examples="5 条", verifiable="yes")
    assert advice.verdict == "recommended" and advice.questions[1].examples == 5
    assert any(r.startswith("Only 5 real examples") for r in advice.reasons)


def test_an_unknown_task_with_three_yes_answers_may_fit_but_stays_conditional() -> None:
    advice = synthpipe.advise(
        "Generate math word problems", structure="yes", examples="yes", verifiable="yes"
    )
    assert advice.verdict == "conditional" and advice.category == "unknown" and advice.task is None
    assert (
        advice.reasons[0]
        == "The description matches no row of the method's table: decide from the three answers."
    )
    assert any(r.startswith("All three answers are yes") for r in advice.reasons)


# --- --task and the language --------------------------------------------------------------------------
def test_task_alone_is_enough_and_places_the_task() -> None:
    advice = synthpipe.advise(task="classify")
    assert (advice.verdict, advice.category, advice.placed_by) == ("conditional", "classification", "task")
    assert advice.recipe == "classify_en.yaml"
    assert "(from --task classify)" in advice.to_text().splitlines()[0]


def test_task_wins_over_the_kind_the_description_reads_like_but_not_over_a_risky_domain() -> None:
    advice = synthpipe.advise("Summarise meeting notes", task="rewrite")
    assert (advice.category, advice.task) == ("rewrite", "rewrite")
    assert any(r.startswith("The description reads like summaries (task summarize)") for r in advice.reasons)
    assert synthpipe.advise("医疗诊断", task="qa").verdict == "not_recommended"


def test_the_advice_language_defaults_to_the_descriptions_and_the_recipe_follows_the_data() -> None:
    zh = synthpipe.advise("情感分类")
    assert zh.to_text().startswith("结论：有条件 —— 情感分类") and zh.recipe == "classify_zh.yaml"
    en = synthpipe.advise("情感分类", lang="en")  # advice in English, data still Chinese
    assert en.to_text().startswith("verdict: conditional — sentiment classification")
    assert en.recipe == "classify_zh.yaml"
    assert synthpipe.advise("FAQ", lang="zh").to_text().startswith("结论：推荐")
    assert synthpipe.advise("FAQ").lang == "en"


# --- what it points to exists -------------------------------------------------------------------------
def _has_setting(model: type[BaseModel], dotted: str) -> bool:
    """Whether `dotted` (judge.criteria) names a field of the recipe schema."""
    current: object = model
    for part in dotted.split("."):
        if (
            not (isinstance(current, type) and issubclass(current, BaseModel))
            or part not in current.model_fields
        ):
            return False
        current = current.model_fields[part].annotation
    return True


def _all_advice() -> list[synthpipe.Advice]:
    describes = [
        "FAQ answers",
        "Summarise reports",
        "Rewrite in a formal tone",
        "multi-turn dialogues",
        "sentiment",
        "math word problems",
        "FAQ for a bank's investment products",
        "医疗诊断",
        "image captions",
    ]
    out = [synthpipe.advise(d, lang=lang) for d in describes for lang in ("en", "zh")]
    out += [
        synthpipe.advise(task=task, lang="en", examples=0)
        for task in ("qa", "summarize", "rewrite", "classify", "dialogue")
    ]
    return out


def test_every_suggested_setting_is_a_real_recipe_setting() -> None:
    assert _has_setting(Recipe, "judge.criteria") and _has_setting(Recipe, "sources")
    assert not _has_setting(Recipe, "judge.no_such_key") and not _has_setting(Recipe, "labels.x")
    for advice in _all_advice():
        for check in advice.checks:
            for setting in check.settings:
                assert _has_setting(Recipe, setting), (advice.category, setting)


def test_every_command_in_the_next_steps_exists_with_its_options(tmp_path: Path) -> None:
    written, _ = synthpipe.init_recipes(tmp_path)
    seen = set()
    for advice in _all_advice():
        if advice.recipe:
            assert advice.recipe in written
            assert any(advice.recipe in step for step in advice.next_steps)
        for step in advice.next_steps:
            if not step.startswith("synthpipe "):
                assert step.startswith("# "), step
                continue
            words = shlex.split(step.split("#")[0])
            command = cli.commands[words[1]]
            options = {opt for p in command.params for opt in p.opts}
            assert {w for w in words if w.startswith("--")} <= options, step
            seen.add(words[1])
    assert seen == {"init", "prompts", "run", "check"}


# --- the command line ---------------------------------------------------------------------------------
def test_json_has_the_whole_advice() -> None:
    data = as_json(
        "--describe", "FAQ answers from our returns policy", "--examples", "30", "--structure", "yes"
    )
    assert set(data) == {
        "verdict",
        "category",
        "category_label",
        "task",
        "lang",
        "placed_by",
        "matched",
        "reasons",
        "checks",
        "questions",
        "recipe",
        "next_steps",
    }
    assert (data["verdict"], data["category"], data["task"], data["recipe"]) == (
        "recommended",
        "faq",
        "qa",
        "qa_en.yaml",
    )
    assert data["checks"][0] == {"settings": ["checks"], "why": data["checks"][0]["why"]}
    assert {"settings": ["grounding", "sources"]}.items() <= next(
        c for c in data["checks"] if "grounding" in c["settings"]
    ).items()
    assert [q["id"] for q in data["questions"]] == ["structure", "examples", "verifiable"]
    assert data["questions"][1] == {
        "id": "examples",
        "question": "Can a model learn the pattern from existing data — are there real examples of it?",
        "answer": "yes",
        "given": True,
        "examples": 30,
    }
    assert data["questions"][2]["given"] is False and data["questions"][2]["answer"] == "unsure"


def test_without_a_terminal_a_missing_answer_is_unsure_and_said_so() -> None:
    res = invoke("--describe", "FAQ answers from our returns policy", "--structure", "yes")
    assert res.exit_code == 0, res.output
    assert res.stderr == ""  # nothing was asked
    out = res.stdout
    assert out.startswith("verdict: recommended — FAQ")
    assert (
        "2. Can a model learn the pattern from existing data — are there real examples of it?  unsure (not answered)"
        in out
    )
    assert (
        "Not answered, so taken as unsure: real examples, verifiable. Answer with --examples, --verifiable"
        in out
    )
    assert "# answer the questions: synthpipe advise … --examples N --verifiable yes|no" in out
    assert "synthpipe init recipes/" in out and "synthpipe run recipes/qa_en.yaml --count 20" in out


def test_chinese_output_in_the_terminal() -> None:
    res = invoke("--describe", "合同效力判断")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == "结论：不推荐 —— 合同效力判断（依据：“合同效力”）"
    assert (
        "理由：" in lines
        and "三个问题：" in lines
        and "synthpipe 建议的检查：" in lines
        and "下一步：" in lines
    )
    assert "  1. 输入 → 输出的结构清楚吗？  不确定（未回答）" in lines


def test_an_interactive_run_asks_the_missing_questions() -> None:
    res = invoke(
        "--describe", "FAQ answers from our returns policy", "--interactive", "--json", input="yes\n30\nno\n"
    )
    assert res.exit_code == 0, res.output
    assert "Is the input → output structure clear? (yes/no/unsure) [unsure]:" in res.stderr
    data = json.loads(res.stdout)
    assert [(q["answer"], q["given"]) for q in data["questions"]] == [
        ("yes", True),
        ("yes", True),
        ("no", True),
    ]
    assert data["questions"][1]["examples"] == 30
    assert data["verdict"] == "conditional"  # moved down by "not verifiable"


def test_an_interactive_run_asks_for_the_description_and_again_after_a_bad_answer() -> None:
    res = invoke("--interactive", input="情感分类\n也许吧\n是\n50\n是\n")
    assert res.exit_code == 0, res.output
    assert "Describe the task / 用一两句话描述任务" in res.stderr
    assert "error: --structure '也许吧': answer yes, no or unsure" in res.stderr
    assert res.stderr.count("输入 → 输出的结构清楚吗？") == 2  # asked again
    assert res.stdout.startswith("结论：有条件 —— 情感分类")
    assert "  2. 模型能从现有数据中学到这个模式吗——有没有真实样例？  是（50 条真实样例）" in res.stdout


def test_an_interactive_run_asks_nothing_for_a_risky_domain_or_when_all_is_answered() -> None:
    res = invoke("--describe", "医疗诊断", "--interactive", input="")
    assert res.exit_code == 0 and res.stderr == "", res.output
    res = invoke(
        "-d", "FAQ", "--structure", "yes", "--examples", "no", "--verifiable", "yes", "--interactive"
    )
    assert res.exit_code == 0 and res.stderr == "", res.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((), "nothing to advise on — describe the task with --describe TEXT, or name its kind with --task"),
        (("--describe", "   "), "nothing to advise on"),
        (
            ("--task", "essay"),
            "unknown task 'essay' — use --task with one of qa, summarize, rewrite, classify, dialogue",
        ),
        (("-d", "FAQ", "--lang", "fr"), "unknown language 'fr' — use --lang zh or --lang en"),
        (("-d", "FAQ", "--structure", "maybe-ish"), "--structure 'maybe-ish': answer yes, no or unsure"),
        (("-d", "FAQ", "--verifiable", "2"), "--verifiable '2': answer yes, no or unsure"),
        (("-d", "FAQ", "--examples", "many"), "--examples 'many': give the number of real examples"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(args, fragment) -> None:
    res = invoke(*args)
    lines = res.stderr.strip().splitlines()
    assert res.exit_code == 2, (res.exit_code, res.output)
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], res.stderr
    assert res.stdout == ""


def test_bad_input_is_a_usage_error_in_the_library() -> None:
    with pytest.raises(synthpipe.UsageError, match="nothing to advise on"):
        synthpipe.advise("")
    with pytest.raises(synthpipe.UsageError, match="the number of real examples is 0 or more"):
        synthpipe.advise("FAQ", examples=-1)


def test_the_readme_examples_print_what_the_readme_shows() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Does synthetic data fit?", 1)[1].split("\n## ", 1)[0]
    pairs = re.findall(r"```bash\n(synthpipe advise .+?)\n```\n```\n(.+?)\n```", section, re.S)
    assert len(pairs) == 3
    verdicts = []
    for command, shown in pairs:
        res = CliRunner().invoke(cli, shlex.split(command)[1:])
        assert res.exit_code == 0, res.output
        printed = iter(res.stdout.splitlines())
        for line in shown.splitlines():
            if line.strip() not in ("", "…"):
                assert line in printed, (command, line)  # in this order, word for word
        verdicts.append(shown.split(" —", 1)[0])
    assert verdicts == ["verdict: recommended", "结论：有条件", "verdict: not recommended"]


def test_init_starts_from_the_advice(tmp_path: Path) -> None:
    runner = CliRunner()
    good = runner.invoke(cli, ["advise", "--describe", "FAQ answers from our returns policy", "--structure", "yes",
                               "--examples", "40", "--verifiable", "yes", "--json"])  # fmt: skip
    (tmp_path / "advice.json").write_text(good.output, encoding="utf-8")
    res = runner.invoke(cli, ["init", str(tmp_path / "rec"), "--advice", str(tmp_path / "advice.json")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "rec").iterdir()) == ["qa_en.yaml", "returns_policy_en.md"]
    text = (tmp_path / "rec" / "qa_en.yaml").read_text(encoding="utf-8")
    assert text.startswith("# synthpipe advise: recommended (FAQ)") and "grounding, sources" in text
    assert synthpipe.load_recipe(tmp_path / "rec" / "qa_en.yaml").task == "qa"
    bad = runner.invoke(cli, ["advise", "--describe", "medical diagnosis from symptoms", "--json"])
    (tmp_path / "no.json").write_text(bad.output, encoding="utf-8")
    res = runner.invoke(cli, ["init", str(tmp_path / "rec2"), "--advice", str(tmp_path / "no.json")])
    assert res.exit_code == 2 and "does not recommend" in res.output and not (tmp_path / "rec2").exists()
    (tmp_path / "junk.json").write_text("[1, 2]", encoding="utf-8")
    res = runner.invoke(cli, ["init", str(tmp_path / "rec3"), "--advice", str(tmp_path / "junk.json")])
    assert res.exit_code == 2 and "not an advice file" in res.output and not (tmp_path / "rec3").exists()
