"""What every command shares: typed errors become one line on stderr and exit code 2, the summary
printed after a command, and the parsing of comma lists."""

from __future__ import annotations

import re
from typing import Any

import click

import synthpipe


def _invoke(base: Any, self: Any, ctx: click.Context) -> Any:
    try:
        return base.invoke(self, ctx)
    except (synthpipe.UsageError, synthpipe.ModelError) as exc:
        click.echo(f"error: {exc}", err=True)
        ctx.exit(2)
    except synthpipe.SynthpipeError as exc:
        click.echo(f"error: {exc}", err=True)
        ctx.exit(1)


class SynthpipeCommand(click.Command):
    """A command whose typed errors are one line on stderr: exit 2 for bad input or setup, 1 otherwise."""

    def invoke(self, ctx: click.Context) -> Any:
        return _invoke(click.Command, self, ctx)


class SynthpipeGroup(click.Group):
    command_class = SynthpipeCommand

    def invoke(self, ctx: click.Context) -> Any:
        return _invoke(click.Group, self, ctx)


def echo_warning(message: str) -> None:
    click.secho(f"warning: {message}", fg="yellow", err=True)


def split(value: str | None) -> list[str]:
    """A comma list (ASCII or Chinese commas) as its non-empty parts."""
    return [part.strip() for part in re.split(r"[,，]", value or "") if part.strip()]


def summary(verb: str, result: synthpipe.Result, what: str = "") -> None:
    """`checked 10 records from x.jsonl (…): 8 accepted, 2 rejected`, top reasons and errors, outputs."""
    m = result.manifest
    c = m["counts"]
    failed = f", {c['failed']} failed" if "failed" in m.get("stages", {}).get("", {}) or c["failed"] else ""
    click.echo(
        f"{verb} {c['attempted']} records{what}: {c['accepted']} accepted, {c['rejected']} rejected{failed}"
    )
    top = list(m.get("reasons", {}).items())[:5]
    if top:
        click.echo("top reasons: " + ", ".join(f"{code} {v['records']}" for code, v in top))
    for err in m.get("errors", [])[:3]:
        click.echo(f"failed ({err['records']}): {err['error']}", err=True)
    for message in m.get("warnings", []):
        if verb != "run":  # a run prints its warnings as they happen
            echo_warning(message)


progress_option = click.option(
    "--progress/--no-progress", default=None, help="progress bar (default: when stderr is a terminal)"
)
workers_option = click.option(
    "--workers",
    type=click.IntRange(min=0),
    help="processes for the rule checks and grounding (default: one per spare core for big jobs; 0: none)",
)
