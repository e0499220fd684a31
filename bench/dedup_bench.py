"""Dedup benchmark: quality on the labelled near-duplicate set, and speed/memory at 100k and 1M records.

    python bench/dedup_bench.py quality [--thresholds 0.7,0.8,0.9] [--embed]
    python bench/dedup_bench.py templates [--parts tune,heldout,blind,…,blind7]   # template-heavy FAQ set (bench/data)
    python bench/dedup_bench.py scale --n 100000 [--engines synthpipe,datasketch,rensa]
    python bench/dedup_bench.py scale --n 1000000            # the 1M goal: < 60 s, < 4 GB (2 cores)

quality: exact + MinHash through `dedup_records` over bench/make_neardup_set.py's set; precision = removed
records whose kept record is in the same family / all removed; recall = those / (family size - 1) summed.
The same shingles go through datasketch's MinHashLSH and rensa's RMinHashLSH (candidates taken as
duplicates, and again with their estimated Jaccard checked against the threshold) for comparison.

templates: the labelled template-heavy FAQ set (bench/data/make_template_set.py, qa, en + zh): records that
share an answer template but differ in subject or number are distinct families, planted rewordings are
duplicates. Scored like `quality`, per part (tune, and the held-out part that nothing was tuned on), at
the default settings, through the batch path and streamed through `Deduper`.

scale: short synthetic records (12-40 words, Zipf vocabulary, 10% Chinese; ~5% exact and ~10% near copies).
Each engine runs in its own process so its peak RSS (ru_maxrss) is its own; `base` is the RSS with the
records built, before dedup. Every engine does exact dedup first (same normalisation), then keep-first
MinHash dedup. Figures printed here are copied into bench/dedup.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "src"), str(HERE)]

from synthpipe.core.records import Meta, Record  # noqa: E402
from synthpipe.recipe import DedupConfig  # noqa: E402
from synthpipe.stages.dedup import dedup_records, exact_key, normalize  # noqa: E402
from synthpipe.stages.dedup.shingles import is_cjk  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- quality


def load_set(seed: int = 7, bases: int = 1500) -> list[Record]:
    import make_neardup_set

    return records_of(make_neardup_set.make(bases, seed))


def records_of(rows: list[dict[str, Any]]) -> list[Record]:
    """make_neardup_set rows as classify records."""
    return [
        Record(
            id=r["id"],
            fields={"text": r["text"], "label": r["label"]},
            meta=Meta(task="classify", line=i + 1, extra=dict(r["meta"]["extra"])),
        )
        for i, r in enumerate(rows)
    ]


def score(records: list[Record], removed_to: dict[str, str]) -> dict[str, Any]:
    """Precision/recall of `removed id -> kept id` against the families, overall and per language/edit."""
    fam = {r.id: r.meta.extra["family"] for r in records}
    size = Counter(fam.values())
    tp = sum(1 for rid, kid in removed_to.items() if fam[rid] == fam.get(kid))
    fp = len(removed_to) - tp
    want = sum(s - 1 for s in size.values())
    out: dict[str, Any] = {
        "P": tp / (tp + fp) if tp + fp else 1.0,
        "R": tp / want if want else 1.0,
        "TP": tp,
        "FP": fp,
        "missed": want - tp,
    }
    caught: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    removed_fams = Counter(fam[rid] for rid, kid in removed_to.items() if fam[rid] == fam.get(kid))
    for r in records:
        e = r.meta.extra
        if e["role"] == "variant":
            key = (e["lang"], e["edit"])
            caught[key][0] += removed_fams[e["family"]] >= 1
            caught[key][1] += 1
    out["by_edit"] = {f"{lang}/{edit}": round(c / n, 3) for (lang, edit), (c, n) in sorted(caught.items())}
    return out


def shingle_strings(text: str, word_n: int = 1, char_n: int = 2) -> list[str]:
    """The shingles of the library engines, as strings: the same definition as synthpipe's Shingler."""
    norm = normalize(text)
    if is_cjk(norm):
        return sorted({norm[i : i + char_n] for i in range(max(1, len(norm) - char_n + 1))}) if norm else []
    words = norm.split()
    return (
        sorted({" ".join(words[i : i + word_n]) for i in range(max(1, len(words) - word_n + 1))})
        if words
        else []
    )


def library_greedy(
    texts: list[str], engine: str, threshold: float, verify: bool, num_perm: int = 128, chunk: int = 20000
) -> tuple[dict[int, int], dict[str, float]]:
    """Exact, then keep-first LSH dedup with datasketch or rensa. Returns removed index -> kept index."""
    from datasketch.lsh import _false_negative_probability, _false_positive_probability, _optimal_param

    bands, rows = _optimal_param(threshold, num_perm, 0.5, 0.5)
    if engine == "rensa":  # rensa needs bands dividing num_perm: the best such split by the same error
        bands = min(
            (b for b in range(1, num_perm + 1) if num_perm % b == 0),
            key=lambda b: (
                _false_positive_probability(threshold, b, num_perm // b)
                + _false_negative_probability(threshold, b, num_perm // b)
            ),
        )
    times: dict[str, float] = defaultdict(float)
    t = time.perf_counter()
    seen: dict[bytes, int] = {}
    removed: dict[int, int] = {}
    todo: list[int] = []
    for i, text in enumerate(texts):
        k = exact_key(normalize(text))
        if k in seen:
            removed[i] = seen[k]
        else:
            seen[k] = i
            todo.append(i)
    times["exact"] = time.perf_counter() - t
    if engine == "datasketch":
        from datasketch import MinHash, MinHashLSH

        lsh: Any = MinHashLSH(threshold=threshold, num_perm=num_perm, params=(bands, rows))
    else:
        import rensa

        lsh = rensa.RMinHashLSH(threshold=threshold, num_perm=num_perm, num_bands=bands)
    kept_sketch: dict[int, Any] = {}
    for start in range(0, len(todo), chunk):
        idx = todo[start : start + chunk]
        t = time.perf_counter()
        tokens = [shingle_strings(texts[i]) for i in idx]
        times["shingle"] += time.perf_counter() - t
        t = time.perf_counter()
        if engine == "datasketch":
            sketches = MinHash.bulk([[s.encode() for s in toks] for toks in tokens], num_perm=num_perm)
        else:
            sketches = rensa.RMinHash.from_token_sets(tokens, num_perm, 42)
        times["minhash"] += time.perf_counter() - t
        t = time.perf_counter()
        for i, sk, toks in zip(idx, sketches, tokens, strict=True):
            if not toks:
                continue
            cands = sorted(int(c) for c in lsh.query(sk))
            if verify:
                cands = [c for c in cands if sk.jaccard(kept_sketch[c]) >= threshold]
            if cands:
                removed[i] = cands[0]
            else:
                lsh.insert(i, sk)
                if verify:
                    kept_sketch[i] = sk
        times["lsh"] += time.perf_counter() - t
    return removed, dict(times)


def quality(args: argparse.Namespace) -> None:
    t = time.perf_counter()
    records = load_set()
    n_fam = len({r.meta.extra["family"] for r in records})
    print(f"labelled set: {len(records)} records, {n_fam} families, made in {time.perf_counter() - t:.1f} s")
    texts = [r.fields["text"] for r in records]
    for th in [float(x) for x in args.thresholds.split(",")]:
        for methods in (["exact"], ["exact", "minhash"]):
            recs = load_set()
            t = time.perf_counter()
            kept, removed = dedup_records(
                recs, DedupConfig(methods=methods, minhash_threshold=th), "classify"
            )
            dt = time.perf_counter() - t
            res = score(recs, {r.id: r.meta.extra["duplicate_of"]["id"] for r in removed})
            print(
                f"synthpipe {'+'.join(methods):14s} t={th}: P={res['P']:.3f} R={res['R']:.3f} "
                f"(TP {res['TP']}, FP {res['FP']}, missed {res['missed']}) {dt:.2f} s"
            )
            if methods == ["exact", "minhash"] and th == 0.8:
                by = res["by_edit"]
                print("   recall by edit:", ", ".join(f"{k} {v}" for k, v in by.items()))
        for engine in ("datasketch", "rensa"):
            for verify in (False, True):
                t = time.perf_counter()
                rem, _ = library_greedy(texts, engine, th, verify)
                dt = time.perf_counter() - t
                res = score(records, {records[i].id: records[k].id for i, k in rem.items()})
                print(
                    f"{engine:10s} exact+LSH{'+verify' if verify else '':7s} t={th}: P={res['P']:.3f} "
                    f"R={res['R']:.3f} (TP {res['TP']}, FP {res['FP']}, missed {res['missed']}) {dt:.2f} s"
                )
    if args.embed:
        embed_quality(records)


def embed_quality(records: list[Record]) -> None:
    """Embedding-only dedup (local all-MiniLM-L6-v2) on the English families."""
    from synthpipe.stages.dedup.embed import LocalEmbedder

    en = [r for r in records if r.meta.extra["lang"] == "en"]
    emb = LocalEmbedder()
    t = time.perf_counter()
    vectors = emb.embed([normalize(r.fields["text"]) for r in en])
    print(f"embedded {len(en)} English records in {time.perf_counter() - t:.1f} s")

    class Fixed:
        name = "cached"

        def embed(self, texts: list[str]) -> Any:  # the vectors above, for the representatives asked for
            pos = {normalize(r.fields["text"]): i for i, r in enumerate(en)}
            return vectors[[pos[x] for x in texts]]

    for th in (0.85, 0.9, 0.92, 0.95):
        recs = [
            Record(r.id, dict(r.fields), Meta(task="classify", line=r.meta.line, extra=dict(r.meta.extra)))
            for r in en
        ]
        kept, removed = dedup_records(
            recs, DedupConfig(methods=["embedding"], embedding_threshold=th), "classify", embedder=Fixed()
        )
        res = score(recs, {r.id: r.meta.extra["duplicate_of"]["id"] for r in removed})
        print(f"synthpipe embedding-only cos>={th}: P={res['P']:.3f} R={res['R']:.3f} (FP {res['FP']})")


# ---------------------------------------------------------------- template-heavy set

DATA = HERE / "data"


def load_template_set(part: str) -> list[Record]:
    """The `tune`, `heldout`, `blind` or `blind2` part of bench/data/template_faq_*.jsonl as qa records."""
    rows = [
        json.loads(line)
        for line in (DATA / f"template_faq_{part}.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [
        Record(
            id=r["id"],
            fields={k: r[k] for k in ("instruction", "input", "output")},
            meta=Meta(task="qa", line=i + 1, extra=dict(r["meta"]["extra"])),
        )
        for i, r in enumerate(rows)
    ]


def template_scores(part: str, streamed: bool = False) -> dict[str, Any]:
    """Precision/recall on one part at the default settings (batch path, or streamed through Deduper)."""
    from synthpipe.stages.dedup import Deduper, priority_order

    records = load_template_set(part)
    if streamed:
        deduper = Deduper(DedupConfig(), "qa")
        for i in priority_order(records):
            deduper.check(records[i])
        removed = [r for r in records if "duplicate_of" in r.meta.extra]
    else:
        _, removed = dedup_records(records, DedupConfig(), "qa")
    return score(records, {r.id: r.meta.extra["duplicate_of"]["id"] for r in removed})


def templates(args: argparse.Namespace) -> None:
    for part in args.parts.split(","):
        n = len(load_template_set(part))
        for streamed in (False, True):
            t = time.perf_counter()
            res = template_scores(part, streamed)
            dt = time.perf_counter() - t
            how = "streamed (Deduper)" if streamed else "batch (dedup_records)"
            print(
                f"{part:8s} {n} records, {how:21s}: P={res['P']:.3f} R={res['R']:.3f} "
                f"(TP {res['TP']}, FP {res['FP']}, missed {res['missed']}) {dt:.2f} s"
            )
        print("   recall by edit:", ", ".join(f"{k} {v}" for k, v in res["by_edit"].items()))


# ---------------------------------------------------------------- scale


def scale_texts(n: int, seed: int = 1) -> list[str]:
    import random

    import numpy as np

    import make_neardup_set

    rng = np.random.default_rng(seed)
    prng = random.Random(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    vocab = ["".join(rng.choice(letters, size=int(k))) for k in rng.integers(2, 11, size=30000)]
    weights = 1.0 / np.arange(1, len(vocab) + 1) ** 1.1
    lengths = rng.integers(12, 41, size=n)
    picks = rng.choice(len(vocab), size=int(lengths.sum()), p=weights / weights.sum()).tolist()
    kind = rng.random(n)
    texts: list[str] = []
    pos = 0
    for i in range(n):
        k = int(lengths[i])
        words = [vocab[j] for j in picks[pos : pos + k]]
        pos += k
        if kind[i] < 0.10:
            texts.append("".join(make_neardup_set.chinese_base(prng)))
            continue
        if i > 100 and kind[i] < 0.15:  # exact copy, case and punctuation changed
            texts.append(texts[prng.randrange(i)].upper() + "!")
            continue
        if i > 100 and kind[i] < 0.25:  # near copy: one or two words substituted
            words = texts[prng.randrange(i)].split()
            for _ in range(prng.randint(1, 2)):
                words[prng.randrange(len(words))] = prng.choice(vocab)
        texts.append(" ".join(words) + ".")
    return texts


def run_one(engine: str, n: int) -> dict[str, Any]:
    t = time.perf_counter()
    texts = scale_texts(n)
    records = [
        Record(id=f"s{i}", fields={"text": x, "label": "-"}, meta=Meta(task="classify", line=i + 1))
        for i, x in enumerate(texts)
    ]
    made = time.perf_counter() - t
    base = rss_mb()
    t = time.perf_counter()
    if engine == "synthpipe":
        kept, removed = dedup_records(records, DedupConfig(), "classify")
        counts = dict(Counter(r.meta.reasons[-1].code for r in removed))
        stages: dict[str, float] = {}
    else:
        rem, stages = library_greedy(texts, engine, 0.8, verify=False)
        counts = {"removed": len(rem)}
    seconds = time.perf_counter() - t
    return {
        "engine": engine,
        "n": n,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(rss_mb()),
        "base_rss_mb": round(base),
        "made_s": round(made, 1),
        "removed": counts,
        "stages": {k: round(v, 2) for k, v in stages.items()},
    }


def scale(args: argparse.Namespace) -> None:
    for engine in args.engines.split(","):
        proc = subprocess.run(
            [sys.executable, __file__, "one", engine, str(args.n)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode:
            print(f"{engine}: failed\n{proc.stderr[-2000:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"{r['engine']:10s} n={r['n']:>8,}: {r['seconds']:7.2f} s, peak RSS {r['peak_rss_mb']:,} MB "
            f"(records alone {r['base_rss_mb']:,} MB), removed {r['removed']} {r['stages'] or ''}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("quality")
    q.add_argument("--thresholds", default="0.7,0.8,0.9")
    q.add_argument("--embed", action="store_true", help="also embedding-only dedup with the local model")
    t = sub.add_parser("templates")
    t.add_argument(
        "--parts",
        default="tune,heldout,blind,blind2,blind3,blind4,blind5,blind6,blind7",
        help="comma list of tune, heldout, blind, blind2 … blind7",
    )
    s = sub.add_parser("scale")
    s.add_argument("--n", type=int, default=100_000)
    s.add_argument("--engines", default="synthpipe,datasketch,rensa")
    o = sub.add_parser("one")
    o.add_argument("engine")
    o.add_argument("n", type=int)
    args = ap.parse_args()
    if args.cmd == "quality":
        quality(args)
    elif args.cmd == "templates":
        templates(args)
    elif args.cmd == "scale":
        scale(args)
    else:
        print(json.dumps(run_one(args.engine, args.n)))


if __name__ == "__main__":
    main()
