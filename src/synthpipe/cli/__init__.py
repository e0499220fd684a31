"""The `synthpipe` command. One module per command group; this file only wires them together."""

from __future__ import annotations

import os
import sys

import click

from synthpipe import __version__
from synthpipe.cli._common import SynthpipeGroup


@click.group(cls=SynthpipeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="synthpipe")
def cli() -> None:
    """Turn a short recipe into checked, judged, deduplicated training data."""


def _register() -> None:
    from synthpipe.cli.advise import advise
    from synthpipe.cli.augment import augment
    from synthpipe.cli.cache import cache
    from synthpipe.cli.check import check
    from synthpipe.cli.dedup import dedup
    from synthpipe.cli.evaluate import evaluate, feedback
    from synthpipe.cli.expand import expand
    from synthpipe.cli.export import export
    from synthpipe.cli.judge import judge
    from synthpipe.cli.pool import pool
    from synthpipe.cli.review import review
    from synthpipe.cli.run import demo, init, prompts, run

    for cmd in (advise, run, demo, init, prompts, expand, check, judge, dedup, augment, pool, export, review):
        cli.add_command(cmd)
    for cmd in (cache, evaluate, feedback):
        cli.add_command(cmd)


_register()


def main() -> None:
    # pydantic looks for plugins through every installed package's entry points on first import (a
    # tenth of the start-up); the command line has none to offer it.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    sys.exit(cli.main(standalone_mode=True))
