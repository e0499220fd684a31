"""`synthpipe feedback`: the failures of an eval become the next round's recipe.

From failures.jsonl (written by `synthpipe eval`) and the recipe the data came from, a new recipe that
differs from it only by what the failures teach, each addition with a comment saying where it came from:

- `topics`: the failing records' own topics the recipe lacks, then short topic phrases taken from the
  failing prompts (synthpipe.evaluation.phrases); at most MAX_NEW_TOPICS;
- `question_types` (kinds that plan request kinds, qa): the failing records' request kinds the recipe lacks;
- `examples_file`: the failing cases, with their reference answers, as seed examples: a JSONL file next to
  the new recipe whose rows are records with `origin: feedback` and `parent_id` = the eval record's id
  (the recipe loader reads their fields as examples and ignores `id`/`meta`), after the rows of the
  recipe's own examples_file if it had one. The planner shows them as few-shot examples, and
  augmentation derives records from them when `augment.apply_to` takes seeds (`generated` becomes `both`);
- `name` gets a round suffix (`faq-en` -> `faq-en-fb1` -> `faq-en-fb2`), and `output_dir` with it, so the
  round's records are told apart (`meta.recipe`, `synthpipe pool weight --recipe`) and go to a new folder.

Lineage: a feedback seed is example number `seed_index` of the new recipe; the next run calls it
`seed-<seed_index>` (synthpipe.sources.augment.seed_records), and every record derived from it carries
`parent_id: seed-<seed_index>`; the seed's row in the seeds file carries `extra.feedback.seed_id` with that
id, and `parent_id` with the eval record's id.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synthpipe.core.errors import InputFileError, UsageError
from synthpipe.core.records import Meta, Record, stable_hash
from synthpipe.evaluation.phrases import question_kind, topic_phrase
from synthpipe.evaluation.questions import first_prompt_text
from synthpipe.evaluation.recipe_text import RecipeText, scalar
from synthpipe.tasks import get_task, task_names

MAX_NEW_TOPICS = 10
_ROUND = re.compile(r"-fb(\d+)$")
_SHAPE = "one failure of `synthpipe eval` per line: {id, task, topic, fields, scores, reasons, …}"


@dataclass
class Failure:
    line: int
    id: str
    task: str
    fields: dict[str, Any]
    topic: str = ""
    question_type: str = ""
    recipe: str = ""
    answer: Any = None
    scores: dict[str, Any] = field(default_factory=dict)
    reasons: dict[str, Any] = field(default_factory=dict)


def read_failures(path: str | Path) -> list[Failure]:
    """Every row of a failures.jsonl; a row of another shape is an InputFileError naming its line."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(
            str(p),
            "not found" if not p.exists() else "not a file",
            "pass the failures.jsonl of `synthpipe eval`",
        )
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(
            str(p), "not UTF-8 text", "pass the failures.jsonl of `synthpipe eval`"
        ) from None
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            out.append(_failure(p, n, line))
    return out


def _failure(p: Path, n: int, line: str) -> Failure:
    def bad(problem: str) -> InputFileError:
        return InputFileError(str(p), problem, f"expected {_SHAPE}", line=n)

    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise bad(f"not valid JSON ({exc.msg})") from None
    if not isinstance(row, dict):
        raise bad(f"a JSON {type(row).__name__}, not an object")
    if row.get("pass") is True:
        raise bad("a passing record (pass: true), so this looks like results.jsonl — pass failures.jsonl")
    missing = [k for k in ("id", "task", "fields") if k not in row]
    if missing:
        raise bad(f"no {', '.join(missing)}")
    if not isinstance(row["id"], str) or not row["id"]:
        raise bad("`id` is not a non-empty string")
    if row["task"] not in task_names():
        raise bad(f"unknown task {row['task']!r} (known: {', '.join(task_names())})")
    kind = get_task(row["task"])
    fields = row["fields"]
    if not isinstance(fields, dict):
        raise bad("`fields` is not an object of the record's fields")
    lacking = [f for f in kind.required if f not in fields]
    if lacking:
        raise bad(f"`fields` lacks {', '.join(lacking)}, which a {row['task']} record needs")
    for key in ("topic", "question_type", "recipe"):
        if row.get(key) is not None and not isinstance(row[key], str):
            raise bad(f"`{key}` is not a string")
    for key in ("scores", "reasons"):
        if row.get(key) is not None and not isinstance(row[key], dict):
            raise bad(f"`{key}` is not an object")
    return Failure(
        n,
        row["id"],
        row["task"],
        {k: v for k, v in fields.items() if k in kind.fields},
        row.get("topic") or "",
        row.get("question_type") or "",
        row.get("recipe") or "",
        row.get("answer"),
        row.get("scores") or {},
        row.get("reasons") or {},
    )


@dataclass
class FeedbackResult:
    """What `synthpipe.feedback` did. `recipe` is None when there was nothing to feed back (`message`)."""

    recipe: Path | None
    seeds_file: Path | None = None
    seeds: list[Record] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # the diff summary, one line per key
    diff: str = ""  # unified diff, old recipe -> new
    next_steps: list[str] = field(default_factory=list)  # commands to run next
    used: int = 0  # failures fed back
    left_out: dict[str, int] = field(default_factory=dict)  # failures not used, by why
    warnings: list[str] = field(default_factory=list)
    message: str = ""
    kept_layout: bool = True

    def __repr__(self) -> str:
        if self.recipe is None:
            return f"FeedbackResult(nothing written: {self.message})"
        return f"FeedbackResult({str(self.recipe)!r}, {self.used} failures, {len(self.seeds)} seeds)"


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def round_name(name: str) -> tuple[str, int]:
    """`faq-en` -> (`faq-en-fb1`, 1); `faq-en-fb1` -> (`faq-en-fb2`, 2)."""
    m = _ROUND.search(name)
    n = int(m.group(1)) + 1 if m else 1
    return (name[: m.start()] if m else name) + f"-fb{n}", n


def _family(name: str) -> str:
    return _ROUND.sub("", name)


def _ids(ids: list[str], most: int = 3) -> str:
    shown = ", ".join(ids[:most])
    return shown + (f" and {len(ids) - most} more" if len(ids) > most else "")


def _records(n: int) -> str:
    return f"{n} failing eval record{'s' if n != 1 else ''}"


def _relative(path: str, old_base: Path, new_base: Path) -> str:
    p = Path(path).expanduser()
    if p.is_absolute():
        return path
    return os.path.relpath(old_base / p, new_base)


def build_feedback(
    failures: str | Path,
    recipe_path: str | Path,
    out: str | Path | None = None,
    *,
    boost: float | None = None,
    force: bool = False,
) -> FeedbackResult:
    from synthpipe.recipe import load_recipe

    if boost is not None and not boost > 0:
        raise UsageError(f"--boost {boost:g}: give a weight above 0, e.g. --boost 1.5")
    rows = read_failures(failures)
    recipe_path = Path(recipe_path)
    recipe = load_recipe(recipe_path)
    if not rows:
        return FeedbackResult(
            None,
            message=f"nothing to feed back: {failures} holds no failures (every graded eval record "
            "reached the threshold) — no recipe written",
        )
    left: Counter[str] = Counter()
    used: list[Failure] = []
    for f in rows:
        if f.task != recipe.task:
            left[f"task {f.task}"] += 1
        elif f.recipe and _family(f.recipe) != _family(recipe.name):
            left[f"recipe {f.recipe}"] += 1
        else:
            used.append(f)
    if not used:
        why = ", ".join(f"{n} of {k}" for k, n in left.most_common())
        raise UsageError(
            f"{failures}: none of its {len(rows)} failures is of recipe {recipe.name} (task {recipe.task}): "
            f"{why} — give the recipe they came from with --recipe"
        )

    new = Path(out) if out is not None else recipe_path.with_name(recipe_path.stem + ".feedback.yaml")
    if new.resolve() == recipe_path.resolve():
        raise UsageError(f"--out {new}: is the recipe itself — the feedback recipe is a new file")
    seeds_path = new.with_name(new.stem + ".seeds.jsonl")
    for target in (new, seeds_path):
        if target.exists() and not force:
            raise UsageError(f"{target}: exists — give another --out, or --force to replace it")
    if new.parent.exists() and not new.parent.is_dir():
        raise UsageError(f"--out {new}: {new.parent} is not a folder")

    old_text = recipe_path.read_text(encoding="utf-8")
    from synthpipe.recipe.schema import Recipe

    doc = RecipeText(
        old_text, [k for k in Recipe.model_fields if k not in ("source_texts", "path", "base_dir")]
    )
    if not isinstance(doc.data, dict):
        raise UsageError(f"{recipe_path}: not a mapping of keys")
    result = FeedbackResult(new, used=len(used), left_out=dict(left))
    name, round_no = round_name(recipe.name)
    where = f"round {round_no} from {failures}"

    # name (and output_dir): the round's records are told apart and go to a folder of their own
    doc.set_scalar("name", name, f"was {recipe.name}; {where}")
    result.changes.append(f"name: {recipe.name} -> {name}")
    if isinstance(doc.data.get("output_dir"), str):
        old_dir = doc.data["output_dir"]
        new_dir, _ = round_name(old_dir)
        doc.set_scalar("output_dir", new_dir, f"was {old_dir}")
        result.changes.append(f"output_dir: {old_dir} -> {new_dir}")

    _add_topics(doc, recipe, used, where, result)
    _add_question_types(doc, recipe, used, where, result)

    # the failing cases as seed examples, after the recipe's own (their seed indices follow them)
    base = Path(recipe.base_dir or recipe_path.parent)
    old_file = doc.data.get("examples_file")
    old_rows: list[str] = []
    if isinstance(old_file, str):
        old_rows = [
            ln for ln in recipe.resolve(old_file).read_text(encoding="utf-8").splitlines() if ln.strip()
        ]
    _add_seeds(recipe, used, name, failures, result)
    new_base = new.parent.resolve()
    if result.seeds:
        first = result.seeds[0].meta.extra["feedback"]["seed_id"]
        last = result.seeds[-1].meta.extra["feedback"]["seed_id"]
        span = first if first == last else f"{first} … {last}"
        what = (
            f"{len(result.seeds)} failing eval cases as seed examples ({span} in the next run; origin "
            "feedback, parent_id = the eval record's id)"
        )
        note = f"was {old_file}; its {len(old_rows)} rows, then {what}" if isinstance(old_file, str) else what
        doc.set_scalar("examples_file", os.path.relpath(seeds_path.resolve(), new_base), note)
        result.changes.append(f"examples_file: {seeds_path.name}: {what}")
        result.seeds_file = seeds_path
        aug = recipe.augment
        if aug.methods and aug.apply_to == "generated":
            if recipe.stages is None or {"augment", "augment_check"} <= set(recipe.stages):
                doc.set_child(
                    "augment", "apply_to", "both", "was generated; the feedback seeds are augmented too"
                )
                result.changes.append("augment.apply_to: generated -> both")
            else:
                result.warnings.append(
                    "augment.apply_to stays generated: the recipe's stages: list has no augment stages, "
                    "so the seeds are few-shot examples only"
                )

    # relative paths, when the new recipe lives in another folder
    if new_base != base.resolve():
        _move_paths(doc, base.resolve(), new_base, result)

    new_text = doc.render([f"written by `synthpipe feedback` from {recipe_path}, {where}", *result.changes])
    result.kept_layout = doc.kept_layout
    if not doc.kept_layout:
        result.warnings.append(
            f"the layout of {recipe_path} could not be kept: {new} is written afresh (its comments dropped)"
        )
    _write(new, seeds_path if result.seeds else None, new_text, old_rows, result.seeds, result.warnings)
    load_recipe(new)  # the written recipe loads, its examples file included
    result.diff = "".join(
        difflib.unified_diff(
            old_text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            fromfile=str(recipe_path),
            tofile=str(new),
        )
    )
    result.next_steps = _next_steps(new, name, recipe, boost)
    return result


def _add_seeds(recipe: Any, used: list[Failure], name: str, failures: Any, result: FeedbackResult) -> None:
    """The failing cases the recipe does not hold already, as records of origin `feedback`, numbered
    after the recipe's examples as the next run numbers its seeds."""
    kind = get_task(recipe.task)
    have_examples = {stable_hash({k: v for k, v in ex.items() if k in kind.fields}) for ex in recipe.examples}
    index = len(recipe.examples)
    duplicates = 0
    for f in used:
        key = stable_hash(f.fields)
        if key in have_examples:
            duplicates += 1
            continue
        have_examples.add(key)
        plan = {k: v for k, v in (("topic", f.topic), ("question_type", f.question_type)) if v}
        seed = Record(
            id=f"fb-{f.id}",
            fields=dict(f.fields),
            meta=Meta(
                task=recipe.task,
                origin="feedback",
                recipe=f.recipe or recipe.name,
                parent_id=f.id,
                plan=plan,
                scores={"eval": f.scores} if f.scores else {},
                extra={
                    "feedback": {
                        "seed_id": f"seed-{index}",
                        "recipe": name,
                        "failures": str(failures),
                        "line": f.line,
                        "answer": f.answer,
                        "reasons": f.reasons,
                    }
                },
            ),
        )
        result.seeds.append(seed)
        index += 1
    if duplicates:
        result.warnings.append(
            f"{duplicates} failing case(s) are examples of the recipe already: not added again"
        )


def _add_topics(
    doc: RecipeText, recipe: Any, used: list[Failure], where: str, result: FeedbackResult
) -> None:
    """The failing records' own topics the recipe lacks, then topic phrases from their prompts."""
    covered = {_norm(t) for t in recipe.topics}
    covered |= {_norm(f"{t} / {s}") for t, subs in recipe.subtopics.items() for s in subs}
    by_topic: dict[str, list[str]] = {}
    for f in used:
        main = f.topic.split(" / ")[0].strip()
        if f.topic and _norm(f.topic) not in covered and main and _norm(main) not in covered:
            by_topic.setdefault(main, []).append(f.id)
    topics: list[tuple[str, str]] = [
        (t, f"topic of {_records(len(ids))} ({_ids(ids)})")
        for t, ids in sorted(by_topic.items(), key=lambda kv: -len(kv[1]))
    ]
    seen = covered | {_norm(t) for t, _ in topics}
    for f in used:
        phrase = topic_phrase(first_prompt_text(f.task, f.fields), recipe.language)
        if phrase and _norm(phrase) not in seen:
            seen.add(_norm(phrase))
            topics.append((phrase, f"from the prompt of failing eval record {f.id}"))
    if len(topics) > MAX_NEW_TOPICS:
        result.warnings.append(f"{len(topics)} new topics found; the first {MAX_NEW_TOPICS} are added")
        topics = topics[:MAX_NEW_TOPICS]
    if topics:
        doc.append_items("topics", topics, f"topics from {_records(len(used))} ({where})")
        result.changes.append("topics: " + ", ".join(f"+ {scalar(t)}" for t, _ in topics))


def _add_question_types(
    doc: RecipeText, recipe: Any, used: list[Failure], where: str, result: FeedbackResult
) -> None:
    """The failing records' request kinds the recipe lacks (kinds whose planner rotates them: qa)."""
    from synthpipe.prompts.plan import DEFAULT_QUESTION_TYPES

    if not get_task(recipe.task).question_types:
        return
    lang = recipe.language
    defaults = DEFAULT_QUESTION_TYPES[lang]
    have = {_norm(q) for q in (recipe.question_types or defaults)}
    by_kind: dict[str, list[str]] = {}
    for f in used:
        qt = f.question_type or question_kind(first_prompt_text(f.task, f.fields), lang)
        if qt and _norm(qt) not in have:
            by_kind.setdefault(qt, []).append(f.id)
    if by_kind:
        kinds = [(q, f"request kind of {_records(len(ids))} ({_ids(ids)})") for q, ids in by_kind.items()]
        header = f"question_types from {_records(len(used))} ({where})"
        if not recipe.question_types:
            header += "; the planner's defaults first, since a list replaces them"
        doc.append_items(
            "question_types", kinds, header, base=None if recipe.question_types else list(defaults)
        )
        result.changes.append("question_types: " + ", ".join(f"+ {scalar(q)}" for q, _ in kinds))


def _move_paths(doc: RecipeText, old: Path, new: Path, result: FeedbackResult) -> None:
    """Paths the loader takes from the recipe's folder, made relative to the new recipe's folder."""
    note = f"paths made relative to this file's folder (was {old})"
    sources = doc.data.get("sources")
    if isinstance(sources, list) and any(isinstance(s, dict) and s.get("path") for s in sources):
        moved = [
            {**s, "path": _relative(s["path"], old, new)} if isinstance(s, dict) and s.get("path") else s
            for s in sources
        ]
        if moved != sources:
            doc.replace_block("sources", moved, note)
            result.changes.append("sources: paths made relative to the new folder")
    dedup = doc.data.get("dedup")
    if isinstance(dedup, dict) and isinstance(dedup.get("against"), list) and dedup["against"]:
        against = [_relative(a, old, new) if isinstance(a, str) else a for a in dedup["against"]]
        if against != dedup["against"]:
            doc.replace_block("dedup", {**dedup, "against": against}, note)
            result.changes.append("dedup.against: paths made relative to the new folder")
    examples_file = doc.data.get("examples_file")
    if isinstance(examples_file, str) and doc.expected.get("examples_file") == examples_file:
        moved_file = _relative(examples_file, old, new)  # no seeds were added: the recipe's own file
        if moved_file != examples_file:
            doc.set_scalar("examples_file", moved_file, f"was {examples_file}; {note}")
            result.changes.append(f"examples_file: {examples_file} -> {moved_file}")
    pool = doc.data.get("pool")
    if isinstance(pool, str):
        moved_pool = _relative(pool, old, new)
        if moved_pool != pool:
            doc.set_scalar("pool", moved_pool, f"was {pool}; {note}")
            result.changes.append(f"pool: {pool} -> {moved_pool}")


def _write(
    new: Path,
    seeds_path: Path | None,
    text: str,
    old_rows: list[str],
    seeds: list[Record],
    warnings: list[str],
) -> None:
    """Both files or neither: written under temporary names, checked as one recipe, then renamed."""
    import yaml

    from synthpipe.engine.presets import run_stage_names
    from synthpipe.prompts.plan import check_prompts_fit
    from synthpipe.recipe import parse_recipe

    new.parent.mkdir(parents=True, exist_ok=True)
    tmp_seeds = new.with_name(f".{seeds_path.name}.{os.getpid()}.tmp") if seeds_path else None
    tmp_recipe = new.with_name(f".{new.name}.{os.getpid()}.tmp")
    try:
        data = yaml.safe_load(text)
        if tmp_seeds is not None:
            body = "".join(r + "\n" for r in old_rows) + "".join(s.dumps() + "\n" for s in seeds)
            tmp_seeds.write_text(body, encoding="utf-8")
            data = {**data, "examples_file": tmp_seeds.name}
        recipe = parse_recipe(data, str(new), new.parent)  # a RecipeError names the field
        run_stage_names(recipe)
        try:
            check_prompts_fit(recipe)
        except UsageError as exc:  # the recipe is still right; its seeds made the prompts long
            warnings.append(f"the new recipe's largest prompt may not fit its model: {exc}")
        tmp_recipe.write_text(text, encoding="utf-8")
        if tmp_seeds is not None and seeds_path is not None:
            os.replace(tmp_seeds, seeds_path)
        os.replace(tmp_recipe, new)
    finally:
        for tmp in (tmp_seeds, tmp_recipe):
            if tmp is not None:
                tmp.unlink(missing_ok=True)


def _next_steps(new: Path, name: str, recipe: Any, boost: float | None) -> list[str]:
    from synthpipe.api.runs import default_out_dir
    from synthpipe.recipe import load_recipe

    out = default_out_dir(load_recipe(new))
    steps = [f"synthpipe run {new}   # writes {out}/"]
    if boost is None:
        return steps
    if recipe.pool:
        pool = recipe.resolve(recipe.pool)
        steps.append(
            f"synthpipe pool weight --pool {pool} --recipe {name} {boost:g}   # once the run has added its records"
        )
    else:
        steps.append(f"synthpipe pool add {out} --pool DIR")
        steps.append(f"synthpipe pool weight --pool DIR --recipe {name} {boost:g}")
    return steps
