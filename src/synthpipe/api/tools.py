"""What the other commands need: the prompts a recipe would send, the example recipes, the cache."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from synthpipe.api.inputs import RecipeLike, as_recipe
from synthpipe.core.errors import UsageError

DEMO_RECIPE = "demo_qa_en.yaml"


def examples_dir() -> Path:
    """The shipped example recipes (every task kind, zh and en) and their source documents."""
    return Path(str(resources.files("synthpipe").joinpath("examples")))


def demo_recipe() -> Path:
    return examples_dir() / DEMO_RECIPE


def init_recipes(
    directory: str | Path, force: bool = False, advice: str | Path | None = None
) -> tuple[list[str], list[str]]:
    """Copy the example recipes into `directory`; returns (written, kept because they exist). With
    `advice` (the `synthpipe advise --json` output, a file), only the recipe it names, headed by the
    verdict and the checks it suggests."""
    dest = Path(directory)
    if dest.exists() and not dest.is_dir():
        raise UsageError(f"{dest}: exists and is not a folder — give another directory")
    header, only = _from_advice(Path(advice)) if advice is not None else ("", None)
    wanted = None if only is None else {only, *_files_of(examples_dir() / only)}
    sources = [
        src
        for src in sorted(examples_dir().iterdir())
        if not src.name.startswith(("_", ".")) and not src.is_dir() and (wanted is None or src.name in wanted)
    ]
    dest.mkdir(parents=True, exist_ok=True)
    written, kept = [], []
    for src in sources:
        target = dest / src.name
        if target.exists() and not force:
            kept.append(target.name)
            continue
        if header and src.name == only:
            target.write_text(header + src.read_text(encoding="utf-8"), encoding="utf-8")
        else:
            shutil.copyfile(src, target)
        written.append(target.name)
    return written, kept


def _files_of(recipe: Path) -> set[str]:
    """The files a shipped recipe names beside it (its sources and examples file)."""
    import yaml

    data = yaml.safe_load(recipe.read_text(encoding="utf-8")) or {}
    names = {str(s["path"]) for s in data.get("sources") or [] if isinstance(s, dict) and "path" in s}
    if data.get("examples_file"):
        names.add(str(data["examples_file"]))
    return names


def _from_advice(path: Path) -> tuple[str, str]:
    """(comment header, recipe file name) from an advice file; a clear error for anything else."""
    import json

    fix = "write it with `synthpipe advise … --json > advice.json`"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: not found — {fix}") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not an advice file ({exc.__class__.__name__}) — {fix}") from None
    if not isinstance(data, dict) or "verdict" not in data:
        raise UsageError(f"{path}: not an advice file (no verdict) — {fix}")
    if data["verdict"] == "not_recommended" or not data.get("recipe"):
        reasons = "; ".join(str(r) for r in data.get("reasons", [])[:2])
        raise UsageError(
            f"{path}: the advice does not recommend synthetic data for this task ({reasons}) — no recipe to start from"
        )
    recipe = str(data["recipe"])
    if not (examples_dir() / recipe).is_file():
        raise UsageError(
            f"{path}: names recipe {recipe!r}, which synthpipe does not ship — run `synthpipe advise` again"
        )
    lines = [
        f"# synthpipe advise: {data['verdict']} ({data.get('category_label') or data.get('category', '')})"
    ]
    lines += [f"#   {r}" for r in data.get("reasons", [])]
    checks = [c for c in data.get("checks", []) if isinstance(c, dict)]
    if checks:
        lines.append("# checks it suggests (recipe settings):")
        lines += [f"#   {', '.join(c.get('settings', []))}: {c.get('why', '')}" for c in checks]
    return "\n".join(lines) + "\n\n", recipe


def preview_prompts(recipe: RecipeLike, n: int = 1) -> dict[str, Any]:
    """The exact messages the first `n` candidates would send, and the quality stages' prompts for a
    sample record: {"warnings": [risky-domain warnings, a count above the plan space], "plan": {distinct_prompts,
    dimensions…} (see synthpipe.prompts.space), "candidates": [{index, messages, schema, seed, variation}],
    "stages": [(title, messages)]}."""
    from synthpipe.prompts.expand import pending_warning
    from synthpipe.prompts.plan import plan
    from synthpipe.prompts.space import plan_space
    from synthpipe.risk import risk_warnings
    from synthpipe.stages.describe import describe_prompts

    rcp = as_recipe(recipe)
    items = plan(rcp, count=min(n, rcp.count))
    space = plan_space(rcp)
    return {
        "warnings": [*risk_warnings(rcp), *filter(None, [space.warning(rcp.count), pending_warning(rcp)])],
        "plan": {**space.to_json(), "count": rcp.count, "factors": space.factors()},
        "candidates": [
            {
                "index": it.index,
                "messages": it.messages,
                "schema": it.schema,
                "seed": it.seed,
                "variation": it.variation,
            }
            for it in items
        ],
        "stages": describe_prompts(rcp, items[0]),
    }


def _cache_path(target: str | Path) -> Path:
    p = Path(target)
    if p.is_dir():
        p = p / "cache.sqlite"
    if not p.is_file():
        raise UsageError(f"{p}: no cache here — pass a run directory or a cache.sqlite file")
    return p


def _open_cache(path: Path) -> Any:
    """The cache at `path`, or a clear error when the file is not one (never changing that file)."""
    import sqlite3

    from synthpipe.cache import ResponseCache

    not_cache = (
        f"{path}: is not a synthpipe response cache — pass a run directory or the cache.sqlite file in it"
    )
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise UsageError(
            f"{path}: cannot be read ({exc.strerror}) — check the path and its permissions"
        ) from None
    if head != b"SQLite format 3\x00":
        raise UsageError(not_cache)
    try:
        probe = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in probe.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            probe.close()
    except sqlite3.DatabaseError:
        raise UsageError(not_cache) from None
    if "responses" not in tables:
        raise UsageError(not_cache)
    return ResponseCache(path)


def cache_stats(target: str | Path) -> dict[str, Any]:
    """Entries, size and models of a response cache (a run directory or a cache.sqlite file)."""
    cache = _open_cache(_cache_path(target))
    try:
        return cache.stats()
    finally:
        cache.close()


def cache_clear(target: str | Path) -> tuple[int, Path]:
    """Delete every cached response; returns how many and the file. Refused while a run is writing to
    the directory that holds the cache."""
    from synthpipe.sinks.rundir import lock_directory, unlock_directory

    path = _cache_path(target)
    lock = lock_directory(
        path.parent,
        f"{path.parent}: a synthpipe run is writing here — wait for it to finish, then clear its cache",
    )
    try:
        cache = _open_cache(path)
        try:
            return cache.clear(), path
        finally:
            cache.close()
    finally:
        unlock_directory(path.parent, lock)
