"""`synthpipe cache stats|clear`."""

from __future__ import annotations

import json

import click

import synthpipe
from synthpipe.cli._common import SynthpipeGroup


@click.group(cls=SynthpipeGroup)
def cache() -> None:
    """Inspect or clear a response cache (a run directory or a cache.sqlite file)."""


@cache.command()
@click.argument("target")
def stats(target: str) -> None:
    """Entries, size and models in the cache."""
    click.echo(json.dumps(synthpipe.cache_stats(target), indent=2))


@cache.command()
@click.argument("target")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def clear(target: str, yes: bool) -> None:
    """Delete every cached response (the next run asks the model again)."""
    if not yes:
        click.confirm(f"Delete every cached response in {target}?", abort=True)
    n, path = synthpipe.cache_clear(target)
    click.echo(f"removed {n} cached responses from {path}")
