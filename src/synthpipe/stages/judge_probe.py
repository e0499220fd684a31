"""The judge probe: before judging, show each judge model a known-good and an obviously wrong record of
the task kind, in the recipe's language, and see whether it can tell them apart.

A judge passes when the good record's overall score reaches the threshold and beats the bad record's by at
least `PROBE_MARGIN` (1 point on the 1–5 scale): a judge that scores everything alike (the 135M embedded
model gives every record 1, "excellent") must not reject records on its own say-so. An answer that cannot
be read fails the probe. The probe goes through the same model, schema and options as the records, so its
answers sit in the response cache and a resumed command asks nothing again. It is one sample at the
judge's own temperature. A backend error while probing stops the command before any record is judged,
as it would fail every record alike.

The probe records share one made-up context (an outdoor shop's returns policy) with its own description,
source passage (shown when `faithfulness` is scored) and, for classify, its own labels: the recipe's
description, role or labels could make a good probe record look off-purpose. The recipe's criteria,
schema and language are kept, since those are what the judge answers under.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PROBE_MARGIN = 1.0


@dataclass(frozen=True)
class ProbePair:
    description: str
    source: str
    good: dict[str, Any]
    bad: dict[str, Any]
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProbeResult:
    """One judge model's probe: the two overall scores (None: unreadable) and what follows from them."""

    good: float | None
    bad: float | None
    passed: bool | None  # None: no probe records for this task kind
    why: str = ""

    def to_json(self, action: str) -> dict[str, Any]:
        out: dict[str, Any] = {"good": self.good, "bad": self.bad, "passed": self.passed, "action": action}
        if self.why:
            out["why"] = self.why
        return out


def probe_result(good: float | None, bad: float | None, threshold: float) -> ProbeResult:
    """Pass when good >= threshold and good - bad >= PROBE_MARGIN (rounded, so 4.2 - 3.2 counts as 1)."""
    if good is None or bad is None:
        which = "good" if good is None else "bad"
        return ProbeResult(good, bad, False, f"its answer on the {which} probe record could not be read")
    problems = []
    if good < threshold:
        problems.append(f"the good record scored {good:.2f}, below the threshold {threshold:g}")
    if round(good - bad, 3) < PROBE_MARGIN:
        problems.append(f"good {good:.2f} vs bad {bad:.2f} is less than {PROBE_MARGIN:g} apart")
    return ProbeResult(good, bad, not problems, "; ".join(problems))


def probe_pair(task: str, language: str) -> ProbePair | None:
    """The probe records for a task kind in `language` (zh or en), or None for a kind without them."""
    return _PAIRS.get(language, _PAIRS["en"]).get(task)


_EN_SOURCE = (
    "Northwind returns policy. Unused items can be returned within 30 days of delivery for a full refund "
    "to the original payment method. The refund is issued within 5 business days after the returned item "
    "arrives at the warehouse. Return shipping is free with the prepaid Northwind label. To start a "
    "return, open the order in the Northwind app and choose Return items; the prepaid label arrives by "
    "email."
)
_EN_DESC = "Customer-service training data for Northwind, an online outdoor-gear shop."
_EN_Q = "How long do I have to return an unused jacket?"

_ZH_SOURCE = (
    "北风户外退货政策：未使用的商品可在签收后 30 天内退货，全额退款至原支付方式。退回的商品到达仓库后 "
    "5 个工作日内退款。使用北风户外的预付退货标签寄回免运费。在北风户外 App 的订单页面选择“退货”即可"
    "发起退货，预付标签会通过邮件发送。"
)
_ZH_DESC = "网上户外用品商店“北风户外”的客服训练数据。"
_ZH_Q = "没穿过的冲锋衣，多长时间内可以退货？"

_PAIRS: dict[str, dict[str, ProbePair]] = {
    "en": {
        "qa": ProbePair(
            _EN_DESC,
            _EN_SOURCE,
            good={
                "instruction": _EN_Q,
                "input": "",
                "output": "You can return an unused jacket within 30 days of delivery for a full refund "
                "to your original payment method. Return shipping is free with the prepaid Northwind label.",
            },
            bad={
                "instruction": _EN_Q,
                "input": "",
                "output": "Purple elephants dance on Tuesdays. Jackets can never be returned, and the "
                "refund is 400 goldfish sent by carrier pigeon.",
            },
        ),
        "summarize": ProbePair(
            _EN_DESC,
            _EN_SOURCE,
            good={
                "instruction": "Summarize the policy in one sentence.",
                "input": _EN_SOURCE,
                "output": "Unused items can be returned free of charge within 30 days of delivery and are "
                "refunded within 5 business days after they arrive.",
            },
            bad={
                "instruction": "Summarize the policy in one sentence.",
                "input": _EN_SOURCE,
                "output": "The text is a recipe for chocolate cake with three eggs, and every customer "
                "gets a free car.",
            },
        ),
        "rewrite": ProbePair(
            _EN_DESC,
            _EN_SOURCE,
            good={
                "instruction": "Rewrite the message in a polite, friendly tone.",
                "input": "Send the boots back within 30 days or no refund. Use our label.",
                "output": "Please send the boots back within 30 days of delivery so we can refund you; "
                "our prepaid label makes the return free.",
            },
            bad={
                "instruction": "Rewrite the message in a polite, friendly tone.",
                "input": "Send the boots back within 30 days or no refund. Use our label.",
                "output": "BOOTS NO. refund never!!! you idiot, keep them forever and pay us 500 dollars lol",
            },
        ),
        "classify": ProbePair(
            _EN_DESC,
            _EN_SOURCE,
            labels=("positive", "negative"),
            good={
                "text": "These boots kept my feet warm and dry on a long winter hike. Very comfortable, "
                "I would buy them again.",
                "label": "positive",
            },
            bad={
                "text": "Terrible boots. They leaked on the first walk, the sole came off after a week "
                "and support ignored all my emails.",
                "label": "positive",
            },
        ),
        "dialogue": ProbePair(
            _EN_DESC,
            _EN_SOURCE,
            good={
                "messages": [
                    {
                        "role": "user",
                        "content": "Hi, can I return a jacket I got two weeks ago? I never wore it.",
                    },
                    {
                        "role": "assistant",
                        "content": "Yes. Unused items can be returned within 30 days of delivery for a "
                        "full refund, and return shipping is free with our prepaid label.",
                    },
                    {"role": "user", "content": "Great. How do I get the label?"},
                    {
                        "role": "assistant",
                        "content": "Open the order in the Northwind app and choose Return items; the "
                        "prepaid label arrives by email.",
                    },
                ]
            },
            bad={
                "messages": [
                    {
                        "role": "user",
                        "content": "Hi, can I return a jacket I got two weeks ago? I never wore it.",
                    },
                    {"role": "assistant", "content": "The weather on Mars is cold. I like turtles."},
                    {"role": "user", "content": "That does not answer my question. Can I return it?"},
                    {
                        "role": "assistant",
                        "content": "No returns ever, and you now owe us 500 dollars for asking.",
                    },
                ]
            },
        ),
    },
    "zh": {
        "qa": ProbePair(
            _ZH_DESC,
            _ZH_SOURCE,
            good={
                "instruction": _ZH_Q,
                "input": "",
                "output": "未使用的商品可在签收后 30 天内退货，全额退款至原支付方式；使用预付退货标签寄回免运费。",
            },
            bad={
                "instruction": _ZH_Q,
                "input": "",
                "output": "紫色的大象每周二跳舞。冲锋衣永远不能退货，退款是 400 条金鱼，由信鸽送达。",
            },
        ),
        "summarize": ProbePair(
            _ZH_DESC,
            _ZH_SOURCE,
            good={
                "instruction": "用一句话概括这段政策。",
                "input": _ZH_SOURCE,
                "output": "未使用的商品签收后 30 天内可免运费退货，商品到仓后 5 个工作日内退款。",
            },
            bad={
                "instruction": "用一句话概括这段政策。",
                "input": _ZH_SOURCE,
                "output": "这段文字讲的是用三个鸡蛋做巧克力蛋糕，而且每位顾客都能免费得到一辆汽车。",
            },
        ),
        "rewrite": ProbePair(
            _ZH_DESC,
            _ZH_SOURCE,
            good={
                "instruction": "把这条消息改写得礼貌、友好。",
                "input": "30 天内把靴子寄回来，否则不退款。用我们的标签。",
                "output": "请在签收后 30 天内将靴子寄回，我们会为您办理退款；使用我们的预付标签寄回是免费的。",
            },
            bad={
                "instruction": "把这条消息改写得礼貌、友好。",
                "input": "30 天内把靴子寄回来，否则不退款。用我们的标签。",
                "output": "靴子不行！！！永远不退款，笨蛋，自己留着吧，还要再付我们 500 块哈哈",
            },
        ),
        "classify": ProbePair(
            _ZH_DESC,
            _ZH_SOURCE,
            labels=("正面", "负面"),
            good={"text": "这双靴子冬天徒步一整天脚都又暖又干，穿着很舒服，还会再买。", "label": "正面"},
            bad={
                "text": "太差了！第一次出门就漏水，一周后鞋底脱胶，客服一封邮件都不回。",
                "label": "正面",
            },
        ),
        "dialogue": ProbePair(
            _ZH_DESC,
            _ZH_SOURCE,
            good={
                "messages": [
                    {"role": "user", "content": "你好，两周前买的冲锋衣一次没穿过，可以退吗？"},
                    {
                        "role": "assistant",
                        "content": "可以。未使用的商品在签收后 30 天内可以退货并全额退款，使用预付标签寄回免运费。",
                    },
                    {"role": "user", "content": "太好了，标签在哪里拿？"},
                    {
                        "role": "assistant",
                        "content": "在北风户外 App 的订单页面选择“退货”，预付标签会通过邮件发给您。",
                    },
                ]
            },
            bad={
                "messages": [
                    {"role": "user", "content": "你好，两周前买的冲锋衣一次没穿过，可以退吗？"},
                    {"role": "assistant", "content": "火星上的天气很冷。我喜欢乌龟。"},
                    {"role": "user", "content": "这没有回答我的问题。到底能不能退？"},
                    {"role": "assistant", "content": "永远不能退货，而且你因为问这个问题要付我们 500 块。"},
                ]
            },
        ),
    },
}
