"""A recipe run end to end through the OpenAI-compatible backend against a real llama_cpp.server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from synthpipe.cli import cli

from .conftest import EXAMPLES

pytestmark = pytest.mark.server


def test_run_with_model_and_base_url_uses_the_server_and_resumes(
    llama_server_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = [
        "run",
        str(EXAMPLES / "classify_en.yaml"),
        "--out",
        str(out),
        "--count",
        "3",
        "--no-progress",
        "--model",
        "smollm2",
        "--base-url",
        llama_server_url,
        "--max-in-flight",
        "2",
    ]
    res = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["models"]["generator"]["backend"] == "openai"
    assert manifest["models"]["generator"]["base_url"] == llama_server_url
    c = manifest["counts"]
    assert c["attempted"] == 3 and c["failed"] == 0
    usage = manifest["usage"]["generator"]
    assert usage["requests"] == 3 and usage["completion_tokens"] > 0
    labels = {"return_request", "refund_status", "exchange_request", "damaged_item"}
    for outcome in ("accepted", "rejected"):
        for line in (out / f"{outcome}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if "label" in row:  # decoded under the enum schema, so always an allowed label
                assert row["label"] in labels
    again = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert "generator: 0 requests" in again.output
