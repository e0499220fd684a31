"""Augmentation per method, on the embedded model and through the OpenAI-compatible backend against a
real llama_cpp.server with the same GGUF: derived records per second, acceptance rate and the top reject
reasons. Prints figures and asserts nothing; they are honest figures for a 135M model, not a target.

    python bench/augment_bench.py                         # both backends, en and zh (~4 minutes on 2 cores)
    python bench/augment_bench.py --backend embedded --lang en

Data: bench/data/augment_faq.jsonl (10 English and 10 Chinese FAQ pairs written for this benchmark).
Every run asks the model afresh (no cache file); the default checks are on (augment_check, rules,
dedup), as `synthpipe augment` runs them."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import synthpipe  # noqa: E402
from synthpipe.lang import detect_language  # noqa: E402

METHODS = {
    "paraphrase": {"method": "paraphrase"},
    "backtranslate": {"method": "backtranslate"},
    "style (service)": {"method": "style", "style": "service"},
}


def rows(lang: str) -> list[dict[str, str]]:
    data = [
        json.loads(x) for x in (HERE / "data" / "augment_faq.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    return [r for r in data if detect_language(r["instruction"] + r["output"]) == lang]


def one(records: list[dict[str, str]], method: dict, lang: str, server: str | None) -> dict:
    options = {"model": "smollm2", "base_url": server, "max_in_flight": 4} if server else {}
    t0 = time.perf_counter()
    result = synthpipe.augment(
        records, task="qa", methods=[method], language=lang, use_cache=False, **options
    )
    wall = time.perf_counter() - t0
    derived = result.accepted + result.rejected + result.failed
    reasons = Counter(r.meta.reasons[0].code for r in result.rejected if r.meta.reasons)
    return {
        "derived": len(derived),
        "accepted": len(result.accepted),
        "failed": len(result.failed),
        "seconds": wall,
        "reasons": reasons.most_common(3),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["embedded", "server", "both"], default="both")
    ap.add_argument("--lang", choices=["en", "zh", "both"], default="both")
    args = ap.parse_args()
    backends = ["embedded", "server"] if args.backend == "both" else [args.backend]
    langs = ["en", "zh"] if args.lang == "both" else [args.lang]
    server = None
    if "server" in backends:
        from tests.llama_server import LlamaServer

        from synthpipe.backends.embedded import find_gguf

        server = LlamaServer(find_gguf())
        url = server.start()
    print("| backend | lang | method | parents | derived | derived/s | accepted | top reject reasons |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    try:
        for backend in backends:
            for lang in langs:
                recs = rows(lang)
                for name, method in METHODS.items():
                    f = one(recs, method, lang, url if backend == "server" else None)
                    top = ", ".join(f"{c} {k}" for c, k in f["reasons"])
                    rate = f["accepted"] / f["derived"] if f["derived"] else 0.0
                    failed = f" ({f['failed']} failed)" if f["failed"] else ""
                    print(
                        f"| {backend} | {lang} | {name} | {len(recs)} | {f['derived']} | "
                        f"{f['derived'] / f['seconds']:.2f} | {f['accepted']} ({rate:.0%}){failed} | {top} |",
                        flush=True,
                    )
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
