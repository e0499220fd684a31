"""One output row per record, for each format, and the task kinds each format can hold.

| task | alpaca | sharegpt / openai |
|---|---|---|
| qa, summarize, rewrite | instruction, input, output | user: instruction + "\\n\\n" + input (input only when not empty); assistant: output |
| classify | instruction: CLASSIFY (+ the label set when the source knows it), input: text, output: label | openai: the same as one user/assistant pair; sharegpt: refused (not a conversation) |
| dialogue | the last user/assistant pair as instruction/output, the earlier pairs as `history` ([[user, assistant], …], LLaMA-Factory's alpaca history); a system turn as `system` | the turns as they are; a system turn first |

`--system TEXT` becomes the system prompt of every record that has none of its own (a dialogue's system
turn wins). A dialogue must be user, assistant, user, …, ending with an assistant turn, after an
optional system turn: trainers (LLaMA-Factory's converter, OpenAI fine-tuning) drop or refuse others,
so an export refuses them, naming the record.

Provenance (`PROVENANCE`) goes with every row where the format has room: under `_meta` in alpaca,
sharegpt and llamafactory rows (trainers ignore unmapped keys), as columns in parquet and hf, and in a
sidecar file for openai, whose loader refuses unknown keys.
"""

from __future__ import annotations

from typing import Any

from synthpipe.core.errors import InputFileError
from synthpipe.core.records import Record

INSTRUCTION = ("qa", "summarize", "rewrite")
HOLDS: dict[str, tuple[str, ...] | None] = {  # None: any kind (its fields become columns)
    "alpaca": (*INSTRUCTION, "classify", "dialogue"),
    "sharegpt": (*INSTRUCTION, "dialogue"),
    "openai": (*INSTRUCTION, "classify", "dialogue"),
    "llamafactory": (*INSTRUCTION, "classify", "dialogue"),
    "parquet": None,
    "hf": None,
}
CLASSIFY = "Classify the text."
PROVENANCE = (
    "id",
    "task",
    "origin",
    "model",
    "recipe",
    "recipe_hash",
    "parent_id",
    "pool_version",
    "split",
    "weight",
)
SHAREGPT_ROLES = {"system": "system", "user": "human", "assistant": "gpt"}


def problem(rec: Record, where: str, text: str, fix: str) -> InputFileError:
    """An error about one record, naming its file and line (or its id where there is no line)."""
    return InputFileError(where, f"record {rec.id}: {text}", fix, line=rec.meta.line)


def check_kind(fmt: str, rec: Record, where: str, first_task: str) -> None:
    holds = HOLDS[fmt]
    if holds is None or rec.task in holds:
        return
    fits = [f for f, h in HOLDS.items() if h is None or rec.task in h]
    mixed = f" (the source mixes {first_task} and {rec.task} records)" if first_task != rec.task else ""
    raise problem(
        rec,
        where,
        f"--format {fmt} cannot hold {rec.task or 'untyped'} records{mixed}",
        f"use --format {', '.join(fits[:-1])} or {fits[-1]}"
        + (", or export each task on its own" if mixed else ""),
    )


def split_of(rec: Record) -> str | None:
    split = rec.meta.extra.get("split")
    return split if split in ("train", "eval") else None


def provenance(rec: Record) -> dict[str, Any]:
    m = rec.meta
    return {
        "id": rec.id,
        "task": m.task,
        "origin": m.origin,
        "model": m.model,
        "recipe": m.recipe,
        "recipe_hash": m.recipe_hash,
        "parent_id": m.parent_id,
        "pool_version": m.pool_version,
        "split": split_of(rec),
        "weight": m.weight,
    }


def text(rec: Record, name: str, where: str, *, optional: bool = False) -> str:
    value = rec.fields.get(name)
    if isinstance(value, str) and (value or optional):
        return value
    if value is None or value == "":
        if optional:
            return ""
        raise problem(rec, where, f"{rec.task} record without `{name}`", f"give every record its {name}")
    raise problem(
        rec, where, f"`{name}` is {type(value).__name__}, not text", f"make {name} a string in every record"
    )


def classify_prompt(labels: list[str]) -> str:
    return f"{CLASSIFY} Labels: {', '.join(labels)}." if labels else CLASSIFY


def join_prompt(instruction: str, input_: str) -> str:
    return f"{instruction}\n\n{input_}" if input_ else instruction


def dialogue(rec: Record, where: str) -> tuple[str | None, list[tuple[str, str]]]:
    """(the system turn or None, the user/assistant turns), or an error naming what is out of order."""
    msgs = rec.fields.get("messages")
    if not isinstance(msgs, list):
        raise problem(
            rec,
            where,
            "`messages` is not a list of {role, content} turns",
            "give every dialogue its messages",
        )
    system: str | None = None
    turns: list[tuple[str, str]] = []
    for i, m in enumerate(msgs):
        if not (isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str)):
            raise problem(
                rec, where, f"messages[{i}] is not a {{role, content}} turn with text content", "fix it"
            )
        role = m["role"]
        if role == "system" and i == 0:
            system = m["content"]
            continue
        due = "user" if len(turns) % 2 == 0 else "assistant"
        if role != due:
            raise problem(
                rec,
                where,
                f"messages[{i}] is a {role!r} turn where a {due!r} turn is due",
                "a dialogue goes user, assistant, user, … after an optional first system turn",
            )
        turns.append((role, m["content"]))
    if not turns or turns[-1][0] != "assistant":
        raise problem(
            rec,
            where,
            "the dialogue does not end with an assistant turn",
            "end it with the assistant's answer",
        )
    return system, turns


def chat(rec: Record, where: str, labels: list[str]) -> tuple[str | None, list[tuple[str, str]]]:
    """Any kind that fits a conversation as (its own system turn, its turns)."""
    if rec.task == "dialogue":
        return dialogue(rec, where)
    if rec.task == "classify":
        prompt = join_prompt(classify_prompt(labels), text(rec, "text", where))
        return None, [("user", prompt), ("assistant", text(rec, "label", where))]
    prompt = join_prompt(text(rec, "instruction", where), text(rec, "input", where, optional=True))
    return None, [("user", prompt), ("assistant", text(rec, "output", where))]


def alpaca_row(rec: Record, where: str, system: str | None, labels: list[str]) -> dict[str, Any]:
    if rec.task == "dialogue":
        own, turns = dialogue(rec, where)
        pairs = [[turns[i][1], turns[i + 1][1]] for i in range(0, len(turns), 2)]
        row: dict[str, Any] = {"instruction": pairs[-1][0], "input": "", "output": pairs[-1][1]}
        system = own or system
    elif rec.task == "classify":
        pairs = []
        row = {
            "instruction": classify_prompt(labels),
            "input": text(rec, "text", where),
            "output": text(rec, "label", where),
        }
    else:
        pairs = []
        row = {
            "instruction": text(rec, "instruction", where),
            "input": text(rec, "input", where, optional=True),
            "output": text(rec, "output", where),
        }
    if system:
        row["system"] = system
    if len(pairs) > 1:
        row["history"] = pairs[:-1]
    row["_meta"] = provenance(rec)
    return row


def sharegpt_row(
    rec: Record, where: str, system: str | None, labels: list[str], *, system_column: bool = False
) -> dict[str, Any]:
    """`conversations` of from/value; the system prompt as the first turn (`from: system`), or with
    `system_column` in a `system` key beside them (the llamafactory layout)."""
    own, turns = chat(rec, where, labels)
    system = own or system
    conv = [{"from": SHAREGPT_ROLES[role], "value": content} for role, content in turns]
    row: dict[str, Any] = {}
    if system and not system_column:
        conv.insert(0, {"from": "system", "value": system})
    row["conversations"] = conv
    if system and system_column:
        row["system"] = system
    row["_meta"] = provenance(rec)
    return row


def openai_row(rec: Record, where: str, system: str | None, labels: list[str]) -> dict[str, Any]:
    own, turns = chat(rec, where, labels)
    system = own or system
    messages = [{"role": "system", "content": system}] if system else []
    messages.extend({"role": role, "content": content} for role, content in turns)
    return {"messages": messages}
