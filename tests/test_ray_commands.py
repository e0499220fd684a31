"""check, judge and augment with `--executor ray` on a real local Ray (2 CPUs) decide what they decide
locally. The judge and the generator are fakes whose answers depend only on the request, so the order in
which workers ask does not matter."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import synthpipe
from synthpipe.backends.fake import FakeBackend
from synthpipe.cli import cli

from .augment_fakes import fake_answer
from .conftest import qa
from .test_judge import probe_side

pytestmark = pytest.mark.ray


def _rows() -> list[Any]:
    rows: list[Any] = [qa(i) for i in range(8)]
    rows += [qa(i, output=f"Refunds take {i + 2} business days to reach your card.") for i in range(8, 40)]
    rows += [qa(1, output=""), qa(2, output="Yes."), qa(3, instruction="", output="Thirty days.")]
    rows += [qa(i, output=qa(i)["output"] + f" Ask us about case {i}.") for i in range(8)]
    return rows


def _write(path: Path, rows: list[Any]) -> Path:
    lines = [json.dumps(r) for r in rows] + ["this line is not JSON"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _decided(result: synthpipe.Result) -> dict[str, Any]:
    out: dict[str, Any] = {r.id: ("accepted",) for r in result.accepted}
    out |= {r.id: ("rejected", *sorted(x.code for x in r.meta.reasons)) for r in result.rejected}
    out |= {r.id: ("failed", r.meta.error) for r in result.failed}
    return out


def _ids(path: Path) -> list[str]:
    return sorted(json.loads(x)["id"] for x in path.read_text().splitlines())


def test_check_cli_on_ray_rejects_what_local_check_rejects(tmp_path: Path, ray_local: Any) -> None:
    data = _write(tmp_path / "data.jsonl", _rows())
    runner = CliRunner()
    args = ["check", str(data), "--task", "qa", "--lang", "en"]
    a = runner.invoke(cli, [*args, "--out", str(tmp_path / "local")])
    b = runner.invoke(cli, [*args, "--out", str(tmp_path / "ray"), "--executor", "ray", "--workers", "2"])
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    assert a.output.splitlines()[:2] == b.output.splitlines()[:2]  # counts and top reasons
    for name in ("accepted.jsonl", "rejected.jsonl"):
        assert _ids(tmp_path / "local" / name) == _ids(tmp_path / "ray" / name)
    rejected = (tmp_path / "ray" / "rejected.jsonl").read_text()
    assert '"invalid_json"' in rejected  # the unreadable line is rejected with its reason on Ray too


def judge_answer(messages: Any, schema: Any) -> dict[str, Any]:
    """Tells the probe's records apart; scores every other record by a hash of its prompt (1-5)."""
    side = probe_side(messages[-1]["content"])
    if side is not None:
        score = 5 if side == "good" else 1
    else:
        score = 1 + int(hashlib.sha1(messages[-1]["content"].encode()).hexdigest(), 16) % 5
    return {c: score for c in schema["required"] if c != "reason"} | {"reason": f"score {score}"}


def test_judge_on_ray_scores_and_rejects_what_local_judge_does(tmp_path: Path, ray_local: Any) -> None:
    data = _write(tmp_path / "data.jsonl", _rows())
    options: dict[str, Any] = {"task": "qa", "language": "en"}
    local = synthpipe.judge(
        data, backends={"judge": FakeBackend(default=judge_answer)}, out=tmp_path / "local", **options
    )
    on_ray = synthpipe.judge(
        data,
        backends={"judge": FakeBackend(default=judge_answer)},
        out=tmp_path / "ray",
        executor="ray",
        workers=2,
        **options,
    )
    assert _decided(local) == _decided(on_ray)
    assert "judge_low_score" in json.dumps(_decided(on_ray)) and local.accepted
    scores = {r.id: r.meta.scores["overall"] for r in on_ray.accepted + on_ray.rejected if r.meta.scores}
    assert scores == {
        r.id: r.meta.scores["overall"] for r in local.accepted + local.rejected if r.meta.scores
    }
    # the workers' requests are counted, and cached: the same command again asks nothing
    assert on_ray.manifest["usage"]["judge"]["requests"] == local.manifest["usage"]["judge"]["requests"]
    again = synthpipe.judge(
        data, backends={"judge": FakeBackend()}, out=tmp_path / "ray", executor="ray", workers=2, **options
    )
    assert _decided(again) == _decided(on_ray) and again.manifest["usage"]["judge"]["requests"] == 0


def test_augment_on_ray_derives_and_keeps_what_local_augment_does(tmp_path: Path, ray_local: Any) -> None:
    rows = [qa(i) for i in range(8)]
    data = tmp_path / "faq.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    options: dict[str, Any] = {"task": "qa", "methods": ["paraphrase", "backtranslate"]}
    local = synthpipe.augment(data, backends={"generator": FakeBackend(default=fake_answer)}, **options)
    on_ray = synthpipe.augment(
        data, backends={"generator": FakeBackend(default=fake_answer)}, executor="ray", workers=2, **options
    )
    assert _decided(local) == _decided(on_ray)
    assert len(on_ray.accepted) + len(on_ray.rejected) == 8 * 5  # 3 paraphrases + 2 back-translations each
    assert all(r.meta.parent_id for r in on_ray.accepted)


def generation(messages: Any, schema: Any) -> Any:
    """Candidates numbered by their prompt; augmentation requests answered as in test_augment."""
    user = messages[-1]["content"]
    if "<original>" in user or "<text>" in user:
        return fake_answer(messages, schema)
    i = int(hashlib.sha1(user.encode()).hexdigest(), 16) % 1000
    return {
        "instruction": f"What is the refund window for product line {i}?",
        "input": "",
        "output": f"Product line {i} can be refunded within {10 + i % 50} days of delivery.",
    }


def test_a_run_that_augments_seeds_and_generated_records_on_ray_matches_local(
    tmp_path: Path, ray_local: Any
) -> None:
    recipe = {
        "name": "aug",
        "task": "qa",
        "topics": ["refunds", "returns"],
        "count": 12,
        "examples": [
            {"instruction": "How do I return a damaged blender?", "output": "Send it back within 14 days."}
        ],
        "augment": {"methods": [{"method": "paraphrase", "n": 2}], "apply_to": "both"},
    }
    local = synthpipe.run(
        recipe, out=tmp_path / "local", backends={"generator": FakeBackend(default=generation)}
    )
    options: dict[str, Any] = {"executor": "ray", "workers": 2}
    out = tmp_path / "ray"
    on_ray = synthpipe.run(
        recipe, out=out, backends={"generator": FakeBackend(default=generation)}, **options
    )
    assert _decided(local) == _decided(on_ray)
    kids = [r for r in on_ray.accepted + on_ray.rejected if r.meta.origin == "augmented:paraphrase"]
    assert any(k.meta.parent_id.startswith("seed-") for k in kids)
    assert any(not k.meta.parent_id.startswith("seed-") for k in kids), "the second pass ran on Ray"
    assert "augment (augmented)" in on_ray.manifest["stages"]
    again = synthpipe.run(recipe, out=out, backends={"generator": FakeBackend([])}, **options)
    assert again.manifest["usage_this_run"]["generator"]["requests"] == 0
    assert again.manifest["counts"] == on_ray.manifest["counts"]
