"""Chinese semantic dedup: how the two packaged embedding models score Chinese sentence pairs.

bench/data/zh_embed_pairs.jsonl holds labelled pairs in two parts: `tune` (20 paraphrase pairs of
everyday sentences, 20 hard negatives: the same sentence with another time, number, object or a
reversed meaning), on which multilingual-e5-small's threshold (0.95) was chosen, and `heldout` (15 + 15
customer-service FAQ pairs, written afterwards and measured once). Unrelated pairs are every first
sentence of a paraphrase pair against the second sentence of every other pair in the same part.

For each model and part it prints, at the model's threshold (all-MiniLM-L6-v2: the default 0.92;
multilingual-e5-small: 0.95):
- paraphrase recall: paraphrase pairs at or above the threshold (found as `duplicate_semantic`);
- unrelated merged: unrelated pairs at or above it (false merges of records about other things);
- hard negatives merged: with the embedding alone, and after dedup's number veto (confirm.py), which
  keeps pairs apart whose numbers differ.
It prints figures and asserts nothing:

    .venv/bin/python bench/zh_embed.py            # needs synthpipe[embed] and synthpipe[embed-zh]
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from synthpipe.stages.dedup.confirm import features, veto
from synthpipe.stages.dedup.embed import (
    LOCAL_MODEL,
    MULTILINGUAL_MODEL,
    MULTILINGUAL_THRESHOLD,
    LocalEmbedder,
    MultilingualEmbedder,
)

DATA = Path(__file__).parent / "data" / "zh_embed_pairs.jsonl"


def main() -> None:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    models = [
        (LOCAL_MODEL, LocalEmbedder(), 0.92),
        (MULTILINGUAL_MODEL, MultilingualEmbedder(), MULTILINGUAL_THRESHOLD),
    ]
    print(
        f"{'model':24} {'part':8} {'thr':>5}  paraphrase recall  unrelated merged  hard neg. merged (after number veto)"
    )
    for name, embedder, threshold in models:
        for part in ("tune", "heldout"):
            para = [(r["a"], r["b"]) for r in rows if r["split"] == part and r["kind"] == "paraphrase"]
            hard = [(r["a"], r["b"]) for r in rows if r["split"] == part and r["kind"] == "hard_negative"]
            unrelated = [(a, b2) for i, (a, _) in enumerate(para) for j, (_, b2) in enumerate(para) if i != j]
            texts = sorted({s for pair in para + hard for s in pair})
            vec = dict(zip(texts, embedder.embed(texts), strict=True))

            def cos(pair: tuple[str, str], vec: dict = vec) -> float:
                return float(np.dot(vec[pair[0]], vec[pair[1]]))

            found = sum(cos(p) >= threshold for p in para)
            merged = sum(cos(p) >= threshold for p in unrelated)
            hard_hits = [p for p in hard if cos(p) >= threshold]
            vetoed = sum(veto(features("", a), features("", b)) is not None for a, b in hard_hits)
            print(
                f"{name:24} {part:8} {threshold:5.2f}  {found:>3}/{len(para)} = {found / len(para):.2f}"
                f"        {merged:>3}/{len(unrelated)} = {merged / len(unrelated):.3f}"
                f"   {len(hard_hits)}/{len(hard)} ({len(hard_hits) - vetoed}/{len(hard)})"
            )
            para_min = min(cos(p) for p in para)
            unrel_max = max(cos(p) for p in unrelated)
            print(
                f"{'':24} {'':8}        paraphrase cosine min {para_min:.3f}; unrelated max {unrel_max:.3f}"
            )


if __name__ == "__main__":
    main()
