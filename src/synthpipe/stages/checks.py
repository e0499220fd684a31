"""Rule checks: cheap, deterministic tests every record must pass before a model judges it.

`RuleChecker(...).check(record)` returns every reason a record fails (an empty list means it passes),
each with a stable snake_case code from `CODES`. Rules are small named functions of the record's fields
and the checker; `checks.disable` in the recipe switches any of them off by code. Phrase lists and
patterns come from the recipe and extend the built-in Chinese and English defaults in `checks_text`.

Judgement calls, documented once here:
- Classify labels match case-, width- and whitespace-insensitively ("Positive " is `positive`); a label
  that matches only that way is rewritten to the allowed spelling and flagged `label_normalised`, so
  exports and label counts see one spelling per class.
- `wrong_language` never rejects on a text too short or too mixed to judge, and skips records whose
  instruction asks for another language (translation tasks).
- Mention is not use. Boilerplate inside double quotes is being talked about, not said. A placeholder in
  an answer is left alone when the prompt names it ("What does TODO mean?") or asks for a template
  (模板, template), and speaker labels in an assistant turn are left alone when the user asked for a
  dialogue, script or FAQ.
- `repeats_instruction` compares after removing case, width, spaces and punctuation; a rewrite may stay
  close to its input (proofreading) but not equal it, a summary may not be a near copy of it.
- Dialogue roles are matched exactly (`user`, `assistant`, `system`); "Human"/"gpt" are `bad_role`, and
  with such a role the order and round counts are not reported on top.
- `input` is optional for qa/summarize/rewrite (Alpaca rows often lack it); it must be a string if given.
- The global `checks.min_chars` applies to answer-like fields (output, text, each turn); `max_chars` to
  every text field.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from synthpipe.errors import RecipeError, UsageError
from synthpipe.lang import UNKNOWN, compact, detect_language, is_blank, normalize, visible_len
from synthpipe.recipe import ChecksConfig, Constraints, Recipe
from synthpipe.records import TASKS, Reason, Record
from synthpipe.stages import checks_dialogue as dlg
from synthpipe.stages.checks_text import (
    DEFAULT_BOILERPLATE_PATTERNS,
    DEFAULT_FILLER_PHRASES,
    DEFAULT_PLACEHOLDER_PATTERNS,
    TEMPLATE_CONTEXT,
    asks_for_other_language,
    compile_patterns,
    find_patterns,
    find_placeholders,
    phrase_pattern,
    repeats,
)

STAGE = "rules"

CODES: dict[str, str] = {
    "missing_field": "a required field is absent or null",
    "wrong_type": "a field has the wrong JSON type",
    "empty_field": "a required field is empty or whitespace",
    "too_short": "a field is shorter than its minimum length",
    "too_long": "a field is longer than its maximum length",
    "banned_word": "a banned word from constraints.banned_words appears",
    "boilerplate": "stock model text: 'As an AI language model', refusals, test answers",
    "placeholder": "unrendered template text: xxx, [INSERT …], {topic}, {{var}}, TODO, 待补充",
    "repeats_instruction": "the answer only repeats the instruction or input",
    "wrong_language": "the answer is not in the expected language",
    "bad_role": "a dialogue role other than user/assistant, or a system turn not first",
    "starts_with_assistant": "the dialogue does not start with the user",
    "not_alternating": "two turns in a row from the same side",
    "empty_turn": "a dialogue turn with empty content",
    "rounds_out_of_range": "number of user+assistant rounds outside the allowed range",
    "ends_with_user": "the last turn is the user's, left unanswered",
    "filler_turn": "an assistant turn that is only filler ('好的', 'Okay.', 'Anything else?')",
    "self_talk": "one turn writes both sides ('User: … Assistant: …', '问：…答：…')",
    "label_not_allowed": "a classify label outside the allowed set",
}
LENGTH_KEYS = frozenset(
    {"instruction", "input", "output", "text", "label", "user", "assistant", "system", "content"}
)
_ANSWER_FIELDS = {"qa": "output", "summarize": "output", "rewrite": "output", "classify": "text"}

Rule = Callable[[dict[str, Any], "RuleChecker"], list[Reason]]


def reason(code: str, detail: str) -> Reason:
    return Reason(code, detail, STAGE)


class RuleChecker:
    """Checks records of one task against the recipe's rules. Build once, call `check` per record."""

    def __init__(
        self,
        task: str,
        language: str | None = None,
        labels: Sequence[str] = (),
        rounds: tuple[int, int] = (3, 6),
        constraints: Constraints | None = None,
        checks: ChecksConfig | None = None,
        source: str = "<recipe>",
    ) -> None:
        if task not in TASKS:
            raise UsageError(f"unknown task {task!r} — use one of {', '.join(TASKS)}")
        if language not in (None, "zh", "en"):
            raise UsageError(f"unknown language {language!r} — use zh or en")
        self.task, self.language = task, language
        self.labels = tuple(str(lb).strip() for lb in labels if str(lb).strip())
        if task == "classify" and not self.labels:
            raise UsageError(
                "classify needs the allowed labels — give them with --labels A,B or `labels:` in the recipe"
            )
        self.rounds = (int(rounds[0]), int(rounds[1]))
        self.constraints = constraints or Constraints()
        self.cfg = checks or ChecksConfig()
        self.disabled = self._disabled(source)
        self.lengths = self._lengths(source)
        self.placeholders = self._patterns(
            DEFAULT_PLACEHOLDER_PATTERNS, self.cfg.placeholder_patterns, source
        )
        self.boilerplate = compile_patterns(DEFAULT_BOILERPLATE_PATTERNS) + [
            phrase_pattern(p) for p in self.cfg.boilerplate if p.strip()
        ]
        self.banned = [(w, phrase_pattern(w)) for w in self.constraints.banned_words if w.strip()]
        phrases = (*DEFAULT_FILLER_PHRASES, *self.cfg.filler_phrases)
        self.filler = frozenset(k for k in map(compact, phrases) if k)
        self._label_lookup = {_label_key(lb): lb for lb in self.labels}
        self._rules: list[Rule] = [r for r, codes in _RULES if not codes <= self.disabled]

    @classmethod
    def from_recipe(cls, recipe: Recipe) -> RuleChecker:
        return cls(
            recipe.task,
            recipe.language,
            recipe.labels,
            recipe.rounds,
            recipe.constraints,
            recipe.checks,
            source=recipe.path or recipe.name,
        )

    def enabled(self, code: str) -> bool:
        return code not in self.disabled

    def check(self, rec: Record) -> list[Reason]:
        """Every reason `rec` fails the rules. May canonicalise a classify label (see module docstring)."""
        out = self.check_fields(rec.fields)
        if self.task == "classify" and self.enabled("label_not_allowed"):
            self._canonical_label(rec)
        return out

    def check_fields(self, fields: dict[str, Any]) -> list[Reason]:
        out: list[Reason] = []
        for rule in self._rules:
            out.extend(r for r in rule(fields, self) if r.code not in self.disabled)
        return out

    def __call__(self, records: Iterable[Record]) -> Iterator[Record]:
        """As a pipeline stage: add the reasons to each record's meta and pass every record on."""
        for rec in records:
            rec.meta.reasons.extend(self.check(rec))
            yield rec

    def allowed_label(self, label: Any) -> str | None:
        if isinstance(label, bool) or not isinstance(label, str | int):
            return None
        return self._label_lookup.get(_label_key(str(label)))

    def _canonical_label(self, rec: Record) -> None:
        label = rec.fields.get("label")
        canon = self.allowed_label(label)
        if canon is not None and label != canon:
            rec.fields["label"] = canon
            rec.meta.flags.append(Reason("label_normalised", f"{label!r} -> {canon!r}", STAGE))

    def _disabled(self, source: str) -> frozenset[str]:
        for i, code in enumerate(self.cfg.disable):
            if code not in CODES:
                raise RecipeError(
                    source,
                    f"unknown rule code {code!r}",
                    f"use one of: {', '.join(CODES)}",
                    field=f"checks.disable[{i}]",
                )
        off = set(self.cfg.disable)
        if not self.cfg.language:
            off.add("wrong_language")
        return frozenset(off)

    def _lengths(self, source: str) -> dict[str, tuple[int, int]]:
        for key in self.constraints.lengths:
            if key not in LENGTH_KEYS:
                raise RecipeError(
                    source,
                    f"no field {key!r} to limit",
                    f"use one of: {', '.join(sorted(LENGTH_KEYS))}",
                    field=f"constraints.lengths.{key}",
                )
        return dict(self.constraints.lengths)

    @staticmethod
    def _patterns(defaults: Sequence[str], extra: Sequence[str], source: str) -> list[re.Pattern[str]]:
        for i, pat in enumerate(extra):
            try:
                re.compile(pat)
            except re.error as exc:
                raise RecipeError(
                    source,
                    f"invalid regular expression ({exc})",
                    "fix or quote the pattern",
                    field=f"checks.placeholder_patterns[{i}]",
                ) from None
        return compile_patterns([*defaults, *extra])


def _label_key(label: str) -> str:
    return normalize(label).replace(" ", "")


# --- which text a rule looks at ------------------------------------------------------------------


def text_fields(fields: dict[str, Any], task: str) -> list[tuple[str, str]]:
    """(name, text) for every text of the record: task fields and each turn's content."""
    if task == "dialogue":
        return [(f"messages[{i}]", m["content"]) for i, m in dlg.turns(fields)]
    names = ("instruction", "input", "output") if task != "classify" else ("text",)
    return [(n, fields[n]) for n in names if isinstance(fields.get(n), str)]


def answer_fields(fields: dict[str, Any], task: str) -> list[tuple[str, str]]:
    """(name, text) for the generated answers: output, classify text, assistant turns."""
    if task == "dialogue":
        return [
            (f"messages[{i}]", m["content"]) for i, m in dlg.turns(fields) if m.get("role") == "assistant"
        ]
    name = _ANSWER_FIELDS[task]
    value = fields.get(name)
    return [(name, value)] if isinstance(value, str) else []


def _sample(found: list[str], n: int = 3) -> str:
    return ", ".join(repr(f[:40]) for f in found[:n]) + (
        f" (+{len(found) - n} more)" if len(found) > n else ""
    )


# --- rules for every kind --------------------------------------------------------------------------


def rule_structure(fields: dict[str, Any], ck: RuleChecker) -> list[Reason]:
    """Required fields present, of the right type, and not empty."""
    if ck.task == "dialogue":
        return dlg.rule_structure(fields, ck)
    out: list[Reason] = []
    required = ("text", "label") if ck.task == "classify" else ("instruction", "output")
    for name in required:
        value = fields.get(name)
        if value is None:
            out.append(reason("missing_field", f"{name}: required for {ck.task}"))
        elif name == "label":
            if isinstance(value, bool) or not isinstance(value, str | int):
                out.append(reason("wrong_type", f"label: expected a string, got {type(value).__name__}"))
            elif is_blank(str(value)):
                out.append(reason("empty_field", "label: empty"))
        elif not isinstance(value, str):
            out.append(reason("wrong_type", f"{name}: expected a string, got {type(value).__name__}"))
        elif is_blank(value):
            out.append(reason("empty_field", f"{name}: empty or whitespace only"))
    if ck.task != "classify" and fields.get("input") is not None and not isinstance(fields["input"], str):
        out.append(reason("wrong_type", f"input: expected a string, got {type(fields['input']).__name__}"))
    return out


def rule_length(fields: dict[str, Any], ck: RuleChecker) -> list[Reason]:
    """Per-field ranges from constraints.lengths, then the global min_chars/max_chars."""
    out: list[Reason] = []
    answers = {name for name, _ in answer_fields(fields, ck.task)}
    for name, text in _length_items(fields, ck.task):
        n = visible_len(text)
        if n == 0 and name != "input":
            continue  # empty_field / empty_turn says it already
        role = dlg.role_of(fields, name) if ck.task == "dialogue" else ""
        limits = (ck.lengths.get(role) or ck.lengths.get("content")) if role else ck.lengths.get(name)
        if limits:
            lo, hi = limits
            if n < lo:
                out.append(reason("too_short", f"{name}: {n} chars, below the minimum {lo}"))
                continue
            if n > hi:
                out.append(reason("too_long", f"{name}: {n} chars, above the maximum {hi}"))
                continue
        if n < ck.cfg.min_chars and (name in answers or role == "user"):
            out.append(reason("too_short", f"{name}: {n} chars, below checks.min_chars {ck.cfg.min_chars}"))
        elif n > ck.cfg.max_chars:
            out.append(reason("too_long", f"{name}: {n} chars, above checks.max_chars {ck.cfg.max_chars}"))
    return out


def _length_items(fields: dict[str, Any], task: str) -> list[tuple[str, str]]:
    items = text_fields(fields, task)
    if task == "classify" and isinstance(fields.get("label"), str):
        items.append(("label", fields["label"]))
    if task not in ("classify", "dialogue") and fields.get("input") is None:
        items.append(("input", ""))  # an absent input still has to meet an explicit minimum
    return items


def rule_banned_words(fields: dict[str, Any], ck: RuleChecker) -> list[Reason]:
    out = []
    for name, text in text_fields(fields, ck.task):
        norm = normalize(text)
        found = [word for word, pat in ck.banned if pat.search(norm)]
        if found:
            out.append(reason("banned_word", f"{name}: contains {_sample(found)}"))
    return out


def rule_boilerplate(fields: dict[str, Any], ck: RuleChecker) -> list[Reason]:
    out = []
    for name, text in answer_fields(fields, ck.task):
        found = find_patterns(text, ck.boilerplate, skip_quoted=True)
        if found:
            out.append(reason("boilerplate", f"{name}: {_sample(found)}"))
    return out


def rule_placeholder(fields: dict[str, Any], ck: RuleChecker) -> list[Reason]:
    out = []
    answers = {name for name, _ in answer_fields(fields, ck.task)}
    prompt_text = _prompt_text(fields, ck.task, with_input=True)
    template_asked = TEMPLATE_CONTEXT.search(prompt_text) is not None
    prompt = compact(prompt_text)
    for name, text in text_fields(fields, ck.task):
        found = find_placeholders(text, ck.placeholders)
        if name in answers:
            if template_asked:
                continue
            # An answer may mention what the prompt asks about ("What does TODO mean?"); not a leftover.
            found = [f for f in found if not _mentioned(f, prompt)]
        if found:
            out.append(reason("placeholder", f"{name}: {_sample(found)}"))
    return out


def _mentioned(found: str, prompt_compact: str) -> bool:
    """The prompt names this text, so the answer is talking about it ("What does 'Lorem ipsum' mean?")."""
    key = compact(found)
    return bool(key) and (key in prompt_compact or (len(key) >= 8 and key[:10] in prompt_compact))


def rule_repeats_instruction(fields: dict[str, Any], ck: RuleChecker) -> list[Reason]:
    """The answer is only the instruction or input again (normalised comparison)."""
    if ck.task == "dialogue":
        return dlg.rule_repeats(fields, ck)
    if ck.task == "classify":
        return []
    output, instruction, inp = (fields.get(k) for k in ("output", "instruction", "input"))
    if not isinstance(output, str) or not isinstance(instruction, str):
        return []
    inp = inp if isinstance(inp, str) else ""
    if repeats(output, instruction, fragment=True) or (inp and repeats(output, instruction + "\n" + inp)):
        return [reason("repeats_instruction", "output: repeats the instruction")]
    # A summary must be shorter than its text; a rewrite may stay close (proofreading) but not identical.
    if inp and repeats(output, inp, near=ck.task == "summarize"):
        return [reason("repeats_instruction", "output: repeats the input")]
    return []


def rule_language(fields: dict[str, Any], ck: RuleChecker) -> list[Reason]:
    """Answers in the recipe's language, or (no language given) in the instruction's language."""
    prompt = _prompt_text(fields, ck.task)
    expected = ck.language or (detect_language(prompt) if prompt else UNKNOWN)
    if expected not in ("zh", "en") or asks_for_other_language(prompt, expected):
        return []
    answers = answer_fields(fields, ck.task)
    wrong = [
        (name, got) for name, text in answers if (got := detect_language(text)) not in (expected, UNKNOWN)
    ]
    if not wrong and ck.task == "dialogue" and len(answers) > 1:
        got = detect_language("\n".join(t for _, t in answers))
        if got not in (expected, UNKNOWN):
            wrong = [("assistant turns", got)]
    if not wrong:
        return []
    where = "; ".join(f"{name} looks {got}" for name, got in wrong[:3])
    source = "recipe" if ck.language else "instruction"
    return [reason("wrong_language", f"expected {expected} ({source}): {where}")]


def _prompt_text(fields: dict[str, Any], task: str, with_input: bool = False) -> str:
    """The instruction (and input), or all user turns: what the answer responds to."""
    if task == "dialogue":
        return "\n".join(m["content"] for _, m in dlg.turns(fields) if m.get("role") == "user")
    if task == "classify":
        return ""
    keys = ("instruction", "input") if with_input else ("instruction",)
    return "\n".join(v for k in keys if isinstance(v := fields.get(k), str))


# --- classify --------------------------------------------------------------------------------------


def rule_label(fields: dict[str, Any], ck: RuleChecker) -> list[Reason]:
    if ck.task != "classify":
        return []
    label = fields.get("label")
    if label is None or isinstance(label, bool) or not isinstance(label, str | int) or is_blank(str(label)):
        return []  # rule_structure reports it
    if ck.allowed_label(label) is None:
        return [
            reason("label_not_allowed", f"label {str(label)[:40]!r} is not one of {', '.join(ck.labels)}")
        ]
    return []


def label_balance(records: Iterable[Record], labels: Sequence[str] = ()) -> dict[str, int]:
    """Records per label, most frequent first. With `labels`, spellings are mapped to the allowed one
    (as the checker matches them) and every allowed label is listed, zero counts included."""
    lookup = {_label_key(lb): lb for lb in labels}
    counts: Counter[str] = Counter({lb: 0 for lb in labels})
    for rec in records:
        value = rec.fields.get("label")
        if value is None or isinstance(value, dict | list):
            key = "<missing>"
        else:
            key = lookup.get(_label_key(str(value)), str(value).strip())
        counts[key] += 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


_RULES: list[tuple[Rule, frozenset[str]]] = [
    (rule_structure, frozenset({"missing_field", "wrong_type", "empty_field", "empty_turn", "bad_role"})),
    (
        dlg.rule_turn_order,
        frozenset({"bad_role", "starts_with_assistant", "not_alternating", "ends_with_user"}),
    ),
    (dlg.rule_rounds, frozenset({"rounds_out_of_range"})),
    (rule_length, frozenset({"too_short", "too_long"})),
    (rule_banned_words, frozenset({"banned_word"})),
    (rule_boilerplate, frozenset({"boilerplate"})),
    (rule_placeholder, frozenset({"placeholder"})),
    (rule_repeats_instruction, frozenset({"repeats_instruction"})),
    (rule_language, frozenset({"wrong_language"})),
    (dlg.rule_filler, frozenset({"filler_turn"})),
    (dlg.rule_self_talk, frozenset({"self_talk"})),
    (rule_label, frozenset({"label_not_allowed"})),
]
