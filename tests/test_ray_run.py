"""`run --executor ray` on a real local Ray (2 CPUs) against the fault server over HTTP: the same accepted,
rejected and review sets as a local run, the same cache, and a worker killed mid-run costs no answered
request."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

import synthpipe

from .faultserver import varied_qa
from .test_resume_kill import ServerThread

pytestmark = pytest.mark.ray

OUTPUTS = ("accepted.jsonl", "rejected.jsonl", "failed.jsonl", "review_sample.jsonl", "manifest.json")


def mixed_qa(body: Any) -> str:
    """Per request, always the same: an exact copy, a near copy, an answer the rules reject, or a fresh one."""
    h = int(hashlib.sha1(json.dumps(body["messages"]).encode()).hexdigest(), 16)
    if h % 6 == 0:
        q, a = "How long do I have to return a jacket?", "You can return it within 30 days of delivery."
    elif h % 6 == 1:
        word = ("usually", "normally", "typically", "generally")[h // 6 % 4]
        q = "Where does my refund go after the warehouse gets the parcel?"
        a = f"Refunds {word} go back to the original payment method within 5 business days of arrival."
    elif h % 6 == 2:
        q, a = "What is the answer?", ""
    else:
        return varied_qa(body)
    return json.dumps({"instruction": q, "input": "", "output": a})


def _recipe(path: Path, url: str, count: int, max_in_flight: int = 8) -> Path:
    path.write_text(
        yaml.safe_dump(
            {
                "name": "rayrun",
                "task": "qa",
                "language": "en",
                "topics": [f"topic {i}" for i in range(count)],
                "count": count,
                "models": {
                    "generator": {
                        "backend": "openai",
                        "model": "m",
                        "base_url": url,
                        "max_in_flight": max_in_flight,
                    }
                },
            }
        ),
        encoding="utf-8",
    )
    return path


def _outcomes(result: synthpipe.Result) -> dict[str, Any]:
    return {
        "accepted": sorted(r.id for r in result.accepted),
        "rejected": sorted((r.id, tuple(x.code for x in r.meta.reasons)) for r in result.rejected),
        "failed": sorted(r.id for r in result.failed),
    }


def _sample(out: Path) -> list[str]:
    return sorted(json.loads(x)["id"] for x in (out / "review_sample.jsonl").read_text().splitlines())


def test_a_ray_run_accepts_and_rejects_what_a_local_run_does_from_the_same_cache(
    tmp_path: Path, ray_local: Any
) -> None:
    with ServerThread(latency=0.005, content=mixed_qa) as srv:
        recipe = _recipe(tmp_path / "r.yaml", srv.url, count=90)
        on_ray = synthpipe.run(recipe, tmp_path / "ray", executor="ray", workers=2)
        asked = len(srv.server.requests)
        # each worker takes its share (8 // 2): together they never exceed the recipe's max_in_flight 8
        assert max(r.in_flight for r in srv.server.requests) <= 8
        local = synthpipe.run(recipe, tmp_path / "local", cache=tmp_path / "ray" / "cache.sqlite")
        assert len(srv.server.requests) == asked == 90, "the local run found every answer in the Ray cache"
    ray_sets, local_sets = _outcomes(on_ray), _outcomes(local)
    assert ray_sets == local_sets
    codes = {c for _, cs in ray_sets["rejected"] for c in cs}
    assert {"duplicate_exact", "duplicate_near"} <= codes and codes - {"duplicate_exact", "duplicate_near"}
    assert len(ray_sets["accepted"]) >= 40
    for name in OUTPUTS:
        assert (tmp_path / "ray" / name).exists() and (tmp_path / "local" / name).exists()
    assert _sample(tmp_path / "ray") == _sample(tmp_path / "local")
    m = on_ray.manifest
    assert m["executor"] == {"name": "ray", "address": "local", "workers": 2}
    assert m["usage"]["generator"]["requests"] == 90 and m["counts"] == local.manifest["counts"]
    assert m["stages"]["generate"]["this_run"]["records_in"] == 90
    assert not list((tmp_path / "ray").glob(".ray-pending*")), "the pending file goes when the run ends"
    assert not (tmp_path / "ray" / "cache.sqlite.ray").exists(), "host files are merged into the cache"


def test_a_ray_rerun_asks_nothing_and_writes_nothing_twice(tmp_path: Path, ray_local: Any) -> None:
    with ServerThread(latency=0.0, content=mixed_qa) as srv:
        recipe = _recipe(tmp_path / "r.yaml", srv.url, count=40)
        first = synthpipe.run(recipe, tmp_path / "out", executor="ray", workers=2)
        again = synthpipe.run(recipe, tmp_path / "out", count=60, executor="ray", workers=2)
        assert len(srv.server.requests) == 60, "only the 20 new candidates were asked"
    assert again.manifest["usage_this_run"]["generator"]["requests"] == 20
    rows = [
        json.loads(x)
        for name in ("accepted", "rejected", "failed")
        for x in (tmp_path / "out" / f"{name}.jsonl").read_text().splitlines()
    ]
    assert len(rows) == len({r["id"] for r in rows}) == 60
    assert set(_outcomes(first)["accepted"]) <= set(_outcomes(again)["accepted"])


def _stage_worker_pids() -> list[int]:
    """Processes of this machine running a StageWorker actor (Ray names the process after it)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmd = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if b"StageWorker" in cmd:
                pids.append(int(entry))
    return pids


def test_a_worker_killed_mid_run_loses_no_answered_request(tmp_path: Path, ray_local: Any) -> None:
    killed: list[int] = []
    with ServerThread(latency=0.05) as srv:
        recipe = _recipe(tmp_path / "r.yaml", srv.url, count=200)

        def kill_one() -> None:
            deadline = time.monotonic() + 60
            while len(srv.server.requests) < 40 and time.monotonic() < deadline:
                time.sleep(0.01)
            pids = _stage_worker_pids()
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])

        threading.Thread(target=kill_one, daemon=True).start()
        result = synthpipe.run(recipe, tmp_path / "out", executor="ray", workers=2)
        bodies = [json.dumps(r.body["messages"]) for r in srv.server.requests]
    assert killed, "no worker process was found to kill"
    assert len(result.accepted) == 200 and not result.failed
    # The killed worker's block (50 records, ~20 answered) is done again by a new worker, which finds
    # the answers in the host cache file; only the requests in flight at the kill (its share of
    # max_in_flight: 8 / 2 workers) go out twice.
    assert len(set(bodies)) == 200
    assert len(bodies) - 200 <= 4
