"""`synthpipe advise`: does synthetic data fit this task at all? Asks the method's three questions when
it can (a terminal), otherwise takes what is missing as unsure and says so."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

import synthpipe
from synthpipe.cli._common import SynthpipeCommand, check_lang

ANSWER = "yes|no|unsure"


@click.command(cls=SynthpipeCommand)
@click.option(
    "--describe", "-d", metavar="TEXT", help="The task in a sentence or two, in English or Chinese."
)
@click.option(
    "--task", metavar="KIND", help="The kind of data, when known: qa, summarize, rewrite, classify, dialogue."
)
@click.option("--domain", metavar="TEXT", help="The subject area (e.g. 'e-commerce returns', '医疗').")
@click.option(
    "--structure", metavar=ANSWER, help="Is the input -> output structure clear: yes, no or unsure."
)
@click.option(
    "--examples",
    metavar="N|yes|no",
    help="Are there real examples of it: how many, or yes, no or unsure.",
)
@click.option(
    "--verifiable",
    metavar=ANSWER,
    help="Can what is generated be verified (rules, a source document, a reference, a judge): yes, no "
    "or unsure.",
)
@click.option(
    "--lang", "lang", metavar="zh|en", help="Language of the advice. Default: the description's, else en."
)
@click.option("--json", "as_json", is_flag=True, help="Print the advice as JSON.")
@click.option(
    "--interactive/--no-interactive",
    default=None,
    help="Ask for missing answers. Default: when stdin is a terminal.",
)
def advise(
    describe: str | None,
    task: str | None,
    domain: str | None,
    structure: str | None,
    examples: str | None,
    verifiable: str | None,
    lang: str | None,
    as_json: bool,
    interactive: bool | None,
) -> None:
    """Should this task use synthetic data at all? The verdict (recommended, conditional, not
    recommended), why, the checks to switch on and the commands to start with.

    Without a terminal (or with --no-interactive) a missing answer counts as unsure. Exit code 0
    whatever the verdict; 2 for bad input."""
    check_lang(lang)
    if interactive is None:
        interactive = sys.stdin.isatty()
    if interactive and not (describe or "").strip() and not task:
        describe = click.prompt("Describe the task / 用一两句话描述任务", err=True)
    answers: dict[str, Any] = {"structure": structure, "examples": examples, "verifiable": verifiable}
    settings: dict[str, Any] = {"task": task, "domain": domain, "lang": lang}
    advice = synthpipe.advise(describe, **settings, **answers)
    if interactive and advice.verdict != "not_recommended":
        for q in advice.questions:
            if not q.given:
                answers[q.id] = _ask(q, describe, settings)
        advice = synthpipe.advise(describe, **settings, **answers)
    if as_json:
        click.echo(json.dumps(advice.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(advice.to_text())


def _ask(q: Any, describe: str | None, settings: dict[str, Any]) -> str:
    """Ask one question until the answer is one the library takes (it says why when not)."""
    while True:
        value = click.prompt(f"{q.text} ({q.hint})", default="unsure", err=True)
        try:
            synthpipe.advise(describe, **settings, **{q.id: value})
        except synthpipe.UsageError as exc:
            click.echo(f"error: {exc}", err=True)
            continue
        return str(value)
