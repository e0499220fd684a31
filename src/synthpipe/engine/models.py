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


def cost_usd(prompt_tokens: int, completion_tokens: int, spec: Any) -> float:
    """Dollars for these tokens at the model's `prices` (per million tokens); 0 for an unknown model."""
    if spec is None:
        return 0.0
    price = spec.prices
    return round(prompt_tokens * price.input / 1e6 + completion_tokens * price.output / 1e6, 6)


def _counts(m: CachedModel) -> tuple[int, int, int, int]:
    return m.calls, m.hits, m.prompt_tokens, m.completion_tokens


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
        self.models: dict[str, CachedModel] = {}  # one per model, for its flow and the manifest's models
        self._views: dict[tuple[str, str], CachedModel] = {}  # (stage, model): usage counted per stage
        self._elsewhere: dict[tuple[str, str], list[int]] = {}  # (stage, model): usage in other processes

    def models_used(self) -> list[str]:
        """The names of the models built for this command."""
        return list(self._backends)

    def attach(self, cache: ResponseCache | None) -> None:
        self.cache = cache

    def get(self, name: str, stage: str = "") -> CachedModel:
        """Model `name` behind the cache, as `stage` uses it: each stage counts its own requests and
        tokens (`usage_by_stage`); the stages asking one model share its backend, so its limits."""
        key = (stage, name)
        if key not in self._views:
            backend = (
                self._backends.get(name) or self._given.get(name) or make_backend(self.recipe.models[name])
            )
            self._backends[name] = backend
            view = CachedModel(backend, self.cache, self.use_cache, name=name)
            self._views[key] = view
            self.models.setdefault(name, view)
        return self._views[key]

    def add_usage(self, by_stage: dict[str, dict[str, dict[str, int]]]) -> None:
        """Count usage that workers elsewhere (Ray) reported, per stage and model, as this run's."""
        for stage, models in by_stage.items():
            for name, counts in models.items():
                into = self._elsewhere.setdefault((stage, name), [0] * len(_USAGE_KEYS))
                for k, key in enumerate(_USAGE_KEYS):
                    into[k] += int(counts.get(key, 0))

    def _all_counts(self) -> list[tuple[str, str, tuple[int, ...]]]:
        here = [(stage or "other", name, _counts(m)) for (stage, name), m in self._views.items()]
        return here + [(stage, name, tuple(c)) for (stage, name), c in self._elsewhere.items()]

    def usage(self) -> dict[str, dict[str, int]]:
        """Per model, this run (this process and its workers): requests, cache hits, prompt and
        completion tokens."""
        out: dict[str, dict[str, int]] = {}
        for _, name, counts in self._all_counts():
            into = out.setdefault(name, dict.fromkeys(_USAGE_KEYS, 0))
            for key, value in zip(_USAGE_KEYS, counts, strict=True):
                into[key] += value
        return out

    def stage_usage(self) -> dict[str, dict[str, dict[str, int]]]:
        """Per stage, then per model, this run: the figures of `usage`."""
        out: dict[str, dict[str, dict[str, int]]] = {}
        for stage, name, counts in self._all_counts():
            into = out.setdefault(stage, {}).setdefault(name, dict.fromkeys(_USAGE_KEYS, 0))
            for key, value in zip(_USAGE_KEYS, counts, strict=True):
                into[key] += value
        return out

    def total_usage(self, previous: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """This process's usage added to `previous` (earlier runs into the same output), with the cost."""
        return self._with_cost(self.usage(), previous)

    def total_stage_usage(self, previous: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
        """`total_usage` per stage: this process's added to `previous`, each model with its cost."""
        now = self.stage_usage()
        return {
            stage: self._with_cost(now.get(stage, {}), previous.get(stage) or {})
            for stage in dict.fromkeys([*previous, *now])
        }

    def _with_cost(
        self, now: dict[str, dict[str, int]], previous: dict[str, Any]
    ) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for name in dict.fromkeys([*previous, *now]):
            before = previous.get(name) or {}
            total: dict[str, Any] = {
                k: int(before.get(k, 0)) + now.get(name, {}).get(k, 0) for k in _USAGE_KEYS
            }
            spec = self.recipe.models.get(name)
            total["cost_usd"] = cost_usd(total["prompt_tokens"], total["completion_tokens"], spec)
            out[name] = total
        return out

    def live_stats(self) -> dict[str, Any]:
        stats: dict[str, int] = {}
        for cm in self._views.values():
            for key, value in (
                ("requests", cm.calls),
                ("cache_hits", cm.hits),
                ("completion_tokens", cm.completion_tokens),
            ):
                stats[key] = stats.get(key, 0) + value
        for cm in self.models.values():  # one view per backend: its own figures counted once
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
