"""`synthpipe pool …`: gather accepted records of many runs into a versioned training pool."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click

import synthpipe
from synthpipe.cli._common import SynthpipeCommand, SynthpipeGroup, echo_warning


def _pool_opt(f: Any) -> Any:
    return click.option(
        "--pool",
        "pool_dir",
        metavar="DIR",
        envvar="SYNTHPIPE_POOL",
        type=click.Path(path_type=Path),
        help="The pool directory (made by `synthpipe pool init DIR`). Default: $SYNTHPIPE_POOL.",
    )(f)


def _json_opt(f: Any) -> Any:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(f)


def _open(pool_dir: Path | None) -> Any:
    if pool_dir is None:
        raise synthpipe.UsageError(
            "no pool given — pass --pool DIR (make one with `synthpipe pool init DIR`)"
        )
    return synthpipe.Pool(pool_dir)


def _when(ts: float) -> str:
    return synthpipe.Pool.when(ts)


def _counts(c: dict[str, int], top: int = 4) -> str:
    items = sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))
    text = ", ".join(f"{k} {v}" for k, v in items[:top])
    return text + (f", +{len(items) - top} more" if len(items) > top else "")


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group("pool", cls=SynthpipeGroup)
def pool() -> None:
    """A versioned training pool: add runs, weight, split, and export any version again."""


@pool.command("init", cls=SynthpipeCommand)
@click.argument("directory", type=click.Path(path_type=Path))
def init_cmd(directory: Path) -> None:
    """Make an empty pool in DIRECTORY (version 0)."""
    synthpipe.Pool.init(directory)
    click.echo(
        f"pool created in {directory} (version 0, empty). Next: synthpipe pool add RUN_DIR --pool {directory}"
    )


@pool.command("add", cls=SynthpipeCommand)
@click.argument("sources", metavar="SOURCE...", nargs=-1, required=True, type=click.Path(path_type=Path))
@_pool_opt
@click.option(
    "--tag", metavar="NAME", help="A source tag for the records added (select them later with --tag)."
)
@click.option(
    "--weight", type=float, metavar="W", help="Weight of the records added. Default: their own (1)."
)
@click.option("--readd", is_flag=True, help="Add records that a removal or a review took out, too.")
def add_cmd(
    sources: tuple[Path, ...], pool_dir: Path | None, tag: str | None, weight: float | None, readd: bool
) -> None:
    """Add the accepted records of run directories or data files, deduplicated against the pool; each
    SOURCE in turn makes its own version."""
    given = [s for s in sources if synthpipe.Pool.is_pool(s)]
    if given:
        rest = " ".join(str(s) for s in sources if s not in given) or "RUN_DIR"
        raise synthpipe.UsageError(
            f"{given[0]} is a pool, not a source — name the pool with --pool: "
            f"synthpipe pool add {rest} --pool {given[0]}"
        )
    p = _open(pool_dir)
    for source in sources:
        _add_one(p, source, tag, weight, readd)


def _add_one(p: Any, source: Path, tag: str | None, weight: float | None, readd: bool) -> None:
    res = p.add(
        source,
        tag=tag,
        weight=weight,
        readd=readd,
        on_wait=lambda: echo_warning("another change to the pool is running; waiting for it…"),
    )
    dups = sum(res.duplicates.values())
    parts = [f"added {res.added}", f"already present {res.already_present}", f"duplicates {dups}"]
    if dups:
        parts[-1] += f" ({_counts(res.duplicates)})"
    if res.not_accepted:
        parts.append(f"not accepted in the source {res.not_accepted}")
    if res.removed_earlier:
        parts.append(f"removed from the pool earlier {res.removed_earlier} (--readd adds them again)")
    where = f"version {res.version}" if res.version is not None else "no new version: nothing to add"
    click.echo(f"{source}: {'; '.join(parts)} -> {where}")


@pool.command("list", cls=SynthpipeCommand)
@_pool_opt
@_json_opt
def list_cmd(pool_dir: Path | None, as_json: bool) -> None:
    """Every version with its counts per task, origin, model and recipe."""
    versions = _open(pool_dir).versions()
    if as_json:
        _print_json(versions)
        return
    for v in versions:
        s = v["summary"]
        tags = f" [{', '.join(v['tags'])}]" if v["tags"] else ""
        click.echo(
            f"v{v['version']}{tags}  {_when(v['created'])}  {v['op']:<6}  {s.get('records', 0)} records"
        )
        for col in ("task", "origin", "model", "recipe"):
            if s.get(col):
                click.echo(f"    {col:<7} {_counts(s[col])}")


@pool.command("show", cls=SynthpipeCommand)
@click.argument("version", required=False)
@_pool_opt
@_json_opt
def show_cmd(version: str | None, pool_dir: Path | None, as_json: bool) -> None:
    """One version (a number, a tag or latest; default latest): what made it and what it holds."""
    info = _open(pool_dir).show(version)
    if as_json:
        _print_json(info)
        return
    s = info["summary"]
    tags = f" [{', '.join(info['tags'])}]" if info["tags"] else ""
    click.echo(
        f"version {info['version']}{tags}, {_when(info['created'])}: {info['op']} {json.dumps(info['args'], ensure_ascii=False)}"
    )
    click.echo(f"  changes: {json.dumps(s.get('changes', {}), ensure_ascii=False)}")
    click.echo(f"  records: {s.get('records', 0)} (total weight {s.get('weight', 0):g})")
    for col in ("task", "origin", "model", "recipe", "tag", "split"):
        if s.get(col):
            click.echo(f"  {col:<8} {_counts(s[col], 8)}")
    if info["weights"]:
        click.echo(f"  weights  {', '.join(f'{w} x{n}' for w, n in info['weights'].items())}")


@pool.command("diff", cls=SynthpipeCommand)
@click.argument("v1")
@click.argument("v2")
@_pool_opt
@_json_opt
@click.option(
    "--ids/--no-ids", default=True, show_default=True, help="List the ids (the first 20 of each kind)."
)
def diff_cmd(v1: str, v2: str, pool_dir: Path | None, as_json: bool, ids: bool) -> None:
    """What V2 has that V1 has not: records added, removed and weights changed."""
    d = _open(pool_dir).diff(v1, v2)
    if as_json:
        _print_json(d)
        return
    click.echo(
        f"v{d['from']} -> v{d['to']}: {len(d['added'])} added, {len(d['removed'])} removed, "
        f"{len(d['weight_changed'])} weights changed"
    )
    if ids:
        for name in ("added", "removed"):
            for key in d[name][:20]:
                click.echo(f"  {'+' if name == 'added' else '-'} {key}")
            if len(d[name]) > 20:
                click.echo(f"  … {len(d[name]) - 20} more {name} (--json lists them all)")
        for c in d["weight_changed"][:20]:
            click.echo(f"  ~ {c['id']}: {c['from']:g} -> {c['to']:g}")


@pool.command("tag", cls=SynthpipeCommand)
@click.argument("version")
@click.argument("name")
@_pool_opt
def tag_cmd(version: str, name: str, pool_dir: Path | None) -> None:
    """Name VERSION (export it later as pool:DIR@NAME)."""
    v = _open(pool_dir).tag(version, name)
    click.echo(f"tag {name} -> version {v}")


def _selection(
    origin: str | None, model: str | None, recipe: str | None, tag: str | None, task: str | None = None
) -> dict[str, str | None]:
    return {"origin": origin, "model": model, "recipe": recipe, "tag": tag, "task": task}


@pool.command("weight", cls=SynthpipeCommand, context_settings={"ignore_unknown_options": True})
@click.argument("weight", type=float)
@_pool_opt
@click.option(
    "--origin", metavar="X", help="Records of this origin (generated, seed, augmented:paraphrase…)."
)
@click.option("--model", metavar="X", help="Records written by this model.")
@click.option("--recipe", metavar="X", help="Records of this recipe (its name).")
@click.option("--tag", metavar="X", help="Records added with this --tag.")
@click.option("--task", metavar="X", help="Records of this task kind.")
def weight_cmd(weight: float, pool_dir: Path | None, **sel: str | None) -> None:
    """Set the weight W of the records that match, as a new version (exports repeat or sample by it)."""
    out = _open(pool_dir).weight(weight, **sel)
    if out["version"] is None:
        click.echo(
            f"{out['matched']} records match {out['selection']}; all have weight {weight:g} already: no new version"
        )
    else:
        click.echo(
            f"weight {weight:g} for {out['changed']} of {out['matched']} records ({out['selection']}) -> version {out['version']}"
        )


@pool.command("remove", cls=SynthpipeCommand)
@click.argument("ids", nargs=-1)
@_pool_opt
@click.option("--origin", metavar="X", help="Remove every record of this origin.")
@click.option("--recipe", metavar="X", help="Remove every record of this recipe.")
def remove_cmd(ids: tuple[str, ...], pool_dir: Path | None, origin: str | None, recipe: str | None) -> None:
    """Remove records by id, origin or recipe, as a new version (earlier versions keep them)."""
    out = _open(pool_dir).remove(list(ids), origin=origin, recipe=recipe)
    click.echo(f"removed {out['removed']} records -> version {out['version']}")


@pool.command("log", cls=SynthpipeCommand)
@_pool_opt
@_json_opt
def log_cmd(pool_dir: Path | None, as_json: bool) -> None:
    """Every change and tag, oldest first."""
    events = _open(pool_dir).log()
    if as_json:
        _print_json(events)
        return
    for e in events:
        if e["op"] == "tag":
            click.echo(f"{_when(e['at'])}  tag {e['args']['name']} -> v{e['version']}")
            continue
        args = {k: v for k, v in e["args"].items() if v not in (None, [], {}, 0)}
        click.echo(
            f"{_when(e['at'])}  v{e['version']} {e['op']} {json.dumps(args, ensure_ascii=False) if args else ''}"
            f" -> {e['records']} records {json.dumps(e['changes'], ensure_ascii=False) if e['changes'] else ''}".rstrip()
        )


@pool.command("split", cls=SynthpipeCommand)
@_pool_opt
@click.option(
    "--eval",
    "eval_share",
    type=float,
    required=True,
    metavar="SHARE",
    help="Share of records for eval, e.g. 0.1.",
)
@click.option(
    "--by",
    default="task",
    show_default=True,
    metavar="KEYS",
    help="Stratify by these (task, topic, origin, model, recipe, tag).",
)
def split_cmd(pool_dir: Path | None, eval_share: float, by: str) -> None:
    """Assign every record to train or eval, stratified; later records are assigned as they arrive."""
    keys = [k for k in re.split(r"[,\s]+", by) if k]
    out = _open(pool_dir).split(eval_share, keys)
    if out["version"] is None:
        click.echo("every record has its split already: no new version")
    else:
        click.echo(f"assigned {_counts(out['assigned'])} -> version {out['version']}")
