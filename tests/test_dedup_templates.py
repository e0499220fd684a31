"""Dedup that tells facts apart (confirm.py), template clusters and `dedup.max_per_template`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

import synthpipe
from synthpipe.backends.fake import FakeBackend
from synthpipe.core.records import Meta, Record
from synthpipe.recipe import DedupConfig, Recipe
from synthpipe.recipe.identity import data_hash, identity
from synthpipe.stages.dedup import CODES, Deduper, DedupStage, dedup_records
from synthpipe.stages.dedup.confirm import NUMBERS, QUESTION, SUBJECT, features, numbers, veto
from synthpipe.stages.dedup.templates import TEMPLATE_CAP, skeleton

from .conftest import open_stage

pytest.importorskip("numpy")

EN_Q, EN_A = (
    "How long does {} take?",
    "{} is usually completed within {} working days. Contact HR if it takes longer.",
)
ZH_Q, ZH_A = "{}一般多久能办完？", "{}一般在{}个工作日内办完，如有疑问请联系人事部。"


def qa(rid: str, q: str, a: str, score: float | None = None, line: int | None = None) -> Record:
    meta = Meta(task="qa", line=line, scores={} if score is None else {"overall": score})
    return Record(rid, {"instruction": q, "input": "", "output": a}, meta)


def en(rid: str, subject: str, days: str, **kw: object) -> Record:
    return qa(rid, EN_Q.format(subject), EN_A.format(subject.capitalize(), days), **kw)  # type: ignore[arg-type]


def zh(rid: str, subject: str, days: str, **kw: object) -> Record:
    return qa(rid, ZH_Q.format(subject), ZH_A.format(subject, days), **kw)  # type: ignore[arg-type]


def both_paths(records: list[Record]) -> dict[str, str | None]:
    """id -> reason code of the batch path; the streaming Deduper must agree."""
    copies = [Record(r.id, dict(r.fields), Meta(task="qa", line=r.meta.line)) for r in records]
    _, removed = dedup_records(records, DedupConfig(), "qa")
    batch: dict[str, str | None] = {r.id: None for r in records}
    batch.update({r.id: r.meta.reasons[-1].code for r in removed})
    deduper = Deduper(DedupConfig(), "qa")
    streamed = {r.id: (reason.code if (reason := deduper.check(r)) else None) for r in copies}
    assert streamed == batch
    return batch


def test_the_issues_template_look_alikes_are_kept_in_both_paths() -> None:
    records = [
        en("a", "onboarding", "3"),
        en("b", "training budgets", "5"),  # subject and number differ
        en("c", "payroll", "3"),  # only the subject differs
        en("d", "onboarding", "5"),  # only the number differs
        zh("e", "入职", "3"),
        zh("f", "工资", "5"),
        zh("g", "报销", "3"),
    ]
    assert both_paths(records) == {r.id: None for r in records}


def test_rewordings_and_other_number_forms_stay_duplicates() -> None:
    records = [
        en("a", "onboarding", "3"),
        en("b", "onboarding", "three"),  # the same number in words
        qa(
            "c",
            "How long does onboarding take",
            EN_A.format("Onboarding", "3").replace("usually", "normally"),
        ),
        qa("d", "HOW LONG DOES ONBOARDING TAKE", EN_A.format("Onboarding", "3").upper()),
        zh("e", "入职", "3"),
        zh("f", "入职", "三"),
        zh("g", "入职", "３"),  # full-width: exact after normalisation
        qa("h", ZH_Q.format("入职"), ZH_A.format("入职", "3").replace("一般", "通常")),
    ]
    assert both_paths(records) == {
        "a": None,
        "b": "duplicate_near",
        "c": "duplicate_near",
        "d": "duplicate_exact",
        "e": None,
        "f": "duplicate_near",
        "g": "duplicate_exact",
        "h": "duplicate_near",
    }


def test_numbers_are_read_by_value() -> None:
    assert numbers("1,200 euros, 3.50 and 007, twenty-one days") == {"1200": 1, "3.5": 1, "7": 1, "21": 1}
    assert numbers("二十四小时，一千零五元，二〇二四年，３天") == {"24": 1, "1005": 1, "2024": 1, "3": 1}
    assert numbers("form HR-12") == {"12": 1}


def test_veto_needs_a_number_or_a_subject_changed_on_both_sides() -> None:
    base = features("How long does it take?", "It takes 1 day, or 6 days at most.")
    assert veto(base, features("How long does it take?", "It takes 1 day, or 7 days at most.")) == NUMBERS
    assert veto(base, features("How long does it take?", "It takes 1 day, or 6 days at most!")) is None
    # a number one side lacks is wording, not a changed fact
    assert veto(base, features("How long does it take?", "It takes 1 day, or days at most.")) is None
    # the same number twice against once and another: multisets differ on both sides
    once = features("Q", "1 day or 1 week")
    assert veto(once, features("Q", "1 day or 6 weeks")) == NUMBERS
    leave = features("Who approves annual leave?", "Annual leave is approved by your manager.")
    sick = features("Who approves sick leave?", "Sick leave is approved by your manager.")
    assert veto(leave, sick) == SUBJECT
    # a reworded question with the answer unchanged is no subject change
    assert (
        veto(leave, features("Who signs off annual leave?", "Annual leave is approved by your manager."))
        is None
    )


def test_one_answer_for_subjects_named_in_the_question_only_is_not_a_duplicate() -> None:
    # a template that gives many subjects one answer: the subject is in the question only (blind2 set)
    answer = "Yes. You can cancel for a full refund within 30 days of purchase, as long as it is unused."
    zh_answer = "申请人须年满16周岁并为账户持有人本人，未达到年龄要求的，须由父母或法定监护人代为办理。"
    records = [
        qa("a", "Can I get a refund if I change my mind about course enrolments?", answer),
        qa("b", "Can I get a refund if I change my mind about certificate reissues?", answer),
        qa("c", "Can I get a refund if I change my mind about course enrolment?", answer),  # one word
        qa("d", "未成年人可以自己申请会籍冻结吗？", zh_answer),
        qa("e", "未成年人可以自己申请套餐变更吗？", zh_answer),
        qa("f", "未成年人能够自己申请会籍冻结吗？", zh_answer),  # 可以 -> 能够: a rewording
    ]
    assert both_paths(records) == {
        "a": None,
        "b": None,
        "c": "duplicate_near",
        "d": None,
        "e": None,
        "f": "duplicate_near",
    }
    a, b = (features(r.fields["instruction"], answer) for r in records[:2])
    assert veto(a, b) == QUESTION
    # an embedding match is there to merge questions worded differently: no question veto
    assert veto(a, b, questions=False) is None


def test_empty_and_number_only_records_are_never_near_duplicates_of_each_other() -> None:
    records = [qa("a", "Q1?", "Call 555 0100."), qa("b", "Q1?", "Call 555 0199.")]
    assert both_paths(records) == {"a": None, "b": None}


def test_skeleton_masks_the_subject_and_numbers() -> None:
    one = skeleton(EN_Q.format("onboarding"), EN_A.format("Onboarding", "3"))
    two = skeleton(EN_Q.format("training budgets"), EN_A.format("Training budgets", "five"))
    assert one == two == "_ is usually completed within # working days contact hr if it takes longer"
    assert skeleton(ZH_Q.format("入职"), ZH_A.format("入职", "3")) == skeleton(
        ZH_Q.format("工资"), ZH_A.format("工资", "十四")
    )
    assert skeleton("Is it free?", "Yes.") is None  # too short to be a template


def test_template_cap_keeps_the_best_scored_per_template_and_names_its_own_reason() -> None:
    subjects = ["onboarding", "payroll", "expense claims", "annual leave", "sick leave"]
    records = [
        en(f"e{i}", s, str(i + 2), score=s_, line=i + 1)
        for i, (s, s_) in enumerate(zip(subjects, [3.0, 4.5, None, 4.5, 2.0], strict=True))
    ]
    records += [zh(f"z{i}", s, str(i + 2), line=10 + i) for i, s in enumerate(["入职", "工资", "报销"])]
    records.append(en("dup", "onboarding", "2", line=20))  # a duplicate stays a duplicate, not a cap
    stage = DedupStage(DedupConfig(max_per_template=2), "qa")
    assert stage.batch_size is None  # the best K need every record

    async def go() -> dict:
        await open_stage(stage)
        await stage.process(list(records))
        return await stage.close()

    info = asyncio.run(go())
    codes = {r.id: [x.code for x in r.meta.reasons] for r in records}
    assert [r for r, c in codes.items() if not c] == ["e1", "e3", "z0", "z1"]  # 4.5, 4.5 (earlier first)
    assert {r for r, c in codes.items() if c == [TEMPLATE_CAP]} == {"e0", "e2", "e4", "z2"}
    assert codes["dup"] == ["duplicate_exact"]
    assert "max_per_template 2" in records[0].meta.reasons[0].detail
    t = info["templates"]
    assert (t["records"], t["clusters"], t["largest"], t["capped"], t["max_per_template"]) == (4, 2, 2, 4, 2)
    assert t["top"][0]["records"] == 2 and "_ is usually completed" in t["top"][0]["skeleton"]
    assert TEMPLATE_CAP in CODES and "duplicate_near" in CODES


def test_records_of_earlier_runs_fill_the_template_first() -> None:
    earlier = [en("old", "payroll", "9")]
    new = en("new", "onboarding", "3", score=5.0)
    stage = DedupStage(DedupConfig(max_per_template=1), "qa")

    async def go() -> dict:
        await open_stage(stage, earlier=tuple(earlier))
        await stage.process([new])
        return await stage.close()

    info = asyncio.run(go())
    assert [r.code for r in new.meta.reasons] == [TEMPLATE_CAP] and "e.g. old" in new.meta.reasons[0].detail
    assert not earlier[0].meta.reasons and info["templates"]["records"] == 1


def test_manifest_counts_template_clusters_without_a_cap() -> None:
    records = [en(f"e{i}", s, str(i + 2)) for i, s in enumerate(["onboarding", "payroll", "sick leave"])]
    records.append(
        qa("x", "What is the capital of France?", "Paris is the capital and largest city of France.")
    )
    stage = DedupStage(DedupConfig(), "qa", whole=True)

    async def go() -> dict:
        await open_stage(stage)
        await stage.process(records)
        return await stage.close()

    t = asyncio.run(go())["templates"]
    assert not any(r.meta.reasons for r in records)
    assert (t["records"], t["clusters"], t["in_clusters"], t["largest"], t["capped"]) == (4, 1, 3, 3, 0)
    assert t["cluster_sizes"] == {"3-5": 1} and t["max_per_template"] is None


def test_max_per_template_is_out_of_the_identity_at_its_default() -> None:
    plain = Recipe(task="qa")
    assert "dedup.max_per_template" not in identity(plain)
    assert data_hash(plain) == data_hash(Recipe(task="qa", dedup={"max_per_template": None}))
    capped = Recipe(task="qa", dedup={"max_per_template": 3})
    assert identity(capped)["dedup.max_per_template"] == 3 and data_hash(capped) != data_hash(plain)
    with pytest.raises(ValueError):
        Recipe(task="qa", dedup={"max_per_template": 0})


def test_a_run_caps_templates_and_reports_them(write_recipe, tmp_path: Path) -> None:
    answers = [
        {"instruction": EN_Q.format(s), "input": "", "output": EN_A.format(s.capitalize(), d)}
        for s, d in [("onboarding", "3"), ("payroll", "5"), ("expense claims", "7")]
    ]
    _, recipe = write_recipe(count=3, dedup={"max_per_template": 1})
    out = tmp_path / "o"
    manifest = synthpipe.run(
        recipe, out, backends={"generator": FakeBackend(answers, max_in_flight=1)}
    ).manifest
    rejected = [json.loads(x) for x in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    assert manifest["counts"]["accepted"] == 1
    assert [r["meta"]["reasons"][0]["code"] for r in rejected] == [TEMPLATE_CAP, TEMPLATE_CAP]
    assert manifest["reasons"][TEMPLATE_CAP]["records"] == 2
    templates = manifest["stages"]["dedup"]["templates"]
    assert templates["capped"] == 2 and templates["max_per_template"] == 1
    assert 'data-chart="templates"' in (out / "report.html").read_text(encoding="utf-8")
