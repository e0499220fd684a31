"""`synthpipe expand`: subtopics, personas and question types proposed by the generator model, kept in
the recipe's plan lock (RECIPE.plan.yaml) that later runs read."""

from __future__ import annotations

import json
from pathlib import Path

import click

import synthpipe
from synthpipe.cli._common import SynthpipeCommand, api_key_env_option, cache_opt


@click.command(cls=SynthpipeCommand)
@click.argument("recipe_path", metavar="RECIPE", type=click.Path(path_type=Path))
@click.option(
    "--topics", type=int, metavar="N", help="Subtopics to propose under each of the recipe's topics."
)
@click.option("--personas", type=int, metavar="N", help="Personas to propose.")
@click.option("--question-types", type=int, metavar="N", help="Question types (kinds of request) to propose.")
@click.option("--model", help="Generator model name on an OpenAI-compatible server.")
@click.option("--base-url", help="That server's base URL, e.g. http://127.0.0.1:8000/v1.")
@api_key_env_option
@cache_opt(".synthpipe/expand.sqlite in the recipe's folder")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def expand(
    recipe_path: Path,
    topics: int | None,
    personas: int | None,
    question_types: int | None,
    model: str | None,
    base_url: str | None,
    api_key_env: str | None,
    cache_path: Path | None,
    as_json: bool,
) -> None:
    """Ask the generator for more subtopics, personas and question types for RECIPE, deduplicate them,
    and write them to RECIPE.plan.yaml beside it; every later run of the recipe plans with them. Without
    options: what the recipe's expand: (or topics: {expand: N}…) asks for. Asking again for the same
    gives the same lists (the requests are cached); edit the lock file freely."""
    recipe = synthpipe.load_recipe(recipe_path)
    out = synthpipe.expand(
        recipe,
        topics=topics,
        personas=personas,
        question_types=question_types,
        model=model,
        base_url=base_url,
        api_key_env=api_key_env,
        cache=cache_path,
    )
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for topic, subs in out["subtopics"].items():
        click.echo(f"{topic}: {len(subs)} subtopics — {'; '.join(subs[:6])}{' …' if len(subs) > 6 else ''}")
    for part in ("personas", "question_types"):
        items = out[part]
        if items:
            shown = "; ".join(items[:4]) + (" …" if len(items) > 4 else "")
            click.echo(f"{part.replace('_', ' ')}: {len(items)} — {shown}")
    if out["short"]:
        click.echo(f"fewer than asked: {'; '.join(out['short'])}", err=True)
    plan = out["plan"]
    click.echo(f"plan space: {plan['distinct_prompts']:,} distinct prompts ({plan['factors']})")
    click.echo(f"wrote {out['lock']}: later runs of {recipe_path} plan with it")
