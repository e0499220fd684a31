"""Micro-benchmark of the rule checks: microseconds per record for a few representative records.

    PYTHONPATH=src python bench/checks_speed.py [--seconds 0.5] [--data bench/data/rules_labelled.jsonl]

Prints µs/record for short English and Chinese qa records (instruction ~60 chars, output ~200 chars),
classify records and 6-turn dialogues, then the mean over every record of the labelled rules set.
Goal: <= 60 µs per typical qa record, so that a fully cached `synthpipe run` reaches 5,000 records/s.
Run it against another checkout (PYTHONPATH=/path/to/old/src) to compare before and after.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from synthpipe.core.records import Meta, Record
from synthpipe.recipe import Constraints
from synthpipe.stages.rules import RuleChecker

DATA = Path(__file__).parent / "data" / "rules_labelled.jsonl"
BANNED_EN = ["guaranteed returns", "miracle cure"]
BANNED_ZH = ["稳赚不赔", "包治百病"]
LABELS_EN = ["positive", "negative", "neutral", "refund", "shipping", "other"]
LABELS_ZH = ["正面", "负面", "中性", "退换货", "物流查询", "其他"]

CASES: list[tuple[str, str, list[str], dict[str, Any]]] = [
    (
        "qa en",
        "qa",
        BANNED_EN,
        {
            "instruction": "How can I change the delivery address of an order I placed today?",
            "input": "",
            "output": "While the order is still awaiting shipment, open it under My Orders and tap Change "
            "address. Once it has shipped, you can only ask the courier to redirect it, or refuse the "
            "parcel and place a new order.",
        },
    ),
    (
        "qa zh",
        "qa",
        BANNED_ZH,
        {
            "instruction": "订单显示已经签收了，但是我一直没有收到包裹，家里人也说没看到。请问我应该怎么处理这个问题？需要提供什么材料吗？",
            "input": "",
            "output": "请先在订单详情里核对收件地址，并问一下家人、前台或快递柜是否代收。如果 24 小时内仍未"
            "找到，请在 App 的“售后服务”中提交“未收到货”申请，我们会联系快递公司核实，并在 3 个工作日"
            "内给出处理结果。申请时请上传订单截图和物流页面截图，如果快递员留下了放置位置的照片，也请一并提供。"
            "如有疑问，也可以直接联系在线客服，我们会尽快为您跟进处理，并在处理完成后短信通知您结果。",
        },
    ),
    (
        "qa en, code",
        "qa",
        BANNED_EN,
        {
            "instruction": "How do I read a CSV file in Python?",
            "input": "",
            "output": 'The simplest way is pandas:\n```python\nimport pandas as pd\ndf = pd.read_csv("data.csv")'
            "\nprint(df.head())\n```\nIf you would rather not install a library, the standard `csv` module "
            "works too: iterate over the rows that `csv.reader` returns.",
        },
    ),
    (
        "classify en",
        "classify",
        BANNED_EN,
        {"text": "The parcel arrived two days late and the box was crushed.", "label": "shipping"},
    ),
    (
        "classify zh",
        "classify",
        BANNED_ZH,
        {"text": "客服回复很及时，问题当天就解决了，点赞", "label": "正面"},
    ),
    (
        "dialogue en",
        "dialogue",
        BANNED_EN,
        {
            "messages": [
                {"role": "user", "content": "How do I make a basic vinaigrette?"},
                {
                    "role": "assistant",
                    "content": "Whisk 3 parts oil with 1 part vinegar, a pinch of salt "
                    "and a little mustard to help it emulsify.",
                },
                {"role": "user", "content": "Which oil is best?"},
                {
                    "role": "assistant",
                    "content": "Extra virgin olive oil for flavour; a neutral oil such "
                    "as sunflower if you want the vinegar to stand out.",
                },
                {"role": "user", "content": "How long does it keep?"},
                {
                    "role": "assistant",
                    "content": "About a week in a sealed jar in the fridge. Shake it "
                    "well before using, since it separates as it sits.",
                },
            ]
        },
    ),
    (
        "dialogue zh",
        "dialogue",
        BANNED_ZH,
        {
            "messages": [
                {"role": "user", "content": "我的车被追尾了，保险怎么理赔？"},
                {
                    "role": "assistant",
                    "content": "先确认人员安全，拍下现场和两车损伤的照片，再打保险公司电话报案，"
                    "或者在 App 里在线报案。",
                },
                {"role": "user", "content": "对方全责的话我要做什么？"},
                {
                    "role": "assistant",
                    "content": "由对方的保险公司赔付，您需要拿到交警出具的事故认定书，"
                    "把对方的保单信息记下来。",
                },
                {"role": "user", "content": "修车要自己先垫钱吗？"},
                {
                    "role": "assistant",
                    "content": "一般不用，可以去对方保险公司的合作修理厂直赔；如果去别的修理厂，"
                    "可能需要先垫付再找对方保险公司报销。",
                },
            ]
        },
    ),
]


def checker(task: str, banned: list[str]) -> RuleChecker:
    labels = LABELS_EN + LABELS_ZH if task == "classify" else []
    return RuleChecker(task, None, labels, (3, 6), Constraints(banned_words=banned))


def per_record_us(ck: RuleChecker, records: list[Record], seconds: float, batches: int = 15) -> float:
    """Best of `batches` timed batches taking `seconds` in all, in µs per record. CPU time of this process
    (not wall time) and the best batch, since the machine may be shared."""
    n = 1
    while True:  # grow the batch until one takes a measurable time
        t = time.process_time()
        for _ in range(n):
            for rec in records:
                ck.check(rec)
        dt = time.process_time() - t
        if dt > seconds / 10:
            break
        n *= 2
    reps = max(1, int(n * seconds / batches / dt))
    best = float("inf")
    for _ in range(batches):
        t = time.process_time()
        for _ in range(reps):
            for rec in records:
                ck.check(rec)
        best = min(best, time.process_time() - t)
    return best / (reps * len(records)) * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=0.5, help="time spent per case")
    ap.add_argument("--data", type=Path, default=DATA)
    args = ap.parse_args()
    print(f"{'case':28} {'µs/record':>10} {'records/s':>10}")
    for name, task, banned, fields in CASES:
        us = per_record_us(checker(task, banned), [Record(name, fields, Meta(task=task))], args.seconds)
        print(f"{name:28} {us:10.1f} {1e6 / us:10,.0f}")
    if args.data.exists():
        rows = [json.loads(x) for x in args.data.read_text(encoding="utf-8").splitlines() if x.strip()]
        for task in ("qa", "classify", "dialogue"):
            group = [r for r in rows if r["task"] == task]
            ck = RuleChecker(
                task,
                None,
                group[0]["labels"] if task == "classify" else [],
                (3, 6),
                Constraints(banned_words=group[0]["constraints"]["banned_words"]),
            )
            recs = [Record(r["id"], r["record"], Meta(task=task)) for r in group]
            us = per_record_us(ck, recs, args.seconds * 2)
            print(f"{'labelled set, ' + task + f' ({len(recs)})':28} {us:10.1f} {1e6 / us:10,.0f}")


if __name__ == "__main__":
    main()
