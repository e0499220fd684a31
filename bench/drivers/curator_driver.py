"""Bespoke Curator against the bench server, run with bench/.venvs/curator's python.

    python curator_driver.py --base-url URL --prompts prompts.jsonl --n N --in-flight K --work DIR

Settings (its online OpenAI backend, the fastest path it has for an OpenAI-compatible server):
- backend="openai", backend_params base_url, api_key, max_concurrent_requests=K, and request/token
  limits far above what the run needs (max_requests_per_minute=10,000,000, max_tokens_per_minute=10^10),
  so only the concurrency bounds it; max_retries=2 (--max-retries);
- a fresh CURATOR_CACHE_DIR per run (Curator still writes its requests/responses files: that is its cache);
- no response_format: with a base_url Curator probes structured-output support with a request of its own
  whose answer our fixed server cannot satisfy, so the schema check is done in `parse` (pydantic
  validation of the JSON answer), the same work synthpipe's parse does;
- rich display, telemetry and the hosted viewer off (TELEMETRY_ENABLED=false,
  CURATOR_DISABLE_RICH_DISPLAY=1), so it spends no CPU on a progress screen, as synthpipe runs without one.
The timed span is the `llm(dataset)` call: request file, sending, parsing, responses file, Arrow dataset.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import urllib.request
from importlib.metadata import version
from importlib.util import find_spec

os.environ.setdefault("TELEMETRY_ENABLED", "false")
os.environ.setdefault("CURATOR_DISABLE_RICH_DISPLAY", "1")
os.environ.setdefault("CURATOR_VIEWER", "0")
# Curator counts tokens with tiktoken, which downloads cl100k_base on first use; litellm (a Curator
# dependency) ships that file, so tiktoken is pointed at it: no network.
_LITELLM = os.path.dirname(find_spec("litellm").origin)  # type: ignore[union-attr, arg-type]
os.environ.setdefault("TIKTOKEN_CACHE_DIR", os.path.join(_LITELLM, "litellm_core_utils", "tokenizers"))

from bespokelabs import curator  # noqa: E402
from pydantic import BaseModel  # noqa: E402


# Module level: Curator fingerprints the prompt/parse functions with dill, which cannot pickle local classes.
class QA(BaseModel):
    instruction: str
    input: str
    output: str


class Gen(curator.LLM):
    def prompt(self, row: dict) -> list[dict]:
        return json.loads(row["messages"])

    def parse(self, row: dict, response: str) -> dict:
        return {"i": row["i"], **QA.model_validate_json(response).model_dump()}


def load_prompts(path: str, n: int) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [{"i": i, "messages": json.dumps(rows[i % len(rows)]["messages"])} for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--prompts", required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--in-flight", type=int, required=True)
    parser.add_argument("--work", required=True, help="a fresh directory for Curator's cache")
    parser.add_argument("--max-retries", type=int, default=2)
    args = parser.parse_args()
    os.environ["CURATOR_CACHE_DIR"] = args.work
    rows = load_prompts(args.prompts, args.n)
    llm = Gen(
        model_name="bench",
        backend="openai",
        generation_params={"temperature": 0.8, "top_p": 0.95, "max_tokens": 512},
        backend_params={
            "base_url": args.base_url,
            "api_key": "bench",
            "max_concurrent_requests": args.in_flight,
            "max_requests_per_minute": 10_000_000,
            "max_tokens_per_minute": 10_000_000_000,
            "max_retries": args.max_retries,
            "require_all_responses": False,
        },
    )
    # Its constructor sent a rate-limit probe; the server's window starts now.
    urllib.request.urlopen(args.base_url.rsplit("/v1", 1)[0] + "/stats?reset=1").read()
    cpu0, t0 = time.process_time(), time.perf_counter()
    result = llm(rows)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    ds = getattr(result, "dataset", result)
    print(
        json.dumps(
            {
                "tool": f"curator {version('bespokelabs-curator')}",
                "n": args.n,
                "ok": len(ds),
                "errors": args.n - len(ds),
                "wall_s": round(wall, 3),
                "cpu_s": round(cpu, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
