"""The CLI: init, prompts, errors (one line, exit 2, nothing half-written), cache commands."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from synthpipe.cli import cli
from synthpipe.recipe import load_recipe


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_init_writes_loadable_recipes_for_every_task_in_both_languages(tmp_path: Path) -> None:
    res = invoke("init", str(tmp_path / "r"))
    assert res.exit_code == 0, res.output
    recipes = [load_recipe(p) for p in sorted((tmp_path / "r").glob("*.yaml")) if p.name != "prices.yaml"]
    assert {(r.task, r.language) for r in recipes} >= {
        (t, lang) for t in ("qa", "summarize", "rewrite", "classify", "dialogue") for lang in ("en", "zh")
    }
    assert all(p.read_text(encoding="utf-8").startswith("#") for p in (tmp_path / "r").glob("*.yaml"))
    again = invoke("init", str(tmp_path / "r"))
    assert "exists, kept" in again.output


def test_prompts_prints_the_exact_messages(tmp_path: Path) -> None:
    invoke("init", str(tmp_path))
    res = invoke("prompts", str(tmp_path / "qa_en.yaml"), "--json")
    items = json.loads(res.output)
    assert items[0]["messages"][0]["role"] == "system"
    assert "Northwind" in items[0]["messages"][1]["content"]
    assert items[0]["schema"]["required"] == ["instruction", "input", "output"]
    text = invoke("prompts", str(tmp_path / "qa_zh.yaml")).output
    assert "--- system" in text and "知识边界" in text


def _err(res) -> str:
    return res.stderr.strip() if hasattr(res, "stderr") else res.output.strip()


def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    cases = {
        "missing.yaml": None,
        "bad.yaml": "task: qa\ntopics: [a\n",
        "unknown.yaml": "task: qa\ncolour: red\n",
        "type.yaml": "task: qa\ncount: lots\n",
        "zero.yaml": "task: qa\ncount: 0\n",
        "nolabels.yaml": "task: classify\n",
        "emptysrc.yaml": "task: qa\nsources: [{text: ' '}]\n",
        "nomodel.yaml": "task: qa\nmodels: {generator: {model_path: /nope/model.gguf}}\n",
        "nokey.yaml": "task: qa\nmodels: {generator: {backend: openai, model: m, base_url: 'http://127.0.0.1:9/v1', "
        "api_key_env: SYNTHPIPE_TEST_UNSET_KEY}}\n",
    }
    for name, body in cases.items():
        path = tmp_path / name
        if body is not None:
            path.write_text(body, encoding="utf-8")
        res = CliRunner().invoke(cli, ["run", str(path), "--out", str(out), "--no-progress"])
        msg = _err(res)
        assert res.exit_code == 2, (name, res.output)
        assert msg.startswith("error: ") and "\n" not in msg, (name, msg)
        assert name in msg or "model file" in msg or "SYNTHPIPE_TEST_UNSET_KEY" in msg, (name, msg)
        assert not out.exists(), name


def test_model_and_base_url_must_come_together(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text("task: qa\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["run", str(tmp_path / "r.yaml"), "--model", "m"])
    assert res.exit_code == 2 and "--base-url" in _err(res)


def test_cache_stats_and_clear(tmp_path: Path) -> None:
    from synthpipe.backends.base import Completion
    from synthpipe.cache import ResponseCache

    c = ResponseCache(tmp_path / "cache.sqlite")
    c.put("k1", Completion(text="{}", model="m"))
    c.close()
    stats = json.loads(invoke("cache", "stats", str(tmp_path)).output)
    assert stats["entries"] == 1 and stats["per_model"] == {"m": 1}
    assert "removed 1 cached responses" in invoke("cache", "clear", str(tmp_path), "--yes").output
    assert json.loads(invoke("cache", "stats", str(tmp_path)).output)["entries"] == 0
    res = CliRunner().invoke(cli, ["cache", "stats", str(tmp_path / "nowhere")])
    assert res.exit_code == 2
