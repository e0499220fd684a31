"""The whole loop (issue 15, item 6): run -> pool -> review (scripted) -> split -> export -> eval -> feedback
-> run again with the new recipe, with a real `llama_cpp.server` standing in for the trained model.

Generation uses queued answers (the 135M model rarely writes records that pass the rules, and the loop,
not the generator, is under test); the trained model is the packaged SmolLM2 behind llama_cpp.server,
asked the eval split over HTTP; the judge of the eval is scripted so that what fails is known."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import synthpipe
from synthpipe.backends.fake import FakeBackend
from synthpipe.reviews import Session, open_source

from .conftest import qa


def judge(messages: list[dict[str, str]], schema: Any = None) -> dict[str, Any]:
    """Passes an answer only when it says the reference word for word: a 135M model never does, so
    every eval record fails and feeds back (what fails is known, which is what the loop test needs)."""
    user = messages[-1]["content"]
    reference = re.search(r"<reference_answer>\n(.*?)\n</reference_answer>", user, re.S).group(1)  # type: ignore[union-attr]
    answer = re.search(r"<model_answer>\n(.*?)\n</model_answer>", user, re.S).group(1)  # type: ignore[union-attr]
    score = 5 if reference in answer else 1
    why = "says the reference" if score == 5 else "does not say what the reference says"
    return {
        "correctness": score,
        "faithfulness": score,
        "correctness_reason": why,
        "faithfulness_reason": why,
    }


@pytest.mark.model
def test_run_pool_review_export_eval_feedback_and_run_again(llama_server_url: str, tmp_path: Path) -> None:
    recipe_path = tmp_path / "faq.yaml"
    recipe_path.write_text(
        yaml.safe_dump(
            {"name": "faq", "task": "qa", "language": "en", "topics": ["returns", "refunds"], "count": 8}
        ),
        encoding="utf-8",
    )
    pool = tmp_path / "pool"
    synthpipe.Pool.init(pool)

    # 1. run: its accepted records join the pool (version 1)
    first = synthpipe.run(
        recipe_path,
        tmp_path / "runs" / "faq",
        pool=pool,
        backends={"generator": FakeBackend([qa(i) for i in range(8)])},
    )
    assert first.manifest["pool"]["version"] == 1 and first.manifest["pool"]["added"] == 8

    # 2. review, scripted: one rejected, one edited, the rest accepted -> version 2
    session = Session(open_source(f"pool:{pool}"), 8, seed=1)
    rejected, edited, *rest = (r.id for r in session.sample)
    session.decide(rejected, "reject", ["wrong_fact"], "checked against the policy")
    fields = dict(session.by_id[edited].fields)
    fields["output"] = fields["output"].rstrip(".") + ", as the policy page says."
    assert session.decide(edited, "edit", fields=fields)[0] is not None
    for rid in rest:
        session.decide(rid, "accept")
    assert session.finish()["version"] == 2

    # 3. frozen split, then the training file (the trainer's part is not under test)
    synthpipe.Pool(pool).split(0.5, by=("topic",))
    train = synthpipe.export(f"pool:{pool}", "openai", tmp_path / "train.jsonl", split="train")
    lines = (tmp_path / "train.jsonl").read_text(encoding="utf-8")
    assert train.rows > 0 and rejected not in (tmp_path / "train.meta.jsonl").read_text()
    evals = [r.id for r in synthpipe.Pool(pool).records(split="eval")]
    assert evals and not set(evals) & {
        json.loads(x)["id"] for x in (tmp_path / "train.meta.jsonl").read_text().splitlines()
    }
    assert all(json.loads(x)["messages"][-1]["role"] == "assistant" for x in lines.splitlines())

    # 4. eval: the served model (llama_cpp.server) answers the eval split; the scripted judge grades
    out = tmp_path / "evals" / "v1"
    result = synthpipe.evaluate(
        pool=pool,
        model="smollm2",
        base_url=llama_server_url,
        out=out,
        max_tokens=48,
        backends={"judge": FakeBackend(default=judge)},
    )
    rows = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in rows) == sorted(evals) and all(isinstance(r["answer"], str) for r in rows)
    failures = [json.loads(x) for x in (out / "failures.jsonl").read_text().splitlines()]
    assert [f["id"] for f in failures] == [r["id"] for r in rows if r["pass"] is False]
    assert result.counts["attempted"] == len(evals) and len(failures) == len(evals)

    # 5. feedback: a new recipe whose seeds are the failing cases, with their lineage
    fb = synthpipe.feedback(out / "failures.jsonl", recipe_path)
    assert fb.recipe is not None and fb.recipe.name == "faq.feedback.yaml"
    seeds = [json.loads(x) for x in fb.seeds_file.read_text().splitlines()]
    assert [s["meta"]["parent_id"] for s in seeds] == [f["id"] for f in failures]
    assert {s["meta"]["origin"] for s in seeds} == {"feedback"}
    new = synthpipe.load_recipe(fb.recipe)
    assert new.name == "faq-fb1" and len(new.examples) >= len(failures)

    # 6. the next round, into the same pool: new records of the new recipe
    second = synthpipe.run(
        new,
        tmp_path / "runs" / "faq-fb1",
        pool=pool,
        backends={
            "generator": FakeBackend([qa(i, output=f"{qa(i)['output']} Round two.") for i in range(8)])
        },
    )
    assert second.counts["accepted"] > 0 and {r.meta.recipe for r in second.accepted} == {"faq-fb1"}
    latest = synthpipe.Pool(pool).show()
    assert latest["summary"]["recipe"].get("faq-fb1", 0) > 0 and latest["op"] == "add"
