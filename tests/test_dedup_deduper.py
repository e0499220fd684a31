from __future__ import annotations

import pytest

from synthpipe.core.errors import UsageError
from synthpipe.core.records import Meta, Record
from synthpipe.recipe import DedupConfig
from synthpipe.stages.dedup import Deduper, fields_for

ANSWER = (
    "You can return an unused item within 30 days of delivery in its original packaging, and the refund "
    "goes back to the card you paid with within five working days."
)


def qa(rid: str, instruction: str, output: str = ANSWER, line: int | None = None, inp: str = "") -> Record:
    return Record(
        rid, {"instruction": instruction, "input": inp, "output": output}, Meta(task="qa", line=line)
    )


def test_exact_duplicate_after_normalisation_names_the_kept_record() -> None:
    d = Deduper(DedupConfig(), "qa")
    assert d.check(qa("a", "How do I return an item?", line=3)) is None
    dup = qa("b", "how do I RETURN an item", ANSWER.upper() + "!!", line=9)
    reason = d.check(dup)
    assert reason is not None
    assert (reason.code, reason.stage) == ("duplicate_exact", "dedup")
    assert "a (line 3)" in reason.detail
    assert dup.meta.extra["duplicate_of"] == {
        "id": "a",
        "line": 3,
        "code": "duplicate_exact",
        "similarity": 1.0,
    }


def test_near_duplicate_is_caught_and_a_different_record_is_kept() -> None:
    d = Deduper(DedupConfig(), "qa")
    assert d.check(qa("a", "How do I return an item?")) is None
    near = qa("b", "How do I return an item?", ANSWER.replace("five working days", "five business days"))
    reason = d.check(near)
    assert reason is not None and reason.code == "duplicate_near"
    assert near.meta.extra["duplicate_of"]["id"] == "a"
    assert 0.8 <= near.meta.extra["duplicate_of"]["similarity"] < 1
    other = qa(
        "c",
        "Can I change the delivery address after ordering?",
        "Yes, until the parcel leaves the warehouse: open the order and edit the address there.",
    )
    assert d.check(other) is None
    assert len(d) == 2


def test_fields_decide_what_a_duplicate_is() -> None:
    assert fields_for("qa", DedupConfig()) == ("instruction", "output")
    assert fields_for("classify", DedupConfig()) == ("text",)
    assert fields_for("dialogue", DedupConfig()) == ("messages",)
    assert fields_for("qa", DedupConfig(fields=["output"])) == ("output",)
    with pytest.raises(UsageError, match="unknown task"):
        fields_for("poetry", DedupConfig())
    # qa ignores `input`: same instruction and output with another input is a duplicate
    d = Deduper(DedupConfig(methods=["exact"]), "qa")
    assert d.check(qa("a", "Summarise", inp="doc one")) is None
    assert d.check(qa("b", "Summarise", inp="doc two")) is not None
    # and with fields=[instruction, input] it is not
    d = Deduper(DedupConfig(methods=["exact"], fields=["instruction", "input"]), "qa")
    assert d.check(qa("a", "Summarise", inp="doc one")) is None
    assert d.check(qa("b", "Summarise", inp="doc two")) is None


def test_dialogue_uses_every_turn() -> None:
    def dialog(rid: str, last: str) -> Record:
        msgs = [
            {"role": "user", "content": "Hi, my parcel is late."},
            {"role": "assistant", "content": "Sorry to hear that. What is the order number?"},
            {"role": "user", "content": last},
        ]
        return Record(rid, {"messages": msgs}, Meta(task="dialogue"))

    d = Deduper(DedupConfig(methods=["exact"]), "dialogue")
    assert d.check(dialog("a", "It is 12345.")) is None
    assert d.check(dialog("b", "It is 99999.")) is None
    assert d.check(dialog("c", "it is 12345")) is not None


def test_existing_records_are_never_removed_and_are_named_with_their_file() -> None:
    d = Deduper(DedupConfig(), "qa")
    pool = [qa("p1", "How do I return an item?", line=4), qa("p2", "How do I return an item?", line=5)]
    assert d.add_existing(pool, source="pool.jsonl") == 2
    assert len(d) == 1  # the second pool record has the same text: nothing new to index
    rec = qa("n1", "How do I return an item?")
    reason = d.check(rec)
    assert reason is not None and "p1 (pool.jsonl line 4)" in reason.detail
    assert rec.meta.extra["duplicate_of"]["source"] == "pool.jsonl"


def test_a_record_equal_to_a_removed_one_gets_the_same_outcome() -> None:
    d = Deduper(DedupConfig(), "qa")
    d.check(qa("a", "How do I return an item?"))
    near = ANSWER.replace("five working days", "five business days")
    first = qa("b", "How do I return an item?", near)
    second = qa("c", "how do i return an item", near)
    assert d.check(first).code == "duplicate_near"  # type: ignore[union-attr]
    assert d.check(second).code == "duplicate_near"  # type: ignore[union-attr]
    assert second.meta.extra["duplicate_of"] == first.meta.extra["duplicate_of"]


def test_disabled_config_and_exact_only() -> None:
    d = Deduper(DedupConfig(enabled=False), "qa")
    assert d.check(qa("a", "Q")) is None and d.check(qa("b", "Q")) is None
    d = Deduper(DedupConfig(methods=["exact"]), "qa")
    d.check(qa("a", "How do I return an item?"))
    assert d.check(qa("b", "How do I return an item?", ANSWER.replace("five", "5"))) is None


def test_check_many_equals_check_in_order() -> None:
    recs = [qa(str(i), f"How do I return item {i % 3}?") for i in range(9)]
    one = Deduper(DedupConfig(), "qa")
    many = Deduper(DedupConfig(), "qa")
    singles = [one.check(r) for r in recs]
    copies = [qa(r.id, r.fields["instruction"]) for r in recs]
    assert many.check_many(copies) == singles
