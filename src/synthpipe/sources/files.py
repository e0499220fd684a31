"""Read any supported data file into records, each keeping its 1-based input line in `meta.line`.

Supported line formats (JSONL, or a JSON array): synthpipe's own records; Alpaca
(instruction/input/output); ShareGPT (`conversations` of from/value); OpenAI chat (`messages` of
role/content); {text, label}; and the plain fields of the task given (a registered kind). The format is
detected per line, so mixed files work too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from synthpipe.core.errors import InputFileError
from synthpipe.core.records import Meta, Reason, Record, stable_hash

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
    if fmt == "fields":  # the fields of the task given: a kind of its own
        return {k: v for k, v in row.items() if k not in ("id", "meta")}
    return dict(row)


STAGE = "read"


def _loads(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return json.loads(line)  # what orjson refuses but JSON readers accept: NaN, huge integers


def read_records(path: str | Path, task: str | None = None, *, strict: bool = False) -> Iterator[Record]:
    """Yield one record per non-empty line (or array item), each with its 1-based line in `meta.line`.

    A line that is not JSON, or not a record of a known shape, becomes a rejected record
    (`invalid_json`, `unrecognised_record`, stage "read") that keeps its line and raw text, so one bad
    line costs that line only; with `strict` it raises InputFileError instead (for reference files). A
    missing or unreadable file, or one that is not UTF-8 from its first line, always raises."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(str(p), "file not found" if not p.exists() else "not a file", "check the path")
    try:
        fh = p.open("rb")
    except OSError as exc:
        raise InputFileError(str(p), f"cannot be read ({exc.strerror})", "check its permissions") from None
    with fh:
        yield from _read_open(fh, p, task, strict)


def _first_byte(fh: BinaryIO) -> bytes:
    """The first non-whitespace byte of the file (past a UTF-8 BOM); the file is left at its start."""
    while chunk := fh.read(1 << 16):
        chunk = chunk.lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()
        if chunk:
            fh.seek(0)
            return chunk[:1]
    fh.seek(0)
    return b""


def _read_open(fh: BinaryIO, p: Path, task: str | None, strict: bool) -> Iterator[Record]:
    # JSONL is read line by line (memory stays flat for any size); a JSON array is parsed whole
    if _first_byte(fh) == b"[":
        data = fh.read()
        try:
            rows = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InputFileError(
                str(p), f"not valid JSON ({exc.msg})", "fix the JSON array", line=exc.lineno
            ) from None
        except UnicodeDecodeError as exc:
            raise InputFileError(str(p), f"not UTF-8 text ({exc.reason})", "save it as UTF-8") from None
        for n, row in enumerate(rows, 1):
            yield to_record(row, task, n, p.name, strict=strict, where=str(p))
        return
    read_one = False
    for n, line in enumerate(fh, 1):
        line = line.removesuffix(b"\n")
        if not line.strip():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            if strict or not read_one:
                raise InputFileError(
                    str(p), f"not UTF-8 text ({exc.reason})", "save it as UTF-8", line=n
                ) from None
            yield _bad(
                task, n, p.name, line.decode("utf-8", "replace"), "invalid_json", f"line {n}: not UTF-8 text"
            )
            continue
        read_one = True
        try:
            row = _loads(line)
        except json.JSONDecodeError as exc:
            if strict:
                raise InputFileError(
                    str(p), f"not valid JSON ({exc.msg})", "one JSON object per line", line=n
                ) from None
            yield _bad(task, n, p.name, text, "invalid_json", f"line {n}: not valid JSON ({exc.msg})")
            continue
        yield to_record(row, task, n, p.name, strict=strict, where=str(p), raw=text)


def _bad(task: str | None, n: int, name: str, raw: str, code: str, detail: str) -> Record:
    raw = raw.rstrip("\n")
    meta = Meta(task=task or "", origin="input", line=n, raw=raw[:4000])
    meta.reasons.append(Reason(code, detail, STAGE))
    return Record(id="L" + stable_hash({"file": name, "line": n, "raw": raw}, 12), fields={}, meta=meta)


def to_record(
    row: Any,
    task: str | None,
    n: int,
    name: str = "<records>",
    *,
    strict: bool = False,
    where: str = "<records>",
    raw: str | None = None,
) -> Record:
    """One input row (a parsed JSON value) as a record; item `n` (1-based) of source `name`."""
    problem = ""
    fmt = detect_format(row) if isinstance(row, dict) else ""
    if not isinstance(row, dict):
        problem = f"expected a JSON object, got {type(row).__name__}"
    elif fmt == "unknown" and task:
        from synthpipe.tasks import get_task

        if any(f in row for f in get_task(task).fields):
            fmt = "fields"
    if not problem and fmt == "unknown":
        problem = (
            f"unrecognised record with keys {sorted(row)[:6]}: use instruction/input/output, "
            "text/label, messages, conversations, or the fields of --task"
        )
    meta = None
    if not problem and fmt == "synthpipe":
        try:
            meta = Meta.from_json(row["meta"])
        except (TypeError, ValueError, AttributeError) as exc:
            problem = f"meta is not a synthpipe meta object ({exc})"
    if problem:
        if strict:
            raise InputFileError(where, problem, "one record (a JSON object) per line", line=n)
        text = raw if raw is not None else json.dumps(row, ensure_ascii=False, default=str)
        return _bad(task, n, name, text, "unrecognised_record", f"line {n}: {problem}")
    fields = row_to_fields(row, fmt)
    if meta is not None:
        meta.line = n
        if task:
            meta.task = task
        return Record(id=str(row["id"]), fields=fields, meta=meta)
    from synthpipe.tasks import kind_of_format

    kind = task or kind_of_format(fmt) or "qa"
    rid = "L" + stable_hash({"file": name, "line": n, "row": row}, 12)
    return Record(id=rid, fields=fields, meta=Meta(task=kind, origin="input", line=n, extra={"format": fmt}))
