"""`synthpipe feedback` (issue 15, item 4): the failures of an eval become the next round's recipe, with the
failing cases as seeds whose lineage survives into the records derived from them; bad input is one
`error:` line, exit code 2, and nothing written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

import synthpipe
from synthpipe.backends.fake import FakeBackend
from synthpipe.prompts.plan import DEFAULT_QUESTION_TYPES

from .augment_fakes import fake_answer
from .conftest import EXAMPLES, qa
from .test_eval import _fakes, _lines, _pool, invoke, one_error


# --- feedback ------------------------------------------------------------------------------------------
def _failures(tmp_path: Path) -> Path:
    pool, _ = _pool(tmp_path)
    served, judge = _fakes()
    out = tmp_path / "ev"
    synthpipe.evaluate(
        pool=pool, model="ft", base_url="http://x/v1", out=out, backends={"served": served, "judge": judge}
    )
    return out / "failures.jsonl"


def _shipped(tmp_path: Path, name: str = "qa_en.yaml") -> Path:
    recipes = tmp_path / "recipes"
    recipes.mkdir(exist_ok=True)
    for f in (name, "returns_policy_en.md"):
        shutil.copy(EXAMPLES / f, recipes / f)
    return recipes / name


def test_feedback_writes_a_recipe_that_loads_with_the_failing_cases_as_seeds(tmp_path: Path) -> None:
    failures = _failures(tmp_path)
    rows = _lines(failures)
    qa_failures = [f for f in rows if f["task"] == "qa"]
    recipe_path = _shipped(tmp_path)
    old = synthpipe.load_recipe(recipe_path)

    res = invoke("feedback", failures, "--recipe", recipe_path, "--boost", "1.5")
    assert res.exit_code == 0, res.output + res.stderr
    new_path = recipe_path.with_name("qa_en.feedback.yaml")
    seeds_path = recipe_path.with_name("qa_en.feedback.seeds.jsonl")
    assert f"wrote {new_path} and {seeds_path} from 2 failures of {failures}:" in res.output
    assert "left out: 1 failure of task classify" in res.output
    assert "name: faq-en -> faq-en-fb1" in res.output
    assert f"synthpipe run {new_path}   # writes runs/faq-en-fb1/" in res.output
    assert "synthpipe pool weight --pool DIR --recipe faq-en-fb1 1.5" in res.output

    new = synthpipe.load_recipe(new_path)
    assert new.name == "faq-en-fb1" and new.task == "qa"
    assert new.topics[: len(old.topics)] == old.topics  # the old ones first, in their order
    added = new.topics[len(old.topics) :]
    assert added and all(t.lower() not in [o.lower() for o in old.topics] for t in added)
    # the seeds: the failing cases with their reference answers, after the recipe's own example
    seeds = _lines(seeds_path)
    assert [s["meta"]["parent_id"] for s in seeds] == [f["id"] for f in qa_failures]
    for k, seed in enumerate(seeds):
        assert seed["meta"]["origin"] == "feedback" and seed["id"] == f"fb-{seed['meta']['parent_id']}"
        index = len(old.examples) + k
        assert seed["meta"]["extra"]["feedback"]["seed_id"] == f"seed-{index}"
        fields = {f: seed[f] for f in ("instruction", "input", "output")}
        assert (
            new.examples[index]
            == fields
            == next(f["fields"] for f in qa_failures if f["id"] == seed["meta"]["parent_id"])
        )
    assert new.examples[: len(old.examples)] == old.examples
    # the diff is readable: old lines stay, each change carries a comment saying where it came from
    old_lines = recipe_path.read_text().splitlines()
    new_lines = new_path.read_text().splitlines()
    removed = [x for x in old_lines if x not in new_lines]
    assert [x.split(":")[0] for x in removed] == ["name", "topics"]
    for i, x in enumerate(new_lines):
        if x not in old_lines:  # a comment of its own, or a line right under one (a one-line list)
            assert "# feedback:" in x or new_lines[i - 1].startswith("# feedback: +"), x
    added_lines = [x for x in new_lines if x not in old_lines]
    assert any(str(failures) in x for x in added_lines)
    old_keys = list(yaml.safe_load(recipe_path.read_text()))
    at = old_keys.index("examples") + 1  # examples_file right after examples, every other key where it was
    assert list(yaml.safe_load(new_path.read_text())) == [*old_keys[:at], "examples_file", *old_keys[at:]]


def test_the_lineage_of_a_feedback_seed_survives_into_its_derived_records(tmp_path: Path) -> None:
    recipe_path = tmp_path / "aug.yaml"
    recipe_path.write_text(
        "name: aug\ntask: qa\ntopics: [refunds]\ncount: 1\n"
        "augment:\n  methods: [{method: paraphrase, n: 2}]\n  apply_to: generated\n",
        encoding="utf-8",
    )
    failure = {
        "id": "ev-1", "task": "qa", "topic": "damaged items", "fields": qa(3),
        "scores": {"correctness": 1, "faithfulness": 3}, "reasons": {"correctness": "wrong"}, "pass": False,
    }  # fmt: skip
    failures = tmp_path / "failures.jsonl"
    failures.write_text(json.dumps(failure) + "\n", encoding="utf-8")
    res = synthpipe.feedback(failures, recipe_path)
    assert "augment.apply_to: generated -> both" in res.changes
    new = synthpipe.load_recipe(res.recipe)
    assert new.augment.apply_to == "both" and new.topics == ["refunds", "damaged items", "tent pole arrived"]

    def answer(messages: list[dict[str, str]], schema: Any) -> Any:
        user = messages[-1]["content"]
        if "<original>" in user or "<text>" in user:
            return fake_answer(messages, schema)
        return {
            "instruction": "What is the refund window?",
            "input": "",
            "output": "Thirty days from delivery.",
        }

    result = synthpipe.run(new, out=tmp_path / "run", backends={"generator": FakeBackend(default=answer)})
    rows = result.accepted + result.rejected + result.failed
    derived = [r for r in rows if r.meta.parent_id == "seed-0"]
    assert len(derived) == 2 and all(r.meta.origin == "augmented:paraphrase" for r in derived)
    assert all(r.meta.recipe == "aug-fb1" for r in rows)
    seed = _lines(res.seeds_file)[0]  # seed-0 -> the feedback seed -> the eval record
    assert seed["meta"]["extra"]["feedback"]["seed_id"] == "seed-0" and seed["meta"]["parent_id"] == "ev-1"


def test_feedback_appends_to_block_lists_and_adds_missing_keys_with_their_defaults(tmp_path: Path) -> None:
    recipe_path = tmp_path / "r.yaml"
    text = (
        "# my recipe\nname: policy-en-fb1\ntask: qa\n"
        "topics:\n  - returns   # the big one\n  - refunds\n"
        "count: 4\noutput_dir: runs/policy-en-fb1\n"
    )
    recipe_path.write_text(text, encoding="utf-8")
    failure = {"id": "e9", "task": "qa", "recipe": "policy-en", "topic": "", "question_type": "warranty claim",
               "fields": {"instruction": "My tent pole arrived snapped. What now?", "input": "", "output": "Report it."}}  # fmt: skip
    failures = tmp_path / "f.jsonl"
    failures.write_text(json.dumps(failure) + "\n", encoding="utf-8")
    out = tmp_path / "next" / "round2.yaml"
    res = synthpipe.feedback(failures, recipe_path, out)
    assert res.recipe == out and res.kept_layout
    new_text = out.read_text()
    assert new_text.startswith("# my recipe\nname: policy-en-fb2   # feedback: was policy-en-fb1;")
    assert (
        "  - returns   # the big one\n  - refunds\n  - tent pole arrived   # feedback: from the prompt"
        in new_text
    )
    new = synthpipe.load_recipe(out)
    assert new.output_dir == "runs/policy-en-fb2"
    # the recipe planned the default request kinds: they are written out before the new one
    assert new.question_types == [*DEFAULT_QUESTION_TYPES["en"], "warranty claim"]
    assert (
        "question_types:\n  - how-to\n" in new_text
        and "  - warranty claim   # feedback: request kind of" in new_text
    )
    assert new.examples == [failure["fields"]]
    assert new_text.index("question_types:") > new_text.index("topics:")  # in schema order
    assert new_text.index("examples_file:") < new_text.index("output_dir:")


def test_feedback_into_another_folder_keeps_the_recipe_paths_working(tmp_path: Path) -> None:
    recipe_path = _shipped(tmp_path)
    failures = tmp_path / "f.jsonl"
    failures.write_text(json.dumps({"id": "e1", "task": "qa", "fields": qa(5)}) + "\n", encoding="utf-8")
    out = tmp_path / "elsewhere" / "deep" / "next.yaml"
    res = synthpipe.feedback(failures, recipe_path, out)
    new = synthpipe.load_recipe(out)
    assert new.source_texts == synthpipe.load_recipe(recipe_path).source_texts
    assert "sources: paths made relative to the new folder" in res.changes


def test_an_empty_failures_file_has_nothing_to_feed_back(tmp_path: Path) -> None:
    recipe_path = _shipped(tmp_path)
    failures = tmp_path / "failures.jsonl"
    failures.write_text("", encoding="utf-8")
    before = sorted(p.name for p in recipe_path.parent.iterdir())
    res = invoke("feedback", failures, "--recipe", recipe_path)
    assert res.exit_code == 0, res.output
    assert res.output.startswith(f"nothing to feed back: {failures} holds no failures")
    assert sorted(p.name for p in recipe_path.parent.iterdir()) == before


@pytest.mark.parametrize(
    "line, fragment",
    [
        ("{not json", ":2: not valid JSON"),
        ('["a list"]', ":2: a JSON list, not an object"),
        ('{"id": "x", "task": "qa"}', ":2: no fields — expected one failure of `synthpipe eval` per line"),
        ('{"id": "x", "task": "qa", "fields": {"instruction": "q"}}', ":2: `fields` lacks output"),
        ('{"id": "x", "task": "poem", "fields": {}}', ":2: unknown task 'poem'"),
        (
            '{"id": "x", "task": "qa", "fields": {"instruction": "q", "output": "a"}, "pass": true}',
            "looks like results.jsonl",
        ),
    ],
)
def test_a_failures_file_of_the_wrong_shape_names_the_line(tmp_path: Path, line: str, fragment: str) -> None:
    recipe_path = _shipped(tmp_path)
    failures = tmp_path / "failures.jsonl"
    failures.write_text(
        json.dumps({"id": "ok", "task": "qa", "fields": qa(1)}) + "\n" + line + "\n", encoding="utf-8"
    )
    before = sorted(p.name for p in recipe_path.parent.iterdir())
    one_error(
        invoke("feedback", failures, "--recipe", recipe_path),
        f"{failures}{fragment}" if fragment.startswith(":") else fragment,
    )
    assert sorted(p.name for p in recipe_path.parent.iterdir()) == before


def test_feedback_refuses_failures_of_another_task_a_missing_recipe_and_an_existing_output(
    tmp_path: Path,
) -> None:
    recipe_path = _shipped(tmp_path)
    failures = tmp_path / "failures.jsonl"
    failures.write_text(
        json.dumps({"id": "c", "task": "classify", "fields": {"text": "t", "label": "a"}}) + "\n"
    )
    before = sorted(p.name for p in recipe_path.parent.iterdir())
    one_error(
        invoke("feedback", failures, "--recipe", recipe_path), "none of its 1 failures is of recipe faq-en"
    )
    one_error(invoke("feedback", failures), "--recipe is required")
    assert sorted(p.name for p in recipe_path.parent.iterdir()) == before
    failures.write_text(json.dumps({"id": "q", "task": "qa", "fields": qa(2)}) + "\n")
    assert invoke("feedback", failures, "--recipe", recipe_path).exit_code == 0
    one_error(invoke("feedback", failures, "--recipe", recipe_path), "qa_en.feedback.yaml: exists")
    assert invoke("feedback", failures, "--recipe", recipe_path, "--force").exit_code == 0


def test_feedback_puts_the_seeds_after_the_recipes_own_examples_file(tmp_path: Path) -> None:
    own = tmp_path / "own.jsonl"
    own.write_text(
        json.dumps(qa(0)) + "\n\n" + json.dumps({"id": "x", **qa(1), "meta": {"task": "qa"}}) + "\n"
    )
    recipe_path = tmp_path / "r.yaml"
    recipe_path.write_text(
        "name: r\ntask: qa\nexamples:\n  - {instruction: 'Hi there?', output: Hello.}\nexamples_file: own.jsonl\n"
    )
    failures = tmp_path / "f.jsonl"
    failures.write_text(json.dumps({"id": "e1", "task": "qa", "fields": qa(4)}) + "\n")
    res = synthpipe.feedback(failures, recipe_path)
    new = synthpipe.load_recipe(res.recipe)
    old = synthpipe.load_recipe(recipe_path)
    assert new.examples[:3] == old.examples and new.examples[3] == qa(4)
    assert _lines(res.seeds_file)[-1]["meta"]["extra"]["feedback"]["seed_id"] == "seed-3"
    assert (
        "examples_file: r.feedback.seeds.jsonl   # feedback: was own.jsonl; its 2 rows, then"
        in res.recipe.read_text()
    )
    assert own.read_text().count("\n") == 3  # the recipe's own file is left as it was
