"""What every command shares: typed errors become one line on stderr and exit code 2."""

from __future__ import annotations

from typing import Any

import click

from synthpipe.core.errors import ModelError, SynthpipeError, UsageError


class SynthpipeGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (UsageError, ModelError) as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)
        except SynthpipeError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)


def echo_warning(message: str) -> None:
    click.secho(f"warning: {message}", fg="yellow", err=True)
