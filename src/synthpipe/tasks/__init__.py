"""One module per task kind: its JSON schema and its parser. `get_task(name)` returns the spec."""

from __future__ import annotations

from synthpipe.tasks.base import ParseError, TaskSpec
from synthpipe.tasks.classify import CLASSIFY
from synthpipe.tasks.dialogue import DIALOGUE
from synthpipe.tasks.instruction import QA, REWRITE, SUMMARIZE

_SPECS: dict[str, TaskSpec] = {s.name: s for s in (QA, SUMMARIZE, REWRITE, CLASSIFY, DIALOGUE)}

__all__ = ["ParseError", "TaskSpec", "get_task"]


def get_task(name: str) -> TaskSpec:
    return _SPECS[name]
