"""What synthpipe suggests for a verdict: the checks to switch on (by their recipe settings) and the
commands to start with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from synthpipe.advice.table import NOT_RECOMMENDED, TABLE, t

FLAGS = {"structure": "--structure", "examples": "--examples", "verifiable": "--verifiable"}


@dataclass(frozen=True, slots=True)
class Check:
    """A check synthpipe suggests: the recipe settings that switch it on (dotted keys of the recipe) and
    what it catches."""

    settings: tuple[str, ...]
    why: str

    def to_json(self) -> dict[str, Any]:
        return {"settings": list(self.settings), "why": self.why}


def checks(row: str, task: str | None, lang: str, high_stakes: bool) -> list[Check]:
    """The checks for a row of the table whose data the task kind `task` makes (None: not known)."""

    def c(settings: tuple[str, ...], en: str, zh: str) -> Check:
        return Check(settings, en if lang != "zh" else zh)

    verdict = TABLE[row].verdict
    if verdict == NOT_RECOMMENDED:
        out = []
        if row != "multimodal":
            out.append(
                c(
                    ("review_sample",),
                    "if you generate anyway, have an expert read every record, not a sample: set `review_sample` "
                    "to the run's `count`.",
                    "如果仍要生成，请专家逐条审阅，而不是抽检：把 `review_sample` 设成与 `count` 相同。",
                )
            )
            out.append(
                c(
                    ("judge.enabled", "judge.criteria"),
                    "a judge model cannot vouch for the facts here; at most it catches obvious errors before the "
                    "expert does.",
                    "评审模型无法为这里的事实担保，最多在专家审阅前挑出明显的错误。",
                )
            )
        commands = "`synthpipe check FILE --task qa`, `synthpipe dedup FILE --task qa`"
        if row == "multimodal":
            out.append(
                c(
                    ("checks", "dedup"),
                    f"on the text side of real pairs (captions, transcripts) the rule checks and dedup still "
                    f"help: {commands}.",
                    f"对真实配对中的文字部分（图片描述、转写文本），规则检查和去重依然有用：{commands}。",
                )
            )
        else:
            out.append(
                c(
                    ("checks", "dedup"),
                    f"on real, expert-written data the rule checks and dedup still help: {commands}.",
                    f"对真实的、由专家编写的数据，规则检查和去重依然有用：{commands}。",
                )
            )
        return out

    out = [
        c(
            ("checks",),
            "the rule checks run on every record by default: placeholders, boilerplate, the wrong language, "
            "empty or over-long fields; switch one off with `checks.disable`.",
            "规则检查默认对每条数据都运行：占位符、套话、语言不对、字段为空或过长；用 `checks.disable` 可以关掉其中某项。",
        )
    ]
    if task in ("qa", "summarize", "dialogue", None):
        what = {
            "qa": ("your FAQ or policy document", "你的 FAQ 或政策文档"),
            "summarize": ("the documents to summarise", "要做摘要的文档"),
            "dialogue": ("the document the assistant answers from", "助手回答所依据的文档"),
            None: ("a source document (if the answers come from one)", "来源文档（如果答案来自某份文档）"),
        }[task]
        out.append(
            c(
                ("grounding", "sources"),
                f"put {what[0]} under `sources`: numbers, terms and each answer sentence must be supported by "
                "it (ungrounded, unsupported_sentence).",
                f"把{what[1]}放进 `sources`：回答中的数字、术语和每一句话都必须能在其中找到依据（ungrounded、unsupported_sentence）。",
            )
        )
    if task == "summarize":
        out.append(
            c(
                ("checks.summary_max_ratio",),
                "a summary longer than this share of its input is rejected (not_condensed).",
                "摘要长度超过输入的这个比例即被拒绝（not_condensed）。",
            )
        )
    if task == "rewrite":
        out.append(
            c(
                ("constraints.lengths", "constraints.tone", "constraints.style"),
                "state the target length, tone and style; a field outside its length is rejected (too_short, "
                "too_long).",
                "写明目标长度、语气和风格；长度不在范围内的字段会被拒绝（too_short、too_long）。",
            )
        )
    if task == "dialogue":
        out.append(
            c(
                ("rounds",),
                "keep dialogues to 3–6 rounds (`rounds: [3, 6]`); the dialogue rules reject not_alternating, "
                "rounds_out_of_range, filler_turn and self_talk.",
                "把对话限制在 3–6 轮（`rounds: [3, 6]`）；对话规则会拒绝 not_alternating、rounds_out_of_range、filler_turn 和 self_talk。",
            )
        )
    if task == "classify":
        out.append(
            c(
                ("labels",),
                "a closed label set: a label outside it is rejected (label_not_allowed) and the planner "
                "balances the labels; read `label_balance` in manifest.json or report.html.",
                "封闭的标签集合：集合外的标签会被拒绝（label_not_allowed），规划器会均衡各类标签；在 manifest.json 的 "
                "`label_balance` 或 report.html 中查看均衡情况。",
            )
        )
        out.append(
            c(
                ("agreement.enabled", "agreement.verify_labels"),
                "the blind label check: a second model (`second` under `models`) labels each text without "
                "seeing the proposed label; a mismatch is rejected (label_mismatch).",
                "盲标复核：第二个模型（`models` 下的 `second`）在看不到原标签的情况下给每条文本打标签，不一致即拒绝（label_mismatch）。",
            )
        )
    if task != "classify":
        out.append(
            c(
                ("judge.enabled", "judge.criteria", "judge.threshold"),
                "a real model (not the embedded 135M one) scores accuracy, structure, fabrication and style "
                "from 1 to 5, and faithfulness when it sees the source; below the threshold is rejected.",
                "用一个真正的模型（不是内置的 135M 小模型）按准确性、结构、编造、风格打 1–5 分，看得到来源时还评忠实度；低于阈值即拒绝。",
            )
        )
    if task == "qa":
        out.append(
            c(
                ("agreement.enabled",),
                "(optional) a second model answers the same question; low agreement flags the record "
                "(low_agreement).",
                "（可选）第二个模型回答同一个问题，两者差异大时标记该条数据（low_agreement）。",
            )
        )
    out.append(
        c(
            ("dedup", "dedup.methods"),
            "exact and near duplicates are removed by default; add `embedding` to `dedup.methods` to catch "
            "paraphrases too.",
            "默认去除完全重复和近似重复；在 `dedup.methods` 中加上 `embedding` 还能去掉换了说法的重复。",
        )
    )
    out.append(
        c(
            ("review_sample",),
            "raise it (to 100, say) and read review_sample.jsonl: in a high-stakes domain 20 records are too few."
            if high_stakes
            else "read review_sample.jsonl (20 records by default) before you train on the data.",
            "调大（比如 100）并阅读 review_sample.jsonl：高风险领域只看 20 条太少。"
            if high_stakes
            else "在用数据训练之前，先读一读 review_sample.jsonl（默认 20 条）。",
        )
    )
    return out


# --- next steps -------------------------------------------------------------------------------------
EDIT = {
    "qa": (
        "put your FAQ or policy document under sources and real Q&A pairs under examples",
        "把 FAQ 或政策文档放进 sources，真实问答对放进 examples",
    ),
    "summarize": (
        "put the documents to summarise under sources and real summaries under examples",
        "把要做摘要的文档放进 sources，真实摘要放进 examples",
    ),
    "rewrite": (
        "set constraints.tone and constraints.style to the target, real before/after pairs under examples",
        "把 constraints.tone 和 constraints.style 设为目标风格，真实的改写前后对照放进 examples",
    ),
    "classify": (
        "set labels to your closed label set and switch on agreement with a second model under models",
        "把 labels 设为你的封闭标签集合，打开 agreement，并在 models 下配置第二个模型 second",
    ),
    "dialogue": (
        "keep rounds: [3, 6], the document the assistant answers from under sources, real dialogues under examples",
        "保持 rounds: [3, 6]，把助手回答所依据的文档放进 sources，真实对话放进 examples",
    ),
}


def next_steps(row: str, task: str | None, recipe: str | None, lang: str, missing: list[str]) -> list[str]:
    """Shell lines to go on with, notes as `#` comments; `missing`: the questions not answered."""
    verdict = TABLE[row].verdict
    steps: list[str] = []
    if missing:
        flags = " ".join(f"{FLAGS[q]} {'N' if q == 'examples' else 'yes|no'}" for q in missing)
        steps.append(
            t(
                lang,
                (
                    "# answer the questions: synthpipe advise … {f}",
                    "# 回答未答的问题：synthpipe advise … {f}",
                ),
                f=flags,
            )
        )
    if verdict == NOT_RECOMMENDED:
        if row == "multimodal":
            steps.append(
                t(
                    lang,
                    (
                        "# synthpipe makes text only: collect real image/audio–text pairs, with people checking them",
                        "# synthpipe 只处理文本：请收集真实的图片/语音–文字配对，并由人工核对",
                    ),
                )
            )
        else:
            steps.append(
                t(
                    lang,
                    (
                        "# use real, expert-reviewed data instead of generated data",
                        "# 改用真实的、经过专家审核的数据，而不是生成的数据",
                    ),
                )
            )
        steps.append(
            t(
                lang,
                (
                    "synthpipe check real.jsonl --task qa --out checked/   # the rule checks on that real data",
                    "synthpipe check real.jsonl --task qa --out checked/   # 对这些真实数据运行规则检查",
                ),
            )
        )
        return steps
    if recipe is None or task is None:
        steps.append(
            t(
                lang,
                (
                    "synthpipe init recipes/   # example recipes for qa, summarize, rewrite, classify and dialogue: start from the closest",
                    "synthpipe init recipes/   # 写出 qa、summarize、rewrite、classify、dialogue 的示例配方：从最接近的一个开始",
                ),
            )
        )
        return steps
    path = f"recipes/{recipe}"
    steps.append(
        t(
            lang,
            (
                "synthpipe init recipes/   # writes {p} among the examples",
                "synthpipe init recipes/   # 示例配方中包括 {p}",
            ),
            p=path,
        )
    )
    steps.append(t(lang, ("# edit {p}: {what}", "# 编辑 {p}：{what}"), p=path, what=t(lang, EDIT[task])))
    steps.append(f"synthpipe prompts {path}")
    steps.append(
        t(
            lang,
            (
                "synthpipe run {p} --count 20   # a small first run: read its review_sample.jsonl before more",
                "synthpipe run {p} --count 20   # 先小规模试跑：读过 review_sample.jsonl 再扩大规模",
            ),
            p=path,
        )
    )
    return steps
