"""No secret ever reaches a log, a cache key, an output file or a report."""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import CliRunner

from synthpipe.cli import cli

from .faultserver import FaultServer, Reply

SECRET = "sk-test-7f3a9c2e11d54b8a9e0f"


def test_the_key_reaches_the_server_and_nothing_else(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SYNTHPIPE_TEST_KEY", SECRET)
    server = FaultServer()
    loop = asyncio.new_event_loop()
    url = loop.run_until_complete(server.start())
    # one failure that echoes the key back, so error paths are covered too
    server.enqueue(Reply.error(401, f"invalid key {SECRET}"))
    import threading

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        recipe = tmp_path / "r.yaml"
        recipe.write_text(
            f"task: qa\ncount: 3\nmodels:\n  generator: {{backend: openai, model: m, base_url: '{url}', "
            "api_key_env: SYNTHPIPE_TEST_KEY, max_in_flight: 1}\n",
            encoding="utf-8",
        )
        out = tmp_path / "out"
        res = CliRunner().invoke(cli, ["run", str(recipe), "--out", str(out), "--no-progress"])
        assert res.exit_code == 1, res.output  # one request answered 401 on purpose: a failed record
        assert SECRET not in res.output
        seen = [r.headers.get("Authorization", "") for r in server.requests]
        assert seen and all(h == f"Bearer {SECRET}" for h in seen)
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {"accepted.jsonl", "failed.jsonl", "manifest.json", "cache.sqlite", "report.html"} <= {
        p.name for p in files
    }
    assert "SYNTHPIPE_TEST_KEY" in (out / "manifest.json").read_text(
        encoding="utf-8"
    )  # the name, not the value
    for p in files:
        assert SECRET.encode() not in p.read_bytes(), p.name
