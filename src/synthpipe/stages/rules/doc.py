"""One record as the rule checks see it, with the derived text they share.

Several rules look at the same text in the same derived form (code removed, normalised, compacted,
language evidence); a `Doc` works each out once per record, on first use.
"""

from __future__ import annotations

from typing import Any

from synthpipe.lang import Evidence, compact_normalized, language_of, normalize, prose_evidence, strip_code
from synthpipe.stages.rules import dialogue as dlg
from synthpipe.tasks import TaskKind


class Doc:
    """One record as the rules see it: its texts, answers and prompt, and the derived forms of each
    text (code removed, normalised, compacted, language evidence), each worked out once per record."""

    __slots__ = (
        "fields",
        "kind",
        "plan",
        "turns",
        "texts",
        "answers",
        "_prompts",
        "_prose",
        "_norm",
        "_compact",
        "_ev",
        "_order",
    )

    def __init__(self, fields: dict[str, Any], kind: TaskKind, plan: dict[str, Any] | None = None) -> None:
        self.fields, self.kind = fields, kind
        self.plan = plan or {}  # the record's planned variation (topic, persona…), where it has one
        # The turn rules look at `messages` whatever the task, as they always have.
        self.turns = dlg.turns(fields)
        self.texts = kind.texts(fields)
        self.answers = kind.answers(fields)
        self._prompts: dict[bool, str] = {}
        self._prose: dict[str, str] = {}
        self._norm: dict[str, str] = {}
        self._compact: dict[str, str] = {}
        self._ev: dict[str, Evidence] = {}
        self._order: tuple[list[tuple[int, str]], bool] | None = None

    def order(self) -> tuple[list[tuple[int, str]], bool]:
        """(index, role) of the user and assistant turns in order, and whether some turn has a role
        other than user, assistant or system."""
        if self._order is None:
            msgs = self.fields.get("messages")
            unknown = isinstance(msgs, list) and dlg.unknown_roles(msgs)
            self._order = (dlg.conversation(self.fields), unknown)
        return self._order

    def prompt(self, with_input: bool = False) -> str:
        """What the answer responds to: the instruction (and input), or all user turns."""
        text = self._prompts.get(with_input)
        if text is None:
            text = self._prompts[with_input] = self.kind.prompt(self.fields, with_input)
        return text

    def prose(self, text: str) -> str:
        out = self._prose.get(text)
        if out is None:
            out = self._prose[text] = strip_code(text)
        return out

    def norm(self, text: str) -> str:
        out = self._norm.get(text)
        if out is None:
            out = self._norm[text] = normalize(text)
        return out

    def compact(self, text: str) -> str:
        out = self._compact.get(text)
        if out is None:
            out = self._compact[text] = compact_normalized(self.norm(text))
        return out

    def evidence(self, text: str) -> Evidence:
        out = self._ev.get(text)
        if out is None:
            out = self._ev[text] = prose_evidence(self.prose(text))
        return out

    def language(self, text: str) -> str:
        return language_of(self.evidence(text))
