"""A task kind is one object in one registry: a new kind registered here works with check and dedup, in
the API and on the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import synthpipe
from synthpipe.core.records import Reason
from synthpipe.tasks import get_task, unregister

pytest.importorskip("numpy")


def no_numbers_lost(doc, checker) -> list[Reason]:
    """A rule of the toy kind: every number in the term appears in its definition."""
    src, tgt = doc.fields.get("term"), doc.fields.get("definition")
    if not isinstance(src, str) or not isinstance(tgt, str):
        return []
    lost = [ch for ch in src if ch.isdigit() and ch not in tgt]
    return [Reason("number_lost", f"definition drops {''.join(lost)}", "rules")] if lost else []


@pytest.fixture
def glossary() -> Iterator[synthpipe.TaskKind]:
    kind = synthpipe.register_task(
        synthpipe.TaskKind(
            "glossary",
            fields=("term", "definition", "note"),
            required=("term", "definition"),
            prompt_fields=("term",),
            answer_fields=("definition",),
            description="a term and its definition",
            rules=(no_numbers_lost,),
            extra_codes={"number_lost": "a number in the term is missing from the definition"},
        )
    )
    yield kind
    unregister("glossary")


ROWS = [
    {"term": "Return policy", "definition": "The rules under which a customer may send an item back."},
    {"term": "7-day return", "definition": "A return accepted within a week of delivery, no reason asked."},
    {
        "term": "Member points",
        "definition": "Points earned per purchase, spent as credit.",
        "note": "loyalty",
    },
    {"term": "member points", "definition": "Points earned per purchase; spent as credit!"},
    {"term": "Shipping insurance", "definition": ""},
    {"term": "Warranty", "definition": 12},
]


def test_a_registered_kind_is_known_everywhere(glossary) -> None:
    assert "glossary" in synthpipe.task_names() and get_task("glossary") is glossary
    assert glossary.optional == ("note",) and glossary.dedup_keys == ("term", "definition")
    with pytest.raises(synthpipe.UsageError, match="unknown task 'glosary' — use one of .*glossary"):
        get_task("glosary")


def test_check_runs_the_common_rules_and_the_kind_s_own(glossary) -> None:
    result = synthpipe.check(ROWS, task="glossary", language="en")
    codes = {r.meta.line: sorted(x.code for x in r.meta.reasons) for r in result.rejected}
    assert codes == {2: ["number_lost"], 5: ["empty_field"], 6: ["wrong_type"]}
    assert [r.meta.line for r in result.accepted] == [1, 3, 4]
    assert result.manifest["stages"]["rules"]["reasons"]["number_lost"] == {"records": 1, "occurrences": 1}
    off = synthpipe.check(ROWS, task="glossary", disable=["number_lost"])
    assert 2 in [r.meta.line for r in off.accepted]


def test_dedup_uses_the_kind_s_fields(glossary) -> None:
    result = synthpipe.dedup(ROWS, task="glossary")
    (dup,) = result.rejected
    assert dup.meta.line == 4 and dup.meta.reasons[0].code == "duplicate_exact"
    assert result.manifest["stages"]["dedup"]["fields"] == ["term", "definition"]


def test_the_command_line_takes_the_kind_too(glossary, tmp_path: Path) -> None:
    from synthpipe.cli import cli

    data = tmp_path / "g.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8")
    res = CliRunner().invoke(cli, ["check", str(data), "--task", "glossary", "--out", str(tmp_path / "c")])
    assert res.exit_code == 0 and "3 accepted, 3 rejected" in res.output, res.output
    res = CliRunner().invoke(cli, ["dedup", str(data), "--task", "glossary", "--out", str(tmp_path / "d")])
    assert res.exit_code == 0 and "5 accepted, 1 rejected" in res.output, res.output


def test_a_kind_whose_fields_do_not_add_up_is_refused() -> None:
    with pytest.raises(synthpipe.UsageError, match="answer not among its fields"):
        synthpipe.register_task(
            synthpipe.TaskKind(
                "broken", fields=("question",), required=("question",), answer_fields=("answer",)
            )
        )
