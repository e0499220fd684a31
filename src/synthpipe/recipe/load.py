"""YAML recipe -> validated, frozen `Recipe`. Every error names the file, the field path and the fix.

The loader reads the files a recipe names (sources, examples_file) and checks that `dedup.against` files
exist, but never rewrites what the user wrote: paths stay as written and are resolved against the
recipe's folder when used (`Recipe.resolve`), so a recipe given by a relative or an absolute path is the
same recipe with the same hashes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from synthpipe.core.errors import RecipeError
from synthpipe.recipe.schema import Prices, Recipe


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _describe(err: dict[str, Any]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return (
            "unknown key — remove it or check its spelling (every key is listed, with a comment, in "
            "qa_en.yaml and qa_zh.yaml from `synthpipe init`)"
        )
    if kind == "missing":
        return "required field is missing"
    msg = err["msg"].removeprefix("Value error, ")
    inp = err.get("input")
    if kind.endswith("_type") or kind.endswith("_parsing") or kind == "literal_error":
        return f"{msg}, got {json.dumps(inp, ensure_ascii=False, default=str)[:60]}"
    return msg


def validate(data: Any, file: str = "<recipe>", **context: Any) -> Recipe:
    """Validate a mapping as a recipe, with the loader's error messages; reads no file. `context`:
    `labels_optional=True` for commands that never read a classify recipe's labels."""
    if not isinstance(data, dict):
        raise RecipeError(
            file,
            "the recipe must be a YAML mapping of keys (task:, count:, …)",
            "start from `synthpipe init`",
        )
    try:
        return Recipe.model_validate(data, context=context or None)
    except ValidationError as exc:
        err = exc.errors()[0]
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        raise RecipeError(file, _describe(err) + more, field=_field_path(err["loc"]) or "recipe") from None


def parse_recipe(data: Any, file: str = "<recipe>", base_dir: Path | None = None) -> Recipe:
    """Validate `data` and read the files it names, relative to `base_dir` (default: the working folder)."""
    base = Path(base_dir) if base_dir is not None else Path(".")
    if isinstance(data, dict) and data.get("examples_file") and isinstance(data.get("task"), str):
        task = validate({"task": data["task"]}, file).task  # an unknown task is reported as such first
        extra = _load_examples(file, base / str(data["examples_file"]), task)
        data = {**data, "examples": [*(data.get("examples") or []), *extra]}
    recipe = validate(data, file)
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
    for i, name in enumerate(recipe.dedup.against):
        p = (base / name).expanduser()
        if not p.is_file():
            raise RecipeError(
                file,
                f"file {p} does not exist",
                "fix the path (relative to the recipe) or remove it",
                field=f"dedup.against[{i}]",
            )
    recipe = _with_prices(recipe, file, base)
    return recipe.model_copy(update={"source_texts": texts, "path": file, "base_dir": str(base.resolve())})


PRICES_ENV = "SYNTHPIPE_PRICES"


def _with_prices(recipe: Recipe, file: str, base: Path) -> Recipe:
    """The recipe's models that give no `prices:` priced from the shared prices file (`prices_file:`,
    else $SYNTHPIPE_PRICES), looked up by their model name."""
    if recipe.prices_file:
        path, field = (base / recipe.prices_file).expanduser(), "prices_file"
    elif os.environ.get(PRICES_ENV):
        path, field = Path(os.environ[PRICES_ENV]).expanduser(), PRICES_ENV
    else:
        return recipe
    table = read_prices(path, file, field)
    models = {}
    for name, spec in recipe.models.items():
        price = table.get(spec.model)
        if price is not None and not (spec.prices.input or spec.prices.output):
            spec = spec.model_copy(update={"prices": price})
        models[name] = spec
    return recipe.model_copy(update={"models": models})


def read_prices(path: Path, file: str = "<recipe>", field: str = "prices_file") -> dict[str, Prices]:
    """{model name: Prices} from a prices file; errors name the file and the entry."""
    if not path.is_file():
        raise RecipeError(
            file, f"prices file {path} does not exist", "fix the path (relative to the recipe)", field=field
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RecipeError(str(path), f"not readable YAML ({type(exc).__name__})", "fix the file") from None
    if not isinstance(data, dict):
        raise RecipeError(
            str(path), "give a mapping of model name: {input: 0.15, output: 0.6}", "fix the file"
        )
    out = {}
    for model, entry in data.items():
        try:
            out[str(model)] = Prices.model_validate(entry)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise RecipeError(
                str(path),
                f"{_describe(err)} — each model takes {{input: USD, output: USD}} per million tokens",
                field=_field_path((str(model), *err["loc"])),
            ) from None
    return out


def _load_examples(file: str, path: Path, task: str) -> list[dict[str, Any]]:
    from synthpipe.tasks import get_task

    if not path.is_file():
        raise RecipeError(file, f"examples file {path} does not exist", "fix the path", field="examples_file")
    required = get_task(task).required
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
        missing = [f for f in required if f not in row]
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
    if (
        isinstance(data, dict)
        and "task" not in data
        and data
        and all(isinstance(v, dict) and set(v) <= {"input", "output"} for v in data.values())
    ):
        raise RecipeError(
            str(p), "this is a prices file, not a recipe", "name it in a recipe with prices_file: " + p.name
        )
    recipe = parse_recipe(data, str(p), p.parent)
    from synthpipe.prompts.expand import apply_lock, lock_path, read_lock

    # the plan lock beside the recipe (`synthpipe expand`): its subtopics, personas and question types
    return apply_lock(recipe, read_lock(lock_path(p)))
