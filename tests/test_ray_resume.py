"""kill -9 of a `run --executor ray` driver mid-run, then the same command again: it joins the same Ray
(the test's, through `--address HOST:PORT`), asks no request whose answer had arrived, plans no record of
a finished block again, and writes every record once."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from .test_ray_run import _recipe
from .test_resume_kill import ServerThread, check_resumed, kill_9_when

pytestmark = pytest.mark.ray

COUNT = 200


def _cached_keys(out: Path) -> set[str]:
    """Every answer on disk: the run's cache and the workers' host files."""
    keys: set[str] = set()
    for path in [out / "cache.sqlite", *(out / "cache.sqlite.ray").glob("*.sqlite")]:
        if path.exists():
            db = sqlite3.connect(path)
            keys |= {k for (k,) in db.execute("SELECT key FROM responses")}
            db.close()
    return keys


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_killed_ray_driver_resumes_without_asking_an_answered_request_again(
    tmp_path: Path, ray_local: Any
) -> None:
    address = ray_local.get_runtime_context().gcs_address
    out = tmp_path / "out"
    pending = out / ".ray-pending.jsonl"
    with ServerThread(latency=0.05) as srv:
        recipe_path = _recipe(tmp_path / "r.yaml", srv.url, count=COUNT)
        cmd = [sys.executable, "-m", "synthpipe", "run", str(recipe_path), "--out", str(out), "--no-progress"]
        cmd += ["--executor", "ray", "--address", address, "--workers", "2"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        kill_9_when(proc, lambda: _lines(pending) >= 1, timeout=90, settle=30)
        # Ray ends a dead driver's workers within moments, not at once: until it has, they may still send
        # (and cache) what they held. Take the "before" picture once the server has been quiet for 1 s.
        quiet_until = time.monotonic() + 20
        seen = -1
        while time.monotonic() < quiet_until and seen != len(srv.server.requests):
            seen = len(srv.server.requests)
            time.sleep(1.0)
        before = len(srv.server.requests)
        cached = _cached_keys(out)
        waiting = _lines(pending)
        assert waiting > 0 and len(cached) < COUNT

        res = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
        assert res.returncode == 0, res.stdout + res.stderr
        resent = [r.body for r in srv.server.requests[before:]]

    check_resumed(recipe_path, out, resent, cached, COUNT)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    # the records of finished blocks were not planned again: only the others went through generate
    assert manifest["stages"]["generate"]["this_run"]["records_in"] <= COUNT - waiting
    assert manifest["counts"]["attempted"] == COUNT and manifest["timings"]["runs"] == 2
    assert not pending.exists() and not (out / "cache.sqlite.ray").exists()
