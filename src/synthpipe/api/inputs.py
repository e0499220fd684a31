"""What the API functions accept: a recipe as a path, a mapping or a `Recipe`; records as a file path or
as records in memory (dicts in any supported format, or `Record` objects)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

from synthpipe.core.errors import InputFileError, UsageError
from synthpipe.core.records import Record
from synthpipe.recipe import Recipe, load_recipe, parse_recipe

RecipeLike = Recipe | str | Path | dict[str, Any]
RecordsLike = str | Path | Iterable[dict[str, Any] | Record]
CHUNK = 512


def as_recipe(recipe: RecipeLike) -> Recipe:
    if isinstance(recipe, Recipe):
        return recipe
    if isinstance(recipe, dict):
        return parse_recipe(recipe, "<recipe>")
    if isinstance(recipe, str | Path):
        return load_recipe(recipe)
    raise UsageError(f"a recipe is a path, a mapping or a Recipe, not {type(recipe).__name__}")


def check_key_env(name: str | None, option: str) -> None:
    """The same check as a recipe's `api_key_env`: the name of a variable, never the key itself."""
    if not name:
        return
    from pydantic import ValidationError

    from synthpipe.recipe import ModelSpec

    try:
        ModelSpec(api_key_env=name)
    except ValidationError as exc:
        msg = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise UsageError(f"{option}: {msg}") from None


def input_name(data: RecordsLike) -> str:
    return str(data) if isinstance(data, str | Path) else "<records>"


def load_records(data: RecordsLike, task: str | None) -> list[Record]:
    """Every record of `data`. A bad line or row becomes a rejected record; no records at all, or a
    missing or unreadable file, is an error."""
    from synthpipe.sources.files import read_records, to_record

    if isinstance(data, str | Path):
        records = list(read_records(data, task))
        if not records:
            raise InputFileError(
                str(data), "no records in the file", "give a JSONL file with one record per line"
            )
        return records
    if isinstance(data, dict | Record):
        data = [data]
    records = []
    for n, row in enumerate(data, 1):
        if isinstance(row, Record):  # a copy: the caller's objects are not changed behind their back
            rec = Record.from_json(row.to_json())
            rec.meta.line = rec.meta.line or n
            if task:
                rec.meta.task = task
            records.append(rec)
        else:
            records.append(to_record(row, task, n))
    if not records:
        raise UsageError("no records given — pass a file path or a non-empty list of records")
    return records


def infer_task(records: list[Record], task: str | None, where: str) -> str:
    """The task given, else the one kind every readable record has; bad rows get it too."""
    from synthpipe.tasks import get_task, task_names

    if task:
        _require_shape(records, get_task(task), where)  # an unknown task is reported with the known ones
    else:
        kinds = sorted({r.meta.task for r in records if r.meta.task})
        if len(kinds) > 1:
            raise InputFileError(
                where, f"records of several tasks ({', '.join(kinds)})", "say which with --task"
            )
        if not kinds:
            raise InputFileError(
                where, "no readable record", f"check the file, or give --task ({', '.join(task_names())})"
            )
        task = kinds[0]
    for rec in records:
        if not rec.meta.task:
            rec.meta.task = task
    return task


def _require_shape(records: list[Record], kind: Any, where: str) -> None:
    """`--task` that fits none of the records (text/label data checked as qa, dialogues as qa) would
    reject every record as `missing_field`: say what the records look like and which --task fits."""
    from synthpipe.tasks import get_task, kind_of_format, task_names

    readable = [r for r in records if not (r.meta.reasons and r.meta.reasons[0].stage == "read")]
    if not readable or any(all(f in r.fields for f in kind.required) for r in readable):
        return
    shapes: dict[str, int] = {}
    for rec in readable:
        fmt = str(rec.meta.extra.get("format", "synthpipe"))
        shapes[fmt] = shapes.get(fmt, 0) + 1
    fmt = max(shapes, key=shapes.__getitem__)
    first = kind_of_format(fmt)
    fitting = [
        name
        for name in dict.fromkeys([first or "", *task_names()])
        if name and any(all(f in r.fields for f in get_task(name).required) for r in readable)
    ]
    keys = sorted({k for r in readable[:50] for k in r.fields})
    hint = "check the file or --task"
    if fitting:
        hint = f"use --task {fitting[0]}"
        if get_task(fitting[0]).label_field:
            hint += " --labels A,B"
        if len(fitting) > 1:
            hint += f" (or {', '.join(fitting[1:])})"
    raise InputFileError(
        where,
        f"no record has the fields of --task {kind.name} ({', '.join(kind.required)}); "
        f"its records look like {fmt} data with fields {', '.join(keys)}",
        hint,
    )


def forget(records: list[Record], stages: Iterable[str]) -> None:
    """Drop what `stages` said before, so a file checked twice is judged afresh by them; other stages'
    reasons stay (a record rejected as a duplicate stays rejected)."""
    names = set(stages)
    for rec in records:
        if rec.meta.reasons:
            rec.meta.reasons = [r for r in rec.meta.reasons if r.stage not in names]
        if rec.meta.flags:
            rec.meta.flags = [r for r in rec.meta.flags if r.stage not in names]


async def chunks(records: list[Record]) -> AsyncIterator[list[Record]]:
    for i in range(0, len(records), CHUNK):
        yield records[i : i + CHUNK]


def formats(records: list[Record]) -> dict[str, int]:
    out: dict[str, int] = {}
    for rec in records:
        fmt = (
            "invalid"
            if rec.meta.reasons and rec.meta.reasons[0].stage == "read"
            else str(rec.meta.extra.get("format", "synthpipe"))
        )
        out[fmt] = out.get(fmt, 0) + 1
    return out
