"""kill -9 in the middle of a real HTTP run, then the same command again with another --max-in-flight (as
anyone does after a wave of 429s), then once more with yet another: no request whose answer had arrived
is sent twice, nothing accepted is lost, no record is written twice, and the last run asks nothing."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from synthpipe.backends import options_from_spec
from synthpipe.backends.openai import OpenAIBackend
from synthpipe.cache import request_key
from synthpipe.prompts.plan import Planner
from synthpipe.recipe import load_recipe

from .faultserver import FaultServer, varied_qa

COUNT = 80


class ServerThread:
    """The fault server on its own event loop in a thread, so a subprocess can talk to it."""

    def __init__(self, latency: float, content: Any = varied_qa) -> None:
        self.server = FaultServer(latency=latency, content=content)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        self.url = asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def planned_keys(recipe_path: Path, n: int) -> dict[str, str]:
    """{the messages of plan item i, as JSON: its request's cache key} for the first n items of an
    openai-backed recipe: what a test needs to tell which requests a resumed run sent again."""
    recipe = load_recipe(recipe_path)
    spec = recipe.models["generator"]
    identity, planner = OpenAIBackend(spec).identity, Planner(recipe)
    key_of = {}
    for i in range(n):
        item = planner.item(i)
        opts = options_from_spec(spec)
        opts.seed = item.seed
        key_of[json.dumps(item.messages)] = request_key(identity, item.messages, item.schema, opts)
    return key_of


def written_rows(out: Path) -> list[dict[str, Any]]:
    """Every record a run wrote: accepted, rejected and failed."""
    return [
        json.loads(x)
        for name in ("accepted", "rejected", "failed")
        for x in (out / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    ]


def kill_9_when(
    proc: subprocess.Popen[str],
    reached: Callable[[], bool],
    what: str = "the run",
    timeout: float = 60,
    poll: float = 0.02,
    settle: float = 20,
) -> None:
    """Wait until `reached()` (or `timeout` s), then kill -9 `proc`, which must still be running, and read
    its output to the end (that hangs if a child outlived it and holds its output pipe)."""
    deadline = time.monotonic() + timeout
    while not reached() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(poll)
    assert proc.poll() is None, f"{what} ended before it could be killed: " + proc.communicate()[0]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.communicate(timeout=settle)


def check_resumed(
    recipe_path: Path, out: Path, resent_bodies: list[dict[str, Any]], cached: set[str], count: int
) -> list[dict[str, Any]]:
    """After a kill and a resume: no request whose answer had reached the cache was sent again, exactly
    the others were, and every planned record was written once. Returns the records written."""
    key_of = planned_keys(recipe_path, count)
    resent_keys = [key_of[json.dumps(body["messages"])] for body in resent_bodies]
    assert not set(resent_keys) & cached, "a request whose answer had arrived was sent again"
    assert len(resent_keys) == count - len(cached)
    rows = written_rows(out)
    assert len(rows) == len({r["id"] for r in rows}) == count
    return rows


def _count_lines(path: Path) -> int:
    return path.read_text(encoding="utf-8").count("\n") if path.exists() else 0


def test_kill_9_then_resume_repeats_no_answered_request(tmp_path: Path) -> None:
    with ServerThread(latency=0.1) as srv:
        recipe_path = tmp_path / "r.yaml"
        recipe_path.write_text(
            yaml.safe_dump(
                {
                    "name": "kill",
                    "task": "qa",
                    "topics": [f"topic {i}" for i in range(COUNT)],
                    "count": COUNT,
                    "models": {
                        "generator": {
                            "backend": "openai",
                            "model": "m",
                            "base_url": srv.url,
                            "max_in_flight": 4,
                        }
                    },
                }
            ),
            encoding="utf-8",
        )
        out = tmp_path / "out"
        cmd = [sys.executable, "-m", "synthpipe", "run", str(recipe_path), "--out", str(out), "--no-progress"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        # The first run has a worker process for rules and grounding: a kill -9 must end it too.
        proc = subprocess.Popen(
            [*cmd, "--workers", "1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        kill_9_when(proc, lambda: _count_lines(out / "accepted.jsonl") >= 20)
        before = len(srv.server.requests)
        db = sqlite3.connect(out / "cache.sqlite")
        cached = {k for (k,) in db.execute("SELECT key FROM responses")}
        db.close()
        written_before = _count_lines(out / "accepted.jsonl")
        assert 20 <= written_before < COUNT

        res = subprocess.run(
            [*cmd, "--max-in-flight", "8"], env=env, capture_output=True, text=True, timeout=120
        )
        assert res.returncode == 0, res.stdout + res.stderr
        resent_bodies = [r.body for r in srv.server.requests[before:]]
        after = len(srv.server.requests)
        res = subprocess.run(
            [*cmd, "--max-in-flight", "2"], env=env, capture_output=True, text=True, timeout=120
        )
        assert res.returncode == 0, res.stdout + res.stderr
        assert len(srv.server.requests) == after, "a finished run asked the model again"
        assert "generator: 0 requests" in res.stdout

    rows = check_resumed(recipe_path, out, resent_bodies, cached, COUNT)
    assert sorted(r["meta"]["plan"]["index"] for r in rows) == list(range(COUNT))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"] == {"attempted": COUNT, "accepted": COUNT, "rejected": 0, "failed": 0}
    assert manifest["timings"]["runs"] == 3
