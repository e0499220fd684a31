"""Task kinds: one `TaskKind` object per kind of record, in one registry.

get_task("qa")            the kind, or a UsageError naming the known ones
register(TaskKind(...))   a new kind for check, dedup, judge and recipes
"""

from __future__ import annotations

from synthpipe.core.errors import UsageError
from synthpipe.tasks.base import ParseError, TaskKind, load_json_object
from synthpipe.tasks.classify import CLASSIFY
from synthpipe.tasks.dialogue import DIALOGUE
from synthpipe.tasks.instruction import QA, REWRITE, SUMMARIZE

_KINDS: dict[str, TaskKind] = {k.name: k for k in (QA, SUMMARIZE, REWRITE, CLASSIFY, DIALOGUE)}

__all__ = ["ParseError", "TaskKind", "get_task", "load_json_object", "register", "task_names", "unregister"]


def task_names() -> tuple[str, ...]:
    return tuple(_KINDS)


def get_task(name: str) -> TaskKind:
    kind = _KINDS.get(name)
    if kind is None:
        raise UsageError(f"unknown task {name!r} — use one of {', '.join(_KINDS)}")
    return kind


def register(kind: TaskKind) -> TaskKind:
    """Add a kind (or replace one of the same name); returns it."""
    if not kind.name.isidentifier():
        raise UsageError(f"task name {kind.name!r}: use letters, digits and underscores")
    missing = [f for f in (*kind.required, *kind.prompt_fields, *kind.answer_fields) if f not in kind.fields]
    if missing:
        raise UsageError(f"task {kind.name!r}: {', '.join(missing)} not among its fields {kind.fields}")
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    _KINDS.pop(name, None)


def kind_of_format(fmt: str) -> str | None:
    """The kind a file format holds when no task is given (Alpaca rows are qa)."""
    return next((k.name for k in _KINDS.values() if fmt in k.formats), None)
