"""The judge route to grounding: how well an LLM judge shown the source catches unsupported answers.

    .venv/bin/python bench/judge_grounding.py --half fresh                       # the embedded model
    .venv/bin/python bench/judge_grounding.py --half blind8 --model NAME --base-url http://127.0.0.1:8000/v1

Lexical grounding (bench/grounding_eval.py) misses what needs meaning: a rule of one item given to
another, an invented condition in the source's own words. The judge's `faithfulness` criterion is shown
the source passage nearest each record (`synthpipe judge FILE --source DOC`); this runs exactly that over
a labelled half of bench/data/grounding_*.jsonl, one `synthpipe.judge` call per source and task kind,
with grounding switched off so that every record is judged, and the answers cached in
bench/.judge_grounding/ (a second run asks nothing).

It prints, per language, at the answer level (the judge scores answers, not sentences):
- unsupported answers caught: answers with a labelled sentence whose faithfulness is below `--below`;
- supported answers caught: the same for answers labelled supported (what the judge would reject);
- with lexical grounding: an answer caught by either (the lexical one as the ground stage rejects or
  flags by default), the union a recipe with both gets.

Figures on the embedded SmolLM2-135M show the flow, not the method: it fails the judge probe. It prints
and asserts nothing; blind9 is kept unmeasured (bench/grounding_eval.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "src"), str(HERE)]

import grounding_eval  # noqa: E402
import synthpipe  # noqa: E402

WORK = HERE / ".judge_grounding"


def judge_half(half: str, model: str | None, base_url: str | None) -> dict[str, int]:
    """Faithfulness of every answer of `half`, by record id."""
    texts = grounding_eval.sources()
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in grounding_eval.load(f"grounding_{half}.jsonl"):
        groups[(r["source"], r["task"], r["lang"])].append(r)
    out: dict[str, int] = {}
    for (source, task, lang), rows in sorted(groups.items()):
        where = WORK / half / f"{source}-{task}"
        where.mkdir(parents=True, exist_ok=True)
        data, doc = where / "answers.jsonl", where / f"{source}.md"
        data.write_text(
            "".join(json.dumps(grounding_eval.fields(r), ensure_ascii=False) + "\n" for r in rows),
            encoding="utf-8",
        )
        doc.write_text(texts[source], encoding="utf-8")
        recipe = {"name": f"{half}-{source}", "task": task, "language": lang, "grounding": {"enabled": False}}
        res = synthpipe.judge(
            data, recipe=recipe, sources=[doc], model=model, base_url=base_url, out=where / "judged"
        )
        for rec in res.accepted + res.rejected:
            score = rec.meta.scores.get("judge", {}).get("faithfulness")
            if score is not None:
                out[rows[rec.meta.line - 1]["id"]] = int(score)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--half", default="fresh", choices=grounding_eval.HALVES)
    ap.add_argument("--model", help="judge model on an OpenAI-compatible server (default: the embedded one)")
    ap.add_argument("--base-url")
    ap.add_argument("--below", type=int, default=4, help="faithfulness below this counts as caught (1-5)")
    args = ap.parse_args()
    scores = judge_half(args.half, args.model, args.base_url)
    lex = grounding_eval.evaluate(args.half).with_finding  # the ground stage's own verdicts
    rows = grounding_eval.load(f"grounding_{args.half}.jsonl")
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        for lang in ("all", r["lang"]):
            t = tally[lang]
            kind = "unsupported" if r["unsupported"] else "supported"
            judged = scores.get(r["id"])
            t[kind] += 1
            t[f"{kind}_judged"] += judged is not None
            by_judge = judged is not None and judged < args.below
            t[f"{kind}_judge"] += by_judge
            t[f"{kind}_either"] += by_judge or r["id"] in lex
    print(f"judge: {args.model or 'embedded SmolLM2-135M'}; faithfulness < {args.below} counts as caught")
    for lang in ("all", "en", "zh"):
        t = tally[lang]
        print(
            f"{args.half:7s} {lang:3s}: unsupported answers caught by the judge {t['unsupported_judge']}/"
            f"{t['unsupported']}, with lexical grounding {t['unsupported_either']}/{t['unsupported']}; "
            f"supported answers caught by the judge {t['supported_judge']}/{t['supported']}, with lexical "
            f"{t['supported_either']}/{t['supported']} (judged: {t['unsupported_judged'] + t['supported_judged']})"
        )
    dist = Counter(scores.values())
    print("faithfulness scores:", ", ".join(f"{k}: {dist[k]}" for k in sorted(dist)))


if __name__ == "__main__":
    main()
