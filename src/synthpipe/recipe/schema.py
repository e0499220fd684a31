"""YAML recipe -> validated, typed config. Every error names the file, the field path and the fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from synthpipe.core.errors import RecipeError
from synthpipe.core.records import TASK_FIELDS, stable_hash

Task = Literal["qa", "summarize", "rewrite", "classify", "dialogue"]
Lang = Literal["en", "zh"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Prices(_Strict):
    """US dollars per million tokens."""

    input: float = 0.0
    output: float = 0.0


class ModelSpec(_Strict):
    backend: Literal["embedded", "openai", "anthropic", "fake"] = "embedded"
    model: str = "SmolLM2-135M-Instruct"
    base_url: str | None = None
    api_key_env: str | None = Field(None, description="name of the environment variable holding the key")
    model_path: str | None = Field(None, description="embedded only: a GGUF file instead of the packaged one")
    structured: Literal["auto", "json_schema", "json_object", "prompt"] = "auto"
    max_in_flight: int = Field(64, ge=1, le=4096)
    requests_per_minute: float | None = Field(None, gt=0)
    tokens_per_minute: float | None = Field(None, gt=0)
    timeout: float = Field(120.0, gt=0)
    max_retries: int = Field(6, ge=0)
    temperature: float = Field(0.8, ge=0, le=2)
    top_p: float = Field(0.95, gt=0, le=1)
    max_tokens: int = Field(512, ge=1)
    seed: int | None = None
    stop: list[str] | None = None
    n_ctx: int = Field(4096, ge=256, description="embedded only: context window")
    prices: Prices = Prices()

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


class JudgeConfig(_Strict):
    enabled: bool = False
    models: list[str] = Field(default_factory=lambda: ["judge"], description="names under `models:`")
    threshold: float = Field(3.5, ge=1, le=5)
    aggregation: Literal["mean", "min", "majority"] = "mean"
    criteria: list[str] = Field(default_factory=lambda: ["accuracy", "structure", "fabrication", "style"])
    task_points: list[str] = Field(
        default_factory=list, description="task-specific points the judge checks, scored as `task`"
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


class Recipe(_Strict):
    name: str = "recipe"
    task: Task
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
    review_sample: int = Field(20, ge=0)
    output_dir: str | None = None

    # filled in by load_recipe, not by the user
    source_texts: list[str] = Field(default_factory=list, exclude=True)
    path: str = Field("", exclude=True)

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
        if info.data.get("task") == "classify" and len(set(v)) < 2:
            raise ValueError(
                "a classify recipe needs at least two distinct labels, e.g. labels: [positive, negative]"
            )
        return v

    @field_validator("examples")
    @classmethod
    def _examples(cls, v: list[dict[str, Any]], info: ValidationInfo) -> list[dict[str, Any]]:
        task = info.data.get("task")
        for i, ex in enumerate(v if task else []):
            missing = [f for f in TASK_FIELDS[task] if f not in ex and f != "input"]
            if missing:
                raise ValueError(f"example {i} lacks {', '.join(missing)}, which a {task} record needs")
        return v

    @model_validator(mode="after")
    def _task_rules(self) -> Recipe:
        if "generator" not in self.models:
            raise ValueError("models: needs a `generator` entry")
        for ref in self.judge.models if self.judge.enabled else []:
            if ref not in self.models:
                raise ValueError(f"judge.models: `{ref}` is not defined under `models:`")
        if self.agreement.enabled and self.agreement.model not in self.models:
            raise ValueError(f"agreement.model: `{self.agreement.model}` is not defined under `models:`")
        return self

    @property
    def hash(self) -> str:
        """What makes two recipes produce different data (not the output dir)."""
        body = self.model_dump(mode="json", exclude={"output_dir", "count", "review_sample"})
        body["source_texts"] = self.source_texts
        return stable_hash(body, 12)

    def model_spec(self, name: str) -> ModelSpec:
        return self.models[name]


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _describe(err: dict[str, Any]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown key — remove it or check its spelling (see `synthpipe init` for every key)"
    if kind == "missing":
        return "required field is missing"
    msg = err["msg"].removeprefix("Value error, ")
    inp = err.get("input")
    if kind.endswith("_type") or kind.endswith("_parsing") or kind == "literal_error":
        return f"{msg}, got {json.dumps(inp, ensure_ascii=False, default=str)[:60]}"
    return msg


def parse_recipe(data: Any, file: str = "<recipe>", base_dir: Path | None = None) -> Recipe:
    if not isinstance(data, dict):
        raise RecipeError(
            file,
            "the recipe must be a YAML mapping of keys (task:, count:, …)",
            "start from `synthpipe init`",
        )
    try:
        recipe = Recipe.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        raise RecipeError(file, _describe(err) + more, field=_field_path(err["loc"]) or "recipe") from None
    recipe.path = file
    base = base_dir or Path(".")
    texts = []
    for i, src in enumerate(recipe.sources):
        if src.path:
            p = (base / src.path).expanduser()
            if not p.is_file():
                raise RecipeError(
                    file,
                    f"source file {p} does not exist",
                    "fix the path (relative to the recipe)",
                    field=f"sources[{i}].path",
                )
            text = p.read_text(encoding="utf-8")
        else:
            text = src.text or ""
        if not text.strip():
            raise RecipeError(
                file, "source document is empty", "give it text or remove it", field=f"sources[{i}]"
            )
        texts.append(text)
    recipe.source_texts = texts
    against = []
    for i, name in enumerate(recipe.dedup.against):
        p = (base / name).expanduser()
        if not p.is_file():
            raise RecipeError(
                file,
                f"file {p} does not exist",
                "fix the path (relative to the recipe) or remove it",
                field=f"dedup.against[{i}]",
            )
        against.append(str(p))
    recipe.dedup.against = against
    if recipe.examples_file:
        recipe.examples = recipe.examples + _load_examples(file, base / recipe.examples_file, recipe.task)
    return recipe


def _load_examples(file: str, path: Path, task: str) -> list[dict[str, Any]]:
    if not path.is_file():
        raise RecipeError(file, f"examples file {path} does not exist", "fix the path", field="examples_file")
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RecipeError(
                file,
                f"{path}:{n}: not valid JSON ({exc.msg})",
                "one JSON object per line",
                field="examples_file",
            ) from None
        if not isinstance(row, dict):
            raise RecipeError(file, f"{path}:{n}: expected a JSON object", field="examples_file")
        row.pop("meta", None)
        row.pop("id", None)
        missing = [f for f in TASK_FIELDS[task] if f not in row]
        if missing:
            raise RecipeError(
                file, f"{path}:{n}: missing {', '.join(missing)} for task {task}", field="examples_file"
            )
        out.append(row)
    return out


def load_recipe(path: str | Path) -> Recipe:
    p = Path(path)
    if not p.is_file():
        raise RecipeError(
            str(p), "recipe file not found", "check the path, or create one with `synthpipe init`"
        )
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RecipeError(
            str(p), f"invalid YAML at {where}{problem}", "fix the indentation or quoting there"
        ) from None
    except UnicodeDecodeError:
        raise RecipeError(str(p), "not UTF-8 text", "save the recipe as UTF-8") from None
    return parse_recipe(data, str(p), p.parent)
