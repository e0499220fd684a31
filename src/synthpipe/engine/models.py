"""The recipe's models, each behind the response cache, built once per command."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synthpipe.backends import Backend, make_backend
from synthpipe.cache import CachedModel, ResponseCache

if TYPE_CHECKING:
    from synthpipe.recipe import Recipe

_USAGE_KEYS = ("requests", "cache_hits", "prompt_tokens", "completion_tokens")


def public_model(spec: Any) -> dict[str, Any]:
    """What a manifest may say about a model: never the key, only the variable's name."""
    keep = {
        "backend",
        "model",
        "base_url",
        "api_key_env",
        "structured",
        "max_in_flight",
        "temperature",
        "max_tokens",
    }
    return {k: v for k, v in spec.model_dump(include=keep).items() if v is not None}


class ModelPool:
    def __init__(
        self,
        recipe: Recipe,
        names: list[str],
        backends: dict[str, Backend] | None = None,
        use_cache: bool = True,
    ) -> None:
        """Build the backends of `names` now, so a missing model file or key fails before anything is
        written; `backends` replaces models by name (tests, or a caller's own backend)."""
        self.recipe = recipe
        self.use_cache = use_cache
        self._given = dict(backends or {})
        self._backends: dict[str, Backend] = {
            name: self._given.get(name) or make_backend(recipe.models[name]) for name in dict.fromkeys(names)
        }
        self.cache: ResponseCache | None = None
        self.models: dict[str, CachedModel] = {}

    def attach(self, cache: ResponseCache | None) -> None:
        self.cache = cache

    def get(self, name: str) -> CachedModel:
        if name not in self.models:
            backend = (
                self._backends.get(name) or self._given.get(name) or make_backend(self.recipe.models[name])
            )
            self._backends[name] = backend
            self.models[name] = CachedModel(backend, self.cache, self.use_cache, name=name)
        return self.models[name]

    def usage(self) -> dict[str, dict[str, int]]:
        return {
            name: {
                "requests": m.calls,
                "cache_hits": m.hits,
                "prompt_tokens": m.prompt_tokens,
                "completion_tokens": m.completion_tokens,
            }
            for name, m in self.models.items()
        }

    def total_usage(self, previous: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """This process's usage added to `previous` (earlier runs into the same output), with the cost."""
        out: dict[str, dict[str, Any]] = {}
        now = self.usage()
        for name in dict.fromkeys([*previous, *now]):
            before = previous.get(name) or {}
            total = {k: int(before.get(k, 0)) + now.get(name, {}).get(k, 0) for k in _USAGE_KEYS}
            spec = self.recipe.models.get(name)
            price = spec.prices if spec is not None else None
            total["cost_usd"] = (
                round(
                    total["prompt_tokens"] * price.input / 1e6
                    + total["completion_tokens"] * price.output / 1e6,
                    6,
                )
                if price is not None
                else 0.0
            )
            out[name] = total
        return out

    def live_stats(self) -> dict[str, Any]:
        stats: dict[str, int] = {}
        for cm in self.models.values():
            for key, value in (
                ("requests", cm.calls),
                ("cache_hits", cm.hits),
                ("completion_tokens", cm.completion_tokens),
            ):
                stats[key] = stats.get(key, 0) + value
            bstats = getattr(cm.backend, "stats", None)
            if bstats is not None:
                b = bstats if isinstance(bstats, dict) else bstats.to_json()
                for k in ("in_flight", "retries", "errors", "rate_limited", "timeouts"):
                    stats[k] = stats.get(k, 0) + int(b.get(k, 0) or 0)
            flow = getattr(cm.backend, "flow", None)
            if flow is not None:
                f = flow()
                stats["concurrency"] = stats.get("concurrency", 0) + f["concurrency"]
                stats["max_in_flight"] = stats.get("max_in_flight", 0) + f["max_in_flight"]
                stats["rate_wait_s"] = stats.get("rate_wait_s", 0) + f["rate_wait_s"]
                if f["concurrency"] < f["max_in_flight"]:
                    stats["why"] = f["why"]
        return stats

    def flow(self) -> dict[str, dict[str, Any]]:
        """Per HTTP model: the concurrency it ended at and why, refusals, time-outs, rate-limit waits."""
        out: dict[str, dict[str, Any]] = {}
        for name, cm in self.models.items():
            flow = getattr(cm.backend, "flow", None)
            if flow is not None:
                out[name] = flow()
        return out

    async def aclose(self) -> None:
        for backend in self._backends.values():
            await backend.aclose()
