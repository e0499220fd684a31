"""`synthpipe cache stats|clear`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from synthpipe.cache import ResponseCache
from synthpipe.core.errors import UsageError


def _cache_path(target: str) -> Path:
    p = Path(target)
    if p.is_dir():
        p = p / "cache.sqlite"
    if not p.is_file():
        raise UsageError(f"{p}: no cache here — pass a run directory or a cache.sqlite file")
    return p


@click.group()
def cache() -> None:
    """Inspect or clear a response cache (a run directory or a cache.sqlite file)."""


@cache.command()
@click.argument("target")
def stats(target: str) -> None:
    """Entries, size and models in the cache."""
    c = ResponseCache(_cache_path(target))
    click.echo(json.dumps(c.stats(), indent=2))
    c.close()


@cache.command()
@click.argument("target")
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
def clear(target: str, yes: bool) -> None:
    """Delete every cached response (the next run asks the model again)."""
    path = _cache_path(target)
    if not yes:
        click.confirm(f"Delete every cached response in {path}?", abort=True)
    c = ResponseCache(path)
    click.echo(f"removed {c.clear()} cached responses from {path}")
    c.close()
