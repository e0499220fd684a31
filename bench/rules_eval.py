"""Measure the rule checks on a labelled set: per-rule recall and the clean false-rejection rate.

    PYTHONPATH=src python bench/rules_eval.py [--data bench/data/rules_labelled.jsonl] [-v]

Each line of the data file holds a record plus how to check it (task, language or null for "the
instruction's", labels, rounds, constraints) and `expect`: the rule codes it must fail ([] = clean).
Goal: every defect caught (recall 1.0 per rule) and at most 2% of clean records rejected.
Rows with ids "holdout-…", "unseen-…", "fresh-…" and "blind-…" were written after the rules were tuned
and are reported apart. Each batch was first run on rules that had never seen it; those first-run figures are
recorded in bench/rules_eval.md, since the rules were then fixed for what each batch exposed.
With the default data, issue 12's task-kind batch (bench/data/rules_kinds_labelled.jsonl, see KINDS_DATA) is
reported after the others, its tuning and held-out parts apart.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synthpipe.core.records import Meta, Record
from synthpipe.recipe import Constraints
from synthpipe.stages.rules import CODES, RuleChecker

DATA = Path(__file__).parent / "data" / "rules_labelled.jsonl"
# Issue 12's task-kind rules (filler_answer, repeated_turn, off_topic, not_condensed, low_coverage,
# not_rewritten, meaning_drift): a tuning part ("kinds-…") and a held-out part ("kinds-holdout-…") written
# before the rules and measured once. Dialogue rows may carry the recipe's `topics` and `sources` and the
# record's `plan` (its topic), which off_topic compares with.
KINDS_DATA = Path(__file__).parent / "data" / "rules_kinds_labelled.jsonl"
KIND_CODES = (
    "filler_answer",
    "repeated_turn",
    "off_topic",
    "not_condensed",
    "low_coverage",
    "not_rewritten",
    "meaning_drift",
)


@dataclass
class Tally:
    caught: Counter[tuple[str, str]] = field(default_factory=Counter)
    total: Counter[tuple[str, str]] = field(default_factory=Counter)
    fired_unexpected: Counter[str] = field(default_factory=Counter)
    clean: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    misses: list[tuple[dict[str, Any], set[str]]] = field(default_factory=list)
    false_rejects: list[tuple[dict[str, Any], set[str]]] = field(default_factory=list)

    def add(self, row: dict[str, Any], codes: set[str]) -> None:
        for code in codes - set(row["expect"]):
            self.fired_unexpected[code] += 1
        if not row["expect"]:
            self.clean[row["task"]] += 1
            if codes:
                self.rejected[row["task"]] += 1
                self.false_rejects.append((row, codes))
        for code in row["expect"]:
            self.total[(code, row["data_lang"])] += 1
            if code in codes:
                self.caught[(code, row["data_lang"])] += 1
            elif not any(r is row for r, _ in self.misses):
                self.misses.append((row, codes))

    def summary(self, name: str) -> None:
        n_def, n_caught = sum(self.total.values()), sum(self.caught.values())
        n_clean, n_fr = sum(self.clean.values()), sum(self.rejected.values())
        print(
            f"{name}: defect recall {n_caught}/{n_def} = {n_caught / max(n_def, 1):.3f}; "
            f"clean false rejections {n_fr}/{n_clean} = {n_fr / max(n_clean, 1):.2%} (goal <= 2%)"
        )

    def details(self) -> None:
        for row, codes in self.misses:
            print(
                f"  missed {row['expect']} in {row['id']} (got {sorted(codes)}): "
                f"{json.dumps(row['record'], ensure_ascii=False)[:200]}"
            )
        for row, codes in self.false_rejects:
            print(
                f"  false rejection {row['id']} {sorted(codes)}: {json.dumps(row['record'], ensure_ascii=False)[:200]}"
            )


def checker_for(row: dict[str, Any], cache: dict[str, RuleChecker]) -> RuleChecker:
    examples = row.get("examples", [])  # few-shot examples, for copies_example
    topics, sources = row.get("topics", []), row.get("sources", [])  # for off_topic
    key = json.dumps(
        [row["task"], row["check_lang"], row["labels"], row["rounds"], row["constraints"], examples]
        + ([topics, sources] if topics or sources else []),
        sort_keys=True,
    )
    if key not in cache:
        cons = Constraints(
            banned_words=row["constraints"]["banned_words"],
            lengths={k: tuple(v) for k, v in row["constraints"]["lengths"].items()},
        )
        cache[key] = RuleChecker(
            row["task"],
            row["check_lang"],
            row["labels"],
            tuple(row["rounds"]),
            cons,
            examples=examples,
            topics=topics,
            sources=sources,
        )
    return cache[key]


def codes_of(row: dict[str, Any], cache: dict[str, RuleChecker]) -> set[str]:
    rec = Record(row["id"], row["record"], Meta(task=row["task"], plan=row.get("plan", {})))
    return {r.code for r in checker_for(row, cache).check(rec)}


def kinds_report(path: Path, cache: dict[str, RuleChecker]) -> None:
    """Issue 12's batch, apart: per-rule recall on the tuning part, then the held-out part."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    tuning, held_out = Tally(), Tally()
    for row in rows:
        (held_out if row["id"].startswith("kinds-holdout-") else tuning).add(row, codes_of(row, cache))
    n_held = sum(1 for r in rows if r["id"].startswith("kinds-holdout-"))
    print(f"\ntask-kind rules ({path.name}: tuning {len(rows) - n_held}, held out {n_held}), per rule:")
    print(f"{'rule':24} {'tuning zh':>9} {'tuning en':>9} {'held-out':>9} {'fired elsewhere':>16}")
    for code in KIND_CODES:
        cells = [
            f"{tuning.caught[(code, lg)]}/{tuning.total[(code, lg)]}" if tuning.total[(code, lg)] else "-"
            for lg in ("zh", "en")
        ]
        h_caught = held_out.caught[(code, "zh")] + held_out.caught[(code, "en")]
        h_total = held_out.total[(code, "zh")] + held_out.total[(code, "en")]
        fired = tuning.fired_unexpected[code] + held_out.fired_unexpected[code]
        print(f"{code:24} {cells[0]:>9} {cells[1]:>9} {f'{h_caught}/{h_total}':>9} {fired:>16}")
    tuning.summary("task-kind rules, tuning part")
    print(
        "  clean by task: "
        + ", ".join(f"{k} {tuning.rejected[k]}/{n}" for k, n in sorted(tuning.clean.items()))
    )
    tuning.details()
    held_out.summary("task-kind rules, held out ('kinds-holdout-', written before the rules)")
    held_out.details()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("-v", "--verbose", action="store_true", help="print every miss and false rejection")
    args = ap.parse_args()
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    cache: dict[str, RuleChecker] = {}
    main_set, holdout, unseen, fresh, blind = Tally(), Tally(), Tally(), Tally(), Tally()
    started = time.perf_counter()
    for row in rows:
        codes = codes_of(row, cache)
        kind = row["id"].split("-", 1)[0]
        {"holdout": holdout, "unseen": unseen, "fresh": fresh, "blind": blind}.get(kind, main_set).add(
            row, codes
        )
    seconds = time.perf_counter() - started

    n_main = sum(1 for r in rows if not r["id"].startswith(("holdout-", "unseen-", "fresh-", "blind-")))
    print(
        f"{len(rows)} records checked in {seconds:.2f}s ({len(rows) / seconds:,.0f} records/s); main set {n_main}, "
        f"held out {len(rows) - n_main}\n"
    )
    print(f"main set, per rule:\n{'rule':24} {'zh':>7} {'en':>7} {'recall':>7} {'fired elsewhere':>16}")
    for code in (*CODES, *(c for c in KIND_CODES if main_set.fired_unexpected[c])):
        t = main_set
        cells = [
            f"{t.caught[(code, lg)]}/{t.total[(code, lg)]}" if t.total[(code, lg)] else "-"
            for lg in ("zh", "en")
        ]
        n_all = t.total[(code, "zh")] + t.total[(code, "en")]
        recall = f"{(t.caught[(code, 'zh')] + t.caught[(code, 'en')]) / n_all:.3f}" if n_all else "-"
        print(f"{code:24} {cells[0]:>7} {cells[1]:>7} {recall:>7} {t.fired_unexpected[code]:>16}")
    print()
    main_set.summary("main set")
    print(
        "  clean by task: "
        + ", ".join(f"{k} {main_set.rejected[k]}/{n}" for k, n in sorted(main_set.clean.items()))
    )
    n_hard = sum(1 for r in rows if r["id"].startswith("hard-"))
    print(
        f"  look-alike ('hard-') clean records rejected: "
        f"{sum(1 for r, _ in main_set.false_rejects if r['id'].startswith('hard-'))}/{n_hard}"
    )
    if args.verbose or len(main_set.misses) + len(main_set.false_rejects) <= 20:
        main_set.details()
    holdout.summary("held out, batch 1 (rules fixed after its first run)")
    holdout.details()
    unseen.summary("held out, batch 2 (rules fixed after its first run)")
    unseen.details()
    fresh.summary("held out, batch 3 (rules fixed after its first run)")
    fresh.details()
    blind.summary("held out, batch 4 ('blind-': slots and copied questions, written without the rule code)")
    blind.details()
    if args.data == DATA and KINDS_DATA.exists():
        kinds_report(KINDS_DATA, cache)


if __name__ == "__main__":
    main()
