"""Bad input for `--executor ray`: one `error: …` line naming the option and the fix, exit code 2, no
traceback, and the output folder left as it was."""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import qa
from .test_cli_errors import invoke, one_error, write_jsonl


def _recipe(write_recipe: Any, **fields: Any) -> Path:
    models = {"generator": {"backend": "openai", "model": "m", "base_url": "http://127.0.0.1:9/v1"}}
    return write_recipe(models={**models, **fields.pop("models", {})}, **fields)[0]


def test_without_the_ray_extra_the_error_names_it(write_recipe, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails as if it were not installed
    res = invoke("run", _recipe(write_recipe), "--out", tmp_path / "out", "--executor", "ray")
    one_error(res, "pip install 'synthpipe[ray]'")
    assert not (tmp_path / "out").exists()
    data = write_jsonl(tmp_path / "d.jsonl", [qa(0)])
    one_error(invoke("dedup", data, "--executor", "ray"), "pip install 'synthpipe[ray]'")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.ray
@pytest.mark.parametrize("command", ["run", "check", "dedup"])
def test_an_unreachable_address_is_an_error_within_seconds(
    command: str, write_recipe, tmp_path: Path, ray_local: Any
) -> None:
    address = f"ray://127.0.0.1:{_closed_port()}"
    target = _recipe(write_recipe) if command == "run" else write_jsonl(tmp_path / "d.jsonl", [qa(0)])
    extra = ["--task", "qa"] if command != "run" else []
    started = time.monotonic()
    res = invoke(
        command, target, *extra, "--out", tmp_path / "out", "--executor", "ray", "--address", address
    )
    one_error(res, f"--address {address}: no Ray cluster answers there")
    assert "ray start --head" in res.stderr and time.monotonic() - started < 30
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--address", "auto"], "--address is for --executor ray"),
        (["--executor", "ray", "--workers", "0"], "--workers 0 with --executor ray"),
        (["--executor", "ray", "--address", "not-an-address"], "expected auto, ray://HOST:PORT or HOST:PORT"),
        (["--executor", "ray", "--accepted", "5"], "give --count N instead"),
    ],
)
def test_bad_ray_options_are_refused(args: list[str], fragment: str, write_recipe, tmp_path: Path) -> None:
    pytest.importorskip("ray", reason="the ray extra is not installed: pip install 'synthpipe[ray]'")
    res = invoke("run", _recipe(write_recipe), "--out", tmp_path / "out", *args)
    one_error(res, fragment)
    assert not (tmp_path / "out").exists()


@pytest.mark.ray
def test_more_workers_than_request_slots_is_refused(write_recipe, tmp_path: Path, ray_local: Any) -> None:
    models = {
        "generator": {
            "backend": "openai",
            "model": "m",
            "base_url": "http://127.0.0.1:9/v1",
            "max_in_flight": 1,
        }
    }
    path = write_recipe(models=models)[0]
    res = invoke("run", path, "--out", tmp_path / "out", "--executor", "ray", "--workers", "2")
    one_error(res, "--workers 2 is more than model generator's max_in_flight 1")
