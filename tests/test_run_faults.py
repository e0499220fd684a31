"""A whole run through the OpenAI-compatible backend against the fault-injecting server: each fault ends as
a retry that succeeds, a rejected record with its reason, or a failed record with the error; never a
crash, a hang or a lost candidate. Then a re-run asks again only for what failed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import synthpipe
from synthpipe.backends.openai import OpenAIBackend
from synthpipe.recipe import load_recipe
from synthpipe.stages.base import ModelStage

from .conftest import qa
from .faultserver import FaultServer, Reply


def _ok(i: int) -> Reply:
    return Reply(content=json.dumps(qa(i)))


# One script entry per request, in order: one record at a time is sent, and a retry follows the
# request it repeats. Each candidate's expected end: the file, and the reason or error it carries.
SCRIPT: list[tuple[list[Reply], str, str]] = [
    ([Reply.error(429, "slow down", retry_after="0"), _ok(0)], "accepted", ""),
    ([Reply.error(500), Reply.error(503), _ok(1)], "accepted", ""),
    ([Reply.hanging(), _ok(2)], "accepted", ""),  # times out, then retried
    ([Reply.garbage(), _ok(3)], "accepted", ""),  # an unreadable body is retried
    ([Reply.truncated()], "rejected", "truncated"),
    ([Reply(content="Sure! Here is a record: instruction = ...")], "rejected", "invalid_json"),
    ([Reply(content=json.dumps({"instruction": "What is the return window?"}))], "rejected", "missing_field"),
    ([Reply(content=json.dumps(qa(0)))], "rejected", "duplicate_exact"),  # the same answer as candidate 0
    ([Reply.error(500)] * 3, "failed", "ServerError"),  # max_retries=2: three tries, then failed
    ([Reply.error(400, "bad request")], "failed", "RequestRejected"),  # not retried
    ([Reply.error(429, retry_after="0")] * 3, "failed", "RateLimited"),
]


def _recipe(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "faults.yaml"
    data: dict[str, Any] = {
        "name": "faults",
        "task": "qa",
        "topics": ["returns"],
        "count": len(SCRIPT),
        "models": {
            "generator": {
                "backend": "openai",
                "model": "fault",
                "base_url": url,
                "structured": "json_schema",
                "max_in_flight": 1,
                "max_retries": 2,
                "timeout": 0.5,
            }
        },
    }
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


async def _run(recipe_path: Path, out: Path) -> dict[str, Any]:
    recipe = load_recipe(recipe_path)
    backend = OpenAIBackend(recipe.models["generator"])
    backend.backoff_base = 0.01  # the suite stays fast; the retry path is the same
    return (await synthpipe.arun(recipe, out, backends={"generator": backend})).manifest


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


async def test_every_fault_ends_as_retry_rejection_or_failure_and_rerun_asks_only_for_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One record in the generation stage at a time (normally 4 per request slot, so that another record
    # goes out while one waits out a retry): the script's order is then the order of the requests.
    monkeypatch.setattr(ModelStage, "records_per_slot", 1)
    async with FaultServer() as server:
        for replies, _, _ in SCRIPT:
            server.enqueue(*replies)
        recipe_path, out = _recipe(tmp_path, server.url), tmp_path / "out"
        manifest = await _run(recipe_path, out)

        assert not server.script, "every scripted reply was asked for"
        assert server.count == sum(len(replies) for replies, _, _ in SCRIPT)
        assert manifest["status"] == "complete"
        files = {name: _read(out / f"{name}.jsonl") for name in ("accepted", "rejected", "failed")}
        where: dict[int, tuple[str, dict[str, Any]]] = {}
        for name, records in files.items():
            for rec in records:
                index = rec["meta"]["plan"]["index"]
                assert index not in where, f"candidate {index} written twice"
                where[index] = (name, rec)
        assert sorted(where) == list(range(len(SCRIPT))), "every candidate ends in exactly one file"
        for index, (_, expected, why) in enumerate(SCRIPT):
            name, rec = where[index]
            assert name == expected, (index, name, rec["meta"])
            if expected == "rejected":
                assert why in [r["code"] for r in rec["meta"]["reasons"]], (index, rec["meta"]["reasons"])
            if expected == "failed":
                assert rec["meta"]["error"].startswith(why), (index, rec["meta"]["error"])
        assert where[4][1]["meta"]["raw"].startswith('{"instruction"'), "a truncated answer keeps its text"
        assert where[5][1]["meta"]["raw"].startswith("Sure!"), "unparseable text is kept"
        counts = manifest["counts"]
        assert counts == {"attempted": len(SCRIPT), "accepted": 4, "rejected": 4, "failed": 3}
        assert sum(e["records"] for e in manifest["errors"]) == 3

        # The same run again: the accepted and rejected are done, the failed are asked for once more.
        before = server.count
        server.enqueue(_ok(4), _ok(5), _ok(6))
        again = await _run(recipe_path, out)
        assert server.count - before == 3
        assert again["counts"] == {"attempted": len(SCRIPT), "accepted": 7, "rejected": 4, "failed": 0}
        assert _read(out / "failed.jsonl") == []
