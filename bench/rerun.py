"""Cached re-run benchmark: the shipped qa_en example through the real CLI, with its default stages on.

What it measures, each as a whole process (wall clock from spawn to exit, interpreter start included):

1. fill: `synthpipe run qa_en.yaml --count N --model bench --base-url … --max-in-flight 256` against
   bench/latency_server.py (`--vary`: a different English qa answer per request), which fills the cache;
2. re-run: the same command with `--cache FIRST/cache.sqlite` into a fresh directory, `--repeats` times,
   once with the recipe as shipped (dedup on: exact + MinHash) and once with `dedup: {enabled: false}`
   (`--variants`; `bare` also switches grounding off), interleaved; records/s = N / wall s; `run s` is
   the manifest's own elapsed time. The server must see 0 requests during a re-run (it is reported);
3. start-up: `python -m synthpipe --help`, the `synthpipe` console script `--help` and `python -c pass`
   (median of 10), and `python -X importtime` of `import synthpipe` / `import synthpipe.cli` (median of 5);
4. time to the first request: spawn a run with an empty cache and take the server's first arrival
   (time.monotonic(), one clock for every process on Linux) minus the spawn time, at --count N and 100;
5. `synthpipe dedup FILE` over --dedup-n qa records (vary_qa answers plus ~2.5% planted exact and ~2.5%
   planted near duplicates).

It prints figures and asserts nothing. Run it with the venv's python:

    .venv/bin/python bench/rerun.py                                  # N=20000, 3 repeats, 200k dedup
    .venv/bin/python bench/rerun.py --src /work/baseline/src --json /tmp/rerun.json   # another checkout
    .venv/bin/python bench/rerun.py --n 2000 --repeats 1 --dedup-n 0 --work /tmp/rr   # quick, keep files

`--src DIR` runs every synthpipe process with PYTHONPATH=DIR (ahead of the editable install), so a
different checkout's code is measured; the console script then imports that code too. The package measured
is byte-compiled first (`compileall`, as pip does on install), so no timing includes compiling it. CPU s
is the process's user + system time (the cores may be shared: CPU is steadier than wall).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from latency_server import vary_qa  # noqa: E402

PY = sys.executable


# ---------------------------------------------------------------- processes


def start_server(latency: float) -> tuple[subprocess.Popen[str], int]:
    cmd = [PY, str(HERE / "latency_server.py"), "--port", "0", "--latency", str(latency), "--vary"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline() if proc.stdout else ""
    match = re.search(r":(\d+)/v1", line)
    if not match:
        proc.kill()
        raise SystemExit(f"latency server did not start: {line!r}")
    return proc, int(match.group(1))


def server_stats(port: int, reset: bool = False) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/stats" + ("?reset=1" if reset else "")
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.loads(resp.read())


def cli_env(src: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if src:
        env["PYTHONPATH"] = src
    return env


def compile_package(env: dict[str, str], cwd: Path) -> str:
    """Byte-compile the synthpipe package that `env` imports, as an installed package would be, so that
    every timing reads .pyc files whatever PYTHONDONTWRITEBYTECODE says. Returns the package's folder."""
    find = [PY, "-c", "import os, synthpipe; print(os.path.dirname(synthpipe.__file__))"]
    folder = subprocess.run(find, env=env, cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([PY, "-m", "compileall", "-q", folder], env=env, cwd=cwd, check=True)
    return folder


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """Run `cmd` to its end: (wall s from spawn to exit, its CPU s, its output). Fails loudly."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return wall, cpu, proc.stdout + proc.stderr


def run_cmd(recipe: Path, n: int, port: int, out: Path, cache: Path | None = None) -> list[str]:
    cmd = [PY, "-m", "synthpipe", "run", recipe.name, "--count", str(n), "--model", "bench"]
    cmd += ["--base-url", f"http://127.0.0.1:{port}/v1", "--max-in-flight", "256"]
    cmd += ["--cache", str(cache)] if cache else []
    return [*cmd, "--out", str(out), "--no-progress"]


def manifest_summary(out: Path) -> dict[str, Any]:
    m = json.loads((out / "manifest.json").read_text())
    usage = m.get("usage_this_run", {}).get("generator", {})
    return {
        "counts": {k: m["counts"].get(k) for k in ("attempted", "accepted", "rejected", "failed")},
        "top_reasons": dict(list(m.get("reasons", {}).items())[:4]),
        "cache_hits": usage.get("cache_hits"),
        "elapsed_s": m.get("timings", {}).get("elapsed_s"),
    }


# ---------------------------------------------------------------- the parts


# Re-run variants: changes merged into the shipped recipe's top-level keys ({} = the shipped file itself).
VARIANTS: dict[str, dict[str, dict[str, Any]]] = {
    "dedup-on": {},
    "dedup-off": {"dedup": {"enabled": False}},
    "bare": {"dedup": {"enabled": False}, "grounding": {"enabled": False}},
}


def write_recipes(work: Path, package: Path, names: list[str]) -> dict[str, Path]:
    """The qa_en recipe shipped in `package` and its source in WORK, and an edited copy per variant."""
    shutil.copy(package / "examples" / "qa_en.yaml", work / "qa_en.yaml")
    shutil.copy(package / "examples" / "returns_policy_en.md", work / "returns_policy_en.md")
    recipes = {}
    for name in names:
        if not VARIANTS[name]:
            recipes[name] = work / "qa_en.yaml"
            continue
        data = yaml.safe_load((work / "qa_en.yaml").read_text())
        for key, changes in VARIANTS[name].items():
            data[key] = {**(data.get(key) or {}), **changes}
        recipes[name] = work / f"qa_en-{name}.yaml"
        recipes[name].write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return recipes


def fill(
    args: argparse.Namespace, work: Path, recipe: Path, port: int, env: dict[str, str]
) -> dict[str, Any]:
    server_stats(port, reset=True)
    wall, cpu, _ = timed(run_cmd(recipe, args.n, port, work / "first"), env, work)
    seen = server_stats(port)
    return {"wall_s": wall, "cpu_s": cpu, "requests": seen["received"], **manifest_summary(work / "first")}


def reruns(
    args: argparse.Namespace, work: Path, recipes: dict[str, Path], port: int, env: dict[str, str]
) -> dict[str, dict[str, Any]]:
    cache = work / "first" / "cache.sqlite"
    res: dict[str, dict[str, Any]] = {name: {"runs": []} for name in recipes}
    for k in range(1, args.repeats + 1):
        for name, recipe in recipes.items():  # interleaved, so a busy spell hits both variants alike
            out = work / f"rerun-{name}-{k}"
            server_stats(port, reset=True)
            wall, cpu, _ = timed(run_cmd(recipe, args.n, port, out, cache), env, work)
            seen = server_stats(port)["received"]
            run = {"wall_s": wall, "cpu_s": cpu, "requests": seen, **manifest_summary(out)}
            res[name]["runs"].append(run)
            print(f"  re-run {name} #{k}: {wall:.2f} s wall, {cpu:.2f} s CPU, {seen} requests", flush=True)
    for r in res.values():
        walls = [run["wall_s"] for run in r["runs"]]
        r["records_per_s"] = {"max": args.n / min(walls), "median": args.n / statistics.median(walls)}
    return res


def median_wall(cmd: list[str], env: dict[str, str], cwd: Path, times: int) -> float:
    return statistics.median(timed(cmd, env, cwd)[0] for _ in range(times))


def import_s(module: str, env: dict[str, str], cwd: Path) -> float:
    """`-X importtime` total of `import module`: the cumulative time of its top-level synthpipe entries."""
    proc = subprocess.run(
        [PY, "-X", "importtime", "-c", f"import {module}"], env=env, cwd=cwd, capture_output=True, text=True
    )
    total = 0
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2][1:2] != " " and parts[2].strip().startswith("synthpipe"):
            total += int(parts[1])
    return total / 1e6


def startup(work: Path, env: dict[str, str]) -> dict[str, float]:
    script = Path(PY).parent / "synthpipe"
    out = {
        "python -c pass": median_wall([PY, "-c", "pass"], env, work, 10),
        "python -m synthpipe --help": median_wall([PY, "-m", "synthpipe", "--help"], env, work, 10),
        "synthpipe --help (console script)": median_wall([str(script), "--help"], env, work, 10),
    }
    for module in ("synthpipe", "synthpipe.cli"):
        out[f"importtime: import {module}"] = statistics.median(import_s(module, env, work) for _ in range(5))
    return out


def first_request(work: Path, recipe: Path, port: int, env: dict[str, str], n: int) -> float:
    """Seconds from spawning a run (empty cache) to the server's first request; the run is then stopped."""
    out = work / f"firstreq-{n}-{time.monotonic_ns()}"
    server_stats(port, reset=True)
    t0 = time.monotonic()
    proc = subprocess.Popen(
        run_cmd(recipe, n, port, out), env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        while (first := server_stats(port)["first_arrival"]) is None:
            if proc.poll() is not None:
                raise SystemExit(f"run exited {proc.returncode} before any request: {proc.stderr.read()}")
            time.sleep(0.002)
    finally:
        proc.terminate()
        proc.wait()
    shutil.rmtree(out, ignore_errors=True)
    return first - t0


def make_dedup_file(path: Path, n: int, seed: int = 1) -> dict[str, int]:
    """n qa lines (Alpaca JSONL): vary_qa answers, ~2.5% exact copies (case/space/punctuation changed) and
    ~2.5% near copies (one word of the output dropped or swapped) of earlier lines."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    planted = {"exact": 0, "near": 0}
    for i in range(n):
        roll = rng.random()
        if rows and roll < 0.025:
            base = rng.choice(rows)
            row = {**base, "instruction": base["instruction"].upper(), "output": base["output"] + " !"}
            planted["exact"] += 1
        elif rows and roll < 0.05:
            base = rng.choice(rows)
            words = base["output"].split()
            j = rng.randrange(len(words))
            if rng.random() < 0.5:
                del words[j]
            else:
                words[j] = rng.choice(("store", "order", "parcel", "refund", "item"))
            row = {**base, "output": " ".join(words)}
            planted["near"] += 1
        else:
            row = vary_qa(b"dedup %d" % i)
        rows.append(row)
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    return planted


def dedup_command(args: argparse.Namespace, work: Path, env: dict[str, str]) -> dict[str, Any]:
    folder = work / "dedup"
    folder.mkdir(exist_ok=True)
    data = folder / "data.jsonl"
    planted = make_dedup_file(data, args.dedup_n)
    wall, cpu, _ = timed([PY, "-m", "synthpipe", "dedup", str(data), "--out", str(folder / "out")], env, work)
    m = json.loads((folder / "out" / "manifest.json").read_text())
    return {
        "n": args.dedup_n,
        "wall_s": wall,
        "cpu_s": cpu,
        "records_per_s": args.dedup_n / wall,
        "manifest_seconds": m.get("seconds"),
        "counts": m["counts"],
        "reasons": m["reasons"],
        "planted": planted,
    }


# ---------------------------------------------------------------- report


def print_report(fig: dict[str, Any]) -> None:
    n = fig["n"]
    f = fig["fill"]
    print(f"\nsynthpipe code: {fig['package']} (byte-compiled first)   N={n}")
    print(
        f"fill (empty cache, 256 in flight, latency {fig['latency']} s): {f['wall_s']:.1f} s wall, "
        f"{f['cpu_s']:.1f} s CPU, {f['requests']} requests, counts {f['counts']}, reasons {f['top_reasons']}"
    )
    print(f"\ncached re-run into a fresh directory (whole process), N={n}; one figure per repeat")
    w = 6 * fig["repeats"]
    print(
        f"{'variant':<10} {'wall s':<{w}} {'CPU s':<{w}} {'run s':<{w}} {'rec/s best':>10} {'median':>7}"
        "  requests  accepted/rejected  top reasons"
    )
    for name, r in fig["rerun"].items():
        runs = r["runs"]
        cols = [" ".join(f"{x[k]:.2f}" for x in runs) for k in ("wall_s", "cpu_s", "elapsed_s")]
        reqs = ",".join(str(x["requests"]) for x in runs)
        c, rps = runs[-1]["counts"], r["records_per_s"]
        print(
            f"{name:<10} {cols[0]:<{w}} {cols[1]:<{w}} {cols[2]:<{w}} {rps['max']:>10.0f} {rps['median']:>7.0f}"
            f"  {reqs:<8}  {c['accepted']}/{c['rejected']:<12}  {runs[-1]['top_reasons']}"
        )
    print("\nstart-up (median, s)")
    for what, secs in fig["startup"].items():
        print(f"  {what:<38} {secs:.3f}")
    print("time from spawn to the server's first request (s, each try)")
    for count, secs in fig["first_request"].items():
        print(f"  --count {count:<8} " + " ".join(f"{s:.3f}" for s in secs))
    if fig.get("dedup"):
        d = fig["dedup"]
        print(
            f"\nsynthpipe dedup, {d['n']} records: {d['wall_s']:.1f} s wall "
            f"({d['records_per_s']:.0f} records/s), "
            f"{d['cpu_s']:.1f} s CPU, manifest seconds {d['manifest_seconds']}; counts {d['counts']}, "
            f"reasons {d['reasons']}; planted {d['planted']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20000, help="records per run (default 20000)")
    parser.add_argument("--repeats", type=int, default=3, help="timed re-runs per variant (default 3)")
    parser.add_argument("--latency", type=float, default=0.01, help="server latency, s (default 0.01)")
    parser.add_argument("--work", help="keep the files in DIR (default: a temp dir, removed)")
    parser.add_argument("--src", help="run synthpipe with PYTHONPATH=DIR (another checkout's src/)")
    parser.add_argument("--dedup-n", type=int, default=200000, help="records for `synthpipe dedup` (0: skip)")
    parser.add_argument("--json", help="write the figures to FILE")
    parser.add_argument(
        "--variants",
        type=lambda v: v.split(","),
        default=["dedup-on", "dedup-off"],
        help=f"comma list of {', '.join(VARIANTS)} (default dedup-on,dedup-off; bare: dedup and grounding off)",
    )
    args = parser.parse_args()
    if unknown := set(args.variants) - set(VARIANTS):
        parser.error(f"--variants: unknown {', '.join(sorted(unknown))}; use {', '.join(VARIANTS)}")

    work = Path(args.work or tempfile.mkdtemp(prefix="synthpipe-rerun-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = cli_env(str(Path(args.src).resolve()) if args.src else None)
    server, port = start_server(args.latency)
    try:
        fig: dict[str, Any] = {"n": args.n, "repeats": args.repeats, "latency": args.latency, "src": args.src}
        fig["package"] = compile_package(env, work)
        recipes = write_recipes(work, Path(fig["package"]), args.variants)
        shipped = work / "qa_en.yaml"
        print(f"work dir {work}, server on port {port}; filling the cache ({args.n} records)…", flush=True)
        fig["fill"] = fill(args, work, shipped, port, env)
        fig["rerun"] = reruns(args, work, recipes, port, env)
        print("start-up and first request…", flush=True)
        fig["startup"] = startup(work, env)
        fig["first_request"] = {
            str(count): [first_request(work, shipped, port, env, count) for _ in range(3)]
            for count in (args.n, 100)
        }
        if args.dedup_n:
            print(f"synthpipe dedup over {args.dedup_n} records…", flush=True)
            fig["dedup"] = dedup_command(args, work, env)
    finally:
        server.terminate()
        server.wait()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print_report(fig)
    if args.json:
        Path(args.json).write_text(json.dumps(fig, indent=2))
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
