"""Shipped persona pools: `<lang>.yaml` next to this module maps a domain name to a list of personas.

The domain names are the same in every language, so a recipe can pick `retail` whatever its language."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from synthpipe.core.errors import UsageError

ALL = "all"


def _languages() -> list[str]:
    here = resources.files(__name__)
    return sorted(p.name.removesuffix(".yaml") for p in here.iterdir() if p.name.endswith(".yaml"))


@lru_cache(maxsize=8)
def _pools(lang: str) -> dict[str, tuple[str, ...]]:
    known = _languages()
    if lang not in known:
        raise UsageError(f"no persona pools for language {lang!r} — use one of: {', '.join(known)}")
    data = yaml.safe_load(resources.files(__name__).joinpath(f"{lang}.yaml").read_text(encoding="utf-8"))
    return {str(domain): tuple(str(p) for p in personas) for domain, personas in data.items()}


def pool_names(lang: str) -> list[str]:
    return sorted(_pools(lang))


def load_pool(lang: str, domains: str | list[str]) -> list[str]:
    """The personas of `domains`, in the order given and file order within each, without repeats."""
    pools = _pools(lang)
    names = [domains] if isinstance(domains, str) else list(domains)
    if not names:
        raise UsageError(f"no persona pool named — use one of: {', '.join(sorted(pools))}, or {ALL}")
    chosen: list[str] = []
    for name in names:
        if name == ALL:
            chosen.extend(pools)
        elif name in pools:
            chosen.append(name)
        else:
            known = ", ".join(sorted(pools))
            raise UsageError(f"persona pool {name!r} does not exist — use one of: {known}, or {ALL}")
    return list(dict.fromkeys(p for name in chosen for p in pools[name]))
