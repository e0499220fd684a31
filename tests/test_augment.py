"""Augmentation with a fake model: exact lineage, ids and counts for every method, bad input, resume,
the recipe's `augment:` inside `run`. The checks on derived records are in test_augment_checks.py; the
embedded model and llama_cpp.server runs in test_augment_models.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import synthpipe
from synthpipe.backends.fake import FakeBackend
from synthpipe.cli import cli
from synthpipe.core.records import Record
from synthpipe.recipe import validate
from synthpipe.stages.base import derived_id

from .augment_fakes import PIVOT_TAG, fake_answer

EN = [
    {
        "instruction": "How long does onboarding take for new hires?",
        "output": "Onboarding takes 3 working days.",
    },
    {
        "instruction": "When is payroll paid each month?",
        "output": "Payroll is paid on the 25th of each month.",
    },
]
ZH = [
    {"instruction": "新员工入职一般需要多久？", "output": "入职手续一般需要 3 个工作日。"},
    {"instruction": "每个月几号发工资？", "output": "每月 25 日发放工资，遇节假日提前。"},
]


DIALOGUE = {
    "messages": [
        {"role": "user", "content": "Hi, my order 4417 has not arrived yet."},
        {
            "role": "assistant",
            "content": "Sorry about that. Order 4417 shipped on Monday and arrives in 2 days.",
        },
        {"role": "user", "content": "Can I change the delivery address?"},
        {
            "role": "assistant",
            "content": "Yes, you can change it in your account until it leaves the depot.",
        },
        {"role": "user", "content": "Great, thanks for the help today."},
        {"role": "assistant", "content": "You are welcome. Have a nice day."},
    ]
}


def _write(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _fake() -> FakeBackend:
    return FakeBackend(default=fake_answer)


# --- the flow with a fake model ------------------------------------------------------------------------
@pytest.mark.parametrize("rows", [EN, ZH], ids=["en", "zh"])
def test_every_method_lineage_ids_and_counts(rows: list[dict[str, str]], tmp_path: Path) -> None:
    data = _write(tmp_path / "faq.jsonl", rows)
    backend = _fake()
    result = synthpipe.augment(
        data,
        task="qa",
        methods=["paraphrase", "backtranslate", {"method": "style", "style": "service"}],
        backends={"generator": backend},
        out=tmp_path / "out",
    )
    parents = synthpipe.check(data, task="qa").accepted
    derived = result.accepted + result.rejected
    # 3 paraphrases + 2 back-translations + 1 style per parent, and nothing else
    assert len(derived) == 6 * len(rows) == result.counts["attempted"]
    assert not result.failed
    # one request for the 3 paraphrases of a parent, two per back-translation, one per style transfer
    assert len(backend.calls) == len(rows) * (1 + 2 * 2 + 1)
    lang = "zh" if rows is ZH else "en"
    for parent in parents:
        kids = [r for r in derived if r.meta.parent_id == parent.id]
        by_method: dict[str, list[Record]] = {}
        for kid in kids:
            info = kid.meta.extra["augment"]
            by_method.setdefault(info["method"], []).append(kid)
            assert kid.id == derived_id(parent.id, info["key"], info["k"])
            assert kid.meta.origin == f"augmented:{info['method']}"
            assert info["model"] == "generator" and kid.meta.model == "fake"
            assert info["language"] == lang
            assert kid.meta.line == parent.meta.line
        assert {m: sorted(r.meta.extra["augment"]["k"] for r in v) for m, v in by_method.items()} == {
            "paraphrase": [0, 1, 2],
            "backtranslate": [0, 1],
            "style": [0],
        }
        for kid in by_method["paraphrase"]:  # the question is rewritten, the answer kept
            assert kid.fields["instruction"] != parent.fields["instruction"]
            assert kid.fields["output"] == parent.fields["output"]
        for kid in by_method["backtranslate"]:
            info = kid.meta.extra["augment"]
            assert info["pivot_lang"] == ("en" if lang == "zh" else "zh")
            assert info["pivot_text"] == PIVOT_TAG + parent.fields["instruction"]
        (styled,) = by_method["style"]
        assert styled.fields["instruction"] == parent.fields["instruction"]
        assert styled.fields["output"] != parent.fields["output"]
        assert styled.meta.extra["augment"]["params"] == {"style": "service"}
    m = result.manifest
    assert m["command"] == "augment" and m["parents"] == len(rows)
    assert {k: v["derived"] for k, v in m["augment"].items()} == {
        "paraphrase": 3 * len(rows),
        "backtranslate": 2 * len(rows),
        "style": len(rows),
    }
    for row in m["augment"].values():
        assert row["derived"] == row["accepted"] + row["rejected"] + row["failed"]
    files = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"accepted.jsonl", "rejected.jsonl", "failed.jsonl", "manifest.json", "cache.sqlite"} <= files
    written = [json.loads(x) for x in (tmp_path / "out" / "accepted.jsonl").read_text().splitlines()]
    assert [w["id"] for w in written] == [r.id for r in result.accepted]


def test_paraphrase_siblings_differ_and_a_copy_of_a_sibling_is_rejected(tmp_path: Path) -> None:
    same = {
        "paraphrases": [{"instruction": "Could you tell me how long onboarding takes for new hires?"}] * 3
    }
    result = synthpipe.augment(
        [EN[0]], task="qa", methods=["paraphrase"], backends={"generator": FakeBackend(default=same)}
    )
    assert len(result.accepted) == 1
    assert [r.meta.reasons[0].code for r in result.rejected] == ["augment_copy", "augment_copy"]
    assert all("sibling k=0" in r.meta.reasons[0].detail for r in result.rejected)


def test_a_short_paraphrase_list_rejects_the_missing_ones(tmp_path: Path) -> None:
    short = {"paraphrases": [{"instruction": "What is the usual length of onboarding for a new hire?"}]}
    result = synthpipe.augment(
        [EN[0]], task="qa", methods=["paraphrase"], backends={"generator": FakeBackend(default=short)}
    )
    assert len(result.accepted) == 1
    assert sorted(r.meta.reasons[0].code for r in result.rejected) == ["augment_unparseable"] * 2
    assert "gave 1 paraphrases of 3" in result.rejected[0].meta.reasons[0].detail


def test_regenerate_answer_answers_the_new_question(tmp_path: Path) -> None:
    answers = [
        {
            "paraphrases": [
                {"instruction": f"Variant {i}: how many days is onboarding at Acme?"} for i in range(3)
            ]
        },
        *[{"answer": f"It takes 3 working days (answer {i})."} for i in range(3)],
    ]
    result = synthpipe.augment(
        [EN[0]],
        task="qa",
        methods=["paraphrase"],
        regenerate_answer=True,
        backends={"generator": FakeBackend(answers)},
    )
    outputs = sorted(r.fields["output"] for r in result.accepted + result.rejected)
    assert all(o.startswith("It takes 3 working days") for o in outputs)
    assert all(r.meta.extra["augment"]["parent_output"] == EN[0]["output"] for r in result.accepted)


def test_dialogue_paraphrases_user_turns_and_keeps_roles(tmp_path: Path) -> None:
    dialogue = DIALOGUE
    result = synthpipe.augment(
        [dialogue], task="dialogue", methods=["paraphrase"], n=2, backends={"generator": _fake()}
    )
    kids = result.accepted + result.rejected
    assert len(kids) == 2
    for kid in kids:
        msgs = kid.fields["messages"]
        assert [m["role"] for m in msgs] == [m["role"] for m in dialogue["messages"]]
        assert [m["content"] for m in msgs[1::2]] == [m["content"] for m in dialogue["messages"][1::2]]
        assert all(
            a["content"] != b["content"] for a, b in zip(msgs[::2], dialogue["messages"][::2], strict=True)
        )


@pytest.mark.parametrize(
    ("text", "labels", "prefix"),
    [
        ("I love this phone, the battery lasts two days.", ("positive", "negative"), "I disagree"),
        ("这款手机很好用，电池能用两天。", ("正面", "负面"), "我不同意"),
    ],
    ids=["en", "zh"],
)
def test_stance_on_classify_flips_the_label_by_the_opposite_map(
    text: str, labels: tuple[str, str], prefix: str
) -> None:
    good, bad = labels
    result = synthpipe.augment(
        [{"text": text, "label": good}],
        task="classify",
        methods=["stance"],
        opposite={good: bad, bad: good},
        backends={"generator": _fake()},
    )
    (kid,) = result.accepted + result.rejected
    assert kid.fields["label"] == bad
    assert kid.fields["text"].startswith(prefix)
    assert kid.meta.extra["stance"] == "opposite"
    assert kid.meta.extra["augment"]["params"] == {"opposite": {good: bad, bad: good}}


def test_stance_on_rewrite_flips_input_and_output_together() -> None:
    row = {
        "instruction": "把这句话改写得更正式。",
        "input": "远程办公让人更专注，效率也高。",
        "output": "远程办公有助于提升专注度与工作效率。",
    }
    result = synthpipe.augment([row], task="rewrite", methods=["stance"], backends={"generator": _fake()})
    (kid,) = result.accepted + result.rejected
    assert kid.fields["instruction"] == row["instruction"]
    assert kid.fields["input"].startswith("我不同意") and kid.fields["output"].startswith("我不同意")


# --- resume ------------------------------------------------------------------------------------------------
def test_the_same_call_again_asks_nothing(tmp_path: Path) -> None:
    data = _write(tmp_path / "faq.jsonl", EN + ZH)
    first = synthpipe.augment(
        data,
        task="qa",
        methods=["paraphrase", "backtranslate"],
        backends={"generator": _fake()},
        out=tmp_path / "o",
    )
    dead = FakeBackend([])  # any request would fail
    again = synthpipe.augment(
        data,
        task="qa",
        methods=["paraphrase", "backtranslate"],
        backends={"generator": dead},
        out=tmp_path / "o",
    )
    assert dead.calls == []
    assert [r.to_json()["id"] for r in again.accepted] == [r.id for r in first.accepted]
    assert again.manifest["usage"]["generator"]["requests"] == 0


# --- run with the recipe's augment: section ----------------------------------------------------------------
def _generation(messages: list[dict[str, str]], schema: Any) -> Any:
    user = messages[-1]["content"]
    if "<original>" in user or "<text>" in user:
        return fake_answer(messages, schema)
    i = _generation.count = getattr(_generation, "count", 0) + 1
    return {
        "instruction": f"What is the refund window for product line {i}?",
        "input": "",
        "output": f"Product line {i} can be refunded within {10 + i} days of delivery.",
    }


@pytest.mark.parametrize("apply_to", ["seeds", "generated", "both"])
def test_run_augments_seeds_generated_or_both_and_resumes(apply_to: str, tmp_path: Path) -> None:
    recipe = {
        "name": "aug",
        "task": "qa",
        "topics": ["refunds"],
        "count": 3,
        "examples": [
            {
                "instruction": "How do I return a damaged blender?",
                "output": "Send it back within 14 days with the receipt.",
            }
        ],
        "augment": {"methods": [{"method": "paraphrase", "n": 2}], "apply_to": apply_to},
    }
    out = tmp_path / "run"
    result = synthpipe.run(recipe, out=out, backends={"generator": FakeBackend(default=_generation)})
    rows = result.accepted + result.rejected + result.failed
    generated = [r for r in rows if r.meta.origin == "generated"]
    kids = [r for r in rows if r.meta.origin == "augmented:paraphrase"]
    from_seeds = [k for k in kids if k.meta.parent_id.startswith("seed-")]
    from_generated = [k for k in kids if not k.meta.parent_id.startswith("seed-")]
    accepted_generated = [r for r in result.accepted if r.meta.origin == "generated"]
    assert len(generated) == 3
    assert len(from_seeds) == (2 if apply_to in ("seeds", "both") else 0)
    assert len(from_generated) == (2 * len(accepted_generated) if apply_to in ("generated", "both") else 0)
    assert {k.meta.parent_id for k in from_generated} <= {g.id for g in accepted_generated}
    m = result.manifest
    assert m["counts"]["attempted"] == len(rows)
    assert m["augment"]["paraphrase"]["derived"] == len(kids)
    sample = [json.loads(x) for x in (out / "review_sample.jsonl").read_text().splitlines()]
    assert len(sample) == len(result.accepted)  # all of them: fewer than 20
    if apply_to != "seeds":
        assert "augment (augmented)" in m["stages"] and "sample (augmented)" in m["stages"]
    dead = FakeBackend([])
    again = synthpipe.run(recipe, out=out, backends={"generator": dead})
    assert dead.calls == []
    assert again.manifest["counts"] == m["counts"]
    lines = (out / "accepted.jsonl").read_text().splitlines() + (
        out / "rejected.jsonl"
    ).read_text().splitlines()
    assert len(lines) == len({json.loads(x)["id"] for x in lines}) == len(rows)


def test_augment_settings_change_the_data_identity_not_the_generated_ids() -> None:
    base = validate({"task": "qa", "topics": ["x"]}, "t")
    aug = validate({"task": "qa", "topics": ["x"], "augment": {"methods": ["paraphrase"]}}, "t")
    default = validate({"task": "qa", "topics": ["x"], "augment": {}}, "t")
    assert base.generation_hash == aug.generation_hash
    assert base.data_hash != aug.data_hash
    assert base.data_hash == default.data_hash  # a directory made before augment: still resumes


# --- bad input: a clear error and nothing written ---------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--task", "qa", "--method", "paraphrse"], "--method paraphrse: unknown method"),
        (["--task", "qa"], "--method is required"),
        (["--task", "qa", "--method", "paraphrase", "--n", "0"], "--n 0: give a positive number"),
        (["--task", "qa", "--method", "stance"], "stance is never applied to qa data"),
        (
            ["--task", "qa", "--method", "backtranslate", "--pivot", "English"],
            "pivot 'English' is the data's own language",
        ),
        (
            ["--task", "qa", "--lang", "zh", "--method", "backtranslate", "--pivot", "中文"],
            "is the data's own language (zh)",
        ),
        (["--task", "dialogue", "--method", "paraphrase"], "use --task qa"),
        (["--task", "qa", "--method", "style"], "style needs a target style"),
        (
            ["--task", "qa", "--method", "paraphrase", "--style", "formal"],
            "--style is an option of --method style",
        ),
        (["--task", "qa", "--method", "paraphrase", "--model", "m"], "--model and --base-url go together"),
        (["--task", "qa", "--method", "stance", "--lang", "fr"], "unknown language 'fr'"),
    ],
)
def test_bad_input_is_one_error_line_and_nothing_written(
    args: list[str], message: str, tmp_path: Path
) -> None:
    data = _write(tmp_path / "faq.jsonl", EN)
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["augment", str(data), *args, "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert res.output.startswith("error: ") and message in res.output, res.output
    assert "Traceback" not in res.output
    assert not out.exists()


def test_classify_stance_needs_known_opposite_labels(tmp_path: Path) -> None:
    data = _write(
        tmp_path / "c.jsonl",
        [{"text": "Great phone.", "label": "positive"}, {"text": "Bad phone.", "label": "negative"}],
    )
    runner = CliRunner()
    res = runner.invoke(cli, ["augment", str(data), "--task", "classify", "--method", "stance"])
    assert res.exit_code == 2 and "--opposite positive=negative,negative=positive" in res.output
    res = runner.invoke(
        cli, ["augment", str(data), "--task", "classify", "--method", "stance", "--opposite", "positive=neg"]
    )
    assert (
        res.exit_code == 2 and "opposite names neg, not among the labels (negative, positive)" in res.output
    )


def test_bad_lines_are_rejected_with_their_line_and_the_rest_augmented(tmp_path: Path) -> None:
    data = tmp_path / "faq.jsonl"
    data.write_text(json.dumps(EN[0]) + "\nnot json\n" + json.dumps(EN[1]) + "\n", encoding="utf-8")
    result = synthpipe.augment(data, task="qa", methods=["paraphrase"], backends={"generator": _fake()})
    bad = [r for r in result.rejected if r.meta.reasons[0].code == "invalid_json"]
    assert [r.meta.line for r in bad] == [2]
    assert result.manifest["augment"]["paraphrase"]["derived"] == 6


def test_nothing_to_augment_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(synthpipe.UsageError, match="nothing to augment"):
        synthpipe.augment(
            [{"messages": [{"role": "assistant", "content": "Hello."}]}],
            task="dialogue",
            methods=["paraphrase"],
            backends={"generator": _fake()},
        )


def test_a_user_turn_that_changed_meaningfully_gets_its_reply_written_again() -> None:
    dialogue = DIALOGUE
    paraphrases = {
        "paraphrases": [
            {
                "turn_1": "Hello, order 4417 still has not arrived.",  # close: its reply stays
                "turn_3": "Would it be possible to ship it somewhere else instead?",  # new words: reply again
                "turn_5": "Great, thank you for the help today!",
            }
        ]
    }
    backend = FakeBackend(
        [paraphrases, {"answer": "Yes, you can send it to another address until it leaves the depot."}]
    )
    result = synthpipe.augment(
        [dialogue], task="dialogue", methods=["paraphrase"], n=1, backends={"generator": backend}
    )
    (kid,) = result.accepted + result.rejected
    msgs = kid.fields["messages"]
    assert [m["role"] for m in msgs] == ["user", "assistant"] * 3
    assert msgs[1]["content"] == dialogue["messages"][1]["content"]
    assert msgs[3]["content"] == "Yes, you can send it to another address until it leaves the depot."
    assert msgs[5]["content"] == dialogue["messages"][5]["content"]
    assert kid.meta.extra["augment"]["replies_again"] == [4]
    assert len(backend.calls) == 2
    sent = backend.calls[1][0][-1]["content"]
    assert "Would it be possible to ship it somewhere else instead?" in sent
    assert "leaves the depot" in sent  # the original reply, to keep its facts


def test_the_recipes_judge_scores_derived_records() -> None:
    from .test_judge import judging, verdict

    recipe = {
        "name": "judged",
        "task": "qa",
        "models": {"generator": {"backend": "fake"}, "judge": {"backend": "fake", "max_tokens": 150}},
        "judge": {"enabled": True, "task_points": ["the question asks what its parent asked"]},
    }
    judge = judging([verdict(5), verdict(1, "asks about parking, not onboarding"), verdict(5)])
    result = synthpipe.augment(
        [EN[0]], recipe=recipe, methods=["paraphrase"], backends={"generator": _fake(), "judge": judge}
    )
    kids = result.accepted + result.rejected
    assert len(kids) == 3 and all("judge" in k.meta.scores for k in kids)
    assert [r.meta.reasons[0].code for r in result.rejected] == ["judge_low_score"]
    assert "parking" in result.rejected[0].meta.reasons[0].detail


# --- found in review -------------------------------------------------------------------------------------
def test_seed_paraphrases_are_not_duplicates_of_their_seed_and_duplicate_examples_do_not_collide(
    tmp_path: Path,
) -> None:
    ex = {
        "instruction": "How do I return a damaged blender?",
        "output": "Send it back within 14 days with the receipt.",
    }
    recipe = {
        "name": "seeds",
        "task": "qa",
        "topics": ["refunds"],
        "count": 1,
        "examples": [ex, ex],  # examples and examples_file overlapping
        "augment": {"methods": [{"method": "paraphrase", "n": 3}], "apply_to": "seeds"},
    }
    result = synthpipe.run(
        recipe, out=tmp_path / "o", backends={"generator": FakeBackend(default=_generation)}
    )
    rows = result.accepted + result.rejected + result.failed
    assert len(rows) == len({r.id for r in rows})
    kids = [r for r in rows if r.meta.origin == "augmented:paraphrase"]
    assert len(kids) == 6
    first = [k for k in kids if k.meta.parent_id == "seed-0"]
    assert all(not k.meta.reasons for k in first), [k.meta.reasons for k in first]  # one family with seed-0
    second = [k for k in kids if k.meta.parent_id == "seed-1"]
    assert all(k.meta.reasons[0].code == "duplicate_exact" for k in second)  # the same text again


def test_a_recipe_stages_list_must_hold_the_augment_stages_and_the_second_pass_follows_it(
    tmp_path: Path,
) -> None:
    base = {"name": "s", "task": "qa", "topics": ["x"], "count": 2}
    with pytest.raises(synthpipe.RecipeError, match="needs the augment stages"):
        synthpipe.run(
            {
                **base,
                "stages": ["generate", "parse", "rules"],
                "augment": {"methods": ["paraphrase"], "apply_to": "seeds"},
            },
            backends={"generator": FakeBackend(default=_generation)},
        )
    result = synthpipe.run(
        {
            **base,
            "stages": ["generate", "parse", "rules"],
            "augment": {"methods": [{"method": "paraphrase", "n": 2}]},
        },
        out=tmp_path / "o",
        backends={"generator": FakeBackend(default=_generation)},
    )
    assert [s for s in result.manifest["stages"] if s.endswith("(augmented)")] == [
        "augment (augmented)",
        "augment_check (augmented)",
        "rules (augmented)",
    ]


def test_resuming_an_augmenting_run_does_not_warn_of_more_candidates(tmp_path: Path) -> None:
    recipe = {
        "name": "w",
        "task": "qa",
        "topics": ["x"],
        "count": 3,
        "augment": {"methods": [{"method": "paraphrase", "n": 2}]},
    }
    backend = FakeBackend(default=_generation)
    synthpipe.run(recipe, out=tmp_path / "o", backends={"generator": backend})
    warnings: list[str] = []
    synthpipe.run(recipe, out=tmp_path / "o", backends={"generator": backend}, on_warning=warnings.append)
    assert not [w for w in warnings if "more than the" in w]


@pytest.mark.parametrize("n", ["0", "21", "99999999999999999999"])
def test_n_out_of_range_is_an_error(n: str, tmp_path: Path) -> None:
    data = _write(tmp_path / "faq.jsonl", EN)
    res = CliRunner().invoke(cli, ["augment", str(data), "--task", "qa", "--method", "paraphrase", "--n", n])
    assert res.exit_code == 2 and "Traceback" not in res.output, res.output


def test_a_dialogue_with_a_message_that_is_not_an_object_does_not_fail() -> None:
    dialogue = {
        "messages": [
            "hello there",
            {"role": "user", "content": "Can I change the delivery address of order 4417?"},
            {"role": "assistant", "content": "Yes, until it leaves the depot."},
        ]
    }
    result = synthpipe.augment(
        [dialogue], task="dialogue", methods=["paraphrase"], n=1, backends={"generator": _fake()}
    )
    assert not result.failed
