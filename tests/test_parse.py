"""Parsing model text into a task's fields: what is tolerated, and what is rejected with which code."""

from __future__ import annotations

import pytest

from synthpipe.recipe import Recipe
from synthpipe.tasks import ParseError, get_task
from synthpipe.tasks.base import load_json_object


def test_raw_newlines_and_tabs_inside_strings_are_kept() -> None:
    # llama.cpp's JSON grammar allows control characters in strings; the text is still what was meant.
    text = '{"instruction": "Two steps?", "input": "", "output": "First:\n\tcheck the order.\nThen: ship."}'
    fields = get_task("qa").parse(text, Recipe(task="qa"))
    assert fields["output"] == "First:\n\tcheck the order.\nThen: ship."


def test_code_fences_and_prose_around_one_object_are_tolerated() -> None:
    assert load_json_object('Here you go:\n```json\n{"a": "b"}\n```') == {"a": "b"}
    assert load_json_object('Sure! {"a": "b"} Hope that helps.') == {"a": "b"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("no json here", "invalid_json"),
        ('{"instruction": "cut off', "invalid_json"),
        ('["a list"]', "invalid_json"),
        ('{"instruction": "Q?", "input": ""}', "missing_field"),
        ('{"instruction": "Q?", "input": "", "output": 3}', "wrong_type"),
    ],
)
def test_unusable_text_is_rejected_with_its_code(text: str, code: str) -> None:
    with pytest.raises(ParseError) as err:
        get_task("qa").parse(text, Recipe(task="qa"))
    assert err.value.code == code
