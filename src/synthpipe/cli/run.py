"""`synthpipe run`, `demo`, `prompts` and `init`."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import click

from synthpipe.cli._common import echo_warning
from synthpipe.core.errors import UsageError
from synthpipe.recipe import ModelSpec, Recipe, load_recipe

DEMO_RECIPE = "demo_qa_en.yaml"


def _examples_dir() -> Path:
    return Path(str(resources.files("synthpipe").joinpath("examples")))


def _override_generator(
    recipe: Recipe,
    model: str | None,
    base_url: str | None,
    api_key_env: str | None,
    max_in_flight: int | None,
) -> None:
    if not (model or base_url):
        if api_key_env or max_in_flight:
            spec = recipe.models["generator"]
            recipe.models["generator"] = spec.model_copy(
                update={
                    k: v for k, v in {"api_key_env": api_key_env, "max_in_flight": max_in_flight}.items() if v
                }
            )
        return
    if not (model and base_url):
        raise UsageError("--model and --base-url go together — give both to use an OpenAI-compatible server")
    old = recipe.models["generator"]
    recipe.models["generator"] = ModelSpec(
        backend="openai",
        model=model,
        base_url=base_url,
        api_key_env=api_key_env,
        max_in_flight=max_in_flight or 64,
        temperature=old.temperature,
        top_p=old.top_p,
        max_tokens=old.max_tokens,
        seed=old.seed,
        stop=old.stop,
    )


def _summary(manifest: dict, out: Path) -> None:
    c = manifest["counts"]
    click.echo(
        f"{c['attempted']} attempted: {c['accepted']} accepted, {c['rejected']} rejected, "
        f"{c['failed']} failed  ({manifest['status']}, {manifest['timings']['elapsed_s']:.1f} s)"
    )
    top = list(manifest["reasons"].items())[:5]
    if top:
        click.echo("top reasons: " + ", ".join(f"{k} {v}" for k, v in top))
    for name, u in manifest["usage_this_run"].items():
        total = manifest["usage"][name]
        click.echo(
            f"{name}: {u['requests']} requests, {u['cache_hits']} cached, "
            f"{u['prompt_tokens']}+{u['completion_tokens']} tokens this run; ${total['cost_usd']:.4f} in all"
        )
    click.echo(f"wrote {out}/accepted.jsonl, rejected.jsonl, failed.jsonl, manifest.json")


def run_recipe(
    recipe: Recipe,
    out: str | None,
    count: int | None,
    no_cache: bool,
    cache_path: str | None,
    progress: bool | None,
) -> dict:
    from synthpipe.pipeline import Pipeline, default_out_dir

    out_dir = Path(out) if out else default_out_dir(recipe)
    pipe = Pipeline(
        recipe, out_dir, use_cache=not no_cache, cache_path=cache_path, count=count, progress=progress
    )
    pipe.on_warning = echo_warning
    manifest = pipe.run()
    _summary(manifest, out_dir)
    return manifest


@click.command()
@click.argument("recipe_path", metavar="RECIPE", type=click.Path())
@click.option("--out", "-o", help="output directory (default: the recipe's output_dir, else runs/<name>)")
@click.option("--count", "-n", type=click.IntRange(min=1), help="number of candidates (overrides the recipe)")
@click.option("--model", help="generator model name on an OpenAI-compatible server")
@click.option("--base-url", help="that server's base URL, e.g. http://127.0.0.1:8000/v1")
@click.option("--api-key-env", help="NAME of the environment variable holding the key (never the key)")
@click.option("--max-in-flight", type=click.IntRange(min=1), help="concurrent requests to the generator")
@click.option("--no-cache", is_flag=True, help="ask the model again even when an answer is cached")
@click.option("--cache", "cache_path", help="cache file (default: OUT/cache.sqlite)")
@click.option(
    "--progress/--no-progress", default=None, help="progress bar (default: when stderr is a terminal)"
)
def run(
    recipe_path: str,
    out: str | None,
    count: int | None,
    model: str | None,
    base_url: str | None,
    api_key_env: str | None,
    max_in_flight: int | None,
    no_cache: bool,
    cache_path: str | None,
    progress: bool | None,
) -> None:
    """Generate, check and write training data for RECIPE. Re-running the same command resumes."""
    recipe = load_recipe(recipe_path)
    _override_generator(recipe, model, base_url, api_key_env, max_in_flight)
    run_recipe(recipe, out, count, no_cache, cache_path, progress)


@click.command()
@click.option("--out", "-o", default="synthpipe-demo", show_default=True, help="output directory")
@click.option("--count", "-n", type=click.IntRange(min=1), help="number of candidates")
@click.option("--progress/--no-progress", default=None)
def demo(out: str, count: int | None, progress: bool | None) -> None:
    """Run the shipped demo recipe on the embedded model (no key, no network)."""
    path = _examples_dir() / DEMO_RECIPE
    click.echo(f"demo recipe: {path}")
    recipe = load_recipe(path)
    manifest = run_recipe(recipe, out, count, False, None, progress)
    for line in Path(out, "accepted.jsonl").read_text(encoding="utf-8").splitlines()[:3]:
        row = json.loads(line)
        click.echo(f"\n  Q: {row['instruction']}\n  A: {row['output']}")
    if manifest["counts"]["accepted"] == 0:
        raise UsageError("the demo produced no accepted record — see rejected.jsonl for the reasons")


@click.command()
@click.argument("recipe_path", metavar="RECIPE", type=click.Path())
@click.option(
    "--n", "n", default=1, show_default=True, type=click.IntRange(min=1), help="how many plan items"
)
@click.option("--json", "as_json", is_flag=True, help="print the messages as JSON")
def prompts(recipe_path: str, n: int, as_json: bool) -> None:
    """Print the exact messages that would be sent for the first N candidates."""
    from synthpipe.prompts.plan import plan

    recipe = load_recipe(recipe_path)
    items = plan(recipe, count=min(n, recipe.count))
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "index": it.index,
                        "messages": it.messages,
                        "schema": it.schema,
                        "seed": it.seed,
                        "variation": it.variation,
                    }
                    for it in items
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for it in items:
        click.echo(f"===== candidate {it.index}  {json.dumps(it.variation, ensure_ascii=False)}")
        for m in it.messages:
            click.echo(f"--- {m['role']}\n{m['content']}")
    from synthpipe.stages.quality import describe_prompts

    for title, messages in describe_prompts(recipe, items[0]):
        click.echo(f"===== {title}")
        for m in messages:
            click.echo(f"--- {m['role']}\n{m['content']}")


@click.command()
@click.argument("directory", default="synthpipe-recipes", required=False)
@click.option("--force", is_flag=True, help="overwrite files that already exist")
def init(directory: str, force: bool) -> None:
    """Write commented example recipes for every task kind, in Chinese and English."""
    dest = Path(directory)
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for src in sorted(_examples_dir().iterdir()):
        if src.name.startswith(("_", ".")) or src.is_dir():
            continue
        target = dest / src.name
        if target.exists() and not force:
            echo_warning(f"{target} exists, kept (use --force to overwrite)")
            continue
        shutil.copyfile(src, target)
        written.append(target.name)
    click.echo(f"wrote {len(written)} files to {dest}/: " + ", ".join(written))
    click.echo(f"next: synthpipe prompts {dest}/qa_en.yaml   then   synthpipe run {dest}/qa_en.yaml")
