"""Agreement with a second model (qa) and blind label verification (classify)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from synthpipe.backends.fake import FakeBackend
from synthpipe.cache import CachedModel
from synthpipe.core.records import Meta, Record
from synthpipe.engine.presets import PRESETS, build_stages
from synthpipe.stages.agree import AgreementStage, similarity
from synthpipe.stages.describe import describe_prompts

from .conftest import open_stage

LABELS = ["return_request", "refund_status", "damaged_item"]


def agree_recipe(write_recipe, **agreement: Any):
    fields: dict[str, Any] = {
        "models": {"generator": {"backend": "fake"}, "second": {"backend": "fake"}},
        "agreement": {"enabled": True, **agreement},
    }
    if agreement.pop("classify", False) or "verify_labels" in agreement:
        fields.update(task="classify", labels=LABELS)
    fields["agreement"] = {"enabled": True, **agreement}
    return write_recipe(**fields)[1]


async def stage_with(recipe, *answers: Any) -> tuple[AgreementStage, FakeBackend]:
    fake = FakeBackend(list(answers))
    stage = await open_stage(
        AgreementStage.from_recipe(recipe), lambda name: CachedModel(fake, None, name=name)
    )
    return stage, fake


def qa_rec() -> Record:
    fields = {
        "instruction": "How long do I have to return an item?",
        "input": "",
        "output": "You can return an item within 30 days of delivery, unused and in its original packaging, "
        "for a full refund.",
    }
    return Record("q1", fields, Meta(task="qa"))


def clf(text: str, label: str) -> Record:
    return Record("c1", {"text": text, "label": label}, Meta(task="classify"))


# --- similarity ------------------------------------------------------------------------------------


def test_similarity_is_one_for_the_same_words_and_zero_for_nothing_shared() -> None:
    assert similarity("Returns take 30 days.", "returns take 30 days") == 1.0
    assert similarity("Returns take 30 days.", "Bananas are yellow fruit.") == 0.0
    assert similarity("", "") == 1.0 and similarity("text", "") == 0.0


def test_similarity_ranks_paraphrases_above_unrelated_answers_in_both_languages() -> None:
    en = "You can return items within 30 days of delivery for a full refund."
    assert similarity(en, "Items can be returned for a full refund within 30 days of delivery.") > 0.6
    assert similarity(en, "Our store opens at nine and sells outdoor jackets.") < 0.2
    zh = "商品签收后 30 天内可以申请退货并全额退款。"
    close, far = "签收后 30 天内可以退货，并获得全额退款。", "我们的门店早上九点开门，出售户外夹克。"
    assert similarity(zh, close) > 0.5 > 0.1 > similarity(zh, far)


# --- qa --------------------------------------------------------------------------------------------


async def test_similar_second_answer_passes_with_a_score(write_recipe) -> None:
    recipe = agree_recipe(write_recipe, action="reject")
    rec = qa_rec()
    stage, fake = await stage_with(
        recipe,
        {
            "answer": "You can return your item within 30 days of delivery, unused and in "
            "its original packaging, for a full refund."
        },
    )
    await stage.process([rec])
    assert rec.ok and not rec.meta.flags
    assert rec.meta.scores["agreement"] > 0.6
    assert rec.meta.extra["second_answer"]["model"] == "second"
    prompt = fake.calls[0][0][-1]["content"]
    assert rec.fields["instruction"] in prompt
    assert rec.fields["output"] not in prompt  # the second model answers blind
    assert fake.calls[0][1]["required"] == ["answer"]


@pytest.mark.parametrize(("action", "rejected"), [("flag", False), ("reject", True)])
async def test_low_agreement_flags_or_rejects_per_recipe(write_recipe, action: str, rejected: bool) -> None:
    recipe = agree_recipe(write_recipe, action=action, min_similarity=0.4)
    rec = qa_rec()
    stage, _ = await stage_with(recipe, {"answer": "Please contact the store manager by phone."})
    await stage.process([rec])
    where = rec.meta.reasons if rejected else rec.meta.flags
    assert [r.code for r in where] == ["low_agreement"] and rec.ok is not rejected
    assert "< 0.4" in where[0].detail and where[0].stage == "agree"
    assert rec.meta.scores["agreement"] < 0.4


async def test_unreadable_second_answer_is_flagged_not_rejected(write_recipe) -> None:
    recipe = agree_recipe(write_recipe, action="reject")
    rec = qa_rec()
    stage, _ = await stage_with(recipe, "I am not sure.")
    await stage.process([rec])
    assert rec.ok and [f.code for f in rec.meta.flags] == ["agreement_unparseable"]
    assert rec.meta.extra["agreement_raw"] == "I am not sure."


# --- classify --------------------------------------------------------------------------------------


async def test_label_verification_rejects_a_mismatch_and_keeps_both_labels(write_recipe) -> None:
    recipe = agree_recipe(write_recipe, verify_labels=True)
    rec = clf("My tent arrived with a torn floor, what now?", "refund_status")
    stage, fake = await stage_with(recipe, {"label": "damaged_item"})
    await stage.process([rec])
    assert [r.code for r in rec.meta.reasons] == ["label_mismatch"]
    assert rec.meta.extra["label_check"] == {
        "proposed": "refund_status",
        "independent": "damaged_item",
        "model": "second",
    }
    assert rec.meta.scores["agreement"] == 0.0
    assert fake.calls[0][1]["properties"]["label"]["enum"] == LABELS


async def test_the_label_pass_never_sees_the_proposed_label(write_recipe) -> None:
    recipe = agree_recipe(write_recipe, verify_labels=True)
    stage, fake = await stage_with(recipe, {"label": "damaged_item"}, {"label": "damaged_item"})
    text = "The zipper broke on day one."
    await stage.process([clf(text, "damaged_item")])
    await stage.process([clf(text, "return_request")])
    (m1, s1, _), (m2, s2, _) = fake.calls
    assert m1 == m2 and s1 == s2  # the same request whatever the proposed label


async def test_matching_label_passes_case_insensitively(write_recipe) -> None:
    recipe = agree_recipe(write_recipe, verify_labels=True)
    rec = clf("Where is my refund? It has been a week.", "refund_status")
    stage, _ = await stage_with(recipe, {"label": "Refund_Status "})
    await stage.process([rec])
    assert rec.ok and rec.meta.scores["agreement"] == 1.0


async def test_without_verification_a_different_label_is_low_agreement(write_recipe) -> None:
    recipe = agree_recipe(write_recipe, verify_labels=False, action="flag")
    rec = clf("Where is my refund?", "return_request")
    stage, _ = await stage_with(recipe, {"label": "refund_status"})
    await stage.process([rec])
    assert rec.ok and [f.code for f in rec.meta.flags] == ["low_agreement"]


async def test_no_allowed_label_from_the_checker_leaves_the_label_unverified(write_recipe) -> None:
    recipe = agree_recipe(write_recipe, verify_labels=True)
    rec = clf("Where is my refund?", "refund_status")
    stage, _ = await stage_with(recipe, {"label": "shipping"})
    await stage.process([rec])
    assert [r.code for r in rec.meta.reasons] == ["label_unverified"]
    assert rec.meta.extra["label_check"]["proposed"] == "refund_status"


def test_stage_order_and_which_tasks_get_agreement(write_recipe) -> None:
    recipe = agree_recipe(write_recipe, classify=True)
    stages = build_stages(PRESETS["judge"], recipe)
    assert [s.name for s in stages] == ["rules", "agree"]
    ((title, messages),) = describe_prompts(recipe)
    assert (
        title.startswith("label check prompt")
        and "return_request, refund_status, damaged_item" in messages[-1]["content"]
    )
    _, dialogue = write_recipe(
        task="dialogue", models={"generator": {}, "second": {"backend": "fake"}}, agreement={"enabled": True}
    )
    assert AgreementStage.from_recipe(dialogue) is None


@pytest.mark.model
def test_embedded_model_labels_blind_from_the_allowed_set(write_recipe) -> None:
    from synthpipe.backends.embedded import EmbeddedBackend

    _, recipe = write_recipe(
        task="classify",
        labels=["positive", "negative"],
        models={"generator": {}, "second": {"temperature": 0, "max_tokens": 20}},
        agreement={"enabled": True},
    )
    backend = EmbeddedBackend()
    rec = clf("I love these boots, they are warm and comfortable.", "positive")

    async def go() -> None:
        stage = await open_stage(
            AgreementStage.from_recipe(recipe), lambda name: CachedModel(backend, None, name=name)
        )
        await stage.process([rec])

    asyncio.run(go())
    check = rec.meta.extra["label_check"]
    assert check["independent"] in ("positive", "negative"), check  # the enum schema held
    assert rec.meta.scores["agreement"] in (0.0, 1.0)
    assert rec.ok == (check["independent"] == "positive")
