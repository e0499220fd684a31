"""`synthpipe review SRC`: the human spot-check in a local web page; `--report`: the judge against it."""

from __future__ import annotations

import json
from pathlib import Path

import click

import synthpipe
from synthpipe.cli._common import SynthpipeCommand


@click.command("review", cls=SynthpipeCommand)
@click.argument("src")
@click.option("--sample", "size", type=int, default=20, show_default=True, help="How many records to review.")
@click.option("--seed", type=int, default=0, show_default=True, help="Another seed draws another sample.")
@click.option("--port", type=int, default=0, help="Port on 127.0.0.1. Default: a free one.")
@click.option("--report", is_flag=True, help="Do not serve: print how the judge agrees with the decisions.")
@click.option("--json", "as_json", is_flag=True, help="With --report: print JSON.")
def review(src: str, size: int, seed: int, port: int, report: bool, as_json: bool) -> None:
    """Review a stratified sample of SRC (a run directory or pool:DIR@VERSION) in the browser.

    The page listens on 127.0.0.1 only and answers only requests that carry the token of the URL
    printed here. Each decision is saved as it is made; Finish (or Ctrl-C) ends the review: a pool
    gets a new version without the rejected records and with the edits, a run keeps them for
    `synthpipe export`. Run the same command again to go on where you stopped."""
    if report:
        _report(synthpipe.review_report(src), as_json)
        return
    if as_json:
        raise synthpipe.UsageError("--json goes with --report")
    server = synthpipe.review(src, sample=size, seed=seed, port=port)
    session = server.session
    click.echo(
        f"reviewing {len(session.sample)} records of {session.source.label}; decided so far: {len(session.decisions)}"
    )
    click.echo(f"open {server.url}")
    click.echo(
        "keys: a accept, r reject, e edit, j/k next/previous; Finish when done (Ctrl-C also stops, nothing is lost)"
    )
    try:  # noqa: SIM105 (the CLI imports only synthpipe, click and a few standard modules)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    result = session.finish()
    where = f" -> pool version {result['version']}" if result.get("version") is not None else ""
    click.echo(f"decisions {json.dumps(result['decisions'])} kept in {Path(result['file']).parent}{where}")


def _report(r: dict, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(r, indent=2, ensure_ascii=False))
        return
    click.echo(f"{r['source']}: {r['reviewed']} reviewed, {r['with_judge_scores']} with judge scores")
    if "note" in r:
        click.echo(r["note"])
        return
    click.echo(f"accuracy {r['accuracy']}, Cohen's kappa {r['kappa']}  ({r['trust']})")
    for k, v in r["confusion"].items():
        click.echo(f"  {k}: {v}")
    for name, sides in r["criteria"].items():
        acc, rej = sides["accepted"], sides["rejected"]
        click.echo(
            f"  {name:<12} accepted: n {acc['n']}, mean {acc.get('mean', '-')}; rejected: n {rej['n']}, mean {rej.get('mean', '-')}"
        )
    best = r["best_threshold"]
    now = (
        f" (now {r['threshold']:g}: accuracy {r['current_threshold_accuracy']})" if r.get("threshold") else ""
    )
    click.echo(f"best judge threshold: {best['threshold']:g}, accuracy {best['accuracy']}{now}")
