"""The checks on derived records (augment_check) against labelled parent/child pairs in zh and en: for
each defect label, how many are caught with that code; how many good derived records are rejected.

    python bench/augment_checks_eval.py                  # tune and blind parts
    python bench/augment_checks_eval.py --part blind -v  # one part, every miss and false rejection

Parts (bench/data/):
- augment_checks_tune.jsonl: written with the checks and tuned on;
- augment_checks_blind.jsonl: written by someone who never read the checks' code, measured as it came.
A pair is a parent text and a child text of one method: for paraphrase and backtranslate the question,
for style the answer. Prints figures and asserts nothing (tests/test_augment_checks.py holds them)."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from synthpipe.core.records import Meta, Record  # noqa: E402
from synthpipe.recipe import validate  # noqa: E402
from synthpipe.stages.augment.checks import AugmentCheckStage  # noqa: E402

LABELS = ("augment_copy", "fact_changed", "wrong_language", "meaning_drift")
QUESTION = "How long does it take?"
ANSWER = "It takes a while."


def load(part: str) -> list[dict[str, Any]]:
    path = HERE / "data" / f"augment_checks_{part}.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def decide(row: dict[str, Any]) -> str:
    """The first reason augment_check gives the child, or "ok"."""
    method = row["method"]
    entry: Any = {"method": "style", "style": "formal"} if method == "style" else method
    recipe = validate({"task": "qa", "language": row["lang"], "augment": {"methods": [entry]}}, "eval")
    side = "output" if method == "style" else "instruction"
    other = {"instruction": QUESTION} if side == "output" else {"output": ANSWER}
    parent = Record(id="p", fields={"input": "", **other, side: row["parent"]}, meta=Meta(task="qa"))
    info = {"method": method, "key": method, "k": 0}
    child = Record(
        id="c",
        fields={"input": "", **other, side: row["child"]},
        meta=Meta(task="qa", origin=f"augmented:{method}", parent_id="p", extra={"augment": info}),
    )
    AugmentCheckStage(recipe, {"p": parent}).apply(child)
    return child.meta.reasons[0].code if child.meta.reasons else "ok"


def evaluate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per label: (caught with the right code, caught with any code, total); good ones rejected."""
    caught: Counter[str] = Counter()
    any_code: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses = []
    for row in rows:
        got = decide(row)
        label = row["label"]
        total[label] += 1
        if got == label:
            caught[label] += 1
        if label != "ok" and got != "ok":
            any_code[label] += 1
        if got != label:
            misses.append((row, got))
    defects = sum(total[k] for k in LABELS)
    return {
        "per_label": {k: (caught[k], any_code[k], total[k]) for k in LABELS},
        "defects_caught": sum(any_code[k] for k in LABELS),
        "defects": defects,
        "ok_rejected": total["ok"] - caught["ok"],
        "ok": total["ok"],
        "misses": misses,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=["tune", "blind", "blind2", "all"], default="all")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    parts = ["tune", "blind", "blind2"] if args.part == "all" else [args.part]
    print("| part | lang | " + " | ".join(LABELS) + " | defects caught | good rejected |")
    print("|---|---|" + "---:|" * (len(LABELS) + 2))
    for part in parts:
        rows = load(part)
        for lang in ("en", "zh", "all"):
            sub = [r for r in rows if lang == "all" or r["lang"] == lang]
            f = evaluate(sub)
            cells = [f"{c}/{t}" for c, _, t in f["per_label"].values()]
            print(
                f"| {part} | {lang} | " + " | ".join(cells) + f" | {f['defects_caught']}/{f['defects']} | "
                f"{f['ok_rejected']}/{f['ok']} |"
            )
            if args.verbose and lang == "all":
                for row, got in f["misses"]:
                    print(
                        f"    {row['label']:>14} -> {got:<14} {row['parent'][:50]!r} => {row['child'][:60]!r}"
                    )


if __name__ == "__main__":
    main()
