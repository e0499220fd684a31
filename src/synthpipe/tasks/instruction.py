"""qa, summarize and rewrite: instruction, input, output."""

from __future__ import annotations

from synthpipe.tasks.base import RuleRef, TaskKind

_FIELDS = ("instruction", "input", "output")
_COMMON = dict(
    fields=_FIELDS,
    required=("instruction", "output"),
    prompt_fields=("instruction", "input"),
    answer_fields=("output",),
    dedup_fields=("instruction", "output"),
)
_RULES = "synthpipe.stages.rules"
FILLER_ANSWER = RuleRef(f"{_RULES}.answer:rule_filler_answer", "filler_answer")
_FILLER_CODE = {
    "filler_answer": "the answer is only an acknowledgement ('好的。', 'Sure.') where content is asked for "
    "(a yes/no question may be answered 'Yes.')"
}

QA = TaskKind(
    "qa",
    description="question and answer (FAQ, policy assistant, product QA)",
    agreement="answer",
    question_types=True,
    formats=("alpaca",),
    rules=(FILLER_ANSWER,),
    extra_codes=_FILLER_CODE,
    **_COMMON,  # type: ignore[arg-type]
)
SUMMARIZE = TaskKind(
    "summarize",
    description="a text and its summary",
    repeat_near=True,
    rules=(
        FILLER_ANSWER,
        RuleRef(f"{_RULES}.summary:rule_not_condensed", "not_condensed"),
        RuleRef(f"{_RULES}.summary:rule_low_coverage", "low_coverage"),
    ),
    extra_codes={
        **_FILLER_CODE,
        "not_condensed": "the summary is not clearly shorter than its input",
        "low_coverage": "the summary drops most of the input's numbers, names and content words",
    },
    **_COMMON,  # type: ignore[arg-type]
)
REWRITE = TaskKind(
    "rewrite",
    description="a text and its rewrite (style, tone, key points)",
    rules=(
        FILLER_ANSWER,
        RuleRef(f"{_RULES}.rewrite:rule_not_rewritten", "not_rewritten"),
        RuleRef(f"{_RULES}.rewrite:rule_meaning_drift", "meaning_drift"),
    ),
    extra_codes={
        **_FILLER_CODE,
        "not_rewritten": "the rewrite is the input again, or nearly (proofreading asked for is exempt)",
        "meaning_drift": "the rewrite changes or drops the input's numbers or names, flips a direction "
        "(up/down), or shares little content with it",
    },
    **_COMMON,  # type: ignore[arg-type]
)
