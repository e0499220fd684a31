"""`synthpipe.advise`: does synthetic data fit this task at all? (the method's first step)"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from synthpipe.core.errors import UsageError

if TYPE_CHECKING:
    from synthpipe.advice import Advice

Answer = str | bool | None
_YES = {"yes", "y", "true", "是", "是的", "有", "对", "能", "可以", "清楚"}
_NO = {"no", "n", "false", "否", "不是", "没有", "无", "不", "不能", "不可以", "不清楚"}
_UNSURE = {"unsure", "not sure", "maybe", "?", "don't know", "dont know", "不确定", "不知道", "说不清"}
_COUNT = re.compile(r"(\d+)\s*(?:条|个|examples?)?")


def _answer(flag: str, value: Answer) -> tuple[str, bool]:
    """(yes | no | unsure, given) for a yes/no question."""
    if value is None:
        return "unsure", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), True
    word = str(value).strip().lower()
    for answer, words in (("yes", _YES), ("no", _NO), ("unsure", _UNSURE)):
        if word in words:
            return answer, True
    raise UsageError(f"{flag} {value!r}: answer yes, no or unsure")


def _examples(value: int | Answer) -> tuple[str, bool, int | None]:
    """(yes | no | unsure, given, how many) for "are there real examples": a number or yes/no/unsure."""
    if isinstance(value, int) and not isinstance(value, bool):
        count: int | None = value
    else:
        m = _COUNT.fullmatch(str(value).strip().lower()) if isinstance(value, str) else None
        count = int(m.group(1)) if m else None
    if count is None:
        try:
            answer, given = _answer("--examples", value)
        except UsageError:
            raise UsageError(
                f"--examples {value!r}: give the number of real examples you have (0 or more), or yes, no or unsure"
            ) from None
        return answer, given, None
    if count < 0:
        raise UsageError(f"--examples {value!r}: the number of real examples is 0 or more")
    return ("yes" if count else "no"), True, count


def _language(text: str) -> str | None:
    from synthpipe.lang import ZH, detect_language, has_han

    found = detect_language(text)
    if found in ("zh", "en"):
        return found
    return ZH if has_han(text) else None


def advise(
    describe: str | None = "",
    *,
    task: str | None = None,
    domain: str | None = None,
    structure: Answer = None,
    examples: int | Answer = None,
    verifiable: Answer = None,
    lang: str | None = None,
) -> Advice:
    """Whether synthetic data fits the task described in `describe` (free text, English or Chinese).

    `task`: qa, summarize, rewrite, classify or dialogue, when known. `domain`: the subject area, read
    with the description. The method's three questions: `structure` (is the input -> output structure
    clear), `examples` (are there real examples: a number, or yes/no/unsure) and `verifiable` (can what
    is generated be checked: rules, a source document, a reference, a judge), each yes, no, unsure, a
    bool, or None for not answered, which counts as unsure and is said so. `lang`: zh or en, the
    language of the advice; by default the description's, else en.

    Returns an `Advice`: verdict (recommended, conditional, not_recommended), the row of the method's
    table, reasons, the synthpipe checks to switch on, the questions with their answers and the next
    commands. A risky domain (medical diagnosis, legal judgement, contract validity, multimodal pairs)
    is not recommended whatever the answers; a "no" moves a recommended task to conditional.
    """
    from synthpipe.advice import TASKS, question
    from synthpipe.advice import decide as _decide

    describe = (describe or "").strip()
    if task is not None and task not in TASKS:
        raise UsageError(f"unknown task {task!r} — use --task with one of {', '.join(TASKS)}")
    if not describe and not task:
        raise UsageError(
            "nothing to advise on — describe the task with --describe TEXT, or name its kind with "
            f"--task {'|'.join(TASKS)}"
        )
    if lang is not None and lang not in ("zh", "en"):
        raise UsageError(f"unknown language {lang!r} — use --lang zh or --lang en")
    s_answer, s_given = _answer("--structure", structure)
    e_answer, e_given, count = _examples(examples)
    v_answer, v_given = _answer("--verifiable", verifiable)

    data_lang = _language(" ".join(p for p in (describe, domain or "") if p))
    out_lang = lang or data_lang or "en"
    questions = [
        question("structure", out_lang, s_answer, s_given),
        question("examples", out_lang, e_answer, e_given, count),
        question("verifiable", out_lang, v_answer, v_given),
    ]
    return _decide(describe, task, domain, questions, out_lang, data_lang or out_lang)
