"""distilabel against the bench server, run with bench/.venvs/distilabel's python.

    python distilabel_driver.py --base-url URL --prompts prompts.jsonl --n N --in-flight K --work DIR

Settings: a Pipeline of LoadDataFromDicts(batch_size=K) >> ChatGeneration(OpenAILLM(base_url, api_key,
max_retries=2), input_batch_size=K), so one batch holds K requests in flight (distilabel gathers a batch's
requests at once and sends the next batch when the whole batch is back); `--replicas R` runs R copies of
the generation step (StepResources) with input_batch_size K/R each. The JSON answer is validated with
pydantic in `format_output`, the work synthpipe's parse does. Caching off (`use_cache=False`), a fresh
cache dir. The timed span is `pipeline.run()`, which starts its worker processes.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from importlib.metadata import version

os.environ.setdefault("DISTILABEL_LOG_LEVEL", "WARNING")

from distilabel.models import OpenAILLM  # noqa: E402
from distilabel.pipeline import Pipeline  # noqa: E402
from distilabel.steps import LoadDataFromDicts, StepResources  # noqa: E402
from distilabel.steps.tasks import ChatGeneration  # noqa: E402
from pydantic import BaseModel  # noqa: E402


# Module level: distilabel pickles the steps into its worker processes.
class QA(BaseModel):
    instruction: str
    input: str
    output: str


class ValidatedChat(ChatGeneration):
    def format_output(self, output: str | None, input: dict | None = None) -> dict:
        try:
            return QA.model_validate_json(output or "").model_dump()
        except ValueError:
            return {"instruction": None, "input": None, "output": None}

    @property
    def outputs(self) -> list[str]:
        return ["instruction", "input", "output", "model_name"]


def load_prompts(path: str, n: int) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [{"i": i, "messages": rows[i % len(rows)]["messages"]} for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--prompts", required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--in-flight", type=int, required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--replicas", type=int, default=1)
    args = parser.parse_args()
    rows = load_prompts(args.prompts, args.n)
    per_replica = max(1, args.in_flight // args.replicas)
    with Pipeline(name="bench-qa", cache_dir=args.work) as pipeline:
        load = LoadDataFromDicts(data=rows, batch_size=per_replica)
        gen = ValidatedChat(
            llm=OpenAILLM(
                model="bench",
                base_url=args.base_url,
                api_key="bench",
                max_retries=2,
                generation_kwargs={"temperature": 0.8, "top_p": 0.95, "max_new_tokens": 512},
            ),
            input_batch_size=per_replica,
            resources=StepResources(replicas=args.replicas),
        )
        load >> gen
    cpu0, t0 = time.process_time(), time.perf_counter()
    distiset = pipeline.run(use_cache=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    ds = distiset["default"]["train"]
    ok = sum(1 for x in ds["output"] if x)
    print(
        json.dumps(
            {
                "tool": f"distilabel {version('distilabel')} x{args.replicas}",
                "n": args.n,
                "ok": ok,
                "errors": args.n - ok,
                "wall_s": round(wall, 3),
                "cpu_s": round(cpu, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
