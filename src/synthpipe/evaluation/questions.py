"""What `synthpipe eval` asks the served model for each eval record, and what its answer is graded against.

The model is asked what it was trained on: the user turn that `synthpipe export` writes for the record
(`synthpipe.exports.formats`), so a fine-tuned model sees its own training format.

| task | asked | reference |
|---|---|---|
| qa, summarize, rewrite (any kind with prompt and answer fields) | instruction + blank line + input | output |
| classify | `Classify the text. Labels: a, b.` + blank line + text | label (exact match, no judge) |
| dialogue | the conversation up to its last assistant turn, a system turn included | that turn |

The eval records come from a pool's split (`Pool.records(version, split)`), a run directory's
accepted.jsonl or a data file in any supported format.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synthpipe.backends.base import Messages
from synthpipe.core.errors import InputFileError, UsageError
from synthpipe.core.records import Record
from synthpipe.tasks import get_task


@dataclass(slots=True)
class Question:
    messages: Messages  # what the served model is sent
    prompt: str  # what results.jsonl shows: the user text, or a dialogue as `role: content` lines
    reference: str


class Unusable(ValueError):
    """An eval record that cannot be asked (no prompt, no reference): it is reported, never graded."""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def question(rec: Record, labels: Sequence[str]) -> Question:
    """The question and reference of `rec`, or Unusable saying what is missing."""
    from synthpipe.exports.formats import classify_prompt, join_prompt

    kind = get_task(rec.task)
    fields = rec.fields
    if kind.conversation:
        return _dialogue(fields)
    if kind.label_field:
        text = "\n".join(t for _, t in kind.texts(fields))
        label = _text(fields.get(kind.label_field))
        if not text.strip() or not label.strip():
            raise Unusable(f"a {rec.task} record needs its text and its {kind.label_field}")
        prompt = join_prompt(classify_prompt(list(labels)), text)
        return Question([{"role": "user", "content": prompt}], prompt, label)
    parts = [_text(fields.get(f)) for f in kind.prompt_fields]
    prompt = "\n\n".join(p for p in parts if p)
    reference = kind.answer_text(fields)
    if not prompt.strip() or not reference.strip():
        missing = [f for f in (*kind.prompt_fields[:1], *kind.answer_fields) if not _text(fields.get(f))]
        raise Unusable(f"a {rec.task} record needs {' and '.join(missing) or 'a prompt and an answer'}")
    return Question([{"role": "user", "content": prompt}], prompt, reference)


def _dialogue(fields: dict[str, Any]) -> Question:
    msgs = fields.get("messages")
    turns = [m for m in msgs if isinstance(m, dict)] if isinstance(msgs, list) else []
    last = max((i for i, m in enumerate(turns) if m.get("role") == "assistant"), default=-1)
    before = [{"role": str(m.get("role")), "content": _text(m.get("content"))} for m in turns[:last]]
    if last < 0 or not any(m["role"] == "user" for m in before):
        raise Unusable("a dialogue needs a user turn followed by an assistant turn")
    reference = _text(turns[last].get("content"))
    if not reference.strip():
        raise Unusable("the dialogue's last assistant turn is empty")
    shown = "\n".join(f"{m['role']}: {m['content']}" for m in before)
    return Question(before, shown, reference)


def first_prompt_text(task: str, fields: dict[str, Any]) -> str:
    """The words the user wrote first: the instruction, a classify text, a dialogue's first user turn
    (what feedback takes topic phrases and question types from)."""
    kind = get_task(task)
    if kind.conversation:
        msgs = fields.get("messages")
        for m in msgs if isinstance(msgs, list) else []:
            if isinstance(m, dict) and m.get("role") == "user" and isinstance(m.get("content"), str):
                return m["content"]
        return ""
    if kind.label_field:
        return "\n".join(t for _, t in kind.texts(fields))
    for f in kind.prompt_fields:
        if _text(fields.get(f)).strip():
            return fields[f]
    return ""


# --- the eval set ---------------------------------------------------------------------------------------
@dataclass
class EvalSet:
    records: list[Record]
    where: str  # what messages and the manifest name: the pool and split, or the file
    name: str  # a short name for the default output folder
    input: dict[str, Any] = field(default_factory=dict)  # manifest["input"]
    labels: list[str] = field(default_factory=list)  # classify: the label set the model is asked with


def load_eval_set(
    src: str | Path | Iterable[dict[str, Any] | Record] | None,
    pool: str | Path | None,
    split: str | None,
    labels: Sequence[str] = (),
) -> EvalSet:
    """The eval records: a pool's `split` (default eval), or the accepted records of a run directory or a
    data file (with `split`, only its records of that pool split). Every problem is a UsageError."""
    if src is not None and pool is not None:
        raise UsageError(
            "give the eval records once: a pool (--pool DIR) or a data file / run directory, not both"
        )
    if src is None and pool is None:
        raise UsageError(
            "no eval records given — pass --pool DIR (its eval split) or a data file / run directory"
        )
    if split not in (None, "train", "eval", "all"):
        raise UsageError(f"--split {split}: use eval, train or all")
    if pool is not None:
        es = _from_pool(Path(pool), split or "eval")
    elif isinstance(src, str | Path):
        es = _from_source(Path(src), split)
    else:
        es = _in_memory(src, split)
    es.labels = list(dict.fromkeys(labels)) or es.labels or _labels_of(es.records)
    es.input["records"] = len(es.records)
    es.input["tasks"] = _count(r.task for r in es.records)
    return es


def _count(values: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def _labels_of(records: Iterable[Record]) -> list[str]:
    """The labels of the classify records, in order of first appearance."""
    seen: dict[str, None] = {}
    for rec in records:
        kind = get_task(rec.task)
        if kind.label_field and isinstance(rec.fields.get(kind.label_field), str):
            seen[rec.fields[kind.label_field]] = None
    return list(seen)


def _from_pool(directory: Path, split: str) -> EvalSet:
    from synthpipe.pool import Pool

    pool = Pool(directory)
    info = pool.show()
    version = int(info["version"])
    if split != "all" and not info.get("split_settings"):
        raise UsageError(
            f"{directory}: the pool has no train/eval split, so no eval split to evaluate on — run "
            f"`synthpipe pool split --pool {directory} --eval 0.1` first (or give --split all)"
        )
    records = [r for r in pool.records(version, split)]
    if not records:
        raise UsageError(
            f"{directory}: the {split} split of version {version} holds no records — add records "
            f"(`synthpipe pool add RUN --pool {directory}`) or give a larger --eval share to the split"
        )
    # The whole pool's labels: an eval split may hold only some of them, and the model was trained on all.
    labeled = any(get_task(r.task).label_field for r in records)
    labels = _labels_of(pool.records(version, "all")) if labeled else []
    return EvalSet(
        records,
        f"{directory} ({split} split, version {version})",
        directory.resolve().name or "pool",
        {"pool": str(directory), "version": version, "split": split},
        labels,
    )


def _from_source(path: Path, split: str | None) -> EvalSet:
    from synthpipe.reviews import run_records  # a run's records as its review left them
    from synthpipe.sources.files import read_records

    labels: list[str] = []
    if path.is_dir():
        data = path / "accepted.jsonl"
        if not data.is_file():
            raise InputFileError(
                str(path),
                "is a folder without accepted.jsonl, so not a run directory",
                "give a run directory, a data file, or --pool DIR for a pool",
            )
        labels = _run_labels(path)
    elif path.is_file():
        data = path
    else:
        raise InputFileError(str(path), "not found", "give a data file, a run directory, or --pool DIR")
    records: list[Record] = []
    for rec in run_records(path) if path.is_dir() else read_records(data):
        if rec.meta.reasons and rec.meta.reasons[0].stage == "read":
            detail = rec.meta.reasons[0].detail.split(": ", 1)[-1]
            raise InputFileError(str(data), detail, "fix or remove that line", line=rec.meta.line)
        records.append(rec)
    name = path.resolve().name if path.is_dir() else path.name.split(".")[0]
    return _accepted(records, split, str(data), name or "records", {"file": str(data)}, labels)


def _accepted(
    records: list[Record], split: str | None, where: str, name: str, info: dict[str, Any], labels: list[str]
) -> EvalSet:
    """The accepted records (a rejected or failed one is no eval case), of `split` when given."""
    records = [r for r in records if not (r.meta.reasons or r.meta.error)]
    if split not in (None, "all"):
        if not any("split" in r.meta.extra for r in records):
            raise UsageError(
                f"--split {split}: {where} has no pool splits — splits exist only in a pool (--pool DIR); "
                "leave --split out to evaluate on the whole file"
            )
        records = [r for r in records if r.meta.extra.get("split") == split]
    if not records:
        what = f"no {split} records" if split not in (None, "all") else "no records to evaluate"
        raise InputFileError(where, what, "give at least one accepted record")
    return EvalSet(records, where, name, info, labels)


def _in_memory(rows: Iterable[dict[str, Any] | Record], split: str | None) -> EvalSet:
    from synthpipe.api.inputs import load_records

    records = load_records(rows, None)  # copies: the caller's records are left as they are
    for rec in records:
        if rec.meta.reasons and rec.meta.reasons[0].stage == "read":
            raise UsageError(f"record {rec.meta.line}: {rec.meta.reasons[0].detail.split(': ', 1)[-1]}")
    return _accepted(records, split, "<records>", "records", {"file": "<records>"}, [])


def _run_labels(path: Path) -> list[str]:
    """A run directory's label set, from its recipe identity (as `synthpipe export` takes it)."""
    import json

    try:
        identity = json.loads((path / "run.json").read_text(encoding="utf-8")).get("identity") or {}
    except (OSError, ValueError, AttributeError):
        return []
    labels = identity.get("labels")
    return [str(x) for x in labels] if isinstance(labels, list) else []
