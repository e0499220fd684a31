"""`synthpipe run`, `demo`, `prompts` and `init`."""

from __future__ import annotations

import json
from pathlib import Path

import click

import synthpipe
from synthpipe.cli._common import (
    SynthpipeCommand,
    api_key_env_option,
    cache_opt,
    echo_warning,
    executor_options,
    exit_status,
    no_cache_option,
    out_opt,
    progress_option,
    summary,
    workers_option,
    written,
)


def _run(
    recipe: synthpipe.Recipe | Path, out: Path, cache: Path | None = None, **options: object
) -> synthpipe.Result:
    result = synthpipe.run(recipe, out, cache=cache, on_warning=echo_warning, **options)  # type: ignore[arg-type]
    m = result.manifest
    summary("run", result)
    click.echo(f"status {m['status']}, {m['timings']['elapsed_s']:.1f} s")
    for name, u in m.get("usage_this_run", {}).items():
        total = m["usage"][name]
        click.echo(
            f"{name}: {u['requests']} requests, {u['cache_hits']} cached, "
            f"{u['prompt_tokens']}+{u['completion_tokens']} tokens this run; ${total['cost_usd']:.4f} in all"
        )
    by_stage = [
        f"{stage} ${sum(u['cost_usd'] for u in models.values()):.4f} "
        f"({sum(u['prompt_tokens'] for u in models.values())}+"
        f"{sum(u['completion_tokens'] for u in models.values())} tokens)"
        for stage, models in m.get("usage_by_stage", {}).items()
    ]
    if by_stage:
        click.echo("by stage, in all: " + ", ".join(by_stage))
    for name, f in m.get("flow", {}).items():
        if f["rate_limited"] or f["timeouts"] or f["changes"] or f["rate_wait_s"] >= 1:
            click.echo(
                f"{name}: {f['rate_limited']} answered 429, {f['timeouts']} timed out, "
                f"{f['rate_wait_s']:.1f} s waiting on rate limits; "
                f"ended at {f['concurrency']} of {f['max_in_flight']} in flight ({f['why']})"
            )
    click.echo(written(result, cache))
    target = m.get("target")
    if target and target["message"]:
        click.echo(target["message"], err=not target["reached"])
    return result


@click.command(cls=SynthpipeCommand)
@click.argument("recipe_path", metavar="RECIPE", type=click.Path(path_type=Path))
@out_opt("Default: the recipe's output_dir, else runs/<name>.")
@click.option(
    "--count", "-n", type=click.IntRange(min=1), help="Number of candidates (overrides the recipe)."
)
@click.option(
    "--accepted",
    type=int,
    metavar="N",
    help="Plan candidates until N records are accepted (instead of --count; the recipe's accepted:).",
)
@click.option(
    "--max-candidates", type=int, metavar="N", help="With --accepted: stop after N candidates in all."
)
@click.option("--max-tokens", type=int, metavar="N", help="With --accepted: stop after N tokens sent in all.")
@click.option("--max-cost", type=float, metavar="USD", help="With --accepted: stop after this cost in all.")
@click.option("--model", help="Generator model name on an OpenAI-compatible server.")
@click.option("--base-url", help="That server's base URL, e.g. http://127.0.0.1:8000/v1.")
@api_key_env_option
@click.option("--max-in-flight", type=click.IntRange(min=1), help="Concurrent requests to the generator.")
@no_cache_option
@cache_opt("OUT/cache.sqlite")
@click.option(
    "--force",
    is_flag=True,
    help="Start OUT over if it holds another recipe's records (cached answers are reused).",
)
@click.option(
    "--pool",
    "pool_dir",
    metavar="DIR",
    type=click.Path(path_type=Path),
    help="Add the accepted records to this pool when the run ends. Default: the recipe's pool:.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the planned requests, estimated tokens and cost per stage and model; ask no model, write nothing.",
)
@workers_option
@executor_options
@progress_option
def run(
    recipe_path: Path,
    out: Path | None,
    count: int | None,
    accepted: int | None,
    max_candidates: int | None,
    max_tokens: int | None,
    max_cost: float | None,
    model: str | None,
    base_url: str | None,
    api_key_env: str | None,
    max_in_flight: int | None,
    no_cache: bool,
    cache_path: Path | None,
    force: bool,
    pool_dir: Path | None,
    dry_run: bool,
    workers: int | None,
    executor: str,
    address: str | None,
    progress: bool | None,
) -> None:
    """Generate, check and write training data for RECIPE. Re-running the same command resumes.

    Exit codes: 0 every record answered; 1 finished with failed records (the same command retries
    them), stopped short of --accepted by a budget, or stopped because every request failed the same
    way; 2 bad input or setup."""
    recipe = synthpipe.load_recipe(recipe_path)
    out = out or synthpipe.default_out_dir(recipe)
    # what a run and its dry run share: the same plan, target, budgets, model and cache
    shared = {
        "count": count,
        "accepted": accepted,
        "max_candidates": max_candidates,
        "max_tokens": max_tokens,
        "max_cost": max_cost,
        "model": model,
        "base_url": base_url,
        "api_key_env": api_key_env,
        "max_in_flight": max_in_flight,
        "use_cache": not no_cache,
        "cache": cache_path,
    }
    if dry_run:
        if accepted is not None:  # at least N candidates: the estimate of the fewest a target needs
            echo_warning(f"--dry-run estimates {accepted} candidates, the fewest --accepted {accepted} needs")
        estimate = synthpipe.estimate(recipe, out, **shared)
        for message in estimate.warnings:
            echo_warning(message)
        click.echo(estimate.to_text())
        return
    result = _run(
        recipe,
        out,
        force=force,
        workers=workers,
        executor=executor,
        address=address,
        progress=progress,
        pool=pool_dir,
        **shared,
    )
    added = result.manifest.get("pool")
    if added:
        dups = sum(added["duplicates"].values())
        where = f"version {added['version']}" if added["version"] is not None else "no new version"
        click.echo(
            f"pool {added['dir']}: added {added['added']}, already present {added['already_present']}, "
            f"duplicates {dups} -> {where}"
        )
    target = result.manifest.get("target")
    if target and not target["reached"]:
        click.get_current_context().exit(1)
    exit_status(result)


@click.command(cls=SynthpipeCommand)
@out_opt("", default="synthpipe-demo", show_default=True)
@click.option(
    "--count", "-n", type=click.IntRange(min=1), help="Number of candidates. Default: the recipe's."
)
@progress_option
def demo(out: Path, count: int | None, progress: bool | None) -> None:
    """Run the shipped demo recipe on the embedded model (no key, no network)."""
    path = synthpipe.demo_recipe()
    click.echo(f"demo recipe: {path}")
    result = _run(path, out, count=count, progress=progress)
    for rec in result.accepted[:3]:
        click.echo(f"\n  Q: {rec.fields['instruction']}\n  A: {rec.fields['output']}")
    if not result.accepted:
        raise synthpipe.UsageError(
            "the demo produced no accepted record — see rejected.jsonl for the reasons"
        )
    exit_status(result)


@click.command(cls=SynthpipeCommand)
@click.argument("recipe_path", metavar="RECIPE", type=click.Path(path_type=Path))
@click.option(
    "--count",
    "-n",
    "n",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many candidates to show.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the messages as JSON.")
def prompts(recipe_path: Path, n: int, as_json: bool) -> None:
    """Print the exact messages that would be sent for the first N candidates."""
    shown = synthpipe.preview_prompts(recipe_path, n)
    for message in shown.get("warnings", []):
        echo_warning(message)
    space = shown["plan"]
    if not as_json:  # the JSON is the messages only; the figure is in preview_prompts()["plan"]
        click.echo(
            f"plan space: {space['distinct_prompts']} distinct prompts ({space['factors']}) for count "
            f"{space['count']}"
        )
    if as_json:
        click.echo(json.dumps(shown["candidates"], ensure_ascii=False, indent=2))
        return
    for item in shown["candidates"]:
        click.echo(f"===== candidate {item['index']}  {json.dumps(item['variation'], ensure_ascii=False)}")
        for m in item["messages"]:
            click.echo(f"--- {m['role']}\n{m['content']}")
    for title, messages in shown["stages"]:
        click.echo(f"===== {title}")
        for m in messages:
            click.echo(f"--- {m['role']}\n{m['content']}")


@click.command(cls=SynthpipeCommand)
@click.argument("directory", default="synthpipe-recipes", required=False)
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option(
    "--advice",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Start from `synthpipe advise --json` output: only the recipe it names, headed by its checks.",
)
def init(directory: str, force: bool, advice: Path | None) -> None:
    """Write commented example recipes for every task kind, in Chinese and English."""
    written, kept = synthpipe.init_recipes(directory, force, advice)
    for name in kept:
        echo_warning(f"{Path(directory) / name} exists, kept (use --force to overwrite)")
    click.echo(f"wrote {len(written)} files to {directory}/: " + ", ".join(written))
    first = written[0] if advice is not None and written else "qa_en.yaml"
    click.echo(f"next: synthpipe prompts {directory}/{first}   then   synthpipe run {directory}/{first}")
