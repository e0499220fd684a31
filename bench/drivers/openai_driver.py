"""The baseline: a bare `openai` SDK AsyncOpenAI loop with a semaphore, run with bench/.venvs/openai's python.

    python openai_driver.py --base-url URL --prompts prompts.jsonl --n N --in-flight K [--loop uvloop]

Sends the same messages and json_schema response_format synthpipe plans, json-decodes each answer, and
prints one JSON line of figures. Nothing is written to disk: this is the ceiling of a plain client.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time


def load_prompts(path: str, n: int) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [rows[i % len(rows)] for i in range(n)]


async def run(args: argparse.Namespace, rows: list[dict]) -> dict:
    from openai import AsyncOpenAI

    # The SDK's own connection pool (it allows more connections than K); the semaphore bounds the flight.
    client = AsyncOpenAI(base_url=args.base_url, api_key="bench", max_retries=2, timeout=120)
    sem = asyncio.Semaphore(args.in_flight)
    ok = errors = 0

    async def one(row: dict) -> None:
        nonlocal ok, errors
        async with sem:
            try:
                resp = await client.chat.completions.create(
                    model="bench",
                    messages=row["messages"],
                    temperature=0.8,
                    top_p=0.95,
                    max_tokens=512,
                    seed=row.get("seed"),
                    response_format={
                        "type": "json_schema",
                        "json_schema": {"name": "record", "schema": row["schema"], "strict": True},
                    },
                )
                json.loads(resp.choices[0].message.content or "")
                ok += 1
            except Exception:  # counted, not fatal: the figure is throughput of good answers
                errors += 1

    await asyncio.gather(*(one(r) for r in rows))
    await client.close()
    return {"ok": ok, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--prompts", required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--in-flight", type=int, required=True)
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    args = parser.parse_args()
    rows = load_prompts(args.prompts, args.n)
    import openai  # imported before the clock starts, like every driver

    runner = asyncio.run
    if args.loop == "uvloop":
        import uvloop

        runner = uvloop.run
    cpu0, t0 = time.process_time(), time.perf_counter()
    result = runner(run(args, rows))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    print(
        json.dumps(
            {
                "tool": f"openai-sdk {openai.__version__} [{args.loop}]",
                "n": args.n,
                **result,
                "wall_s": round(wall, 3),
                "cpu_s": round(cpu, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
