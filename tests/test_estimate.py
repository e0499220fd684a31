"""Cost before and after (issue 16, item 4): `run --dry-run` estimates requests, tokens and cost per
stage and model without building or asking a model; the manifest and the summary give the measured
figures per stage.

The fake backend reports no real token counts (10 prompt tokens a request), so the fakes here report
the tokens the estimator would count for the messages and the answer they give
(`synthpipe.prompts.budget`): what is compared is how many requests each stage sends and how long the
estimated prompts and answers are, against the prompts rendered and answers given in a run."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import synthpipe
from synthpipe.backends.base import Completion
from synthpipe.backends.fake import FakeBackend
from synthpipe.cli import cli
from synthpipe.prompts.budget import prompt_tokens, text_tokens

from .conftest import _QA, qa

PARAPHRASES = {
    "I paid with a gift card. How am I refunded?": [
        "My order was paid by gift card. How do refunds work?",
        "How will I get my money back for a gift card purchase?",
        "What refund do I get after paying with a gift card?",
    ],
    "Are final sale items returnable?": [
        "Can final sale items be sent back?",
        "Is it possible to return final sale goods?",
        "May I return something marked final sale?",
    ],
    "How do I start a return from my phone?": [
        "How can I begin a return on my phone?",
        "What are the steps to return an item using my phone?",
        "Can I open a return from my mobile phone?",
    ],
}
ASIDES = [
    "",
    " I am asking for my mother.",
    " This is my first order.",
    " I bought it last week.",
    " It was a gift.",
]
REASON = (
    "The answer follows the policy text closely, is specific about the time limit and the condition of "
    "the item, and invents nothing."
)


def measured(answer: Any, model: str) -> FakeBackend:
    """A fake that reports the tokens of its messages and answer as the estimator counts them."""

    def respond(messages: list[dict[str, str]], schema: Any) -> Completion:
        text = json.dumps(answer(messages, schema), ensure_ascii=False)
        return Completion(
            text, prompt_tokens=prompt_tokens(messages), completion_tokens=text_tokens(text), model=model
        )

    return FakeBackend(default=respond, model=model)


def fakes() -> dict[str, FakeBackend]:
    """Distinct clean records (every one reaches every stage), paraphrases of the seeds, a judge that
    passes them, a second model that answers."""
    counter = itertools.count()

    def generate(messages: list[dict[str, str]], schema: Any) -> dict[str, Any]:
        original = re.search(r"<original>\n(.*?)\n</original>", messages[-1]["content"], re.S)
        if original:
            asked = json.loads(original.group(1))["instruction"]
            return {"paraphrases": [{"instruction": p} for p in PARAPHRASES[asked]]}
        i = next(counter)
        q, a = _QA[i % 5]
        return {"instruction": q + ASIDES[i // 5 % 5], "input": "", "output": a}

    def judge(messages: list[dict[str, str]], schema: Any) -> dict[str, Any]:
        return {**dict.fromkeys((k for k in schema["properties"] if k != "reason"), 4), "reason": REASON}

    def second(messages: list[dict[str, str]], schema: Any) -> dict[str, Any]:
        return {
            "answer": "You can return it within 30 days of delivery, unused and in its original packaging."
        }

    return {
        "generator": measured(generate, "gen-m"),
        "judge": measured(judge, "judge-m"),
        "second": measured(second, "second-m"),
    }


def priced_recipe(tmp_path: Path, **more: Any) -> Path:
    data = {
        "name": "est",
        "task": "qa",
        "language": "en",
        "topics": ["returns", "refunds", "exchanges"],
        "personas": ["a new customer", "a busy customer"],
        "count": 24,
        "sources": [{"text": "\n\n".join(a for _, a in _QA)}],
        "examples": [qa(i) for i in (5, 6, 7)],
        "models": {
            "generator": {"backend": "fake", "model": "gen-m", "prices": {"input": 0.5, "output": 1.5}},
            "judge": {"backend": "fake", "model": "judge-m", "prices": {"input": 1.0, "output": 2.0}},
            "second": {"backend": "fake", "model": "second-m", "prices": {"input": 0.2, "output": 0.4}},
        },
        "judge": {"enabled": True, "models": ["judge"], "threshold": 3},
        "agreement": {"enabled": True, "model": "second", "min_similarity": 0.0},
        "augment": {"methods": ["paraphrase"], "apply_to": "seeds"},
        "dedup": {"methods": ["exact"]},
        **more,
    }
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_dry_run_is_within_25_percent_of_a_fake_run_per_stage(tmp_path: Path) -> None:
    recipe = synthpipe.load_recipe(priced_recipe(tmp_path))
    estimate = synthpipe.estimate(recipe)
    result = synthpipe.run(recipe, tmp_path / "out", backends=fakes())
    assert result.counts == {"attempted": 24 + 9, "accepted": 33, "rejected": 0, "failed": 0}
    used = result.manifest["usage_by_stage"]
    planned = estimate.by_stage()
    assert list(planned) == list(used) == ["generate", "augment", "agreement", "judge"]
    # 24 candidates and 9 paraphrases of the 3 seeds (one request per seed) each reach the agreement
    # and the judge; the judge's probe asks 2 more
    assert {s: {m: u["requests"] for m, u in models.items()} for s, models in used.items()} == {
        "generate": {"generator": 24},
        "augment": {"generator": 3},
        "agreement": {"second": 33},
        "judge": {"judge": 35},
    }
    for stage, models in used.items():
        for model, real in models.items():
            guess = planned[stage][model]
            assert guess["requests"] == real["requests"], (stage, model)
            for key in ("prompt_tokens", "completion_tokens", "cost_usd"):
                assert abs(guess[key] - real[key]) <= 0.25 * real[key], (stage, model, key, guess, real)


def test_the_manifest_and_the_summary_give_tokens_and_cost_per_stage(tmp_path: Path, monkeypatch) -> None:
    from synthpipe.cli import run as run_cli

    path = priced_recipe(tmp_path)
    real = synthpipe.run
    monkeypatch.setattr(
        run_cli.synthpipe,
        "run",
        lambda rcp, out, **kw: real(rcp, out, backends=fakes(), **{**kw, "workers": 0}),
    )
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["run", str(path), "--out", str(out)])
    assert res.exit_code == 0, res.output + res.stderr
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    by_stage = m["usage_by_stage"]
    judge = by_stage["judge"]["judge"]
    assert judge["cost_usd"] == round(
        judge["prompt_tokens"] * 1.0 / 1e6 + judge["completion_tokens"] * 2.0 / 1e6, 6
    )
    assert judge["cost_usd"] > 0
    # per model stays as it was, and is the sum over the stages
    gen = m["usage"]["generator"]
    assert gen["prompt_tokens"] == sum(
        by_stage[s]["generator"]["prompt_tokens"] for s in ("generate", "augment")
    )
    assert gen["requests"] == 24 + 3
    assert gen["cost_usd"] == pytest.approx(
        by_stage["generate"]["generator"]["cost_usd"] + by_stage["augment"]["generator"]["cost_usd"], abs=2e-6
    )
    line = next(x for x in res.output.splitlines() if x.startswith("by stage, in all: "))
    for stage in ("generate $", "augment $", "agreement $", f"judge ${judge['cost_usd']:.4f}"):
        assert stage in line
    # a re-run answers from the cache: the totals per stage stay, nothing is added
    again = CliRunner().invoke(cli, ["run", str(path), "--out", str(out)])
    assert again.exit_code == 0, again.output + again.stderr
    m2 = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m2["usage_by_stage"]["judge"]["judge"]["prompt_tokens"] == judge["prompt_tokens"]
    assert m2["usage_this_run"]["judge"]["requests"] == 0


def test_a_classify_label_check_is_its_own_stage(tmp_path: Path) -> None:
    labels = ["refund", "return"]
    path = priced_recipe(
        tmp_path,
        task="classify",
        labels=labels,
        examples=[{"text": "I want my money back for order 12.", "label": "refund"}],
        sources=[],
        augment={"methods": []},
        judge={"enabled": False},
        agreement={"enabled": True, "model": "second", "verify_labels": True},
        count=4,
    )
    recipe = synthpipe.load_recipe(path)
    texts = iter(
        ["Please refund my order.", "I would like to send the boots back.", "Refund the tent.", "Return it."]
    )
    backends = {
        "generator": measured(lambda m, s: {"text": next(texts), "label": "refund"}, "gen-m"),
        "second": measured(lambda m, s: {"label": "refund"}, "second-m"),
    }
    result = synthpipe.run(recipe, tmp_path / "out", backends=backends)
    assert list(result.manifest["usage_by_stage"]) == ["generate", "label_check"]
    assert list(synthpipe.estimate(recipe).by_stage()) == ["generate", "label_check"]


def test_answer_lengths_come_from_the_last_run_or_the_cache(tmp_path: Path) -> None:
    recipe = synthpipe.load_recipe(priced_recipe(tmp_path))
    out = tmp_path / "out"
    result = synthpipe.run(recipe, out, backends=fakes())
    used = result.manifest["usage_by_stage"]
    # the same output directory: its manifest has the answers per stage and model
    again = synthpipe.estimate(recipe, out)
    gen = again.by_stage()["generate"]["generator"]
    assert gen["answers_from"] == "last run's answers (24)"
    assert gen["completion_tokens"] == used["generate"]["generator"]["completion_tokens"]
    assert any("holds 33 finished records" in n for n in again.notes)
    # another directory sharing the cache: the cached answers of a model that only one stage asks
    other = synthpipe.estimate(recipe, tmp_path / "elsewhere", cache=out / "cache.sqlite")
    agreement = other.by_stage()["agreement"]["second"]
    assert agreement["answers_from"] == "cached answers of second-m (33)"
    assert agreement["completion_tokens"] == round(used["agreement"]["second"]["completion_tokens"] / 33 * 33)
    # the generator also paraphrases: its cached answers mix two stages, so the examples decide
    assert other.by_stage()["generate"]["generator"]["answers_from"] == "recipe examples (3)"
    # --no-cache reads no cache
    fresh = synthpipe.estimate(recipe, tmp_path / "elsewhere", cache=out / "cache.sqlite", use_cache=False)
    assert fresh.by_stage()["agreement"]["second"]["answers_from"] == "answers of the recipe examples"


def test_the_dry_run_builds_no_model_asks_nothing_and_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    from synthpipe import backends

    def refuse(spec: Any) -> Any:
        raise AssertionError(f"a dry run built the {spec.backend} backend")

    for name in list(backends.BACKENDS):
        monkeypatch.setitem(backends.BACKENDS, name, refuse)
    path = priced_recipe(tmp_path)
    out = tmp_path / "out"
    for extra in ([], ["--no-cache"], ["--count", "300"]):
        res = CliRunner().invoke(cli, ["run", str(path), "--out", str(out), "--dry-run", *extra])
        assert res.exit_code == 0, res.output + res.stderr
        assert not out.exists()
        for stage in ("generate", "augment", "agreement", "judge", "total", "by model: generator"):
            assert stage in res.output
        assert "1 per CJK character, 1 per 4 other characters" in res.output
    assert "count 300 is more than the 216 distinct prompts" in res.stderr
    assert re.search(r"^generate +generator +300 ", res.output, re.M)  # the table's row
    assert sorted(p.name for p in tmp_path.iterdir()) == ["recipe.yaml"]


def test_a_dry_run_with_bad_input_is_an_error(tmp_path: Path) -> None:
    path = priced_recipe(tmp_path)

    def one_error(args: list[str], fragment: str) -> None:
        res = CliRunner().invoke(cli, ["run", str(path), "--dry-run", *args])
        assert res.exit_code == 2, res.output + res.stderr
        assert fragment in res.stderr.strip().splitlines()[-1], res.stderr
        assert "Traceback" not in res.stderr

    one_error(["--model", "m"], "error: --model and --base-url go together")
    one_error(["--count", "0"], "Invalid value for '--count'")
    one_error(["--api-key-env", "sk-abc"], "error: --api-key-env")
    small = priced_recipe(
        tmp_path,
        models={"generator": {"backend": "embedded", "n_ctx": 256, "max_tokens": 200}},
        judge={"enabled": False},
        agreement={"enabled": False},
    )
    res = CliRunner().invoke(cli, ["run", str(small), "--dry-run"])
    assert res.exit_code == 2 and "context window" in res.stderr, res.stderr


def test_a_dry_run_refuses_what_a_run_refuses_and_estimates_a_target_at_n(
    write_recipe, tmp_path: Path
) -> None:
    path, _ = write_recipe(count=4)

    def dry(*args: str) -> Any:
        return CliRunner().invoke(cli, ["run", str(path), "--dry-run", "--out", str(tmp_path / "o"), *args])

    for args, fragment in (
        (["--accepted", "5", "--count", "5"], "do not go together"),
        (["--accepted", "5", "--max-tokens", "0"], "a budget must be more than 0"),
        (["--max-cost", "1"], "give --accepted N too"),
    ):
        res = dry(*args)
        assert res.exit_code == 2 and fragment in res.output, res.output
    assert not (tmp_path / "o").exists()
    by_target = synthpipe.estimate(path, accepted=7)
    by_count = synthpipe.estimate(path, count=7)
    assert by_target.to_json() == by_count.to_json()
    target_path, _ = write_recipe("target.yaml", accepted=7)
    assert synthpipe.estimate(target_path).to_json()["by_stage"] == by_count.to_json()["by_stage"]
