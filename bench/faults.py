"""Throughput when the server pushes back, synthpipe beside Bespoke Curator: the four scenarios of issue 10.

    python bench/faults.py                       # every scenario, both tools, ~4 minutes on 2 cores
    python bench/faults.py --scenarios random429 --tools synthpipe

The server is tests/faultserver.py (`--impl aiohttp`, 0.05 s latency, a different qa answer per request)
in its own process, with one fault mode per scenario:

- random429: 10% of requests answered 429 with `Retry-After: 1`, whatever the load; 32 in flight;
- capacity16: more than 16 at once are answered 429 `Retry-After: 1`; 64 in flight allowed (capacity:
  16 / 0.05 s = 320 req/s);
- rpm: a budget of 6,000 requests a minute (100/s, a bucket of 1 s) sent in `x-ratelimit-*` headers;
  32 in flight (which alone would allow 640/s);
- queue16: more than 16 at once wait their turn (latency grows with load, as vLLM and SGLang do);
  64 in flight allowed.

synthpipe runs the real `synthpipe.run` with the throughput bench's recipe (its default stages on:
rule checks, grounding, dedup); Curator runs its OpenAI backend on the same planned prompts. Both retry up
to 8 times. Figures are the server's: "ok/s" is 200 answers over its serving window (first arrival to last
answer), "429s" is the share of all answers that were 429, "p95" the 95th percentile of the server-side
latency of the answered requests (queue wait included), over the whole run and over its second half (the
steady state, after the opening burst). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "src"))

from throughput import RECIPE, run_driver, venv_python  # noqa: E402

LATENCY = 0.05
SCENARIOS: dict[str, dict[str, Any]] = {
    "random429": {"in_flight": 32, "n": 3000, "args": ["--p429", "0.1", "--retry-after", "1"]},
    "capacity16": {
        "in_flight": 64,
        "n": 4000,
        "args": ["--capacity", "16", "--overflow", "refuse", "--retry-after", "1"],
        "capacity": 16 / LATENCY,
    },
    "rpm": {"in_flight": 32, "n": 1500, "args": ["--rpm", "6000", "--burst", "1"], "capacity": 100.0},
    "queue16": {
        "in_flight": 64,
        "n": 4000,
        "args": ["--capacity", "16", "--overflow", "queue"],
        "capacity": 16 / LATENCY,
    },
}


class FaultProcess:
    def __init__(self, args: list[str]) -> None:
        cmd = [sys.executable, str(ROOT / "tests" / "faultserver.py"), "--impl", "aiohttp", "--vary"]
        cmd += ["--latency", str(LATENCY), "--seed", "1", *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if "listening on" not in line:
            raise SystemExit(f"the fault server did not start: {line!r}")
        self.url = line.split()[3]
        self.root = self.url.rsplit("/v1", 1)[0]

    def stats(self, reset: bool = True) -> dict[str, Any]:
        with urllib.request.urlopen(self.root + "/stats" + ("?reset=1" if reset else ""), timeout=30) as r:
            return json.loads(r.read())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def inputs(work: Path, url: str, in_flight: int, n: int) -> tuple[Path, Path]:
    from synthpipe.prompts.plan import Planner
    from synthpipe.recipe import load_recipe

    recipe = work / f"recipe-{in_flight}.yaml"
    text = RECIPE.format(base_url=url, in_flight=in_flight, dedup="true").replace(
        "max_retries: 2", "max_retries: 8"
    )
    recipe.write_text(text, encoding="utf-8")
    prompts = work / f"prompts-{n}.jsonl"
    planner = Planner(load_recipe(recipe))
    with prompts.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"messages": planner.item(i).messages}) + "\n")
    return recipe, prompts


def run_one(tool: str, name: str, work: Path) -> dict[str, Any] | None:
    sc = SCENARIOS[name]
    srv = FaultProcess(sc["args"])
    try:
        recipe, prompts = inputs(work, srv.url, sc["in_flight"], sc["n"])
        tag = f"{tool}-{name}"
        if tool == "synthpipe":
            cmd = [
                sys.executable, str(BENCH / "drivers" / "synthpipe_driver.py"), str(recipe),
                "--out", str(work / f"out-{tag}"), "--cache", str(work / f"cache-{tag}.sqlite"),
                "--count", str(sc["n"]),
            ]  # fmt: skip
        else:
            py = venv_python("curator")
            if py is None:
                print(f"  {tool}: skipped, no venv at bench/.venvs/curator (bash bench/setup_venvs.sh)")
                return None
            cmd = [
                str(py), str(BENCH / "drivers" / "curator_driver.py"), "--base-url", srv.url,
                "--prompts", str(prompts), "--n", str(sc["n"]), "--in-flight", str(sc["in_flight"]),
                "--work", str(work / f"curator-{tag}"), "--max-retries", "8",
            ]  # fmt: skip
        srv.stats()
        result, _ = run_driver(cmd, timeout=600)
        stats = srv.stats()
    finally:
        srv.stop()
    ok = stats["answered"].get("200", 0)
    refused = stats["answered"].get("429", 0)
    span = (stats["last_answer"] - stats["first_arrival"]) if stats["first_arrival"] else 0.0
    return {
        "tool": result.get("tool", tool),
        "scenario": name,
        "error": result.get("error"),
        "wall_s": result.get("wall_s"),
        "records_ok": result.get("ok"),
        "server_ok": ok,
        "ok_per_s": round(ok / span, 1) if span > 0 else 0.0,
        "share_429": round(refused / max(1, ok + refused), 4),
        "p95_s": stats["latency_p95"],
        "p95_late_s": stats["latency_p95_late"],
        "min_s": stats["latency_min"],
        "capacity": sc.get("capacity"),
    }


def show(row: dict[str, Any]) -> None:
    if row.get("error"):
        print(f"  {row['tool']:<24} FAILED {str(row['error'])[:300]}")
        return
    cap = f" ({row['ok_per_s'] / row['capacity']:.2f} of capacity)" if row["capacity"] else ""
    p95 = (
        f"p95 {row['p95_s']:.3f} s ({row['p95_s'] / LATENCY:.1f}x unloaded; second half "
        f"{row['p95_late_s'] / LATENCY:.1f}x)"
        if row["p95_s"]
        else ""
    )
    print(
        f"  {row['tool']:<24} {row['ok_per_s']:7.1f} ok/s{cap}  429s {row['share_429']:6.1%}  {p95}  "
        f"client wall {row['wall_s']:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--tools", default="synthpipe,curator")
    parser.add_argument("--json", help="also write the rows here")
    args = parser.parse_args()
    names = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = [s for s in names if s not in SCENARIOS]
    if unknown:
        raise SystemExit(f"error: unknown scenario {unknown[0]!r}; known: {', '.join(SCENARIOS)}")
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    if bad := [t for t in tools if t not in ("synthpipe", "curator")]:
        raise SystemExit(f"error: unknown tool {bad[0]!r}; known: synthpipe, curator")
    rows = []
    with tempfile.TemporaryDirectory(prefix="sp-faults-") as tmp:
        for name in names:
            sc = SCENARIOS[name]
            print(f"\n{name}: {sc['n']} requests, {sc['in_flight']} in flight, server {' '.join(sc['args'])}")
            for tool in tools:
                row = run_one(tool, name, Path(tmp))
                if row is not None:
                    show(row)
                    rows.append(row)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
