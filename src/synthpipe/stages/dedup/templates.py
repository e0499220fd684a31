"""Template clusters: how many accepted records share one answer skeleton, and the optional cap.

A record's answer skeleton is its answer with the slots of a template masked: numbers (#, read as
confirm.py reads them) and the words the answer repeats from its prompt, which is where the subject goes
(_). "How long does onboarding take?" / "Onboarding is usually completed within 3 working days." gives
"_ is usually completed within # working days"; a run of equal tokens counts once, so a one-word and a
two-word subject give the same skeleton. In Chinese a character is masked when a character pair it is in
also occurs in the prompt. Records with equal skeletons form one cluster: many records from one template
mean little variety, though their facts differ, so they are not duplicates. An answer with fewer than
MIN_TOKENS tokens besides its slots ("Yes.") has no template to speak of and joins no cluster.

`dedup.max_per_template: K` keeps at most K records per cluster, the best-scored first
(meta.scores.overall, then earlier); the others are rejected with `template_cap`. Records accepted by
earlier runs into the same output count towards K and are never removed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from synthpipe.core.records import Reason, Record
from synthpipe.stages.dedup.confirm import NUMBER_WORDS, sequence, split_parts
from synthpipe.stages.dedup.deduper import STAGE, TEMPLATE_CAP
from synthpipe.stages.dedup.normalize import normalize

MIN_TOKENS = 4
TOP = 10
SLOT, NUMBER = "_", "#"
_RUN = re.compile(r"([_#])(?: ?\1)+")
_BUCKETS = ((2, 2, "2"), (3, 5, "3-5"), (6, 10, "6-10"), (11, 50, "11-50"), (51, 10**18, ">50"))


def skeleton(prompt: str, answer: str) -> str | None:
    """The answer's skeleton (see the module docstring), or None when too little of it is left."""
    asked = normalize(prompt)
    if answer.isascii():  # the common case, in one pass: a number is a word that starts with a digit
        seen = set(asked.split())
        marked = [
            SLOT if w in seen else NUMBER if w[0].isdigit() or w in NUMBER_WORDS else w
            for w in normalize(answer).split()
        ]
        sep = " "
    else:
        words, cjk = sequence(answer)
        if cjk:  # a character is a slot when a pair it is in occurs in the prompt
            chars = asked.replace(" ", "")
            pairs = set(map(str.__add__, chars, chars[1:]))
            here = [p in pairs for p in map(str.__add__, words, words[1:])]
            slot = [a or b for a, b in zip([False, *here], [*here, False], strict=True)]
        else:
            seen = set(asked.split())
            slot = [w in seen for w in words]
        marked = [SLOT if s else NUMBER if w == "0" else w for w, s in zip(words, slot, strict=True)]
        sep = "" if cjk else " "
    if len(marked) - marked.count(SLOT) - marked.count(NUMBER) < MIN_TOKENS:
        return None
    return _RUN.sub(r"\1", sep.join(marked))  # a run of slots is one slot (normal forms have no _ or #)


class TemplateClusters:
    """Counts accepted records per answer skeleton; with `cap`, refuses a record whose cluster is full."""

    def __init__(self, keys: Sequence[str], prompt_keys: Sequence[str], cap: int | None = None) -> None:
        self.keys, self.prompt_keys, self.cap = tuple(keys), tuple(prompt_keys), cap
        self.records = 0  # accepted records that have a skeleton
        self.capped = 0
        self._count: dict[str, int] = {}
        self._example: dict[str, str] = {}  # skeleton -> the first record's id

    def skeleton(self, rec: Record) -> str | None:
        return skeleton(*split_parts(rec, self.keys, self.prompt_keys))

    def add(self, rec: Record, existing: bool = False) -> Reason | None:
        """Count an accepted record; a `template_cap` reason instead when its cluster already has `cap`
        records (never for `existing` ones, which are counted whatever the cap)."""
        key = self.skeleton(rec)
        if key is None:
            return None
        n = self._count.get(key, 0)
        if self.cap is not None and n >= self.cap and not existing:
            self.capped += 1
            return Reason(
                TEMPLATE_CAP,
                f"answer template already used by {n} kept records (max_per_template {self.cap}), "
                f"e.g. {self._example[key]}: {_short(key)}",
                STAGE,
            )
        self._count[key] = n + 1
        self._example.setdefault(key, rec.id)
        self.records += 1
        return None

    def summary(self) -> dict[str, Any]:
        """For manifest["stages"]["dedup"]["templates"]: clusters of two or more records, largest first."""
        shared = sorted(((n, k) for k, n in self._count.items() if n > 1), key=lambda x: (-x[0], x[1]))
        sizes: dict[str, int] = {}
        for n, _ in shared:
            label = next(label for lo, hi, label in _BUCKETS if lo <= n <= hi)
            sizes[label] = sizes.get(label, 0) + 1
        return {
            "skeleton": "the answer with numbers (#) and the words it repeats from the prompt (_) masked",
            "records": self.records,
            "clusters": len(shared),
            "in_clusters": sum(n for n, _ in shared),
            "largest": shared[0][0] if shared else (1 if self.records else 0),
            "cluster_sizes": {label: sizes[label] for _, _, label in _BUCKETS if label in sizes},
            "top": [{"skeleton": k, "records": n, "example": self._example[k]} for n, k in shared[:TOP]],
            "max_per_template": self.cap,
            "capped": self.capped,
        }


def _short(text: str, n: int = 120) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
