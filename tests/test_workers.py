"""Rule checks and grounding in worker processes decide exactly what they decide in the main process."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

import synthpipe
from synthpipe.backends.fake import FakeBackend
from synthpipe.engine import workers as workers_mod

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="worker processes fork (Linux)")
DATA = Path(__file__).resolve().parents[1] / "bench" / "data" / "rules_labelled.jsonl"
SOURCE = (
    "Returns are accepted within 30 days of delivery. Refunds take 5 business days. Gold members ship free."
)


def corpus_qa() -> list[dict]:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    return [r["record"] for r in rows if r["task"] == "qa"]


def decisions(result: synthpipe.Result) -> list[tuple]:
    out = []
    for rec in result.accepted + result.rejected + result.failed:
        m = rec.meta
        out.append(
            (
                rec.id,
                json.dumps(rec.fields, sort_keys=True, ensure_ascii=False),
                [(r.code, r.detail, r.stage) for r in m.reasons],
                [(r.code, r.detail, r.stage) for r in m.flags],
                json.dumps(m.scores, sort_keys=True),
                m.error,
            )
        )
    return sorted(out)


def test_check_in_workers_equals_check_in_process() -> None:
    rows = corpus_qa()
    assert len(rows) > 200
    here = synthpipe.check(rows, task="qa", workers=0)
    there = synthpipe.check(rows, task="qa", workers=1)
    assert there.manifest["stages"]["rules"]["workers"] == 1
    assert "workers" not in here.manifest["stages"]["rules"]
    assert decisions(here) == decisions(there)
    assert here.counts == there.counts and here.counts["rejected"] > 50


def test_a_run_in_workers_equals_a_run_in_process(write_recipe) -> None:
    rows = corpus_qa()[:150]
    _, recipe = write_recipe(count=len(rows), sources=[{"text": SOURCE}])
    here = synthpipe.run(recipe, backends={"generator": FakeBackend(list(rows))}, workers=0)
    there = synthpipe.run(recipe, backends={"generator": FakeBackend(list(rows))}, workers=1)
    assert list(there.manifest["stages"])[:4] == ["generate", "parse", "rules", "ground"]
    assert there.manifest["stages"]["ground"]["workers"] == 1
    assert decisions(here) == decisions(there)
    assert any(r.meta.flags for r in here.accepted)  # grounding had something to say


def test_a_worker_that_dies_leaves_the_stage_to_the_main_process(monkeypatch) -> None:
    from synthpipe.stages.rules import RulesStage

    rows = corpus_qa()
    parent, real = os.getpid(), RulesStage.apply

    def dying(self, rec):
        if os.getpid() != parent and "退款" in json.dumps(rec.fields, ensure_ascii=False):
            os._exit(1)  # in the worker only: the pool breaks
        return real(self, rec)

    monkeypatch.setattr(RulesStage, "apply", dying)  # forked workers inherit the patch
    there = synthpipe.check(rows, task="qa", workers=1)
    assert "workers_broke" in there.manifest["stages"]["rules"]
    here = synthpipe.check(rows, task="qa", workers=0)
    assert decisions(here) == decisions(there)


def test_workers_start_only_when_they_pay_and_it_is_safe(monkeypatch) -> None:
    monkeypatch.setattr(workers_mod.threading, "active_count", lambda: 1)  # the suite may run threads
    monkeypatch.setattr(workers_mod.os, "cpu_count", lambda: 8)
    assert workers_mod.default_workers(100) == 0
    assert workers_mod.default_workers(50_000) == 4
    monkeypatch.setattr(workers_mod.os, "cpu_count", lambda: 1)
    assert workers_mod.default_workers(50_000) == 0
    monkeypatch.setattr(workers_mod.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(workers_mod.threading, "active_count", lambda: 2)
    assert workers_mod.default_workers(50_000) == 0  # another thread runs: no fork
    monkeypatch.setattr(workers_mod.threading, "active_count", lambda: 1)
    assert workers_mod.default_workers(50_000) == 2  # 2 cores: 2 workers share them with the main process
    monkeypatch.setattr(workers_mod.os, "cpu_count", lambda: 4)
    assert workers_mod.default_workers(50_000) == 3
