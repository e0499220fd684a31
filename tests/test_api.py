"""The Python API: what it accepts and returns, that it writes what the CLI writes, and that the CLI
uses nothing else."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import synthpipe
from synthpipe.backends.fake import FakeBackend
from synthpipe.core.records import Meta, Record

from .conftest import qa

ROOT = Path(__file__).resolve().parents[1]


def test_public_names_are_there_and_the_functions_are_not_shadowed_by_subpackages() -> None:
    import synthpipe.cli  # noqa: F401  imports every command and, through them, much of the package
    import synthpipe.engine.presets  # noqa: F401

    for name in ("run", "check", "judge", "dedup", "arun", "acheck", "ajudge", "adedup", "load_recipe"):
        assert callable(getattr(synthpipe, name)), name
    assert callable(synthpipe.export)
    assert set(synthpipe.__all__) <= set(dir(synthpipe))
    with pytest.raises(AttributeError):
        synthpipe.no_such_thing  # noqa: B018


def test_importing_synthpipe_imports_nothing_heavy() -> None:
    import subprocess
    import sys

    code = "import sys, synthpipe; print(sorted(m for m in sys.modules if m.split('.')[0] in ('synthpipe', 'numpy', 'aiohttp', 'pydantic', 'jinja2', 'rich', 'torch')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['synthpipe']"


def test_check_takes_a_path_dicts_or_records_and_returns_the_records(tmp_path: Path) -> None:
    rows = [qa(0), qa(1, output="As an AI language model, I cannot help."), {"colour": "red"}]
    from_dicts = synthpipe.check(rows, task="qa", language="en")
    assert from_dicts.counts == {"attempted": 3, "accepted": 1, "rejected": 2, "failed": 0}
    assert from_dicts.out_dir is None and from_dicts.manifest["input"]["file"] == "<records>"
    assert [r.meta.line for r in from_dicts.rejected] == [2, 3]

    mine = [Record("a", qa(0), Meta(task="qa")), Record("b", qa(0, output=""), Meta(task="qa"))]
    from_records = synthpipe.check(mine, language="en")  # the task comes from the records
    assert [r.id for r in from_records.accepted] == ["a"]
    assert mine[1].meta.reasons == []  # the caller's records are not changed behind their back

    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    from_path = synthpipe.check(path, task="qa", language="en")
    assert from_path.counts == from_dicts.counts and not list(tmp_path.glob("*.checked"))


def test_nothing_is_written_without_out(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    _, recipe = None, synthpipe.load_recipe(ROOT / "src/synthpipe/examples/qa_en.yaml")
    result = synthpipe.run(recipe, count=3, backends={"generator": FakeBackend([qa(i) for i in range(3)])})
    assert result.counts["attempted"] == 3 and result.out_dir is None
    synthpipe.dedup([qa(0), qa(0)], task="qa")
    synthpipe.check([qa(0)], task="qa")
    assert list(tmp_path.iterdir()) == []


def test_library_functions_write_the_same_files_as_the_cli(tmp_path: Path) -> None:
    from synthpipe.cli import cli

    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in [qa(0), qa(0), qa(1)]), encoding="utf-8")
    for command, call in (
        ("check", lambda out: synthpipe.check(data, task="qa", out=out)),
        ("dedup", lambda out: synthpipe.dedup(data, out=out)),
    ):
        call(tmp_path / f"{command}-lib")
        res = CliRunner().invoke(
            cli, [command, str(data), "--task", "qa", "--out", str(tmp_path / f"{command}-cli")]
        )
        assert res.exit_code == 0, res.output
        lib = sorted(p.name for p in (tmp_path / f"{command}-lib").iterdir())
        assert lib == sorted(p.name for p in (tmp_path / f"{command}-cli").iterdir())
        assert {"accepted.jsonl", "rejected.jsonl", "manifest.json", "report.html"} <= set(lib)
        for name in ("accepted.jsonl", "rejected.jsonl"):
            lib_ids = [
                json.loads(x)["id"] for x in (tmp_path / f"{command}-lib" / name).read_text().splitlines()
            ]
            cli_ids = [
                json.loads(x)["id"] for x in (tmp_path / f"{command}-cli" / name).read_text().splitlines()
            ]
            assert lib_ids == cli_ids


def test_the_cli_calls_only_the_public_api() -> None:
    allowed = {"synthpipe", "synthpipe.cli", "click"}
    for path in sorted((ROOT / "src/synthpipe/cli").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert (
                    node.module in allowed
                    or node.module.startswith(("synthpipe.cli.", "__future__"))
                    or node.module in ("pathlib", "typing", "re", "json", "sys")
                ), (path.name, node.module)
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name in {"synthpipe", "click", "json", "os", "re", "sys"}, (
                        path.name,
                        alias.name,
                    )
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "synthpipe"
            ):
                assert node.attr in synthpipe.__all__, (path.name, node.attr)


def test_an_unknown_backend_names_the_known_ones(write_recipe) -> None:
    from synthpipe.backends import make_backend

    with pytest.raises(
        synthpipe.RecipeError, match="unknown backend 'opneai' — use one of embedded, openai, anthropic"
    ):
        write_recipe(models={"generator": {"backend": "opneai"}})
    _, recipe = write_recipe()
    spec = recipe.models["generator"].model_copy(update={"backend": "vllm"})  # past validation
    with pytest.raises(synthpipe.UsageError, match="unknown backend 'vllm'"):
        make_backend(spec)


@pytest.mark.model
def test_the_readme_example_runs(tmp_path: Path, monkeypatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    exec(compile(code, "README.md", "exec"), ns)
    assert (tmp_path / "runs" / "qa_en" / "manifest.json").is_file()
    assert ns["result"].counts["attempted"] == 3
    assert ns["checked"].counts == {"attempted": 3, "accepted": 2, "rejected": 1, "failed": 0}
    assert ns["unique"].counts == {"attempted": 2, "accepted": 1, "rejected": 1, "failed": 0}
    assert [r.meta.reasons[0].code for r in ns["checked"].rejected + ns["unique"].rejected] == [
        "boilerplate",
        "duplicate_exact",
    ]
