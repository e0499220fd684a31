"""The recipe schema: pydantic models, validated strictly and frozen once loaded.

Which settings change the data and which only change how it is fetched is written down here, beside each
model (`ModelSpec.OPERATIONAL`): `synthpipe.recipe.identity` hashes the first kind only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

Lang = Literal["en", "zh"]


class _Strict(BaseModel):
    # Frozen: a validated recipe is never changed in place; `Recipe.replace` makes a new, validated one.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Prices(_Strict):
    """US dollars per million tokens."""

    input: float = Field(0.0, ge=0)
    output: float = Field(0.0, ge=0)


class ModelSpec(_Strict):
    # How requests are sent, not what they ask: changing these never changes a record's id or the cache.
    OPERATIONAL: ClassVar[frozenset[str]] = frozenset(
        {
            "api_key_env",
            "max_in_flight",
            "min_in_flight",
            "requests_per_minute",
            "tokens_per_minute",
            "timeout",
            "connect_timeout",
            "first_byte_timeout",
            "max_retries",
            "prices",
            "n_ctx",
            "context_window",
        }
    )

    backend: str = Field("embedded", description="embedded, openai, anthropic (see synthpipe.backends)")
    model: str = "SmolLM2-135M-Instruct"
    base_url: str | None = None
    api_key_env: str | None = Field(None, description="name of the environment variable holding the key")
    model_path: str | None = Field(None, description="embedded only: a GGUF file instead of the packaged one")
    structured: Literal["auto", "json_schema", "json_object", "prompt"] = "auto"
    max_in_flight: int = Field(64, ge=1, le=4096)
    min_in_flight: int = Field(1, ge=1, description="the floor an overloaded server can push concurrency to")
    requests_per_minute: float | None = Field(None, gt=0)
    tokens_per_minute: float | None = Field(None, gt=0)
    timeout: float = Field(120.0, gt=0, description="seconds for a whole request, answer included")
    connect_timeout: float = Field(10.0, gt=0, description="seconds to open a connection")
    first_byte_timeout: float | None = Field(
        None, gt=0, description="seconds until the answer starts arriving (default: timeout)"
    )
    max_retries: int = Field(6, ge=0)
    temperature: float = Field(0.8, ge=0, le=2)
    top_p: float = Field(0.95, gt=0, le=1)
    max_tokens: int = Field(512, ge=1)
    seed: int | None = None
    stop: list[str] | None = None
    n_ctx: int = Field(4096, ge=256, description="embedded only: context window")
    context_window: int | None = Field(
        None,
        ge=256,
        description="the model's context window in tokens, when known (the embedded model's is n_ctx): "
        "a recipe whose largest prompt plus max_tokens cannot fit fails at planning, before any request",
    )
    prices: Prices = Prices()

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, v: str) -> str:
        from synthpipe.backends import backend_names

        if v not in backend_names():
            raise ValueError(f"unknown backend {v!r} — use one of {', '.join(backend_names())}")
        return v

    @model_validator(mode="after")
    def _floor_under_max(self) -> ModelSpec:
        if self.min_in_flight > self.max_in_flight:
            raise ValueError(
                f"min_in_flight ({self.min_in_flight}) is above max_in_flight ({self.max_in_flight}) — "
                "lower min_in_flight or raise max_in_flight"
            )
        return self

    @field_validator("api_key_env")
    @classmethod
    def _env_name_not_key(cls, v: str | None) -> str | None:
        if v and (v.startswith(("sk-", "sk_")) or len(v) > 64 or not v.replace("_", "").isalnum()):
            raise ValueError(
                "must be the NAME of an environment variable (like OPENAI_API_KEY), never the key"
            )
        return v


class Source(_Strict):
    """A source document: the knowledge boundary. Inline `text` or a `path` relative to the recipe."""

    path: str | None = None
    text: str | None = None
    title: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Source:
        if bool(self.path) == bool(self.text):
            raise ValueError("give exactly one of `path` or `text`")
        return self


class Constraints(_Strict):
    banned_words: list[str] = []
    lengths: dict[str, tuple[int, int]] = Field(
        default_factory=dict, description="per field: [min, max] characters, e.g. output: [20, 800]"
    )
    tone: str | None = None
    style: str | None = None
    domain: str | None = None
    extra: list[str] = Field(default_factory=list, description="free-form rules added to the prompt")

    @field_validator("lengths")
    @classmethod
    def _ranges(cls, v: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        for name, (lo, hi) in v.items():
            if lo < 0 or hi < lo:
                raise ValueError(f"{name}: need 0 <= min <= max, got [{lo}, {hi}]")
        return v


class ChecksConfig(_Strict):
    """Rule checks. Every rule is on by default; list rule codes in `disable` to switch some off."""

    disable: list[str] = []
    placeholder_patterns: list[str] = []
    boilerplate: list[str] = []
    filler_phrases: list[str] = []
    min_chars: int = Field(1, ge=0)
    max_chars: int = Field(20000, ge=1)
    language: bool = True
    summary_max_ratio: float = Field(
        0.85,
        gt=0,
        le=1,
        description="summarize: a summary longer than this share of its input is not_condensed",
    )


class JudgeConfig(_Strict):
    enabled: bool = False
    models: list[str] = Field(default_factory=lambda: ["judge"], description="names under `models:`")
    threshold: float = Field(3.5, ge=1, le=5)
    aggregation: Literal["mean", "min", "majority"] = "mean"
    criteria: list[str] = Field(default_factory=lambda: ["accuracy", "structure", "fabrication", "style"])
    task_points: list[str] = Field(
        default_factory=list, description="task-specific points the judge checks, scored as `task`"
    )
    on_unreliable: Literal["flag", "reject"] = Field(
        "flag",
        description="a judge that fails the probe (a known-good record must reach the threshold and beat an "
        "obviously wrong one by 1 point): flag its low scores (judge_unreliable) or reject on them anyway",
    )


class AgreementConfig(_Strict):
    enabled: bool = False
    model: str = "second"
    min_similarity: float = Field(0.35, ge=0, le=1)
    action: Literal["reject", "flag"] = "flag"
    verify_labels: bool = True


class GroundingConfig(_Strict):
    enabled: bool = True
    action: Literal["reject", "flag"] = "flag"
    max_unsupported: int = Field(0, ge=0)
    sentences: bool = Field(True, description="check that each answer sentence is supported")
    sentence_action: Literal["reject", "flag"] = Field(
        "reject", description="for answers with more than max_unsupported_sentences unsupported sentences"
    )
    max_unsupported_sentences: int = Field(
        1, ge=0, description="unsupported sentences an answer may have (each still flagged)"
    )
    min_support: float = Field(
        0.6, gt=0, le=1, description="share of a sentence's content words the source passage must hold"
    )
    embedding: bool = Field(
        False, description="English: local all-MiniLM-L6-v2 as a second opinion (extra `embed`)"
    )


class DedupConfig(_Strict):
    enabled: bool = True
    methods: list[Literal["exact", "minhash", "embedding"]] = Field(
        default_factory=lambda: ["exact", "minhash"]
    )
    fields: list[str] | None = None
    minhash_threshold: float = Field(0.8, gt=0, le=1)
    embedding_threshold: float = Field(0.92, gt=0, le=1)
    embedding_model: str | None = Field(
        None, description="name under `models:` for /v1/embeddings; else local"
    )
    word_ngram: int = Field(1, ge=1, le=9, description="MinHash shingles: word n-grams (non-CJK text)")
    char_ngram: int = Field(
        2, ge=1, le=9, description="MinHash shingles: character n-grams (Chinese/Japanese)"
    )
    against: list[str] = Field(
        default_factory=list, description="files of already accepted records (JSONL…) to dedup against"
    )
    max_per_template: int | None = Field(
        None,
        ge=1,
        description="keep at most this many records per answer template (best-scored first); "
        "the others are rejected as template_cap",
    )


AUGMENT_METHODS = ("paraphrase", "backtranslate", "style", "stance")
# The method's multipliers: paraphrase about x3, back-translation x2, style or stance x1.
AUGMENT_DEFAULT_N = {"paraphrase": 3, "backtranslate": 2, "style": 1, "stance": 1}
STYLES = ("formal", "colloquial", "service")


class AugmentMethod(_Strict):
    """One augmentation method and its options (see synthpipe.stages.augment)."""

    method: Literal["paraphrase", "backtranslate", "style", "stance"]
    n: int | None = Field(
        None, ge=1, le=20, description="derived records per parent (default: 3, 2, 1, 1; at most 20)"
    )
    style: str | None = Field(
        None, description="style: formal, colloquial, service, or a style described in words"
    )
    pivots: list[str] = Field(
        default_factory=list,
        description="backtranslate: pivot languages (codes like en, zh, ja or names); the k-th derived "
        "record goes through pivots[k % len]; default: en for zh data, zh for en data",
    )
    regenerate_answer: bool = Field(
        False, description="paraphrase (qa): answer the new question again, from the sources when given"
    )
    opposite: dict[str, str] = Field(
        default_factory=dict, description="stance (classify): the label of the opposite position, per label"
    )
    model: str | None = Field(
        None,
        description="name under `models:` (default: `translator` for backtranslate when defined, "
        "else `generator`)",
    )

    @property
    def count(self) -> int:
        return self.n or AUGMENT_DEFAULT_N[self.method]

    @model_validator(mode="after")
    def _options(self) -> AugmentMethod:
        if self.method == "style" and not (self.style or "").strip():
            raise ValueError(
                "style needs a target style: formal, colloquial, service, or one described in words, "
                "e.g. style: service"
            )
        if self.style and self.method != "style":
            raise ValueError(f"`style` is an option of the style method, not of {self.method}")
        if self.pivots and self.method != "backtranslate":
            raise ValueError(f"`pivots` is an option of backtranslate, not of {self.method}")
        if self.regenerate_answer and self.method != "paraphrase":
            raise ValueError(f"`regenerate_answer` is an option of paraphrase, not of {self.method}")
        if self.opposite and self.method != "stance":
            raise ValueError(f"`opposite` is an option of stance, not of {self.method}")
        return self


class AugmentConfig(_Strict):
    """Augmentation: derived records from real ones (`seeds`: the recipe's examples) or from accepted
    generated ones (`generated`), each checked for copies, drift, language and changed facts, then by the
    usual stages."""

    methods: list[AugmentMethod] = []
    apply_to: Literal["seeds", "generated", "both"] = "generated"
    min_similarity: float = Field(
        0.2, ge=0, le=1, description="meaning_drift below this share of the parent's content (lexical)"
    )
    copy_similarity: float = Field(
        0.9, gt=0, le=1, description="augment_copy at or above this similarity to the parent or a sibling"
    )
    embedding: bool = Field(
        False, description="also compare with all-MiniLM-L6-v2 (extra `embed`): drift below min_cosine"
    )
    min_cosine: float = Field(0.6, ge=0, le=1)

    @property
    def on_seeds(self) -> bool:
        """Methods that apply to the recipe's examples."""
        return bool(self.methods) and self.apply_to in ("seeds", "both")

    @property
    def on_generated(self) -> bool:
        """Methods that apply to accepted generated records (a second pass of `run`)."""
        return bool(self.methods) and self.apply_to in ("generated", "both")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        # `methods: [paraphrase, {method: style, style: service}]`: a bare name is that method, defaults on
        if isinstance(data, dict) and isinstance(data.get("methods"), list):
            data = dict(data)
            data["methods"] = [{"method": m} if isinstance(m, str) else m for m in data["methods"]]
        return data


class BudgetConfig(_Strict):
    """Limits of a run toward `accepted:`, over its whole output directory."""

    max_candidates: int | None = Field(None, gt=0)
    max_tokens: int | None = Field(None, gt=0)
    max_cost: float | None = Field(None, gt=0, description="US dollars at the models' prices")


class ExpandConfig(_Strict):
    """What the generator model is asked to add to the plan (`synthpipe expand`, or a run that finds no
    plan lock beside the recipe): subtopics per topic, personas, question types."""

    topics: int | None = Field(None, gt=0, le=200, description="subtopics to propose under each topic")
    personas: int | None = Field(None, gt=0, le=500)
    question_types: int | None = Field(None, gt=0, le=100)

    def asked(self) -> dict[str, int]:
        return {k: v for k, v in self.model_dump().items() if v}


_PLAN_FORMS = {
    "topics": ("list", "expand"),
    "personas": ("list", "pool", "count", "expand"),
    "question_types": ("list", "expand"),
}


def _plan_forms(data: dict[str, Any]) -> dict[str, Any]:
    """`topics: {list: [...], expand: 20}`, `personas: {pool: retail, count: 40, expand: 30}` and
    `question_types: {list: [...], expand: 8}` as plain lists plus `expand:`; a persona pool is read here,
    so everything after validation sees only lists."""
    data = dict(data)
    given = data.get("expand")
    expand = dict(given or {}) if isinstance(given, dict) or given is None else given  # else pydantic says
    for key, allowed in _PLAN_FORMS.items():
        value = data.get(key)
        if not isinstance(value, dict):
            continue
        bad = [k for k in value if k not in allowed]
        if bad:
            raise ValueError(f"{key}.{bad[0]}: unknown key — {key} takes {', '.join(allowed)}")
        items = value.get("list") or []
        if not isinstance(items, list):
            raise ValueError(f"{key}.list: give a list, e.g. {key}: {{list: [a, b], expand: 10}}")
        if value.get("pool") is not None:
            items = [*items, *_pool_personas(value, data)]
        elif value.get("count") is not None:
            raise ValueError("personas.count: takes personas from a pool — add pool: general (or another)")
        if "expand" in value and isinstance(expand, dict):
            expand[key] = value["expand"]
        data[key] = items
    if isinstance(expand, dict) and expand:
        data["expand"] = expand
    return data


def _pool_personas(value: dict[str, Any], data: dict[str, Any]) -> list[str]:
    from synthpipe.core.errors import UsageError
    from synthpipe.core.records import stable_hash
    from synthpipe.prompts.personas import load_pool

    lang = data.get("language", "en")
    try:
        people = load_pool(lang if isinstance(lang, str) else "en", value["pool"])
    except UsageError as exc:
        raise ValueError(f"personas.pool: {exc}") from None
    count = value.get("count")
    if count is None:
        return people
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"personas.count: give a positive number, got {count!r}")
    # a fixed, seeded choice that keeps the pool's order, so a count change moves few personas
    rank = sorted(
        range(len(people)), key=lambda i: stable_hash({"seed": data.get("seed", 0), "p": people[i]}, 8)
    )
    return [people[i] for i in sorted(rank[:count])]


class Recipe(_Strict):
    name: str = "recipe"
    task: str = Field(description="qa, summarize, rewrite, classify, dialogue, or a registered kind")
    language: Lang = "en"
    role: str = ""
    description: str = Field("", description="what the data is for, one or two sentences")
    topics: list[str] = []
    subtopics: dict[str, list[str]] = {}
    personas: list[str] = []
    question_types: list[str] = []
    temperatures: list[float] = Field(
        default_factory=list, description="planned sampling temperatures, spread over the candidates"
    )
    count: int = Field(10, description="number of candidates to generate")
    accepted: int | None = Field(
        None, gt=0, description="plan candidates until this many are accepted (replaces count)"
    )
    budget: BudgetConfig = BudgetConfig()
    sources: list[Source] = []
    examples: list[dict[str, Any]] = Field(default_factory=list)
    examples_file: str | None = None
    constraints: Constraints = Constraints()
    labels: list[str] = Field(default_factory=list, validate_default=True)
    rounds: tuple[int, int] = (3, 6)
    seed: int = 0
    models: dict[str, ModelSpec] = Field(default_factory=lambda: {"generator": ModelSpec()})
    checks: ChecksConfig = ChecksConfig()
    judge: JudgeConfig = JudgeConfig()
    agreement: AgreementConfig = AgreementConfig()
    grounding: GroundingConfig = GroundingConfig()
    dedup: DedupConfig = DedupConfig()
    augment: AugmentConfig = AugmentConfig()
    stages: list[str] | None = Field(
        None, description="the stages of `run` in order; default: the run preset (see synthpipe.engine)"
    )
    expand: ExpandConfig = ExpandConfig()
    prices_file: str | None = Field(
        None,
        description="a YAML file of model name: {input, output} (US dollars per million tokens) for the "
        "models that give no prices:, relative to the recipe; default: $SYNTHPIPE_PRICES",
    )
    review_sample: int = Field(20, ge=0)
    output_dir: str | None = None
    pool: str | None = Field(None, description="a pool directory that the run's accepted records join")

    # Filled in by the loader from the files the recipe names, not by the user. `examples` already holds
    # the rows of `examples_file`.
    source_texts: list[str] = Field(default_factory=list, exclude=True)
    path: str = Field("", exclude=True)
    base_dir: str = Field("", exclude=True, description="folder that relative paths are taken from")

    @model_validator(mode="before")
    @classmethod
    def _plan_mappings(cls, data: Any) -> Any:
        return _plan_forms(data) if isinstance(data, dict) else data

    @field_validator("task")
    @classmethod
    def _known_task(cls, v: str) -> str:
        from synthpipe.tasks import task_names

        if v not in task_names():
            raise ValueError(f"unknown task {v!r} — use one of {', '.join(task_names())}")
        return v

    @field_validator("temperatures")
    @classmethod
    def _temps(cls, v: list[float]) -> list[float]:
        if any(not 0 <= t <= 2 for t in v):
            raise ValueError("each temperature must be between 0 and 2, e.g. temperatures: [0.6, 0.9, 1.1]")
        return v

    @field_validator("count")
    @classmethod
    def _count(cls, v: int) -> int:
        if v <= 0:
            raise ValueError("must be a positive number of records to generate, e.g. count: 20")
        return v

    @field_validator("rounds")
    @classmethod
    def _rounds(cls, v: tuple[int, int]) -> tuple[int, int]:
        if v[0] < 1 or v[1] < v[0]:
            raise ValueError("need 1 <= min <= max rounds, e.g. rounds: [3, 6]")
        return v

    @field_validator("labels")
    @classmethod
    def _labels(cls, v: list[str], info: ValidationInfo) -> list[str]:
        from synthpipe.tasks import get_task

        task = info.data.get("task")
        if (info.context or {}).get("labels_optional"):  # a command that never reads labels (dedup)
            return v
        if task and get_task(task).label_field and len(set(v)) < 2:
            raise ValueError(
                "a classify recipe needs at least two distinct labels, e.g. labels: [positive, negative]"
            )
        return v

    @field_validator("examples")
    @classmethod
    def _examples(cls, v: list[dict[str, Any]], info: ValidationInfo) -> list[dict[str, Any]]:
        from synthpipe.tasks import get_task

        task = info.data.get("task")
        for i, ex in enumerate(v if task else []):
            missing = [f for f in get_task(task).required if f not in ex]
            if missing:
                raise ValueError(f"example {i} lacks {', '.join(missing)}, which a {task} record needs")
        return v

    @model_validator(mode="after")
    def _task_rules(self) -> Recipe:
        if "generator" not in self.models:
            raise ValueError("models: needs a `generator` entry")
        if self.expand.topics and not self.topics:
            raise ValueError(
                "expanding topics proposes subtopics under each topic, and the recipe has none — give "
                "topics: {list: [returns, shipping], expand: 10}"
            )
        for ref in self.judge.models if self.judge.enabled else []:
            if ref not in self.models:
                raise ValueError(f"judge.models: `{ref}` is not defined under `models:`")
        if self.agreement.enabled and self.agreement.model not in self.models:
            raise ValueError(f"agreement.model: `{self.agreement.model}` is not defined under `models:`")
        from synthpipe.stages.augment.methods import check_methods

        check_methods(self.task, self.language, self.augment.methods, self.models, self.labels)
        return self

    @property
    def generation_hash(self) -> str:
        """Hash of what makes generated records differ: record ids are built from it."""
        from synthpipe.recipe.identity import generation_hash

        return generation_hash(self)

    @property
    def data_hash(self) -> str:
        """Hash of everything that changes the data of a run: generation plus the quality stages."""
        from synthpipe.recipe.identity import data_hash

        return data_hash(self)

    def resolve(self, path: str) -> Path:
        """A path as the recipe wrote it, taken from the recipe's folder when relative."""
        p = Path(path).expanduser()
        return p if p.is_absolute() or not self.base_dir else Path(self.base_dir) / p

    def replace(self, **changes: Any) -> Recipe:
        """A new, validated recipe with top-level keys replaced; what the loader read comes along."""
        from synthpipe.recipe.load import validate

        data = self.model_dump(mode="json")
        data.update(changes)
        new = validate(data, self.path or "<recipe>")
        return new.model_copy(
            update={"source_texts": self.source_texts, "path": self.path, "base_dir": self.base_dir}
        )

    def with_model(self, name: str, **changes: Any) -> Recipe:
        """A new recipe whose model `name` has `changes` (None values are left out)."""
        models = {k: v.model_dump(mode="json") for k, v in self.models.items()}
        spec = models.get(name, {})
        spec.update({k: v for k, v in changes.items() if v is not None})
        models[name] = spec
        return self.replace(models=models)
