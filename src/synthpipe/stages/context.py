"""What the model-based quality stages show a model: the record's parts and the source passage it drew on."""

from __future__ import annotations

import re
from typing import Any

from synthpipe.core.records import Record
from synthpipe.lang import normalize
from synthpipe.prompts.plan import passages
from synthpipe.tasks import get_task

MAX_SOURCE_CHARS = 3000  # a passage is ~1500; more would crowd a 4k context with the record itself
_HAN = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[a-z0-9]+")


def units(text: str) -> list[str]:
    """Latin words and digit runs, plus Han character bigrams (a lone Han character stands alone): a
    tokenisation that needs no dictionary and treats Chinese and English alike."""
    t = normalize(text)
    out: list[str] = _WORD.findall(t)
    run = ""
    for ch in t + " ":
        if _HAN.match(ch):
            run += ch
            continue
        if len(run) == 1:
            out.append(run)
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
        run = ""
    return out


def record_parts(rec: Record) -> list[tuple[str, str]]:
    """(field, text) in display order; a dialogue becomes one `messages` part of `role: content` lines."""
    return get_task(rec.task).parts(rec.fields)


def source_passage(sources: list[str], rec: Record) -> str:
    """The passage the generator was given (plan index), else the passage sharing most words with the
    record, capped so the prompt fits a small model's context."""
    if not sources:
        return ""
    docs = passages(sources)
    idx: Any = rec.meta.plan.get("passage")
    if isinstance(idx, int) and 0 <= idx < len(docs):
        return docs[idx][:MAX_SOURCE_CHARS]
    if len(docs) == 1:
        return docs[0][:MAX_SOURCE_CHARS]
    mine = set(units(" ".join(t for _, t in record_parts(rec))))
    best = max(docs, key=lambda d: len(mine & set(units(d))))
    return best[:MAX_SOURCE_CHARS]
