"""Pool and export at scale: `synthpipe pool add` of N short qa records, then `synthpipe export`.

    .venv/bin/python bench/pool_bench.py                      # N = 1,000,000 (issue 14's figure)
    .venv/bin/python bench/pool_bench.py --n 100000 --formats openai,parquet

Each step is one whole process through the real CLI (interpreter start included), timed by wall clock,
with the child's peak resident memory (ru_maxrss). The records are synthpipe run records (ids, origin,
model, recipe) whose texts are dedup_bench.py's scale texts (the dedup benchmark's 1M figure: Zipf words,
10% Chinese, 5% exact and 10% near copies), or with `--data faq` bench/latency_server.py's `vary_qa`
answers (short and template-heavy: many LSH candidates, so dedup costs more). Steps: init; add the file into an empty pool; add a second
file of 1% new records and 99% already present (what adding a new run to a big pool costs); export the
latest version in each format. It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from latency_server import vary_qa  # noqa: E402


def rows(n: int, start: int, data: str) -> list[dict[str, str]]:
    if data == "faq":
        return [vary_qa(b"pool %d" % i) for i in range(start, start + n)]
    from dedup_bench import scale_texts

    texts = scale_texts(start + n)[start:]  # the same texts as the dedup benchmark's 1M figure
    return [{"instruction": " ".join(t.split()[:8]) + "?", "input": "", "output": t} for t in texts]


def make_file(path: Path, n: int, start: int = 0, data: str = "scale") -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i, row in enumerate(rows(n, start, data), start):
            meta = {"task": "qa", "origin": "generated", "model": f"m{i % 3}", "recipe": f"r{i % 2}"}
            fh.write(json.dumps({"id": f"g{i}", **row, "meta": meta}, ensure_ascii=False) + "\n")


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """(wall s, peak RSS MB of this child, output tail)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if res.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{res.stdout}{res.stderr}")
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: report it only when this one raised it
    return wall, (peak if peak > before else float("nan")) / 1024, (res.stdout + res.stderr).strip()[-300:]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--formats", default="alpaca,sharegpt,openai,llamafactory,parquet,hf")
    ap.add_argument("--work", help="keep the files in DIR (default: a temp dir, removed)")
    ap.add_argument(
        "--data",
        choices=("scale", "faq"),
        default="scale",
        help="scale: dedup_bench's scale texts (Zipf words, 10%% Chinese, 15%% copies); faq: vary_qa answers, "
        "template-heavy",
    )
    args = ap.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="synthpipe-pool-"))
    work.mkdir(parents=True, exist_ok=True)
    sp = [sys.executable, "-m", "synthpipe"]
    t = time.perf_counter()
    data, more = work / "records.jsonl", work / "more.jsonl"
    make_file(data, args.n, data=args.data)
    make_file(more, max(1, args.n // 100), start=args.n, data=args.data)
    with more.open("a", encoding="utf-8") as fh, data.open(encoding="utf-8") as src:
        for i, line in enumerate(src):  # 99% of a "new run" already in the pool
            if i >= args.n // 100 * 99:
                break
            fh.write(line)
    print(f"{args.n} records written in {time.perf_counter() - t:.1f} s ({data.stat().st_size / 1e6:.0f} MB)")
    pool = work / "pool"
    timed([*sp, "pool", "init", str(pool)])
    wall, rss, out = timed([*sp, "pool", "add", str(data), "--pool", str(pool)])
    print(f"pool add, {args.n} records into an empty pool: {wall:.1f} s, peak {rss:.0f} MB\n   {out}")
    wall, rss, out = timed([*sp, "pool", "add", str(more), "--pool", str(pool)])
    print(f"pool add, a second file (1% new, 99% present): {wall:.1f} s, peak {rss:.0f} MB\n   {out}")
    print(f"pool.sqlite: {(pool / 'pool.sqlite').stat().st_size / 1e6:.0f} MB")
    for fmt in [f for f in args.formats.split(",") if f]:
        out_path = work / f"export-{fmt}"
        wall, rss, out = timed([*sp, "export", f"pool:{pool}", "--format", fmt, "--out", str(out_path)])
        print(f"export {fmt}: {wall:.1f} s, peak {rss:.0f} MB")
    if not args.work:
        import shutil

        shutil.rmtree(work)


if __name__ == "__main__":
    main()
