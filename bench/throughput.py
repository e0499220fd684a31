"""Throughput of synthpipe's generation stage against a fixed-latency OpenAI-compatible server, beside the
limit (in_flight / latency), Bespoke Curator, distilabel and a bare `openai` SDK loop; then the cached
re-run speed and a kill -9 / resume check. Prints figures; asserts nothing about speed.

    bash bench/setup_venvs.sh                # once: the comparison venvs under bench/.venvs/
    python bench/throughput.py               # everything, ~5 minutes on 2 cores
    python bench/throughput.py --tools synthpipe --skip-kill --in-flight 64

Every client runs in its own process (bench/drivers/*), the server in another (bench/latency_server.py),
and each driver resets the server's counters just before its timed span. "server req/s" is answers / (last
answer - first arrival) as the server saw them: the same clock for every tool, free of start-up costs.
"client wall" is the driver's own timing of its whole call (synthpipe: Pipeline.run(), manifest included).
A tool whose venv is missing is skipped with a note.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENVS = BENCH / ".venvs"
sys.path.insert(0, str(ROOT / "src"))

RECIPE = """\
name: bench-qa
task: qa
language: en
role: You are a customer-service agent for an online outdoor shop.
description: FAQ pairs for a customer-service assistant.
topics: [returns, refunds, exchanges, damaged items, shipping, warranty]
personas: [a first-time customer, a customer in a hurry, a confused beginner]
count: 100
examples:
  - instruction: Can I return a jacket I bought on sale?
    input: ""
    output: Sale items can be returned within 30 days of delivery, unused and in the original packaging.
constraints:
  lengths: {{instruction: [10, 300], output: [20, 800]}}
models:
  generator:
    backend: openai
    model: bench
    base_url: {base_url}
    structured: json_schema
    max_in_flight: {in_flight}
    max_retries: 2
    temperature: 0.8
    max_tokens: 512
dedup:
  enabled: {dedup}   # on, as users run it: the server then answers each request differently (--vary)
judge:
  enabled: false
review_sample: 20
"""


DEDUP = True  # --no-dedup turns it off


# --------------------------------------------------------------------------------------------- server
class Server:
    def __init__(self, latency: float, vary: bool = True) -> None:
        cmd = [
            sys.executable,
            str(BENCH / "latency_server.py"),
            "--port",
            "0",
            "--latency",
            str(latency),
            "--log",
            *(["--vary"] if vary else []),
        ]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if "listening on" not in line:
            raise SystemExit(f"the bench server did not start: {line!r}")
        self.url = line.split()[2]
        self.root = self.url.rsplit("/v1", 1)[0]
        self.latency = latency

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.root + path, timeout=30) as resp:
            return json.loads(resp.read())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


# --------------------------------------------------------------------------------------------- drivers
def write_inputs(work: Path, url: str, in_flight: int, n: int) -> tuple[Path, Path]:
    """The recipe for synthpipe and the same planned messages for the other tools."""
    from synthpipe.prompts.plan import Planner
    from synthpipe.recipe import load_recipe

    recipe_path = work / f"recipe-{in_flight}.yaml"
    dedup = "true" if DEDUP else "false"
    recipe_path.write_text(RECIPE.format(base_url=url, in_flight=in_flight, dedup=dedup), encoding="utf-8")
    prompts = work / "prompts.jsonl"
    if not prompts.exists():
        planner = Planner(load_recipe(recipe_path))
        with prompts.open("w", encoding="utf-8") as fh:
            for i in range(n):
                item = planner.item(i)
                fh.write(
                    json.dumps({"messages": item.messages, "schema": item.schema, "seed": item.seed}) + "\n"
                )
    return recipe_path, prompts


def venv_python(tool: str) -> Path | None:
    py = VENVS / tool / "bin" / "python"
    return py if py.exists() else None


def driver_cmd(tool: str, srv: Server, work: Path, in_flight: int, n: int, tag: str) -> list[str] | None:
    recipe, prompts = write_inputs(work, srv.url, in_flight, n)
    common = ["--base-url", srv.url, "--prompts", str(prompts), "--n", str(n), "--in-flight", str(in_flight)]
    if tool.startswith("synthpipe"):
        loop = "uvloop" if tool.endswith("uvloop") else "asyncio"
        return [
            sys.executable, str(BENCH / "drivers" / "synthpipe_driver.py"), str(recipe),
            "--out", str(work / f"out-{tag}"), "--cache", str(work / f"cache-{tag}.sqlite"),
            "--count", str(n), "--loop", loop,
        ]  # fmt: skip
    name = tool.split("-")[0]
    py = venv_python(name)
    if py is None:
        return None
    script = str(BENCH / "drivers" / f"{name}_driver.py")
    if name == "curator":
        return [str(py), script, *common, "--work", str(work / f"curator-{tag}")]
    if name == "distilabel":
        replicas = ["--replicas", tool.rsplit("-x", 1)[1]] if "-x" in tool else []
        return [str(py), script, *common, "--work", str(work / f"distilabel-{tag}"), *replicas]
    loop = ["--loop", "uvloop"] if tool.endswith("uvloop") else []
    return [str(py), script, *common, *loop]


def run_driver(cmd: list[str], timeout: float = 240) -> tuple[dict[str, Any], float]:
    """Run one driver; its last stdout line is its JSON. Returns it and the process tree's CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-8:]
        return {"error": f"exit {proc.returncode}: " + " | ".join(tail)}, cpu
    return json.loads(lines[-1]), cpu


def throughput_row(tool: str, srv: Server, work: Path, in_flight: int, n: int) -> dict[str, Any] | None:
    tag = f"{tool}-{in_flight}"
    cmd = driver_cmd(tool, srv, work, in_flight, n, tag)
    if cmd is None:
        print(f"  {tool:<22} skipped: no venv at {VENVS / tool.split('-')[0]} (bash bench/setup_venvs.sh)")
        return None
    srv.get("/stats?reset=1")
    result, proc_cpu = run_driver(cmd)
    stats = srv.get("/stats?reset=1")
    row = {"tool": result.get("tool", tool), "in_flight": in_flight, "n": n, **result, "server": stats}
    row["proc_cpu_s"] = round(proc_cpu, 2)
    if stats["first_arrival"] and stats["last_answer"]:
        span = stats["last_answer"] - stats["first_arrival"]
        row["server_rps"] = round(stats["answered"] / span, 1)
    if "wall_s" in result:
        row["client_rps"] = round(result.get("ok", n) / result["wall_s"], 1)
    return row


def print_row(row: dict[str, Any], limit: float) -> None:
    if "error" in row:
        print(f"  {row['tool']:<34} FAILED {row['error'][:300]}")
        return
    srv = row["server"]
    print(
        f"  {row['tool']:<34} {row.get('server_rps', 0):>7.0f} req/s ({row.get('server_rps', 0) / limit:4.0%} "
        f"of limit)  client wall {row['wall_s']:6.2f}s = {row.get('client_rps', 0):6.0f}/s  "
        f"ok {row.get('ok')}/{row['n']}  peak {srv['peak_in_flight']:>3}  cpu client "
        f"{row.get('cpu_s', 0):5.1f}s (process {row['proc_cpu_s']:5.1f}s) server {srv['cpu_s']:4.1f}s"
    )


# --------------------------------------------------------------------------------------------- cached re-run
def cached_rerun(srv: Server, work: Path, in_flight: int, n: int, tag: str, loop: str) -> dict[str, Any]:
    """The same recipe into a fresh out dir with the cache a finished run filled: no request may be sent."""
    recipe, _ = write_inputs(work, srv.url, in_flight, n)
    cache = work / f"cache-{tag}.sqlite"
    if not cache.exists():  # the throughput run did not happen (--tools): fill the cache first
        run_driver(driver_cmd("synthpipe", srv, work, in_flight, n, tag) or [])
    srv.get("/stats?reset=1")
    cmd = [
        sys.executable, str(BENCH / "drivers" / "synthpipe_driver.py"), str(recipe),
        "--out", str(work / f"out-{tag}-cached-{loop}"), "--cache", str(cache), "--count", str(n), "--loop", loop,
    ]  # fmt: skip
    result, proc_cpu = run_driver(cmd)
    result["server_requests"] = srv.get("/stats?reset=1")["received"]
    if "wall_s" in result:
        result["records_per_s"] = round(result["n"] / result["wall_s"], 1)
    result["proc_cpu_s"] = round(proc_cpu, 2)
    return result


# --------------------------------------------------------------------------------------------- kill / resume
def kill_resume(srv: Server, work: Path, in_flight: int, n: int, kill_at: float) -> dict[str, Any]:
    """Start a run, kill -9 it once the server has seen `kill_at` of the requests, start the same command
    again, and count the requests of the second run whose answer the server had already sent before the
    kill. An answer written in the last moment before the kill may still have been in the socket (never
    read by the client): those are counted apart, by how long before the kill they were written."""
    recipe, _ = write_inputs(work, srv.url, in_flight, n)
    out, cache, trace = work / "out-kill", work / "cache-kill.sqlite", work / "kill-trace.txt"
    cmd = [
        sys.executable, str(BENCH / "drivers" / "synthpipe_driver.py"), str(recipe),
        "--out", str(out), "--cache", str(cache), "--count", str(n), "--trace", str(trace),
    ]  # fmt: skip
    srv.get("/stats?reset=1")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while srv.get("/stats")["received"] < kill_at * n:
        if proc.poll() is not None or time.monotonic() > deadline:
            return {"error": f"the run ended before the kill (exit {proc.returncode})"}
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    killed_at = time.monotonic()  # CLOCK_MONOTONIC: the server's timestamps use the same clock
    proc.communicate()
    time.sleep(srv.latency + 0.2)  # let answers to the dead connections fall due (they are dropped)
    first = srv.get("/log")
    stats1 = srv.get("/stats?reset=1")
    with sqlite3.connect(cache) as db:
        committed = db.execute("SELECT count(*) FROM responses").fetchone()[0]
    lines_written = sum(
        (out / f"{o}.jsonl").read_bytes().count(b"\n") if (out / f"{o}.jsonl").exists() else 0
        for o in ("accepted", "rejected", "failed")
    )
    received = set(trace.read_text().split()) if trace.exists() else set()  # answers the client had read
    result, _ = run_driver(cmd)
    second = srv.get("/log")
    srv.get("/stats?reset=1")

    answered = {sha: at for sha, _, at in first if at is not None and at <= killed_at}
    sent_before = {sha for sha, _, _ in first}
    again = [sha for sha, _, _ in second if sha in sent_before]
    in_socket = [answered[sha] for sha in again if sha in answered and sha not in received]
    lag = sorted(killed_at - at for at in in_socket)
    return {
        "n": n,
        "in_flight": in_flight,
        "sent_before_kill": len(first),
        "answered_before_kill": len(answered),
        "read_by_client_before_kill": len(received),
        "committed_to_cache": committed,
        "records_in_output": lines_written,
        "sent_after_restart": len(second),
        "resent_total": len(again),
        "resent_after_client_read_answer": sum(1 for sha in again if sha in received),
        "resent_unanswered": sum(1 for sha in again if sha not in answered),
        "resent_answer_unread": len(in_socket),
        "unread_answer_max_age_s": round(lag[-1], 4) if lag else None,
        "distinct_requests_total": len(sent_before | {sha for sha, _, _ in second}),
        "second_run": result,
        "server_first_run": stats1,
    }


# --------------------------------------------------------------------------------------------- goals
def print_goals(report: dict[str, Any]) -> None:
    """The issue's goals, as figures beside their targets (reported, not asserted)."""
    lat = report["latency"]
    rows = [r for r in report["throughput"] if "server_rps" in r]
    lines = []
    for k in sorted({r["in_flight"] for r in rows}):
        ours = max((r for r in rows if r["in_flight"] == k and r["tool"].startswith("synthpipe")),
                   key=lambda r: r["server_rps"], default=None)  # fmt: skip
        if ours is None:
            continue
        if k == 64:
            target = 0.95 * k / lat
            lines.append(f"{k} in flight: {ours['server_rps']:.0f} req/s vs >= {target:.0f} (0.95 x limit)")
        curator = next((r for r in rows if r["in_flight"] == k and r["tool"].startswith("curator")), None)
        if k == 256 and curator is not None:
            lines.append(
                f"{k} in flight: {ours['server_rps']:.0f} req/s vs >= {curator['server_rps']:.0f} (Curator)"
            )
    for loop in ("asyncio", "uvloop"):
        res = report.get(f"cached_{loop}", {})
        if "records_per_s" in res:
            lines.append(f"cached re-run [{loop}]: {res['records_per_s']:.0f} records/s vs >= 5000")
    kill = report.get("kill_resume", {})
    if "resent_after_client_read_answer" in kill:
        lines.append(
            f"kill -9 / resume: {kill['resent_after_client_read_answer']} answered requests sent again vs 0"
        )
    if lines:
        print("\ngoals\n  " + "\n  ".join(lines))


# --------------------------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--in-flight", type=int, nargs="+", default=[64, 256])
    parser.add_argument("--n", type=int, nargs="+", default=None, help="requests per in-flight level")
    parser.add_argument(
        "--tools",
        default="synthpipe,synthpipe-uvloop,curator,distilabel,openai",
        help="comma list: synthpipe, synthpipe-uvloop, curator, distilabel, openai, openai-uvloop",
    )
    parser.add_argument("--skip-cached", action="store_true")
    parser.add_argument("--skip-kill", action="store_true")
    parser.add_argument("--kill-n", type=int, default=4000)
    parser.add_argument("--work", default=None, help="scratch dir (default: a new temp dir, removed after)")
    parser.add_argument("--json", default=None, help="also write every figure to this JSON file")
    parser.add_argument(
        "--no-dedup",
        action="store_true",
        help="switch synthpipe's dedup off and answer every request alike (the figures before 2026-12-02)",
    )
    args = parser.parse_args()
    global DEDUP
    DEDUP = not args.no_dedup

    # ~10 s at the limit, at most 6,000: enough for a steady state, and the whole run stays near 5 minutes
    sizes = args.n or [min(6000, max(2000, int(k / args.latency * 10))) for k in args.in_flight]
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    tmp = None if args.work else tempfile.TemporaryDirectory(prefix="synthpipe-bench-")
    work = Path(args.work or tmp.name)  # type: ignore[union-attr]
    work.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "latency": args.latency,
        "cores": os.cpu_count(),
        "dedup": DEDUP,
        "throughput": [],
    }
    srv = Server(args.latency, vary=DEDUP)
    write_inputs(work, srv.url, args.in_flight[0], max([*sizes, args.kill_n]))  # the shared prompts, once
    print(
        f"server {srv.url}  latency {args.latency:g}s  cores {os.cpu_count()}  load {os.getloadavg()[0]:.2f}"
    )
    try:
        for in_flight, n in zip(args.in_flight, sizes, strict=True):
            limit = in_flight / args.latency
            print(f"\n{in_flight} in flight, {n} requests, limit {limit:.0f} req/s")
            for tool in tools:
                row = throughput_row(tool, srv, work, in_flight, n)
                if row is not None:
                    report["throughput"].append(row)
                    print_row(row, limit)
        if not args.skip_cached:
            k, n = args.in_flight[-1], sizes[-1]
            print(f"\ncached re-run ({n} records, fresh out dir, same cache file; goal >= 5,000 records/s)")
            for loop in ("asyncio", "uvloop"):
                res = cached_rerun(srv, work, k, n, f"synthpipe-{k}", loop)
                report[f"cached_{loop}"] = res
                if "error" in res:
                    print(f"  [{loop}] FAILED {res['error'][:300]}")
                    continue
                print(
                    f"  [{loop}] {res['records_per_s']:.0f} records/s ({res['n']} in {res['wall_s']:.2f}s, "
                    f"{res['cache_hits']} cache hits, {res['server_requests']} requests reached the server)"
                )
        if not args.skip_kill:
            k = args.in_flight[-1]
            print(f"\nkill -9 at ~40% and resume ({args.kill_n} records, {k} in flight; goal: 0 re-sent)")
            res = kill_resume(srv, work, k, args.kill_n, 0.4)
            report["kill_resume"] = res
            if "error" in res:
                print(f"  FAILED {res['error']}")
            else:
                print(
                    f"  before the kill: {res['sent_before_kill']} sent, {res['answered_before_kill']} answered "
                    f"by the server, {res['read_by_client_before_kill']} read by the client, "
                    f"{res['committed_to_cache']} in the cache, {res['records_in_output']} records written\n"
                    f"  after restart: {res['sent_after_restart']} sent, {res['resent_total']} of them sent "
                    f"before: {res['resent_after_client_read_answer']} whose answer the client had read "
                    f"(goal 0), {res['resent_unanswered']} never answered, {res['resent_answer_unread']} "
                    f"answered but still unread in the socket (oldest {res['unread_answer_max_age_s']}s)\n"
                    f"  distinct requests over both runs: {res['distinct_requests_total']} (planned {res['n']}); "
                    f"the second run finished with {res['second_run'].get('n', '?')} records"
                )
    finally:
        srv.stop()
        if tmp is not None:
            tmp.cleanup()
    print_goals(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2), encoding="utf-8")
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
