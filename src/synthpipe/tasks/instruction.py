"""qa, summarize and rewrite: instruction, input, output."""

from __future__ import annotations

from synthpipe.tasks.base import TaskKind

_FIELDS = ("instruction", "input", "output")
_COMMON = dict(
    fields=_FIELDS,
    required=("instruction", "output"),
    prompt_fields=("instruction", "input"),
    answer_fields=("output",),
    dedup_fields=("instruction", "output"),
)

QA = TaskKind(
    "qa",
    description="question and answer (FAQ, policy assistant, product QA)",
    agreement="answer",
    question_types=True,
    formats=("alpaca",),
    **_COMMON,  # type: ignore[arg-type]
)
SUMMARIZE = TaskKind(
    "summarize",
    description="a text and its summary",
    repeat_near=True,
    **_COMMON,  # type: ignore[arg-type]
)
REWRITE = TaskKind("rewrite", description="a text and its rewrite (style, tone, key points)", **_COMMON)  # type: ignore[arg-type]
