"""The checks on derived records (augment_check) with crafted cases in zh and en, the labelled pairs of
bench/augment_checks_eval.py, and dedup that keeps a family of paraphrases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import synthpipe
from synthpipe.core.records import Meta, Record
from synthpipe.recipe import validate
from synthpipe.stages.augment.checks import AugmentCheckStage


# --- checks on derived records, crafted cases ------------------------------------------------------------
def _check(
    parent: dict[str, str], child: dict[str, str], method: str = "paraphrase", **augment: Any
) -> list[str]:
    recipe = validate(
        {
            "task": "qa",
            "augment": {
                "methods": [method if method != "style" else {"method": "style", "style": "formal"}],
                **augment,
            },
        },
        "t",
    )
    p = Record(id="p", fields={"input": "", **parent}, meta=Meta(task="qa", origin="input"))
    kid = Record(
        id="k",
        fields={"input": "", **child},
        meta=Meta(
            task="qa",
            origin=f"augmented:{method}",
            parent_id="p",
            extra={"augment": {"method": method, "key": method, "k": 0}},
        ),
    )
    stage = AugmentCheckStage(recipe, {"p": p})
    stage.apply(kid)
    return [r.code for r in kid.meta.reasons]


Q_EN = "How long does onboarding take for the 12 new hires in Berlin?"
Q_ZH = "柏林办公室的 12 名新员工入职一般需要多久？"
A_EN = "Onboarding takes 3 working days."


@pytest.mark.parametrize(
    ("parent", "child", "code"),
    [
        # copies
        (Q_EN, "How long does onboarding take for the 12 new hires in Berlin ?", "augment_copy"),
        (Q_ZH, "柏林办公室的12名新员工入职一般需要多久?", "augment_copy"),
        # a number or a name lost or replaced
        (Q_EN, "What is the usual onboarding time for the 15 new hires in Berlin?", "fact_changed"),
        (Q_EN, "What is the usual onboarding time for the twelve new hires in Munich?", "fact_changed"),
        (Q_ZH, "柏林办公室 15 名新人的入职流程要花几天？", "fact_changed"),
        (
            "Anna 负责的 12 名新员工入职一般需要多久？",
            "Lisa 负责的 12 名新员工入职要花几天？",
            "fact_changed",
        ),
        # a number or a name that the parent did not state
        (Q_EN, "How many days does onboarding take for the 12 new hires in Berlin, 5 or 6?", "fact_changed"),
        (
            Q_EN,
            "For the 12 new hires at Siemens in Berlin, what is the usual onboarding time?",
            "fact_changed",
        ),
        (Q_ZH, "柏林办公室的 12 名新员工入职一般需要 3 天吗？", "fact_changed"),
        # a weekday changed; a compound number changed
        (
            "Is the Downtown clinic open for walk-ins on Monday?",
            "Can I walk in without booking at the Downtown clinic on Tuesday?",
            "fact_changed",
        ),
        ("周一上午医院可以做体检吗？", "医院星期二上午能做体检吗？", "fact_changed"),
        (
            "Can I withdraw more than 500 dollars a day?",
            "Is there a way to take out over five hundred and fifty dollars daily?",
            "fact_changed",
        ),
        # the opposite action
        (
            "How do I close my savings account?",
            "What are the steps for opening a savings account?",
            "meaning_drift",
        ),
        ("如何开通手机银行？", "手机银行怎么关闭？", "meaning_drift"),
        # the question became a statement
        (Q_EN, "Onboarding for the 12 new hires in Berlin takes a while.", "meaning_drift"),
        (Q_ZH, "柏林办公室的 12 名新员工入职需要一段时间。", "meaning_drift"),
        # the meaning drifts away
        (Q_EN, "Where can 12 people in Berlin park their bicycles at night?", "meaning_drift"),
        (Q_ZH, "柏林那 12 个人晚上把自行车停哪里？", "meaning_drift"),
        # the language changed
        (Q_EN, "柏林办公室的 12 名新员工入职一般需要多久？", "wrong_language"),
        (Q_ZH, "How long does onboarding take for the 12 new hires in Berlin?", "wrong_language"),
    ],
)
def test_crafted_defects_are_caught(parent: str, child: str, code: str) -> None:
    assert _check({"instruction": parent, "output": A_EN}, {"instruction": child, "output": A_EN}) == [code]


@pytest.mark.parametrize(
    ("parent", "child"),
    [
        (Q_EN, "For our twelve new hires in Berlin, how many days will onboarding last?"),
        (Q_EN, "What is the typical duration of onboarding for the 12 Berlin new hires?"),
        (Q_ZH, "柏林办公室新来的 12 位员工，办完入职大概要几天？"),
        (Q_ZH, "请问柏林办公室那 12 名新员工的入职流程通常要多长时间？"),
        ("Can I return it?", "Is sending it back allowed?"),  # too short to judge drift lexically
        (
            "Can I withdraw more than 500 dollars a day?",
            "Is there a way to take out over five hundred dollars daily?",
        ),
        ("Employees get 1.5 days of leave a month.", "Staff earn one and a half days off every month."),
        (
            "When does the library close on Saturdays?",
            "Tell me the closing time of the library on Saturdays.",
        ),
        ("What are the library's opening hours on Sunday?", "When does the library close on Sundays?"),
        ("周一上午医院可以做体检吗？", "请告诉我医院星期一上午能不能做体检。"),
    ],
)
def test_good_paraphrases_pass(parent: str, child: str) -> None:
    assert _check({"instruction": parent, "output": A_EN}, {"instruction": child, "output": A_EN}) == []


def test_style_keeps_facts_of_the_answer() -> None:
    parent = {
        "instruction": Q_EN,
        "output": "Onboarding takes 3 working days and starts on Monday with Anna.",
    }
    good = {
        "instruction": Q_EN,
        "output": "Dear colleague, onboarding lasts 3 working days, beginning Monday with Anna.",
    }
    bad = {
        "instruction": Q_EN,
        "output": "Dear colleague, onboarding lasts 5 working days, beginning Monday with Anna.",
    }
    assert _check(parent, good, "style") == []
    assert _check(parent, bad, "style") == ["fact_changed"]


def test_stance_skips_drift_but_not_copies() -> None:
    recipe = validate({"task": "rewrite", "augment": {"methods": ["stance"]}}, "t")
    p = Record(
        id="p",
        fields={
            "instruction": "Make it formal.",
            "input": "Remote work is great for focus.",
            "output": "Remote work improves concentration.",
        },
        meta=Meta(task="rewrite"),
    )

    def kid(inp: str, out: str) -> Record:
        return Record(
            id="k",
            fields={"instruction": "Make it formal.", "input": inp, "output": out},
            meta=Meta(
                task="rewrite",
                origin="augmented:stance",
                parent_id="p",
                extra={"augment": {"method": "stance", "key": "stance", "k": 0}},
            ),
        )

    flipped = kid(
        "Remote work ruins focus for most teams.", "Remote work impairs concentration in most teams."
    )
    copied = kid("Remote work is great for focus.", "Remote work improves concentration.")
    stage = AugmentCheckStage(recipe, {"p": p})
    stage.apply(flipped)
    stage.apply(copied)
    assert flipped.meta.reasons == []
    assert [r.code for r in copied.meta.reasons] == ["augment_copy"]


# --- dedup keeps a family -------------------------------------------------------------------------------
def test_dedup_keeps_paraphrases_of_one_parent_but_not_a_stranger_copy() -> None:
    answer = (
        "入职手续一般需要 3 个工作日：第一天办理账号和设备，第二天参加安全培训，第三天与团队见面并确定目标。"
    )
    questions = ["入职一般需要多久？", "入职通常需要多久？", "入职一般要多久？"]
    recs = [
        Record(
            id="p", fields={"instruction": questions[0], "input": "", "output": answer}, meta=Meta(task="qa")
        )
    ]
    for i, q in enumerate(questions[1:]):
        meta = Meta(task="qa", origin="augmented:paraphrase", parent_id="p", line=1)
        recs.append(Record(id=f"c{i}", fields={"instruction": q, "input": "", "output": answer}, meta=meta))
    recs.append(
        Record(
            id="x",
            fields={"instruction": "入职一般要多久呢？", "input": "", "output": answer},
            meta=Meta(task="qa"),
        )
    )
    whole = synthpipe.dedup(recs, task="qa")  # the batch path
    assert [r.id for r in whole.accepted] == ["p", "c0", "c1"]
    assert [r.meta.reasons[0].code for r in whole.rejected] == ["duplicate_near"]
    from synthpipe.recipe import DedupConfig
    from synthpipe.stages.dedup.deduper import Deduper

    stream = Deduper(DedupConfig(), "qa")  # the incremental path of a run
    assert [stream.check(Record.from_json(r.to_json())) is None for r in recs] == [True, True, True, False]
    # without the family, the same paraphrases are near duplicates of each other
    strangers = [Record(id=r.id, fields=r.fields, meta=Meta(task="qa")) for r in recs[:3]]
    assert [r.id for r in synthpipe.dedup(strangers, task="qa").rejected] == ["c0", "c1"]


def test_a_pivot_hop_left_in_the_source_language_is_no_round_trip() -> None:
    recipe = validate({"task": "qa", "augment": {"methods": ["backtranslate"]}}, "t")
    p = Record(id="p", fields={"instruction": Q_EN, "input": "", "output": A_EN}, meta=Meta(task="qa"))

    def kid(pivot: str) -> Record:
        info = {
            "method": "backtranslate",
            "key": "backtranslate",
            "k": 0,
            "pivot_lang": "zh",
            "pivot_text": pivot,
        }
        child = "For the 12 new hires in Berlin, how many days does onboarding usually take?"
        return Record(
            id="k",
            fields={"instruction": child, "input": "", "output": A_EN},
            meta=Meta(task="qa", origin="augmented:backtranslate", parent_id="p", extra={"augment": info}),
        )

    stayed, translated = kid(Q_EN), kid("柏林的 12 名新员工入职一般需要多久？")
    stage = AugmentCheckStage(recipe, {"p": p})
    stage.apply(stayed)
    stage.apply(translated)
    assert [r.code for r in stayed.meta.reasons] == ["wrong_language"]
    assert "pivot hop stayed in en" in stayed.meta.reasons[0].detail
    assert translated.meta.reasons == []


# --- the labelled pairs of bench/augment_checks_eval.py: their figures cannot silently fall ----------------
@pytest.mark.parametrize(
    ("part", "caught", "good_rejected"),
    [
        ("tune", 24, 1),  # of 25 defects and 18 good ones
        ("blind", 38, 2),  # of 48 and 32; first measurement 33 and 6, before the changes it led to
        ("blind2", 34, 3),  # of 48 and 32; written after those changes, measured once (34, 4); 3 after review
    ],
)
def test_labelled_pairs_hold_their_figures(part: str, caught: int, good_rejected: int) -> None:
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "bench" / "augment_checks_eval.py"
    spec = importlib.util.spec_from_file_location("augment_checks_eval", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    f = mod.evaluate(mod.load(part))
    assert f["defects_caught"] >= caught, f["misses"]
    assert f["ok_rejected"] <= good_rejected, f["misses"]


@pytest.mark.parametrize(
    ("parent", "child"),
    [
        ("健身房建议每周三次训练吗？", "健身房是否建议一星期练三次？"),  # a frequency, not Wednesday
        ("Can I bring my dog to the Sunday market in Berlin?", "Are dogs allowed at Berlin's Sunday market?"),
    ],
)
def test_frequencies_and_possessives_are_not_changed_facts(parent: str, child: str) -> None:
    assert _check({"instruction": parent, "output": A_EN}, {"instruction": child, "output": A_EN}) == []
