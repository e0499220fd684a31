from __future__ import annotations

from synthpipe.prompts import plan


def test_prompt_has_role_task_constraints_boundary_examples_and_format(write_recipe) -> None:
    _, recipe = write_recipe(
        role="You are a support agent.",
        sources=[{"text": "Returns are accepted within 30 days."}],
        examples=[{"instruction": "Can I return shoes?", "input": "", "output": "Yes, within 30 days."}],
        constraints={"banned_words": ["guarantee"], "lengths": {"output": [20, 300]}, "tone": "warm"},
    )
    system, user = (m["content"] for m in plan(recipe, 1)[0].messages)
    assert system == "You are a support agent."
    for part in (
        "## Task",
        "returns",
        "guarantee",
        "20 to 300",
        "Tone: warm",
        "Answer only from the document",
        "Returns are accepted within 30 days.",
        "Can I return shoes?",
        '"instruction", "input", "output"',
    ):
        assert part in user, part


def test_chinese_recipe_renders_chinese_prompt_without_escaping(write_recipe) -> None:
    _, recipe = write_recipe(
        language="zh",
        topics=["退货"],
        role="你是客服。",
        examples=[{"instruction": "能退吗？", "input": "", "output": "可以，30天内。"}],
    )
    user = plan(recipe, 1)[0].messages[1]["content"]
    assert "使用简体中文" in user
    assert "能退吗？" in user  # not \\u escaped
    assert "退货" in user


def test_plan_varies_topics_labels_and_rounds_deterministically(write_recipe) -> None:
    _, recipe = write_recipe(task="classify", labels=["a", "b", "c"], topics=["x", "y"], count=6)
    items = plan(recipe)
    assert [it.variation["label"] for it in items] == ["a", "b", "c", "a", "b", "c"]
    assert {it.variation["topic"] for it in items} == {"x", "y"}
    assert len({it.seed for it in items}) == 6
    assert [it.messages for it in plan(recipe)] == [it.messages for it in items]
    _, dia = write_recipe(task="dialogue", rounds=[3, 5], count=20)
    rounds = {it.variation["rounds"] for it in plan(dia)}
    assert rounds <= {3, 4, 5} and len(rounds) > 1


def test_template_text_in_recipe_is_data_not_code(write_recipe) -> None:
    _, recipe = write_recipe(role="{{ 7*7 }} {% for x in range(3) %}x{% endfor %}", topics=["{{ self }}"])
    system, user = (m["content"] for m in plan(recipe, 1)[0].messages)
    assert system == "{{ 7*7 }} {% for x in range(3) %}x{% endfor %}"
    assert "{{ self }}" in user


def test_planned_temperatures_rotate_and_reach_the_request(write_recipe) -> None:
    import asyncio

    from synthpipe.backends.fake import FakeBackend
    from synthpipe.cache import CachedModel
    from synthpipe.core.records import Meta, Record
    from synthpipe.stages.generate import GenerateStage

    from .conftest import open_now, qa

    _, recipe = write_recipe(temperatures=[0.3, 1.1], count=4)
    items = plan(recipe)
    assert [it.variation["temperature"] for it in items] == [0.3, 1.1, 0.3, 1.1]
    fake = FakeBackend(default=qa(0))
    stage = open_now(GenerateStage(recipe), lambda name: CachedModel(fake, None))
    recs = [Record(id=str(i), fields={}, meta=Meta(task="qa", plan={"index": i})) for i in range(2)]
    asyncio.run(stage.process(recs))
    assert [call[2].temperature for call in fake.calls] == [0.3, 1.1]
    assert [r.meta.plan["temperature"] for r in recs] == [0.3, 1.1] and recs[0].meta.raw
