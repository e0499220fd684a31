"""What every command shares: typed errors become one line on stderr and exit code 2, the summary
printed after a command, and the parsing of comma lists."""

from __future__ import annotations

import re
from pathlib import Path
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

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except synthpipe.UsageError as exc:  # an option's own check (a renamed option) while parsing
            click.echo(f"error: {exc}", err=True)
            raise click.exceptions.Exit(2) from None


class SynthpipeGroup(click.Group):
    command_class = SynthpipeCommand

    def invoke(self, ctx: click.Context) -> Any:
        return _invoke(click.Group, self, ctx)


def check_lang(lang: str | None) -> None:
    """One message, word for word, for a bad --lang in every command."""
    if lang is not None and lang not in ("zh", "en"):
        raise synthpipe.UsageError(f"unknown language {lang!r} — use --lang zh or --lang en")


def warn_unused_labels(task: str | None, labels: str | None) -> None:
    if task and labels and task in synthpipe.task_names() and not synthpipe.get_task(task).label_field:
        echo_warning(f"--labels is used only by tasks with labels (classify); --task {task} ignores it")


def renamed(old: str, new: str, what: str) -> Any:
    """A hidden option that only says what an old option is called now."""

    def refuse(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is not None:
            raise synthpipe.UsageError(f"{old} is now {new} ({what}) — e.g. {new} {value}")

    dest = "renamed_" + old.lstrip("-").replace("-", "_")
    return click.option(old, dest, hidden=True, expose_value=False, callback=refuse, is_eager=True)


def written(result: synthpipe.Result, cache: Path | None = None) -> str:
    """`wrote OUT/: accepted.jsonl, …`: every file the command left in the output, and the cache."""
    out = result.out_dir
    if out is None:
        return "wrote nothing (no output folder)"
    order = [*result.manifest.get("outputs", []), "manifest.json", "cache.sqlite", "run.json"]
    names = sorted(
        (p.name for p in out.iterdir() if p.is_file() and not p.name.startswith(".")),
        key=lambda n: (order.index(n) if n in order else len(order), n),
    )
    line = f"wrote {out}/: {', '.join(names)}"
    if cache is not None and cache.parent.resolve() != out.resolve():
        line += f"; cache {cache}"
    return line


def exit_status(result: synthpipe.Result) -> None:
    """Exit code 1 when the command finished but some records failed (a re-run retries them)."""
    failed = result.counts.get("failed", 0)
    if failed:
        click.echo(
            f"finished with {failed} failed record{'s' if failed != 1 else ''} — run the same command "
            "again to retry them (exit code 1)",
            err=True,
        )
        click.get_current_context().exit(1)


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
    "--progress/--no-progress", default=None, help="Show a progress bar. Default: when stderr is a terminal."
)


def source_option(help_text: str) -> Any:
    """--source DOC, repeatable: documents the answers must keep to."""
    return click.option(
        "--source", "sources", multiple=True, type=click.Path(path_type=Path), metavar="DOC", help=help_text
    )


workers_option = click.option(
    "--workers",
    type=click.IntRange(min=0),
    help="Processes for the rule checks and grounding. Default: one per spare core for big jobs; 0: none. "
    "With --executor ray: Ray workers (default: the cluster's CPUs).",
)


def executor_options(command: Any) -> Any:
    """--executor and --address: where the stages run (this process, or Ray)."""
    command = click.option(
        "--address",
        metavar="auto|ray://HOST:PORT",
        help="With --executor ray: the Ray cluster to join (auto: the one on this machine). "
        "Default: start a local Ray.",
    )(command)
    return click.option(
        "--executor",
        type=click.Choice(["local", "ray"]),
        default="local",
        show_default=True,
        help="Run the stages in this process, or on Ray (needs `pip install 'synthpipe[ray]'`).",
    )(command)


lang_option = click.option(
    "--lang", "lang", metavar="zh|en", help="Language of the data and its checks. Default: each record's."
)
yes_option = click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
no_cache_option = click.option(
    "--no-cache", is_flag=True, help="Ask the model again even when an answer is cached."
)
max_in_flight_option = click.option(
    "--max-in-flight", type=click.IntRange(min=1), help="Concurrent requests to the model."
)
api_key_env_option = click.option(
    "--api-key-env", metavar="VAR", help="Name of the environment variable holding the key (never the key)."
)


def out_opt(default_help: str, default: str | None = None, show_default: bool = False) -> Any:
    return click.option(
        "--out",
        "-o",
        "out",
        default=default,
        show_default=show_default,
        type=click.Path(path_type=Path),
        help=f"Output folder. {default_help}",
    )


def cache_opt(default_help: str) -> Any:
    return click.option(
        "--cache",
        "cache_path",
        type=click.Path(path_type=Path),
        help=f"Response cache file. Default: {default_help}.",
    )
