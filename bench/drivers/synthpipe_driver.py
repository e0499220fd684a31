"""Runs the real `synthpipe.run` on a recipe against the bench server and prints one JSON line of figures.

    python bench/drivers/synthpipe_driver.py RECIPE --out DIR --count N [--cache FILE] [--loop uvloop]
        [--profile FILE.prof] [--trace FILE]

The recipe already names the server and max_in_flight (bench/throughput.py writes it). The timed span is
`synthpipe.run(...)` itself — plan, generate, parse, the recipe's stages, cache commits, JSONL appends,
the manifest, review sample and report — not the interpreter start or imports.

`--trace FILE` appends the sha1 of each request body to FILE the moment its answer has been read and parsed
(one write(2) each, so the lines survive kill -9): the kill-resume check uses it to tell answers the client
had in hand from answers still in the socket when it died. It wraps HttpBackend._request from outside;
the library itself is unchanged.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))


def trace_answers(path: str) -> None:
    from synthpipe.backends._http import HttpBackend

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    request = HttpBackend._request

    async def traced(self: HttpBackend, payload: bytes, est_tokens: int, parse: Any) -> Any:
        completion = await request(self, payload, est_tokens, parse)
        os.write(fd, hashlib.sha1(payload).hexdigest().encode() + b"\n")
        return completion

    HttpBackend._request = traced  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("recipe")
    parser.add_argument("--out", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--cache", default=None)
    parser.add_argument(
        "--loop",
        choices=["asyncio", "uvloop"],
        default="uvloop",
        help="kept for old commands: run() picks uvloop where installed",
    )
    parser.add_argument("--profile", default=None, help="write a cProfile of the run here")
    parser.add_argument("--trace", default=None, help="append the sha1 of each answered request body here")
    args = parser.parse_args()
    if args.trace:
        trace_answers(args.trace)

    import synthpipe

    recipe = synthpipe.load_recipe(args.recipe)
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    cpu0, t0 = time.process_time(), time.perf_counter()
    manifest = synthpipe.run(recipe, args.out, cache=args.cache, count=args.count).manifest
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    usage = manifest["usage"].get("generator", {})
    print(
        json.dumps(
            {
                "tool": f"synthpipe[{args.loop}]",
                "n": manifest["counts"]["attempted"],
                "ok": manifest["counts"]["accepted"],
                "errors": manifest["counts"]["failed"],
                "reasons": {k: v["records"] for k, v in manifest["reasons"].items()},
                "requests": usage.get("requests", 0),
                "cache_hits": usage.get("cache_hits", 0),
                "wall_s": round(wall, 3),
                "cpu_s": round(cpu, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
