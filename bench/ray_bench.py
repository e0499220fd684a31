"""The Ray executor beside the local one: rule checks and dedup in records/s with 1 and 2 Ray workers,
generation in requests/s through Ray against bench/latency_server.py at 64 and 256 in flight, and the
arithmetic for 100 workers. Prints figures; asserts nothing about speed.

    .venv/bin/python bench/ray_bench.py                       # ~4 minutes on 2 cores
    .venv/bin/python bench/ray_bench.py --check-n 20000 --dedup-n 100000 --gen-n 2000 4000 --json /tmp/r.json

One local Ray (2 CPUs, dashboard and usage stats off) is started first and shared by every Ray figure, so
no figure pays for `ray.init` (~5 s); each Ray figure still pays for starting its Ray Data actors or tasks.
Generation: the recipe of bench/throughput.py (dedup on, answers varied per request), `--count N` into a
fresh folder; "server req/s" is answers / (last answer - first arrival) as the server saw them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import synthpipe  # noqa: E402
from latency_server import vary_qa  # noqa: E402
from rerun import make_dedup_file  # noqa: E402
from throughput import Server, write_inputs  # noqa: E402


def make_check_file(path: Path, n: int) -> None:
    rng = random.Random(3)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            row = vary_qa(b"check %d" % i)
            if rng.random() < 0.05:
                row["output"] = "Yes."  # too short: rejected by the rules
            fh.write(json.dumps(row) + "\n")


def timed(fn: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def file_stage(name: str, fn: Any, n: int, workers: list[int]) -> list[dict[str, Any]]:
    rows = []
    for label, options in [
        ("local", {}),
        *((f"ray {w}", {"executor": "ray", "workers": w}) for w in workers),
    ]:
        wall, result = timed(lambda options=options: fn(**options))
        rows.append(
            {
                "stage": name,
                "executor": label,
                "records": n,
                "wall_s": round(wall, 2),
                "records_per_s": round(n / wall),
                "accepted": len(result.accepted),
                "stage_busy_s": result.manifest["stages"].get("rules", {}).get("this_run", {}).get("busy_s"),
            }
        )
        print(
            f"{name:6} {label:8} {n} records in {wall:6.2f} s = {n / wall:9.0f} records/s "
            f"({len(result.accepted)} accepted)",
            flush=True,
        )
    return rows


def generation(work: Path, latency: float, in_flight: int, n: int, workers: int) -> list[dict[str, Any]]:
    rows = []
    srv = Server(latency)
    try:
        recipe, _ = write_inputs(work, srv.url, in_flight, n)
        for label, options in [("local", {}), (f"ray {workers}", {"executor": "ray", "workers": workers})]:
            out = work / f"gen-{in_flight}-{label.replace(' ', '')}"
            srv.get("/stats?reset=1")
            wall, result = timed(
                lambda out=out, options=options: synthpipe.run(recipe, out, count=n, **options)
            )
            st = srv.get("/stats")
            span = (st["last_answer"] or 0) - (st["first_arrival"] or 0)
            server_rps = st["answered"] / span if span > 0 else 0.0
            row = {
                "stage": "generate",
                "executor": label,
                "in_flight": in_flight,
                "requests": n,
                "wall_s": round(wall, 2),
                "client_req_per_s": round(n / wall, 1),
                "server_req_per_s": round(server_rps, 1),
                "peak_in_flight": st.get("peak_in_flight"),
                "limit_req_per_s": round(in_flight / latency, 1),
                "accepted": len(result.accepted),
            }
            rows.append(row)
            print(
                f"gen    {label:8} in_flight {in_flight:3}: {n} requests in {wall:6.2f} s = "
                f"{n / wall:7.1f} req/s (server {server_rps:7.1f}, peak in flight {st.get('peak_in_flight')}, "
                f"limit {in_flight / latency:.0f})",
                flush=True,
            )
    finally:
        srv.stop()
    return rows


def driver_us() -> float:
    """The driver's serialisation per record under Ray: a JSON line out to a worker, the record read
    back, its output line written (the sink's I/O not included)."""
    import orjson

    from synthpipe.core.records import Meta, Record

    recs = [Record(str(i), vary_qa(b"%d" % i), Meta(task="qa", line=i)) for i in range(20000)]
    t0 = time.perf_counter()
    for rec in recs:
        Record.from_json(orjson.loads(rec.dumps())).dumps()
    return (time.perf_counter() - t0) / len(recs) * 1e6


def arithmetic(rows: list[dict[str, Any]], latency: float) -> list[str]:
    """What 100 workers would do, from the measured figures (arithmetic, not a measurement)."""
    us = driver_us()
    ceiling = 1e6 / us
    lines = [
        f"driver: {us:.1f} us per record of serialisation -> at most ~{ceiling:,.0f} records/s through "
        "one driver, whatever the workers"
    ]
    per = {(r["stage"], r["executor"]): r for r in rows if r["stage"] in ("check", "dedup")}
    one = per.get(("check", "ray 1"))
    if one and one.get("stage_busy_s"):
        rate = one["records"] / one["stage_busy_s"]
        lines.append(
            f"check: a worker decides {rate:,.0f} records/s (records / the rules stage's busy s) -> 100 "
            f"workers ~{100 * rate:,.0f} records/s of rule checks, so the driver (~{ceiling:,.0f}/s) is "
            f"the bound: ~{ceiling * 3600 / 1e6:,.0f} M records/hour"
        )
    one = per.get(("dedup", "ray 1"))
    if one:
        lines.append(
            f"dedup: {one['records_per_s']:,} records/s with 1 worker here, driver included; signatures "
            "and confirmations split over the workers, the driver's keep-first pass and I/O do not"
        )
    lines.append(
        f"generate: requests/s = in flight / latency, whatever the workers: 100 workers sharing a "
        f"max_in_flight of 256 at {latency} s latency are still ~{256 / latency:,.0f} req/s; with "
        f"max_in_flight 6400 (64 per worker) against a fleet that serves it ~{6400 / latency:,.0f} req/s, "
        f"which one driver (~{ceiling:,.0f} records/s) still carries"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check-n", type=int, default=20000)
    parser.add_argument("--dedup-n", type=int, default=100000)
    parser.add_argument("--gen-n", type=int, nargs=2, default=[2000, 4000], metavar=("N64", "N256"))
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    import ray

    t0 = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    print(f"ray.init: {time.perf_counter() - t0:.1f} s (not in any figure below); cores: {os.cpu_count()}")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="ray-bench-") as tmp:
        work = Path(tmp)
        if args.check_n:
            data = work / "check.jsonl"
            make_check_file(data, args.check_n)
            rows += file_stage(
                "check",
                lambda **o: synthpipe.check(data, task="qa", language="en", **o),
                args.check_n,
                [1, 2],
            )
        if args.dedup_n:
            data = work / "dedup.jsonl"
            make_dedup_file(data, args.dedup_n)
            rows += file_stage(
                "dedup", lambda **o: synthpipe.dedup(data, task="qa", **o), args.dedup_n, [1, 2]
            )
        for in_flight, n in zip((64, 256), args.gen_n, strict=True):
            if n:
                rows += generation(work, args.latency, in_flight, n, workers=2)
    lines = arithmetic(rows, args.latency)
    print("\n".join(lines))
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "arithmetic": lines}, indent=2))


if __name__ == "__main__":
    main()
