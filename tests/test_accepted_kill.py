"""kill -9 in the middle of a real HTTP run toward `--accepted N`, then the same command again: it goes
on toward the same target, sends no request whose answer had arrived, and ends with exactly N accepted."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import yaml

from .test_accepted import TOPICS, _lines, _some_rejected
from .test_resume_kill import ServerThread, _count_lines, kill_9_when, planned_keys

TARGET = 60


def test_kill_9_toward_a_target_then_resume_reaches_it_without_resending(tmp_path: Path) -> None:
    with ServerThread(latency=0.05, content=_some_rejected) as srv:
        recipe_path = tmp_path / "target.yaml"
        spec = {"backend": "openai", "model": "m", "base_url": srv.url, "max_in_flight": 4}
        recipe_path.write_text(
            yaml.safe_dump({"name": "kill", "task": "qa", "topics": TOPICS, "models": {"generator": spec}}),
            encoding="utf-8",
        )
        out = tmp_path / "out"
        cmd = [sys.executable, "-m", "synthpipe", "run", str(recipe_path), "--out", str(out)]
        cmd += ["--accepted", str(TARGET), "--no-progress"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        kill_9_when(proc, lambda: _count_lines(out / "accepted.jsonl") >= 15)
        before = len(srv.server.requests)
        db = sqlite3.connect(out / "cache.sqlite")
        cached = {k for (k,) in db.execute("SELECT key FROM responses")}
        db.close()
        assert 15 <= _count_lines(out / "accepted.jsonl") < TARGET

        res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stdout + res.stderr
        resent = [r.body for r in srv.server.requests[before:]]
        after = len(srv.server.requests)
        res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stdout + res.stderr
        assert len(srv.server.requests) == after, "a run that had reached its target asked the model again"

    key_of = planned_keys(recipe_path, len(TOPICS))
    resent_keys = [key_of[json.dumps(body["messages"])] for body in resent]
    assert not set(resent_keys) & cached, "a request whose answer had arrived was sent again"
    accepted = _lines(out / "accepted.jsonl")
    assert len(accepted) == TARGET and len({r["id"] for r in accepted}) == TARGET
    rows = accepted + _lines(out / "rejected.jsonl")
    assert len(rows) == len({r["id"] for r in rows}), "a record was written twice"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["target"]["reached"] and manifest["counts"]["rejected"] > 0
