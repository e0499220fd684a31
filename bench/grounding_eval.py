"""Measure sentence-level grounding (`unsupported_sentence`) on a labelled set of answers, zh and en.

    .venv/bin/python bench/grounding_eval.py [--half tune|heldout|fresh|all] [--embedding] [-v]
    .venv/bin/python bench/grounding_eval.py --cost        # per-record cost of the ground stage

Data (bench/data/):
- grounding_sources.jsonl: the source documents ({id, lang, text}), six per language;
- grounding_tune.jsonl and grounding_heldout.jsonl: records ({id, lang, task, source, instruction,
  input, output} or {…, messages}) and `unsupported`: the answer sentences, verbatim, that neither the
  source nor the prompt supports ([] = a supported answer). The held-out half was written before any of
  the support code and is measured apart; nothing was tuned on it;
- grounding_fresh.jsonl: a third batch, written after the held-out half was measured and the code
  changed for what it showed (see bench/grounding_eval.md), then measured once.

Figures, per half and language:
- sentence recall: labelled unsupported sentences caught / all labelled (goal >= 0.90);
- sentence precision: flagged sentences that are labelled unsupported / all flagged;
- supported answers rejected: supported answers that the stage rejects for `unsupported_sentence` with
  the recipe defaults (two or more unsupported sentences; `--per-sentence`: one is enough) / all
  supported (goal <= 5%); "flagged": those with the code as a flag or a reason; "any finding" adds
  `ungrounded`, which only flags by default;
- unsupported answers caught: answers with a labelled sentence that get an `unsupported_sentence` (a flag
  or a reason), and how many of them are rejected.

A flagged sentence matches a labelled one when either holds the other (the splitter may cut finer).
It prints and asserts nothing; tests/test_ground_sentences.py holds the regression figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synthpipe.core.records import Meta, Record
from synthpipe.recipe import GroundingConfig
from synthpipe.stages.ground import UNGROUNDED, UNSUPPORTED_SENTENCE, GroundingStage
from synthpipe.stages.support_embed import EmbeddingGroundingStage

DATA = Path(__file__).parent / "data"
HALVES = ("tune", "heldout", "fresh", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7", "blind8")


def load(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line]


def sources() -> dict[str, str]:
    # blind4 to blind8 brought six sources each, in files of their own
    rows = [*load("grounding_sources.jsonl"), *load("grounding_sources_blind4.jsonl")]
    for n in (5, 6, 7, 8):
        rows += load(f"grounding_sources_blind{n}.jsonl")
    return {row["id"]: row["text"] for row in rows}


def fields(row: dict[str, Any]) -> dict[str, Any]:
    """The record's own fields of a labelled row (a dialogue's messages, or instruction, input, output)."""
    if "messages" in row:
        return {"messages": row["messages"]}
    return {"instruction": row["instruction"], "input": row.get("input", ""), "output": row["output"]}


def record(row: dict[str, Any]) -> Record:
    return Record(row["id"], fields(row), Meta(task=row["task"]))


def _match(a: str, b: str) -> bool:
    return a in b or b in a


@dataclass
class Tally:
    labelled: Counter[str] = field(default_factory=Counter)
    caught: Counter[str] = field(default_factory=Counter)
    flagged: Counter[str] = field(default_factory=Counter)
    flagged_right: Counter[str] = field(default_factory=Counter)
    supported: Counter[str] = field(default_factory=Counter)
    supported_rejected: Counter[str] = field(default_factory=Counter)
    supported_flagged: Counter[str] = field(default_factory=Counter)  # flagged or rejected
    unsupported_rejected: Counter[str] = field(default_factory=Counter)
    supported_any: Counter[str] = field(default_factory=Counter)
    unsupported: Counter[str] = field(default_factory=Counter)
    unsupported_caught: Counter[str] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)
    false_flags: list[str] = field(default_factory=list)
    with_finding: set[str] = field(default_factory=set)  # ids of answers flagged or rejected for a sentence

    def figures(self, lang: str | None = None) -> dict[str, Any]:
        def n(c: Counter[str]) -> int:
            return c[lang] if lang else sum(c.values())

        def ratio(a: int, b: int) -> float:
            return round(a / b, 3) if b else 0.0

        return {
            "sentence_recall": ratio(n(self.caught), n(self.labelled)),
            "sentence_precision": ratio(n(self.flagged_right), n(self.flagged)),
            "supported_rejected": ratio(n(self.supported_rejected), n(self.supported)),
            "supported_any_finding": ratio(n(self.supported_any), n(self.supported)),
            "answers_caught": ratio(n(self.unsupported_caught), n(self.unsupported)),
            "counts": {
                "unsupported_sentences": n(self.labelled),
                "caught": n(self.caught),
                "flagged": n(self.flagged),
                "flagged_right": n(self.flagged_right),
                "supported_answers": n(self.supported),
                "supported_rejected": n(self.supported_rejected),
                "supported_flagged": n(self.supported_flagged),
                "unsupported_answers_rejected": n(self.unsupported_rejected),
                "unsupported_answers": n(self.unsupported),
                "unsupported_answers_caught": n(self.unsupported_caught),
            },
        }


def evaluate(half: str, config: GroundingConfig | None = None) -> Tally:
    """Run the ground stage over one half; the stage per source is built once, as in a run."""
    config = config or GroundingConfig()
    docs = sources()
    stages: dict[str, GroundingStage] = {}
    tally = Tally()
    for row in load(f"grounding_{half}.jsonl"):
        stage = stages.get(row["source"])
        if stage is None:
            stage = stages[row["source"]] = _stage(config, docs[row["source"]], row["task"])
        rec = record(row)
        supports = stage.sentence_supports(rec) or []
        if isinstance(stage, EmbeddingGroundingStage):
            stage.second_opinion(supports)
        stage.decide(rec, supports)
        codes = {r.code for r in rec.meta.reasons + rec.meta.flags}
        rejected = {r.code for r in rec.meta.reasons}
        flagged = [s.sentence for s in supports if not s.supported(config.min_support)]
        lang, labels = row["lang"], row["unsupported"]
        if UNSUPPORTED_SENTENCE in codes:
            tally.with_finding.add(row["id"])
        for label in labels:
            tally.labelled[lang] += 1
            if any(_match(f, label) for f in flagged):
                tally.caught[lang] += 1
            else:
                tally.misses.append(f"{row['id']}: {label}")
        for f in flagged:
            tally.flagged[lang] += 1
            if any(_match(f, label) for label in labels):
                tally.flagged_right[lang] += 1
            else:
                tally.false_flags.append(f"{row['id']}: {f}")
        if labels:
            tally.unsupported[lang] += 1
            tally.unsupported_caught[lang] += UNSUPPORTED_SENTENCE in codes
            tally.unsupported_rejected[lang] += UNSUPPORTED_SENTENCE in rejected
        else:
            tally.supported[lang] += 1
            tally.supported_rejected[lang] += UNSUPPORTED_SENTENCE in rejected
            tally.supported_flagged[lang] += UNSUPPORTED_SENTENCE in codes
            tally.supported_any[lang] += bool(codes & {UNSUPPORTED_SENTENCE, UNGROUNDED})
    return tally


def _stage(config: GroundingConfig, text: str, task: str) -> GroundingStage:
    from synthpipe.tasks import get_task

    if config.embedding:
        return EmbeddingGroundingStage(config, [text], get_task(task))
    return GroundingStage(config, [text], get_task(task))


def cost(n: int = 20_000, repeats: int = 5) -> dict[str, float]:
    """Microseconds per record of the ground stage's `apply` on the cached re-run benchmark's answers
    (bench/latency_server.py's vary_qa) against the shipped qa_en recipe's source, sentences off and on."""
    sys.path.insert(0, str(Path(__file__).parent))
    from latency_server import vary_qa
    from synthpipe import load_recipe

    recipe = load_recipe(Path(__file__).parents[1] / "src" / "synthpipe" / "examples" / "qa_en.yaml")
    rows = [vary_qa(str(i).encode()) for i in range(n)]
    out: dict[str, float] = {}
    for name, cfg in (
        ("sentences off", recipe.grounding.model_copy(update={"sentences": False})),
        ("sentences on", recipe.grounding),
    ):
        times = []
        for _ in range(repeats):
            stage = GroundingStage(cfg, recipe.source_texts, None)
            recs = [Record(str(i), dict(f), Meta(task="qa")) for i, f in enumerate(rows)]
            start = time.perf_counter()
            for rec in recs:
                stage.apply(rec)
            times.append((time.perf_counter() - start) / n * 1e6)
        out[f"{name}: min us/record"] = round(min(times), 1)
        out[f"{name}: median us/record"] = round(statistics.median(times), 1)
        out[f"{name}: rejected share"] = round(sum(not r.ok for r in recs) / n, 3)
    start = time.perf_counter()
    GroundingStage(recipe.grounding, recipe.source_texts * 400, None)  # ~400 KB of source
    out["index build, 400 copies of the source: s"] = round(time.perf_counter() - start, 3)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--half", choices=[*HALVES, "all"], default="all")
    ap.add_argument(
        "--embedding", action="store_true", help="with the embedding second opinion (extra embed)"
    )
    ap.add_argument("--min-support", type=float, default=None)
    ap.add_argument(
        "--per-sentence",
        action="store_true",
        help="reject an answer for one unsupported sentence (max_unsupported_sentences: 0)",
    )
    ap.add_argument("--cost", action="store_true", help="time the stage instead")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("-v", "--verbose", action="store_true", help="list misses and false flags")
    args = ap.parse_args()
    if args.cost:
        for key, value in cost().items():
            print(f"{key}: {value}")
        return
    update: dict[str, Any] = {"embedding": args.embedding}
    if args.min_support is not None:
        update["min_support"] = args.min_support
    if args.per_sentence:
        update["max_unsupported_sentences"] = 0
    config = GroundingConfig(**update)
    report: dict[str, Any] = {}
    for half in HALVES if args.half == "all" else (args.half,):
        tally = evaluate(half, config)
        report[half] = {"all": tally.figures(), "en": tally.figures("en"), "zh": tally.figures("zh")}
        for part, fig in report[half].items():
            c = fig["counts"]
            print(
                f"{half:7} {part:3}: sentence recall {c['caught']}/{c['unsupported_sentences']} = "
                f"{fig['sentence_recall']:.3f}, precision {c['flagged_right']}/{c['flagged']} = "
                f"{fig['sentence_precision']:.3f}; supported answers rejected {c['supported_rejected']}/"
                f"{c['supported_answers']} = {fig['supported_rejected']:.1%} (any finding "
                f"{fig['supported_any_finding']:.1%}, flagged {c['supported_flagged']}); unsupported "
                f"answers caught {c['unsupported_answers_caught']}/{c['unsupported_answers']}, rejected "
                f"{c['unsupported_answers_rejected']}"
            )
        if args.verbose:
            for line in tally.misses:
                print(f"  missed       {line}")
            for line in tally.false_flags:
                print(f"  false flag   {line}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
