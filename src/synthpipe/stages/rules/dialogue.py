"""Dialogue rules: roles, turn order, rounds, filler turns, self-talk and echoed turns.

A dialogue is `messages: [{role, content}, …]` with roles user/assistant, an optional system turn
first, starting with the user, strictly alternating and ending with the assistant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synthpipe.core.records import Reason
from synthpipe.lang import is_blank
from synthpipe.stages.rules.text import is_filler_compact, repeats_compact, self_talk
from synthpipe.tasks.dialogue import turns

__all__ = ["turns"]  # the Doc reads turns from here

if TYPE_CHECKING:
    from synthpipe.stages.rules import RuleChecker
    from synthpipe.stages.rules.doc import Doc

STAGE = "rules"
ROLES = ("user", "assistant", "system")


def _reason(code: str, detail: str) -> Reason:
    return Reason(code, detail, STAGE)


def conversation(fields: dict[str, Any]) -> list[tuple[int, str]]:
    """(index, role) of the user and assistant turns, in order; other turns are left out."""
    msgs = fields.get("messages")
    if not isinstance(msgs, list):
        return []
    return [
        (i, m["role"])
        for i, m in enumerate(msgs)
        if isinstance(m, dict) and m.get("role") in ("user", "assistant")
    ]


def unknown_roles(msgs: list[Any]) -> bool:
    return any(isinstance(m, dict) and m.get("role") not in ROLES for m in msgs)


def rule_structure(doc: Doc, ck: RuleChecker) -> list[Reason]:
    msgs = doc.fields.get("messages")
    if msgs is None:
        return [_reason("missing_field", "messages: required for dialogue")]
    if not isinstance(msgs, list):
        return [_reason("wrong_type", f"messages: expected a list of turns, got {type(msgs).__name__}")]
    if not msgs:
        return [_reason("empty_field", "messages: no turns")]
    out: list[Reason] = []
    for i, turn in enumerate(msgs):
        where = f"messages[{i}]"
        if not isinstance(turn, dict):
            out.append(_reason("wrong_type", f"{where}: expected an object with role and content"))
            continue
        role, content = turn.get("role"), turn.get("content")
        if role is None:
            out.append(_reason("missing_field", f"{where}.role: missing"))
        elif not isinstance(role, str):
            out.append(_reason("wrong_type", f"{where}.role: expected a string, got {type(role).__name__}"))
        elif role not in ROLES:
            out.append(_reason("bad_role", f"{where}: role {role[:20]!r}, expected user or assistant"))
        if content is None:
            out.append(_reason("missing_field", f"{where}.content: missing"))
        elif not isinstance(content, str):
            out.append(
                _reason("wrong_type", f"{where}.content: expected a string, got {type(content).__name__}")
            )
        elif is_blank(content):
            out.append(_reason("empty_turn", f"{where}: empty turn"))
    return out


def rule_turn_order(doc: Doc, ck: RuleChecker) -> list[Reason]:
    fields = doc.fields
    msgs = fields.get("messages")
    if not isinstance(msgs, list):
        return []
    out: list[Reason] = []
    late_system = [
        i for i, m in enumerate(msgs) if i > 0 and isinstance(m, dict) and m.get("role") == "system"
    ]
    if late_system:
        out.append(_reason("bad_role", f"messages[{late_system[0]}]: a system turn is only allowed first"))
    conv, unknown = doc.order()
    if not conv or unknown:
        return out  # with roles we cannot read, order findings would only echo bad_role
    if conv[0][1] == "assistant":
        out.append(
            _reason("starts_with_assistant", f"messages[{conv[0][0]}]: the first turn is the assistant's")
        )
    doubled = [b for a, b in zip(conv, conv[1:], strict=False) if a[1] == b[1]]
    if doubled:
        i, role = doubled[0]
        more = f" ({len(doubled)} places)" if len(doubled) > 1 else ""
        out.append(_reason("not_alternating", f"messages[{i}]: two {role} turns in a row{more}"))
    if conv[-1][1] == "user":
        out.append(_reason("ends_with_user", f"messages[{conv[-1][0]}]: the last user turn gets no answer"))
    return out


def rule_rounds(doc: Doc, ck: RuleChecker) -> list[Reason]:
    """A round is a user turn answered by the next assistant turn."""
    fields = doc.fields
    msgs = fields.get("messages")
    if not isinstance(msgs, list) or not msgs or doc.order()[1]:
        return []
    conv = doc.order()[0]
    n = sum(1 for a, b in zip(conv, conv[1:], strict=False) if a[1] == "user" and b[1] == "assistant")
    lo, hi = ck.rounds
    if lo <= n <= hi:
        return []
    return [_reason("rounds_out_of_range", f"{n} round(s), allowed {lo}–{hi}")]


def rule_filler(doc: Doc, ck: RuleChecker) -> list[Reason]:
    bad = [
        (i, m["content"])
        for i, m in doc.turns
        if m.get("role") == "assistant"
        and not is_blank(m["content"])
        and is_filler_compact(doc.compact(m["content"]), ck.filler_matcher)
    ]
    if not bad:
        return []
    shown = "; ".join(f"messages[{i}] {c.strip()[:30]!r}" for i, c in bad[:3])
    return [_reason("filler_turn", f"assistant turn says nothing: {shown}")]


def rule_self_talk(doc: Doc, ck: RuleChecker) -> list[Reason]:
    out, previous_user = [], ""
    for i, m in doc.turns:
        role = m.get("role")
        if role not in ("user", "assistant"):
            continue
        why = self_talk(m["content"], role, previous_user, doc.prose(m["content"]))
        if why:
            out.append(_reason("self_talk", f"messages[{i}]: {why}"))
        if role == "user":
            previous_user += "\n" + m["content"]
    return out[:1] + ([_reason("self_talk", f"and {len(out) - 1} more turn(s)")] if len(out) > 1 else [])


def rule_repeats(doc: Doc, ck: RuleChecker) -> list[Reason]:
    """An assistant turn that only echoes the user turn before it."""
    previous: tuple[str, str] | None = None
    for i, m in doc.turns:
        role = m.get("role")
        if (
            role == "assistant"
            and previous
            and previous[0] == "user"
            and repeats_compact(doc.compact(m["content"]), doc.compact(previous[1]))
        ):
            return [_reason("repeats_instruction", f"messages[{i}]: repeats the user turn before it")]
        previous = (role, m["content"]) if isinstance(role, str) else None
    return []
