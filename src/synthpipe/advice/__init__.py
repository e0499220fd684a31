"""Does synthetic data fit a task at all? The method's first step, before any recipe.

Three questions: is the input -> output structure clear; can a model learn the pattern from existing
data (are there real examples); can what is generated be verified (rules, a source document, a
reference, a judge). And a table: FAQ, policy QA, summaries, rewrites and 3-6-round dialogues are
recommended; simple sentiment or intent classification is conditional (a closed label set, balanced
labels, a blind label check); medical diagnosis, legal judgement, contract validity and multimodal
pairs are not recommended. A risky domain always wins; otherwise a "no" to a question moves a
recommended task down to conditional, never further. The description is placed in the table by
words and phrases in English and Chinese; the risky ones are synthpipe.risk's.

Every text shown to the user exists in English and Chinese; `lang` picks one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from synthpipe.advice.steps import FLAGS, Check, checks, next_steps
from synthpipe.advice.table import (
    CONDITIONAL,
    NO,
    NOT_RECOMMENDED,
    RECOMMENDED,
    RISK_ROWS,
    TABLE,
    TASK_ROWS,
    TASKS,
    UNSURE,
    YES,
    high_stakes,
    place,
    t,
)

__all__ = ["TASKS", "Advice", "Check", "Question", "decide", "question"]

QUESTIONS = ("structure", "examples", "verifiable")
FEW_EXAMPLES = 10  # fewer real examples than this: enough for few-shot prompts, thin as a pattern


@dataclass(frozen=True, slots=True)
class Question:
    """One of the method's three questions and its answer: yes, no or unsure (`given` False: not
    answered, so taken as unsure). `examples` is the number of real examples when one was given."""

    id: str
    text: str
    hint: str
    answer: str
    given: bool
    examples: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "question": self.text,
            "answer": self.answer,
            "given": self.given,
        }
        if self.examples is not None:
            out["examples"] = self.examples
        return out


@dataclass(frozen=True, slots=True)
class Advice:
    """Whether synthetic data fits a task. `verdict`: recommended, conditional or not_recommended;
    `category`: the row of the method's table (faq, sentiment, medical_diagnosis…, unknown); `task`: the
    synthpipe task kind that would make the data (None when not recommended, or unknown); `recipe`: the
    shipped example recipe to start from (`synthpipe init` writes it); `placed_by`: what placed it in the
    table (description, task, or none); `matched`: the words of the description that did; `next_steps`:
    shell lines, notes as `#` comments."""

    verdict: str
    category: str
    category_label: str
    task: str | None
    lang: str
    placed_by: str
    matched: list[str]
    reasons: list[str]
    checks: list[Check]
    questions: list[Question]
    recipe: str | None
    next_steps: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "category": self.category,
            "category_label": self.category_label,
            "task": self.task,
            "lang": self.lang,
            "placed_by": self.placed_by,
            "matched": self.matched,
            "reasons": self.reasons,
            "checks": [c.to_json() for c in self.checks],
            "questions": [q.to_json() for q in self.questions],
            "recipe": self.recipe,
            "next_steps": self.next_steps,
        }

    def to_text(self) -> str:
        """The advice as the terminal shows it, in its language."""
        lang = self.lang
        where = ""
        if self.placed_by == "description":
            where = ", ".join(f"“{w}”" for w in self.matched)
        elif self.placed_by == "task" and self.task:
            where = f"--task {self.task}"
        if where:
            where = t(lang, (" (from {w})", "（依据：{w}）"), w=where)
        lines = [
            t(
                lang,
                ("verdict: {v} — {c}{w}", "结论：{v} —— {c}{w}"),
                v=t(lang, VERDICTS[self.verdict]),
                c=self.category_label,
                w=where,
            )
        ]
        lines += ["", t(lang, HEADINGS["reasons"])] + [f"  - {r}" for r in self.reasons]
        lines += ["", t(lang, HEADINGS["questions"])]
        for i, q in enumerate(self.questions, 1):
            lines.append(f"  {i}. {q.text}  {answer_text(q, lang)}")
        if self.checks:
            lines += ["", t(lang, HEADINGS["checks"])]
            colon = "：" if lang == "zh" else ": "
            lines += [f"  - {' + '.join(f'`{s}`' for s in c.settings)}{colon}{c.why}" for c in self.checks]
        lines += ["", t(lang, HEADINGS["next"])] + [f"  {step}" for step in self.next_steps]
        return "\n".join(lines)


VERDICTS = {
    RECOMMENDED: ("recommended", "推荐"),
    CONDITIONAL: ("conditional", "有条件"),
    NOT_RECOMMENDED: ("not recommended", "不推荐"),
}
HEADINGS = {
    "reasons": ("why:", "理由："),
    "questions": ("the three questions:", "三个问题："),
    "checks": ("checks synthpipe suggests:", "synthpipe 建议的检查："),
    "next": ("next:", "下一步："),
}
QUESTION_TEXT = {
    "structure": (
        ("Is the input → output structure clear?", "yes/no/unsure"),
        ("输入 → 输出的结构清楚吗？", "yes/no/unsure，也可答 是/否/不确定"),
    ),
    "examples": (
        (
            "Can a model learn the pattern from existing data — are there real examples of it?",
            "how many, or yes/no/unsure",
        ),
        ("模型能从现有数据中学到这个模式吗——有没有真实样例？", "有几条，或 yes/no/unsure"),
    ),
    "verifiable": (
        (
            "Can what is generated be verified — by rules, a source document, a reference answer or a judge?",
            "yes/no/unsure",
        ),
        ("生成的内容能核查吗——靠规则、来源文档、参考答案或评审模型？", "yes/no/unsure，也可答 是/否/不确定"),
    ),
}
ANSWERS = {YES: ("yes", "是"), NO: ("no", "否"), UNSURE: ("unsure", "不确定")}


def question(
    qid: str, lang: str, answer: str = UNSURE, given: bool = False, examples: int | None = None
) -> Question:
    text, hint = QUESTION_TEXT[qid][lang == "zh"]
    return Question(qid, text, hint, answer, given, examples)


def answer_text(q: Question, lang: str) -> str:
    text = t(lang, ANSWERS[q.answer])
    if q.examples is not None:
        text += t(lang, (" ({n} real examples)", "（{n} 条真实样例）"), n=q.examples)
    if not q.given:
        text += t(lang, (" (not answered)", "（未回答）"))
    return text


# --- reasons from the answers -------------------------------------------------------------------------
MOVED_DOWN = (
    "The table says recommended, but your answers make it conditional: it fits once the points below are "
    "dealt with.",
    "按方法表本应推荐，但根据你的回答降为有条件：下面几点解决之后才适合。",
)
ANSWER_REASONS = {
    ("structure", NO): (
        "You said the input → output structure is not clear: without it nothing can check a generated "
        "record. Write down one input and its ideal output first; if you can, the task may fit.",
        "你回答输入 → 输出的结构不清楚：没有清楚的结构，生成的数据就无从核查。先写出一个输入和它理想的输出；写得出来，这个任务才可能适合。",
    ),
    ("examples", NO): (
        "You have no real examples: the model has no pattern to learn from and will guess one. Collect real "
        "input → output pairs first and give them to the recipe (`examples` or `examples_file`).",
        "你没有真实样例：模型没有可学的模式，只能去猜。先收集真实的输入 → 输出样例，放进配方的 `examples` 或 `examples_file`。",
    ),
    ("verifiable", NO): (
        "You said what is generated cannot be verified: with no rule, source document, reference answer or "
        "judge to tell a right record from a wrong one, errors pass unseen. Find one of those first.",
        "你回答生成的内容无法核查：没有规则、来源文档、参考答案或评审模型来区分对错，错误就会混进数据。先找到其中一种核查手段。",
    ),
}
FEW = (
    "Only {n} real examples: enough for few-shot prompts, thin as a pattern. More real pairs, or a source "
    "document under `sources`, make the generated data closer to the real thing.",
    "只有 {n} 条真实样例：够做少样本提示，但作为模式还单薄。多收集一些真实样例，或在 `sources` 中给出来源文档，生成的数据会更接近真实数据。",
)
NOT_ANSWERED = (
    "Not answered, so taken as unsure: {qs}. Answer with {flags} for a firmer verdict.",
    "未回答，按“不确定”处理：{qs}。用 {flags} 回答可以得到更明确的结论。",
)
STILL_UNSURE = (
    "While an answer is unsure, start small: a run of 20 records and a read of its review sample will "
    "settle it.",
    "还有不确定的回答时，先从小规模开始：生成 20 条，读一读抽检样本就清楚了。",
)
UNKNOWN_ALL_YES = (
    "All three answers are yes: synthetic data may fit. Start from the closest shipped recipe with a small run.",
    "三个问题的回答都是“是”：合成数据可能适合。从最接近的示例配方开始，先小规模试跑。",
)
UNKNOWN_NO = (
    "With a “no” among the answers, fix that first; until then synthetic data is unlikely to help.",
    "回答中有“否”：先解决这一点；在此之前，合成数据多半帮不上忙。",
)
TASK_DIFFERS = (
    "The description reads like {label} (task {kind}); --task {task} was given, so this advice is for {task}.",
    "描述读起来像{label}（task {kind}）；但指定了 --task {task}，以下建议按 {task} 给出。",
)
FIXED = (
    "The answers to the three questions cannot change this verdict.",
    "三个问题的回答改变不了这个结论。",
)
HIGH_STAKES_WHY = (
    "“{w}” is a high-stakes domain: keep every answer to a source document and have a person read more "
    "than the default sample.",
    "“{w}”属于高风险领域：每个回答都要以来源文档为据，人工抽检也要多于默认的样本量。",
)
QUESTION_NAMES = {
    "structure": ("structure", "结构是否清楚"),
    "examples": ("real examples", "是否有真实样例"),
    "verifiable": ("verifiable", "能否核查"),
}


# --- the verdict ------------------------------------------------------------------------------------
def decide(
    describe: str,
    task: str | None,
    domain: str | None,
    questions: list[Question],
    lang: str,
    recipe_lang: str,
) -> Advice:
    """The advice for a task: `questions` answered (or not), `lang` the language of the advice,
    `recipe_lang` the language of the data (which shipped recipe to start from)."""
    text = " ".join(part for part in (describe, domain or "") if part)
    row, matched, risky = place(text)
    reasons: list[str] = []
    if task and TABLE[row].verdict != NOT_RECOMMENDED and TABLE[row].task != task:
        if row != "unknown":
            reasons.append(
                t(lang, TASK_DIFFERS, label=t(lang, TABLE[row].label), kind=TABLE[row].task, task=task)
            )
        row, matched = TASK_ROWS[task], []
    entry = TABLE[row]
    verdict = entry.verdict
    reasons.insert(0, t(lang, entry.why))
    for domain_name, words in list(risky.items())[1:]:  # the first is the row itself
        reasons.append(t(lang, TABLE[RISK_ROWS.get(domain_name, "unknown")].why) + f" ({', '.join(words)})")

    moved = [ANSWER_REASONS[(q.id, NO)] for q in questions if q.answer == NO]
    high = None
    if verdict == NOT_RECOMMENDED:
        reasons.append(t(lang, FIXED))
    if verdict != NOT_RECOMMENDED:
        if verdict == RECOMMENDED and moved:
            verdict = CONDITIONAL
            reasons.append(t(lang, MOVED_DOWN))
        reasons += [t(lang, m) for m in moved]
        count = next(q.examples for q in questions if q.id == "examples")
        if count is not None and 0 < count < FEW_EXAMPLES:
            reasons.append(t(lang, FEW, n=count))
        if row == "unknown":
            if all(q.answer == YES for q in questions):
                reasons.append(t(lang, UNKNOWN_ALL_YES))
            elif moved:
                reasons.append(t(lang, UNKNOWN_NO))
        high = high_stakes(text)
        if high:
            reasons.append(t(lang, HIGH_STAKES_WHY, w=high))
    # A risky domain is not recommended whatever the answers: asking for them there would mislead.
    missing = [q.id for q in questions if not q.given] if verdict != NOT_RECOMMENDED else []
    comma = "、" if lang == "zh" else ", "
    if missing:
        names = comma.join(t(lang, QUESTION_NAMES[q]) for q in missing)
        reasons.append(t(lang, NOT_ANSWERED, qs=names, flags=comma.join(FLAGS[q] for q in missing)))
    if verdict != NOT_RECOMMENDED and any(q.answer == UNSURE for q in questions):
        reasons.append(t(lang, STILL_UNSURE))

    kind = entry.task if verdict != NOT_RECOMMENDED else None
    recipe = f"{kind}_{recipe_lang}.yaml" if kind else None
    return Advice(
        verdict=verdict,
        category=row,
        category_label=t(lang, entry.label),
        task=kind,
        lang=lang,
        placed_by="description" if matched else "task" if task and row != "unknown" else "none",
        matched=matched,
        reasons=reasons,
        checks=checks(row, kind, lang, high is not None),
        questions=questions,
        recipe=recipe,
        next_steps=next_steps(row, kind, recipe, lang, missing),
    )
