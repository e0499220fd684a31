"""The engine and the one stage shape: routing, derived records, errors, batching, concurrency."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from synthpipe.core.errors import RecipeError, ServerError
from synthpipe.core.records import Meta, Reason, Record
from synthpipe.engine.engine import Engine
from synthpipe.engine.presets import PRESETS, build_stages, run_stage_names
from synthpipe.sinks import MemorySink
from synthpipe.stages.base import ModelStage, RecordStage, Stage, StageContext


def recs(n: int) -> list[Record]:
    return [Record(f"r{i}", {"n": i}, Meta(task="qa", line=i + 1)) for i in range(n)]


async def source(records: list[Record], chunk: int = 3):
    for i in range(0, len(records), chunk):
        yield records[i : i + chunk]


def run(stages: list[Stage], records: list[Record], chunk: int = 3) -> MemorySink:
    sink = MemorySink()
    asyncio.run(Engine(stages, sink).run(source(records, chunk)))
    return sink


class Odd(RecordStage):
    name = "odd"

    def apply(self, rec: Record) -> None:
        if rec.fields["n"] % 2:
            self.reject(rec, "odd", f"{rec.fields['n']} is odd")
        else:
            self.flag(rec, "even")


class Twice(RecordStage):
    """Emits two children per record, as augmentation will."""

    name = "twice"

    def apply(self, rec: Record) -> list[Record]:
        return [self.derive(rec, {"n": rec.fields["n"] * 10 + k}, "twice", k) for k in (1, 2)]


class Seen(Stage):
    name = "seen"

    def __init__(self, batch_size: int | None = 256, max_wait: float = 0.0) -> None:
        self.batch_size, self.max_wait = batch_size, max_wait
        self.batches: list[list[int]] = []

    async def process(self, records: list[Record]) -> list[Record]:
        self.batches.append([r.fields["n"] for r in records])
        return records


def test_each_record_ends_in_exactly_one_outcome_with_the_stage_named() -> None:
    sink = run([Odd(), Seen()], recs(7))
    assert sorted(r.fields["n"] for r in sink.records("accepted")) == [0, 2, 4, 6]
    assert sorted(r.fields["n"] for r in sink.records("rejected")) == [1, 3, 5]
    rejected = sink.records("rejected")[0]
    assert rejected.meta.reasons[0].stage == "odd" and rejected.meta.reasons[0].code == "odd"
    assert all(r.meta.flags[0].code == "even" for r in sink.records("accepted"))


def test_a_rejected_record_is_not_shown_to_later_stages() -> None:
    seen = Seen()
    run([Odd(), seen], recs(6))
    assert sorted(n for b in seen.batches for n in b) == [0, 2, 4]


def test_derived_records_carry_their_parent_and_go_on_through_the_later_stages() -> None:
    seen = Seen()
    engine_sink = MemorySink()
    engine = Engine([Twice(), Odd(), seen], engine_sink)
    asyncio.run(engine.run(source(recs(2))))
    accepted = {r.fields["n"]: r for r in engine_sink.records("accepted")}
    assert sorted(accepted) == [0, 2, 12]  # 1, 11 and 21 are odd
    child = accepted[12]
    assert child.meta.parent_id == "r1" and child.meta.origin == "augmented:twice"
    again = Twice().derive(Record("r1", {}, Meta(task="qa")), {}, "twice", 2)
    assert child.id == again.id  # from the parent, the method and the index: stable across runs
    assert engine.stats["twice"].emitted == 4 and engine.stats["odd"].records_in == 6


def test_an_exception_fails_the_batch_it_was_given_and_the_run_goes_on() -> None:
    class Flaky(RecordStage):
        name = "flaky"

        def apply(self, rec: Record) -> None:
            if rec.fields["n"] == 2:
                raise RuntimeError("bug")

    class Remote(ModelStage):
        name = "remote"

        async def apply(self, rec: Record) -> None:
            if rec.fields["n"] == 3:
                raise ServerError("HTTP 503 after 6 tries")

    class Flaky1(Flaky):
        batch_size = 1

    sink = run([Flaky1(), Remote()], recs(5))
    failed = {r.fields["n"]: r.meta for r in sink.records("failed")}
    assert set(failed) == {2, 3}
    assert failed[2].error.startswith("internal error in stage flaky: RuntimeError: bug")
    assert failed[2].extra["failed_stage"] == "flaky" and "traceback" in failed[2].extra
    assert (
        failed[3].error == "ServerError: HTTP 503 after 6 tries"
        and failed[3].extra["failed_stage"] == "remote"
    )
    assert len(sink.records("accepted")) == 3


def test_a_stage_that_drops_a_record_fails_it_instead_of_losing_it() -> None:
    class Dropper(Stage):
        name = "dropper"

        async def process(self, records: list[Record]) -> list[Record]:
            return [r for r in records if r.fields["n"] != 1]

    sink = run([Dropper()], recs(3))
    (lost,) = sink.records("failed")
    assert lost.fields["n"] == 1 and "did not return the record" in lost.meta.error


def test_batches_follow_the_stage_size_and_a_whole_stream_stage_sees_everything_at_once() -> None:
    small, whole = Seen(batch_size=2), Seen(batch_size=None)
    run([small, whole], recs(7), chunk=7)
    assert all(len(b) <= 2 for b in small.batches) and sum(map(len, small.batches)) == 7
    assert len(whole.batches) == 1 and sorted(whole.batches[0]) == list(range(7))


def test_a_batch_stage_waits_for_a_fuller_batch_up_to_max_wait() -> None:
    class Slow(ModelStage):  # hands records on one at a time, as answers arrive
        name = "slow"
        concurrency = 4

        async def apply(self, rec: Record) -> None:
            await asyncio.sleep(0.002 * rec.fields["n"])

    patient, eager = Seen(batch_size=100, max_wait=1.0), Seen(batch_size=100, max_wait=0.0)
    run([Slow(), patient], recs(12), chunk=12)
    run([Slow(), eager], recs(12), chunk=12)
    assert len(patient.batches) == 1  # the stream ended inside the wait: one batch of all 12
    assert len(eager.batches) > 1


def test_concurrency_bounds_the_calls_in_flight() -> None:
    class Gauge(ModelStage):
        name = "gauge"
        concurrency = 3
        now = peak = 0

        async def apply(self, rec: Record) -> None:
            Gauge.now += 1
            Gauge.peak = max(Gauge.peak, Gauge.now)
            await asyncio.sleep(0.005)
            Gauge.now -= 1

    run([Gauge()], recs(20), chunk=20)
    assert Gauge.peak == 3


def test_no_stages_accepts_every_readable_record() -> None:
    rows = recs(3)
    rows[1].meta.reasons.append(Reason("invalid_json", "line 2", "read"))
    sink = run([], rows)
    assert len(sink.records("accepted")) == 2 and len(sink.records("rejected")) == 1


def test_presets_are_lists_of_names_and_a_recipe_may_reorder_run(write_recipe) -> None:
    assert PRESETS["check"] == ("rules",) and PRESETS["dedup"] == ("dedup",)
    _, recipe = write_recipe(sources=[{"text": "Returns within 30 days."}])
    assert [s.name for s in build_stages(run_stage_names(recipe), recipe)] == [
        "generate",
        "parse",
        "rules",
        "ground",
        "dedup",
        "sample",
    ]
    _, custom = write_recipe(stages=["generate", "parse", "dedup", "rules"])
    assert [s.name for s in build_stages(run_stage_names(custom), custom)] == [
        "generate",
        "parse",
        "dedup",
        "rules",
    ]


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        (["generate", "parse", "rulez"], "stages[2]: unknown stage 'rulez'"),
        (["parse", "generate"], "a run starts with generate, parse"),
        (["generate", "parse", "sample", "rules"], "the review sample must be the last stage"),
        (["generate", "parse", "rules", "rules"], "listed twice"),
    ],
)
def test_a_bad_stage_list_names_the_problem(write_recipe, stages: list[str], message: str) -> None:
    _, recipe = write_recipe(stages=stages)
    with pytest.raises(RecipeError, match=re.escape(message)):
        run_stage_names(recipe)


def test_the_review_sample_is_the_same_however_records_arrive() -> None:
    from synthpipe.stages.sample import ReviewSample

    def sample(order: list[int], earlier: tuple[Any, ...] = ()) -> list[str]:
        stage = ReviewSample(5, seed=3)
        all_recs = recs(40)
        asyncio.run(stage.open(StageContext(earlier=list(earlier))))
        asyncio.run(stage.process([all_recs[i] for i in order]))
        return [r.id for r in stage.sample]

    forward = sample(list(range(40)))
    assert len(forward) == 5
    assert sample(list(reversed(range(40)))) == forward
    first_half = recs(40)[:20]  # accepted by an earlier, interrupted run
    assert sample(list(range(20, 40)), tuple(first_half)) == forward


def test_a_setup_error_found_on_first_use_stops_the_run_with_its_message() -> None:
    from synthpipe.core.errors import MissingDependencyError

    class NeedsExtra(Stage):
        name = "needs_extra"

        async def process(self, records: list[Record]) -> list[Record]:
            raise MissingDependencyError("embedding dedup", "embed")

    with pytest.raises(MissingDependencyError, match=r"pip install 'synthpipe\[embed\]'"):
        run([NeedsExtra()], recs(3))


class Cached(ModelStage):
    """Even records are 'cached' (decided at once), odd ones go through process; 4 raises in decide_now."""

    name = "cached"
    concurrency = 4

    def __init__(self) -> None:
        self.now: list[str] = []
        self.awaited: list[str] = []

    def decide_now(self, rec: Record) -> bool:
        n = int(rec.id[1:])
        if n == 4:
            raise RuntimeError("decide_now broke")
        if n % 2 == 0:
            self.now.append(rec.id)
            rec.meta.extra["how"] = "now"
            return True
        return False

    async def apply(self, rec: Record) -> None:
        await asyncio.sleep(0)
        self.awaited.append(rec.id)
        rec.meta.extra["how"] = "awaited"


def test_records_a_stage_decides_at_once_skip_the_call_and_still_go_on() -> None:
    stage, seen = Cached(), Seen()
    sink = run([stage, seen], recs(10), chunk=4)
    accepted = sink.records("accepted")
    assert sorted(r.id for r in accepted) == sorted(r.id for r in recs(10))
    assert sorted(stage.now) == ["r0", "r2", "r6", "r8"]
    # r4's decide_now raised: the usual path decided it instead
    assert sorted(stage.awaited) == ["r1", "r3", "r4", "r5", "r7", "r9"]
    assert {r.id: r.meta.extra["how"] for r in accepted}["r4"] == "awaited"
    assert sum(len(b) for b in seen.batches) == 10
