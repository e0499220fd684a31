"""Read any supported data file into records, each keeping its 1-based input line in `meta.line`.

Supported line formats (JSONL, or a JSON array): synthpipe's own records; Alpaca
(instruction/input/output); ShareGPT (`conversations` of from/value); OpenAI chat (`messages` of
role/content); and {text, label}. The format is detected per line, so mixed files work too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from synthpipe.core.errors import InputFileError
from synthpipe.core.records import Meta, Record, stable_hash

_SHAREGPT_ROLES = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "system": "system",
    "chatgpt": "assistant",
    "bot": "assistant",
}


def detect_format(row: dict[str, Any]) -> str:
    if "meta" in row and "id" in row:
        return "synthpipe"
    if "conversations" in row:
        return "sharegpt"
    if "messages" in row:
        return "openai"
    if "instruction" in row or "output" in row:
        return "alpaca"
    if "text" in row:
        return "text_label"
    return "unknown"


def row_to_fields(row: dict[str, Any], fmt: str) -> dict[str, Any]:
    if fmt == "synthpipe":
        return {k: v for k, v in row.items() if k not in ("id", "meta")}
    if fmt == "sharegpt":
        conv = row["conversations"]
        if not isinstance(conv, list):
            return {"messages": conv}
        msgs = []
        for turn in conv:
            if isinstance(turn, dict):
                role = _SHAREGPT_ROLES.get(str(turn.get("from", "")).lower(), str(turn.get("from", "")))
                msgs.append({"role": role, "content": turn.get("value")})
            else:
                msgs.append(turn)
        return {"messages": msgs}
    if fmt == "openai":
        return {"messages": row["messages"]}
    if fmt == "alpaca":
        return {k: row.get(k, "" if k == "input" else None) for k in ("instruction", "input", "output")}
    if fmt == "text_label":
        return {"text": row.get("text"), "label": row.get("label")}
    return dict(row)


def task_of_format(fmt: str) -> str | None:
    return {"sharegpt": "dialogue", "openai": "dialogue", "alpaca": "qa", "text_label": "classify"}.get(fmt)


def read_records(path: str | Path, task: str | None = None) -> Iterator[Record]:
    """Yield one record per non-empty line. A line that is not a JSON object raises InputFileError."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(str(p), "file not found", "check the path")
    with p.open(encoding="utf-8") as fh:
        first = fh.read(1)
        while first and first.isspace():
            first = fh.read(1)
        fh.seek(0)
        if first == "[":
            try:
                rows = json.load(fh)
            except json.JSONDecodeError as exc:
                raise InputFileError(
                    str(p), f"not valid JSON ({exc.msg})", "fix the JSON array", line=exc.lineno
                ) from None
            items: Iterator[tuple[int, Any]] = enumerate(rows, 1)
        else:
            items = _jsonl(p, fh)
        for n, row in items:
            yield _to_record(p, n, row, task)


def _jsonl(p: Path, fh: Any) -> Iterator[tuple[int, Any]]:
    for n, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputFileError(
                str(p), f"not valid JSON ({exc.msg})", "one JSON object per line", line=n
            ) from None


def _to_record(p: Path, n: int, row: Any, task: str | None) -> Record:
    if not isinstance(row, dict):
        raise InputFileError(str(p), "expected a JSON object", "one JSON object per line", line=n)
    fmt = detect_format(row)
    if fmt == "unknown":
        raise InputFileError(
            str(p),
            f"unrecognised record with keys {sorted(row)[:6]}",
            "use instruction/input/output, text/label, messages, or conversations",
            line=n,
        )
    fields = row_to_fields(row, fmt)
    if fmt == "synthpipe":
        meta = Meta.from_json(row["meta"])
        meta.line = n
        if task:
            meta.task = task
        return Record(id=str(row["id"]), fields=fields, meta=meta)
    kind = task or task_of_format(fmt) or "qa"
    rid = "L" + stable_hash({"file": p.name, "line": n, "row": row}, 12)
    return Record(id=rid, fields=fields, meta=Meta(task=kind, origin="input", line=n, extra={"format": fmt}))


def write_jsonl(path: str | Path, records: list[Record]) -> None:
    with Path(path).open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(rec.dumps() + "\n")
