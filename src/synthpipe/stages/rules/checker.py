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
  (模板, template); asked about a template, a prompt may quote one ("改改这个模板：“尊敬的[客户名称]…”").
  Speaker labels in an assistant turn are left alone when the user asked for a dialogue, script or FAQ.
- Template slots ("[brand]", "[Company Name]", "【产品名】", "<store name>") are told from honest brackets
  (links, citations, intervals, checkboxes, "[sic]", 【】 headings) by what they name; see
  `text.template_slots`. They are looked for in every text field, the instruction and user turns too.
- `copies_example` compares the record's question (the instruction and input, a classify text, a
  dialogue's first user turn) with the recipe's few-shot examples after removing case, width, spaces and
  punctuation: equal is a copy, whatever the answer; a paraphrase is not. Without examples it does nothing.
- `repeats_instruction` compares after removing case, width, spaces and punctuation; a rewrite may stay
  close to its input (proofreading) but not equal it, a summary may not be a near copy of it. Asked to
  punctuate or fix capitals ("加上标点", "fix the capitalization"), an output that differs from the input
  only there is not a repeat.
- Dialogue roles are matched exactly (`user`, `assistant`, `system`); "Human"/"gpt" are `bad_role`, and
  with such a role the order and round counts are not reported on top.
- `input` is optional for qa/summarize/rewrite (Alpaca rows often lack it); it must be a string if given.
- The global `checks.min_chars` applies to answer-like fields (output, text, each turn); `max_chars` to
  every text field.
- Kind-specific rules live on the TaskKind (`rules`, `extra_codes`) and run after these: filler_answer
  (qa, summarize, rewrite; `answer.py`), not_condensed and low_coverage (`summary.py`), not_rewritten and
  meaning_drift (`rewrite.py`), repeated_turn and off_topic (`dialogue.py`). off_topic compares with the
  recipe's topics and sources given here and with the record's plan topic given to `check`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import Any

from synthpipe.core.errors import RecipeError, UsageError
from synthpipe.core.records import Reason, Record
from synthpipe.lang import (
    UNKNOWN,
    Evidence,
    compact,
    is_blank,
    language_of,
    normalize,
    visible_len,
)
from synthpipe.recipe import ChecksConfig, Constraints, Recipe
from synthpipe.stages.rules import dialogue as dlg
from synthpipe.stages.rules.content import Units
from synthpipe.stages.rules.doc import Doc
from synthpipe.stages.rules.match import PatternSet, unique
from synthpipe.stages.rules.text import (
    DEFAULT_FILLER_PHRASES,
    TEMPLATE_CONTEXT,
    Filler,
    asks_for_other_language,
    default_boilerplate,
    default_placeholders,
    phrase_key,
    phrase_pattern,
    repeats_compact,
    template_slots,
    unquote,
)
from synthpipe.tasks import TaskKind, get_task

STAGE = "rules"
RECIPE_LANGUAGE = "recipe"

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
    "copies_example": "the question (instruction, classify text, first user turn) is a few-shot example's",
}
TURN_LENGTH_KEYS = frozenset({"user", "assistant", "system", "content"})

Rule = Callable[["Doc", "RuleChecker"], list[Reason]]


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
        examples: Sequence[dict[str, Any]] = (),
        topics: Sequence[str] = (),
        sources: Sequence[str] = (),
    ) -> None:
        self.kind: TaskKind = get_task(task)
        if language not in (None, "zh", "en"):
            raise UsageError(f"unknown language {language!r} — use zh or en")
        self.task, self.language = task, language
        self.labels = tuple(str(lb).strip() for lb in labels if str(lb).strip())
        if self.kind.label_field and not self.labels:
            raise UsageError(
                f"{task} needs the allowed labels — give them with --labels A,B or `labels:` in the recipe"
            )
        self.codes = {**CODES, **self.kind.extra_codes}
        self.rounds = (int(rounds[0]), int(rounds[1]))
        self.constraints = constraints or Constraints()
        self.cfg = checks or ChecksConfig()
        self.disabled = self._disabled(source)
        self.lengths = self._lengths(source)
        self.placeholders = self._patterns(self.cfg.placeholder_patterns, source)
        self.boilerplate = default_boilerplate(self.cfg.boilerplate)
        # (word, pattern, literal text every match holds): the literal test is far cheaper than a search
        self.banned = [
            (w, phrase_pattern(w), phrase_key(w)) for w in self.constraints.banned_words if w.strip()
        ]
        phrases = (*DEFAULT_FILLER_PHRASES, *self.cfg.filler_phrases)
        self.filler = frozenset(k for k in map(compact, phrases) if k)
        self.filler_matcher = Filler(self.filler)
        self._label_lookup = {_label_key(lb): lb for lb in self.labels}
        self.example_questions = self._example_questions(examples)
        # What a dialogue's assistant turns are compared with for off_topic (with each record's plan topic).
        self.has_sources = any(isinstance(t, str) and t.strip() for t in sources)
        self.background_text = "\n".join(t for t in (*topics, *sources) if isinstance(t, str) and t.strip())
        self._rules: list[Rule] = [r for r, codes in _RULES if not codes <= self.disabled]
        self._rules.extend(
            r
            for r in self.kind.rules
            if not (codes := getattr(r, "codes", ())) or not set(codes) <= self.disabled
        )
        # The turn rules read `messages` whatever the task; without a list there they find nothing, and
        # rule_label finds nothing without a label field.
        self._rules_no_turns = [
            r
            for r in self._rules
            if r not in _TURN_RULES and (r is not rule_label or self.kind.label_field is not None)
        ]

    @classmethod
    def from_recipe(cls, recipe: Recipe, language: str | None = RECIPE_LANGUAGE) -> RuleChecker:
        """`language`: the recipe's by default; None checks each record against its prompt's language."""
        return cls(
            recipe.task,
            recipe.language if language == RECIPE_LANGUAGE else language,
            recipe.labels,
            recipe.rounds,
            recipe.constraints,
            recipe.checks,
            source=recipe.path or recipe.name,
            examples=recipe.examples,
            topics=[*recipe.topics, *(s for subs in recipe.subtopics.values() for s in subs)],
            sources=recipe.source_texts,
        )

    def enabled(self, code: str) -> bool:
        return code not in self.disabled

    @cached_property
    def background_units(self) -> frozenset[str]:
        """Han bigrams and English content words of the recipe's topics and sources, worked out once."""
        units = Units(self.background_text)
        return units.bigrams | units.words

    @cached_property
    def background_chars(self) -> frozenset[str]:
        """Han content characters and English content words of the recipe's topics and sources."""
        units = Units(self.background_text)
        return units.chars | units.words

    def check(self, rec: Record) -> list[Reason]:
        """Every reason `rec` fails the rules. May canonicalise a classify label (see module docstring)."""
        out = self.check_fields(rec.fields, rec.meta.plan)
        if self.kind.label_field and self.enabled("label_not_allowed"):
            self._canonical_label(rec)
        return out

    def check_fields(self, fields: dict[str, Any], plan: dict[str, Any] | None = None) -> list[Reason]:
        """`plan`: the record's planned variation (its topic, for off_topic), where it has one."""
        out: list[Reason] = []
        doc = Doc(fields, self.kind, plan)
        disabled = self.disabled
        rules = self._rules if doc.turns or isinstance(fields.get("messages"), list) else self._rules_no_turns
        for rule in rules:
            found = rule(doc, self)
            if found:
                out.extend(r for r in found if r.code not in disabled)
        return out

    def allowed_label(self, label: Any) -> str | None:
        if isinstance(label, bool) or not isinstance(label, str | int):
            return None
        return self._label_lookup.get(_label_key(str(label)))

    def _canonical_label(self, rec: Record) -> None:
        name = self.kind.label_field or "label"
        label = rec.fields.get(name)
        canon = self.allowed_label(label)
        if canon is not None and label != canon:
            rec.fields[name] = canon
            rec.meta.flags.append(Reason("label_normalised", f"{label!r} -> {canon!r}", STAGE))

    def _disabled(self, source: str) -> frozenset[str]:
        for i, code in enumerate(self.cfg.disable):
            if code not in self.codes:
                raise RecipeError(
                    source,
                    f"unknown rule code {code!r}",
                    f"use one of: {', '.join(self.codes)}",
                    field=f"checks.disable[{i}]",
                )
        off = set(self.cfg.disable)
        if not self.cfg.language:
            off.add("wrong_language")
        return frozenset(off)

    def _lengths(self, source: str) -> dict[str, tuple[int, int]]:
        keys = set(self.kind.fields) | (TURN_LENGTH_KEYS if self.kind.conversation else set())
        keys.discard("messages")
        for key in self.constraints.lengths:
            if key not in keys:
                raise RecipeError(
                    source,
                    f"no field {key!r} to limit in a {self.task} record",
                    f"use one of: {', '.join(sorted(keys))}",
                    field=f"constraints.lengths.{key}",
                )
        return dict(self.constraints.lengths)

    def _example_questions(self, examples: Sequence[dict[str, Any]]) -> dict[str, int]:
        """compact()ed question -> index of the first example that asks it. Greetings and very short
        questions are left out: any dialogue may open with "你好" or "Hi there"."""
        greetings = Filler(self.filler | _GREETINGS)
        out: dict[str, int] = {}
        for i, ex in enumerate(examples):
            if not isinstance(ex, dict):
                continue
            key = compact(question(self.kind, ex)[1])
            min_len = _MIN_QUESTION_CJK if any(ord(ch) > 0x2E80 for ch in key) else _MIN_QUESTION
            if len(key) >= min_len and not greetings.covers(key):
                out.setdefault(key, i)
        return out

    @staticmethod
    def _patterns(extra: Sequence[str], source: str) -> PatternSet:
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
        return default_placeholders(extra)


def _label_key(label: str) -> str:
    return normalize(label).replace(" ", "")


# --- which text a rule looks at ------------------------------------------------------------------


def _sample(found: list[str], n: int = 3) -> str:
    return ", ".join(repr(f[:40]) for f in found[:n]) + (
        f" (+{len(found) - n} more)" if len(found) > n else ""
    )


# --- rules for every kind --------------------------------------------------------------------------


def rule_structure(doc: Doc, ck: RuleChecker) -> list[Reason]:
    """Required fields present, of the right type, and not empty."""
    kind = ck.kind
    if kind.conversation:
        return dlg.rule_structure(doc, ck)
    fields = doc.fields
    out: list[Reason] = []
    for name in kind.required:
        value = fields.get(name)
        if value is None:
            out.append(reason("missing_field", f"{name}: required for {ck.task}"))
        elif name == kind.label_field:
            if isinstance(value, bool) or not isinstance(value, str | int):
                out.append(reason("wrong_type", f"label: expected a string, got {type(value).__name__}"))
            elif is_blank(str(value)):
                out.append(reason("empty_field", "label: empty"))
        elif not isinstance(value, str):
            out.append(reason("wrong_type", f"{name}: expected a string, got {type(value).__name__}"))
        elif is_blank(value):
            out.append(reason("empty_field", f"{name}: empty or whitespace only"))
    for name in kind.optional:
        value = fields.get(name)
        if value is not None and not isinstance(value, str):
            out.append(reason("wrong_type", f"{name}: expected a string, got {type(value).__name__}"))
    return out


def rule_length(doc: Doc, ck: RuleChecker) -> list[Reason]:
    """Per-field ranges from constraints.lengths, then the global min_chars/max_chars."""
    out: list[Reason] = []
    answers = {name for name, _ in doc.answers}
    optional = ck.kind.optional
    min_chars, max_chars = ck.cfg.min_chars, ck.cfg.max_chars
    for name, text, role in _length_items(doc):
        n = visible_len(text)
        if n == 0 and name not in optional:
            continue  # empty_field / empty_turn says it already
        limits = (ck.lengths.get(role) or ck.lengths.get("content")) if role else ck.lengths.get(name)
        if limits:
            lo, hi = limits
            if n < lo:
                out.append(reason("too_short", f"{name}: {n} chars, below the minimum {lo}"))
                continue
            if n > hi:
                out.append(reason("too_long", f"{name}: {n} chars, above the maximum {hi}"))
                continue
        if n < min_chars and (name in answers or role == "user"):
            out.append(reason("too_short", f"{name}: {n} chars, below checks.min_chars {min_chars}"))
        elif n > max_chars:
            out.append(reason("too_long", f"{name}: {n} chars, above checks.max_chars {max_chars}"))
    return out


def _length_items(doc: Doc) -> list[tuple[str, str, str]]:
    """(name, text, role) to measure; the role is a dialogue turn's, "" elsewhere."""
    kind = doc.kind
    if kind.conversation:
        return [(name, text, _role(m)) for (name, text), (_, m) in zip(doc.texts, doc.turns, strict=True)]
    items = [(name, text, "") for name, text in doc.texts]
    fields = doc.fields
    if kind.label_field and isinstance(fields.get(kind.label_field), str):
        items.append((kind.label_field, fields[kind.label_field], ""))
    for name in kind.optional:
        if fields.get(name) is None and name != kind.label_field:
            items.append((name, "", ""))  # an absent field still has to meet an explicit minimum
    return items


def _role(turn: dict[str, Any]) -> str:
    role = turn.get("role")
    return role if isinstance(role, str) else ""


def rule_banned_words(doc: Doc, ck: RuleChecker) -> list[Reason]:
    if not ck.banned:
        return []
    out = []
    for name, text in doc.texts:
        norm = doc.norm(text)
        found = [word for word, pat, key in ck.banned if key in norm and pat.search(norm)]
        if found:
            out.append(reason("banned_word", f"{name}: contains {_sample(found)}"))
    return out


def rule_boilerplate(doc: Doc, ck: RuleChecker) -> list[Reason]:
    out = []
    for name, text in doc.answers:
        plain = unquote(text)
        if plain is text:
            found = ck.boilerplate.findall(doc.norm(text))
        elif ck.boilerplate.ruled_out_by_whole(doc.norm(text)):
            found = []  # saves normalising the unquoted text, which no pattern could match
        else:
            found = ck.boilerplate.findall(doc.norm(plain))
        if found:
            out.append(reason("boilerplate", f"{name}: {_sample(found)}"))
    return out


def rule_placeholder(doc: Doc, ck: RuleChecker) -> list[Reason]:
    out = []
    answers = {name for name, _ in doc.answers}
    template_asked: bool | None = None
    for name, text in doc.texts:
        prose = doc.prose(text)
        found, slots = ck.placeholders.findall(prose), template_slots(prose)
        if not found and not slots:
            continue
        if template_asked is None:
            template_asked = TEMPLATE_CONTEXT.search(doc.prompt(with_input=True)) is not None
        if name in answers:
            if template_asked:
                continue
            # An answer may mention what the prompt asks about ("What does TODO mean?"); not a leftover.
            prompt = doc.prompt(with_input=True)
            prompt_c = doc.compact(prompt)
            found = [f for f in found if not _mentioned(f, prompt_c)]
            slots = [f for f in slots if doc.norm(f) not in doc.norm(prompt)]  # "[brand]" itself, not "brand"
        elif template_asked:
            # A prompt about a template may quote one: the quoted slots are talked about, not left over.
            plain = unquote(prose)
            if plain is not prose:
                found, slots = ck.placeholders.findall(plain), template_slots(plain)
        found = unique([*found, *slots])
        if found:
            out.append(reason("placeholder", f"{name}: {_sample(found)}"))
    return out


def _mentioned(found: str, prompt_compact: str) -> bool:
    """The prompt names this text, so the answer is talking about it ("What does 'Lorem ipsum' mean?")."""
    key = compact(found)
    return bool(key) and (key in prompt_compact or (len(key) >= 8 and key[:10] in prompt_compact))


def question(kind: TaskKind, fields: dict[str, Any]) -> tuple[str, str]:
    """(field name, text) of what a record asks: its prompt (instruction and input), a dialogue's first
    user turn, or for a kind without a prompt (classify) its text."""
    if kind.conversation:
        first = next(((i, m) for i, m in dlg.turns(fields) if m.get("role") == "user"), None)
        return ("", "") if first is None else (f"messages[{first[0]}]", first[1]["content"])
    if kind.prompt_fields:
        return kind.prompt_fields[0], kind.prompt(fields, with_optional=True)
    texts = kind.texts(fields)
    return (texts[0][0] if texts else ""), "\n".join(t for _, t in texts)


def rule_copies_example(doc: Doc, ck: RuleChecker) -> list[Reason]:
    """The record asks a few-shot example's question again, word for word (the answer may differ)."""
    if not ck.example_questions:
        return []
    name, text = question(ck.kind, doc.fields)
    i = ck.example_questions.get(doc.compact(text)) if text else None
    if i is None:
        return []
    return [reason("copies_example", f"{name}: asks the question of few-shot example {i + 1} word for word")]


def rule_repeats_instruction(doc: Doc, ck: RuleChecker) -> list[Reason]:
    """The answer is only the instruction or input again (normalised comparison)."""
    kind = ck.kind
    if kind.conversation:
        return dlg.rule_repeats(doc, ck)
    if not kind.prompt_fields or not kind.answer_fields:
        return []
    output = doc.fields.get(kind.answer_fields[0])
    instruction = kind.prompt(doc.fields, with_optional=False)
    if not isinstance(output, str) or not instruction:
        return []
    inp = "\n".join(
        v for k in kind.prompt_fields if k in kind.optional and isinstance(v := doc.fields.get(k), str)
    )
    out_c, ins_c = doc.compact(output), doc.compact(instruction)
    if repeats_compact(out_c, ins_c, fragment=True) or (
        inp and repeats_compact(out_c, doc.compact(instruction + "\n" + inp))
    ):
        return [reason("repeats_instruction", "output: repeats the instruction")]
    # A summary must be shorter than its text; a rewrite may stay close (proofreading) but not identical.
    if inp and repeats_compact(out_c, doc.compact(inp), near=kind.repeat_near):
        # Asked to punctuate or fix case, an output that differs only there is the answer.
        if _PUNCTUATION_TASK.search(instruction) and " ".join(output.split()) != " ".join(inp.split()):
            return []
        return [reason("repeats_instruction", "output: repeats the input")]
    return []


_PUNCTUATION_TASK = re.compile(
    r"标点|大小写|断句|punctuat|capitali[sz]|(?:upper|lower|title|sentence)[ -]?case", re.I
)


def rule_language(doc: Doc, ck: RuleChecker) -> list[Reason]:
    """Answers in the recipe's language, or (no language given) in the instruction's language."""
    prompt = doc.prompt()
    expected = ck.language or (doc.language(prompt) if prompt else UNKNOWN)
    if expected not in ("zh", "en") or asks_for_other_language(prompt, expected):
        return []
    answers = doc.answers
    wrong = [(name, got) for name, text in answers if (got := doc.language(text)) not in (expected, UNKNOWN)]
    if not wrong and ck.kind.conversation and len(answers) > 1:
        texts = [t for _, t in answers]
        if any("```" in t or "~~~" in t for t in texts):
            got = doc.language("\n".join(texts))
        else:  # without code fences the evidence of the joined turns is the sum of each turn's
            got = language_of(sum((doc.evidence(t) for t in texts), Evidence()))
        if got not in (expected, UNKNOWN):
            wrong = [("assistant turns", got)]
    if not wrong:
        return []
    where = "; ".join(f"{name} looks {got}" for name, got in wrong[:3])
    source = "recipe" if ck.language else "instruction"
    return [reason("wrong_language", f"expected {expected} ({source}): {where}")]


# --- classify --------------------------------------------------------------------------------------


def rule_label(doc: Doc, ck: RuleChecker) -> list[Reason]:
    if ck.kind.label_field is None:
        return []
    label = doc.fields.get(ck.kind.label_field)
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


_TURN_RULES = (dlg.rule_turn_order, dlg.rule_rounds, dlg.rule_filler, dlg.rule_self_talk)
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
    (rule_copies_example, frozenset({"copies_example"})),
]

# Opening words that any conversation may share with an example ("你好", "Hi there"), compact()ed.
# fmt: off
_GREETINGS = frozenset(map(compact, (
    "你好", "您好", "在吗", "在不在", "哈喽", "嗨", "请问", "早上好", "下午好", "晚上好", "hi", "hello", "hey",
    "there", "good morning", "good afternoon", "good evening", "excuse me", "quick question",
)))
# fmt: on
_MIN_QUESTION = 8  # compact()ed characters a question needs to count as copied (Latin script)
_MIN_QUESTION_CJK = 4
