"""Sentence support: does the source (or the record's own prompt) say what an answer sentence says?

Lexical and fast. A sentence is reduced to its content units: English words without stop words, lightly
stemmed (`returned` = `return`), number words as digits (`five` = `5`); Chinese as character bigrams
without those that hold a function character (的, 了, 您…), Chinese numerals as digits (`七天` = `7 天`).
Its support is the share of those units found in the best-matching window of the source (two
consecutive source sentences, indexed once per run) together with the record's own prompt. A window, not
the whole source, so that a sentence stitched from far-apart passages ("gift cards are refunded within 10
days") is not supported by words that the source uses for other things. Besides:

- every number in the sentence must be in that window or the prompt, or follow by one sum, difference,
  product or percentage from a number the user gave, or one an earlier supported sentence of the same
  answer stated, and a known one (8 users at $12 -> $96; "129 元 a month, 1548 元 a year" then "10% off:
  1393.2 元"); calendar factors (7, 12, 24, 52, 60, 365) are known;
- a sentence that joins two passages ("one bag of 23 kg, so extra kilograms cost 15 EUR") is supported
  when each of its clauses (cut at , ; :) of three units or more is;
- the speaker talking about itself ("I'm going to leave it in the back", "我也不太清楚") adds a unit that
  a source written about a policy does not hold: rambling has little else to be supported by;
- a number may also follow from one the same sentence worked out before it ("50 extra km at $0.30 each,
  which is $15"), and a number worked out counts as a supported unit;
- a figure with a unit must be bound to what the source gives it for: when the source clause sharing
  most words with the answer clause states another figure of that unit ($25), and the source gives the
  answer's figure ($15) only in sentences sharing fewer words, the sentence is unsupported (the right fee
  for the wrong item; see ClauseIndex);
- a supported premise and its conclusion ("…, so plan to use them in the first quarter", "…，所以…") is
  supported when the conclusion adds no unsupported figure and no talk of the speaker about itself;
- a figure whose value the source gives only in other units ("a 5 USD credit", the source's 5 being
  minutes; "一个月" where the source says 一周) is no quote and must be worked out; a result that a word
  announces ("so", "合计", "所以") may be worked out from the figures the sentence quoted before it, and a
  later sentence may calculate with figures an earlier supported one quoted;
- a question ("Could you share your order number?") and a sentence with fewer than two content units
  once function words, courtesy words and formulas (thanks, apologies, wishes, congratulations,
  acknowledgements such as "Good catch.", short replies such as "I'm afraid not.", "目前还不行。") and
  the words that only announce a calculation ("in total", "一共") are set aside state nothing and are
  never counted.

Optionally (English only, needs the `embed` extra) an embedding similarity to the best source sentence is
a second opinion for sentences the lexical test finds nearly supported; see synthpipe.stages.support_embed.
Figures on a labelled set, zh and en: bench/grounding_eval.md.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from synthpipe.stages.support_units import (
    ME,
    ME_SET,
    ZH_NUMERAL,
    derivable,
    figures_of,
    is_number,
    named_factors,
    split_sentences,
    units,
)

# --- the source index ------------------------------------------------------------------------------
VOTERS = 64


class SupportIndex:
    """Source sentences grouped in overlapping windows of `window` sentences, with an inverted index
    from unit to windows; built once per run."""

    def __init__(self, texts: Iterable[str], window: int = 2) -> None:
        self.size = window
        texts = list(texts)
        self.sentences = [s for t in texts for s in split_sentences(t)]
        sent_units = [units(s) for s in self.sentences]
        n = max(1, len(self.sentences) - window + 1) if self.sentences else 0
        self.windows: list[frozenset[str]] = [
            frozenset().union(*sent_units[i : i + window]) for i in range(n)
        ]
        postings: dict[str, list[int]] = {}
        for i, w in enumerate(self.windows):
            for u in w:
                postings.setdefault(u, []).append(i)
        # A unit in a fifth of the windows or more counts as found in every window, so a long source's
        # common words cost nothing per sentence.
        common = max(8, len(self.windows) // 5)
        self.everywhere = frozenset(u for u, p in postings.items() if len(p) >= common)
        self.postings = {u: p for u, p in postings.items() if u not in self.everywhere}
        self.figures_of: dict[int, set[float]] = {}
        self.all_units = frozenset(postings)
        self.clauses = ClauseIndex(s for t in texts for s in split_sentences(_unwrap(t)))

    def best(self, claim: Iterable[str]) -> int:
        """The window that holds most of `claim`'s rarer units (or the first holding a common one), -1
        when none holds any. Units in more than `VOTERS` windows do not vote: in a long source they
        would cost more than they tell."""
        counts: dict[int, int] = {}
        fallback: list[int] | None = None
        get = self.postings.get
        for u in claim:
            found = get(u)
            if found is None:
                continue
            if len(found) > VOTERS:
                if fallback is None or len(found) < len(fallback):
                    fallback = found
                continue
            for w in found:
                counts[w] = counts.get(w, 0) + 1
        if not counts:
            return fallback[0] if fallback else -1
        # A tie goes to the earlier window: the order of a set's items changes from one process to the
        # next, the decision must not.
        top = max(counts.values())
        return min(w for w, c in counts.items() if c == top)

    def window_text(self, window: int) -> list[str]:
        """The source sentences of a window (none for -1)."""
        return self.sentences[window : window + self.size] if window >= 0 else []

    def numbers(self, window: int) -> set[float]:
        found = self.figures_of.get(window)
        if found is None:
            found = self.figures_of[window] = figures_of(self.windows[window]) if window >= 0 else set()
        return found


# A line break inside a paragraph: the line does not end a sentence, the next is no list item,
# heading or blank line. A wrapped source ("…the gym floor at your home\nclub from 6 am to 10 pm") is
# one sentence to the clause index.
_WRAP = re.compile(r"(?<=[^\s.!?:;。！？；：])\n(?=[^\s\-*•#>\d])")


def _unwrap(text: str) -> str:
    return _WRAP.sub(" ", text)


# A duration of one ("暂停预约一周", "一个月", "for one week"): a figure as "两周" is, though numbers
# leave "one" out (it is far more often a pronoun or an article than a count).
_ONE_DURATION = re.compile(r"(?<![每第])一个?(周|星期|月|年|小时)|\bone (week|month|year|hour)s?\b", re.I)
_DURATION = {"周": "week", "星期": "week", "月": "month", "年": "year", "小时": "hour"}


def _one_durations(text: str) -> set[tuple[str, str]]:
    if "一" not in text and "one" not in text.lower():
        return set()
    return {("1", _DURATION.get(a, a) if a else b.lower()) for a, b in _ONE_DURATION.findall(text)}


class ClauseIndex:
    """The source cut into clauses (at , ; :), each with its units and its figures with their unit
    (`$25` -> 25 usd, `8 元` -> 8 cny), and an inverted index from unit to clauses: what a figure is said
    about is its clause, not the whole window."""

    def __init__(self, sentences: Iterable[str]) -> None:
        from synthpipe.stages.ground import extract_numbers  # ground builds on this module

        self._figures = extract_numbers
        self.units: list[frozenset[str]] = []
        self.figures: list[frozenset[tuple[str, str]]] = []
        self.sentence_of: list[int] = []
        self.sentence_units: list[frozenset[str]] = []
        self.sentence_clauses: list[range] = []
        # every unit (None: none written) the source gives each figure value: 5 -> {minute}
        self.value_units: dict[str, set[str | None]] = {}
        for n, sentence in enumerate(sentences):
            for value, unit, _ in extract_numbers(sentence):
                self.value_units.setdefault(value, set()).add(unit)
            for value, unit in _one_durations(sentence):
                self.value_units.setdefault(value, set()).add(unit)
            pieces = _CLAUSE.split(sentence)
            self.units += [units(c) for c in pieces]
            self.figures += [self._measured(c) for c in pieces]
            self.sentence_clauses.append(range(len(self.sentence_of), len(self.sentence_of) + len(pieces)))
            self.sentence_of += [n] * len(pieces)
            self.sentence_units.append(frozenset().union(*self.units[-len(pieces) :]))
        # the values only ever written with a unit: the only ones `mismeasured` can find
        self.unit_only = frozenset(v for v, held in self.value_units.items() if None not in held)
        self.postings: dict[str, list[int]] = {}
        for i, us in enumerate(self.units):
            for u in us:
                self.postings.setdefault(u, []).append(i)

    def _measured(self, text: str) -> frozenset[tuple[str, str]]:
        """(value, unit) of each figure in `text` that has a unit: an amount, a duration, a weight."""
        if not any(ch.isdigit() for ch in text) and not ZH_NUMERAL.search(text):
            return frozenset()
        found = {(v, unit) for v, unit, _ in self._figures(text) if unit}
        return frozenset(found.union(_one_durations(text)))

    def mismeasured(self, sentence: str, claim: frozenset[str]) -> set[str]:
        """The figures of `sentence` (whose units are `claim`) whose value the source states only in
        other units: "a 5 USD ride credit" where the source's 5 is "within 5 minutes". Such a figure is
        no quote; like one the source lacks, it must be worked out. A value the source also writes bare
        is not judged."""
        if claim.isdisjoint(self.unit_only) and not ("1" in self.unit_only and _one_durations(sentence)):
            return set()  # the common case, without reading the sentence's figures
        held = self.value_units
        return {v for v, unit in self._measured(sentence) if v in self.unit_only and unit not in held[v]}

    def _postings(self, unit: str) -> list[int]:
        found = self.postings.get(unit, [])
        return found if len(found) <= VOTERS else []  # too common to say which clause is meant

    def _scope(self, i: int, unit: str) -> frozenset[tuple[str, str]] | list[tuple[str, str]]:
        """The figures that source clause i says something about: its own, or, when it gives none of
        `unit`, those of its whole sentence: a thing is often named in one clause and given its figure in
        a later one (需要延期住宿的，可在…申请，每天收取住宿费20元)."""
        own = self.figures[i]
        if any(u == unit for _, u in own):
            return own
        return [f for j in self.sentence_clauses[self.sentence_of[i]] for f in self.figures[j]]

    def _worked_out(self, value: str, own: set[str], unit: str) -> bool:
        """`value` follows from another figure of the answer clause and one the source gives in this
        unit (3 小时 at 每小时45元 is 135元): a calculation that happens to equal a figure the source
        gives for something else (满135元可用) is no misbinding."""
        given = {float(v) for v in own if v != value}
        known = {float(v) for v, held in self.value_units.items() if unit in held and v != value}
        return bool(given and known) and derivable(value, given, known)

    def misbound(self, clause: str, exempt: Collection[str]) -> str | None:
        """A figure of `clause` (an answer clause) that the source gives for something else: the source
        clause sharing most of its words states another figure of the same unit, and every source
        sentence that holds this figure with this unit shares fewer ("late returns are charged $15 per
        started 30 minutes" where the source says $25, its $15 being an admin fee). Figures in `exempt`
        (the user's) and figures the source does not hold with that unit (a calculation, or an invented
        figure that the number rule judges) are not judged."""
        figures = [(v, unit) for v, unit in self._measured(clause) if v not in exempt]
        if not figures:
            return None
        words = [u for u in units(clause) if not is_number(u) and u != ME]
        overlap: dict[int, int] = {}
        for u in words:
            for i in self._postings(u):
                overlap[i] = overlap.get(i, 0) + 1
        top = max(overlap.values(), default=0)
        if top < 2:  # no source clause says the same thing
            return None
        best = [i for i, k in overlap.items() if k == top]
        own = {v for v, _ in self._measured(clause)}
        for value, unit in figures:
            rival = any(u == unit and v not in own for i in best for v, u in self._scope(i, unit))
            holders = [i for i in self._postings(value) if (value, unit) in self.figures[i]]
            if not rival or not holders:
                continue
            said = max(len(self.sentence_units[self.sentence_of[i]].intersection(words)) for i in holders)
            if said < top and not self._worked_out(value, own, unit):
                return value
        return None


@dataclass(slots=True)
class SentenceSupport:
    sentence: str
    support: float  # share of the content units found in the best window and the prompt; 1.0 if claimless
    claimless: bool = False
    missing: frozenset[str] = frozenset()
    numbers_missing: bool = False  # a number neither the window nor the prompt holds
    rescued: bool = False  # a second opinion (embedding similarity) found it supported
    units: int = 0  # content units
    anywhere: int = 0  # of those, found somewhere in the sources or the prompt (for a coverage score)
    unresolved: frozenset[str] = frozenset()  # the numbers behind `numbers_missing`

    def supported(self, min_support: float) -> bool:
        return self.claimless or self.rescued or (self.support >= min_support and not self.numbers_missing)


class PromptUnits:
    """The units of what the user wrote, worked out on first use (most supported sentences never need
    them), and the numbers in them."""

    __slots__ = ("texts", "_units", "figures_of")

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = texts
        self._units: frozenset[str] | None = None
        self.figures_of: set[float] | None = None

    def __bool__(self) -> bool:
        return bool(self.texts)

    @property
    def units(self) -> frozenset[str]:
        if self._units is None:
            self._units = frozenset().union(*map(units, self.texts))
        return self._units

    @property
    def numbers(self) -> set[float]:
        if self.figures_of is None:
            self.figures_of = figures_of(self.units)
        return self.figures_of


NO_PROMPT = PromptUnits(())
DERIVE_FROM = 0.3


@dataclass(slots=True)
class Chain:
    """What the supported sentences of one answer so far hold for the next one's calculations: the
    numbers they worked out (a step like the user's figures) and every number they stated (a known
    figure, as the source window's are: "0.15 USD per minute …" then "Twenty minutes … comes to 3.00
    USD"). A stated number is not a step: two quoted figures would make too many sums."""

    worked: set[float] = field(default_factory=set)
    stated: set[float] = field(default_factory=set)


# below this support a sentence stays unsupported: its numbers are not worked out


def answer_support(
    sentences: Iterable[str], index: SupportIndex, prompt: PromptUnits = NO_PROMPT, min_support: float = 0.6
) -> list[SentenceSupport]:
    """The support of each sentence of one answer, in order: the numbers of a supported sentence may be
    the first step of a calculation that a later sentence finishes ("a year is 1548 元 … with 10 % off
    you pay 1393.2 元")."""
    chain = Chain()
    out = []
    for s in sentences:
        found = sentence_support(s, index, prompt, min_support, chain)
        if not found.claimless and found.supported(min_support):
            stated = frozenset(u for u in units(s) if is_number(u))
            chain.stated |= figures_of(stated)
            # a step is only what it worked out: a number quoted from the source is no step
            worked = stated - index.all_units
            chain.worked |= figures_of(worked - prompt.units if prompt else worked)
        out.append(found)
    return out


def sentence_support(
    sentence: str,
    index: SupportIndex,
    prompt: PromptUnits = NO_PROMPT,
    min_support: float = 0.6,
    chain: Chain | None = None,
) -> SentenceSupport:
    """How well `index` (the sources) and `prompt` (what the user wrote) support `sentence`. A
    sentence short of `min_support` as a whole is supported when each of its clauses (cut at , ; :) is:
    one sentence may join facts from two passages ("one bag of 23 kg, so you pay 15 EUR per extra kg")."""
    chain = chain or Chain()
    found = _support(sentence, units(sentence), index, prompt, chain)
    if found.claimless:
        return found
    if found.supported(min_support):
        return _bind_figures(found, index, prompt)
    if _inferred(sentence, found.unresolved, index, prompt, min_support, chain):
        found.numbers_missing = False
        found.support = max(found.support, min_support)  # the premise's support; the rest is inference
        return _bind_figures(found, index, prompt)
    # Each of k clauses supported leaves the whole sentence at least about min_support / k, and most of
    # its units somewhere in the sources or the prompt.
    if found.support < min_support / 3 or found.anywhere < min_support * found.units:
        return found
    pieces = _CLAUSE.split(sentence)
    if len(pieces) < 2 or found.support * len(pieces) < min_support:
        return found
    parts = [units(p) for p in pieces]
    # A clause of two units is too short to be judged alone ("after three no-shows"). A bare number
    # ("which is $15", "合计 25 元") states no claim of its own, but its number must follow.
    if any(len(u) == 2 or (len(u) == 1 and not u.isdisjoint(found.unresolved)) for u in parts):
        return found
    clauses = [_support(p, u, index, prompt, chain) for p, u in zip(pieces, parts, strict=True)]
    claims = [c for c in clauses if not c.claimless]
    if len(claims) < 2 or not all(c.supported(min_support) for c in claims):
        return found
    found.support = min(c.support for c in claims)
    found.missing = frozenset().union(*(c.missing for c in claims))
    found.numbers_missing = False
    return _bind_figures(found, index, prompt)


def _bind_figures(found: SentenceSupport, index: SupportIndex, prompt: PromptUnits) -> SentenceSupport:
    """`found`, made unsupported when one of its clauses gives a source figure to the wrong thing (see
    ClauseIndex.misbound): a window holds the right words and the right figures, not their pairing."""
    if not any(ch.isdigit() for ch in found.sentence):
        return found
    exempt = prompt.units if prompt else frozenset()
    for piece in _CLAUSE.split(found.sentence):
        wrong = index.clauses.misbound(piece, exempt)
        if wrong is not None:
            found.numbers_missing = True
            found.unresolved = found.unresolved | {wrong}
            found.missing = found.missing | {wrong}
            break
    return found


def _inferred(
    sentence: str,
    unresolved: frozenset[str],
    index: SupportIndex,
    prompt: PromptUnits,
    min_support: float,
    chain: Chain,
) -> bool:
    """A supported premise and what the assistant draws from it in its own words ("Carried-over days
    expire on 31 March, so plan to use them in the first quarter", "周一闭馆，所以没法进馆还书"). The
    conclusion may add no figure the sources, the prompt or a calculation lack, and no talk of the
    speaker about itself; its words are not checked: a lexical test cannot follow an inference.
    `unresolved`: the whole sentence's unsupported figures."""
    for m in _SO.finditer(sentence):
        premise = sentence_support(sentence[: m.start()], index, prompt, min_support, chain)
        if premise.claimless or not premise.supported(min_support):
            continue
        rest = sentence[m.end() :]
        claim = units(rest)
        if ME in claim:
            return False
        if claim.isdisjoint(unresolved):
            # the whole sentence holds the conclusion's figures: its premise may hold the figure a
            # calculation starts from ("The first 72 hours are free, so you've gone 18 hours beyond that")
            return True
        after = _support(rest, claim, index, prompt, chain)
        return not after.claimless and not after.numbers_missing
    return False


# "so" and its Chinese equivalents joining a premise and a conclusion (not "so that", "so far").
_SO = re.compile(r",?\s+so\s+(?!that\b|far\b|much\b|many\b|long\b)|[，,]\s*(?:所以|因此|因而)")

# Clause ends: a comma, semicolon or colon (not one inside a number: 1,000 or 9:00).
_CLAUSE = re.compile(r"[,;:](?!\d)|[，；：、]")


def _support(
    sentence: str, claim: frozenset[str], index: SupportIndex, prompt: PromptUnits, chain: Chain
) -> SentenceSupport:
    if len(claim) < 2 or sentence.rstrip("\"'”’)） ").endswith(("?", "？")) or _silent(sentence):
        return SentenceSupport(sentence, 1.0, claimless=True)
    rest = claim - index.everywhere if index.everywhere else claim
    w = index.best(rest) if rest else -1
    missing = rest - index.windows[w] if w >= 0 else rest
    # a figure in a unit the source never gives its value is no quote
    missing |= index.clauses.mismeasured(sentence, claim)
    if missing and prompt:
        missing = (missing - prompt.units) | (missing & ME_SET)
    n = len(claim)
    support = (n - len(missing)) / n
    numbers = {u for u in missing if u[0] <= "9"}  # digits sort before letters, Han and "<"
    worked: set[str] = set()
    if numbers and support >= DERIVE_FROM:
        given = prompt.numbers | chain.worked if prompt else set(chain.worked)
        known = index.numbers(w) | given | chain.stated
        text = " ".join([sentence, *index.window_text(w), *prompt.texts]).lower()
        worked = _work_out(numbers, given, known, text, sentence.lower())
        if numbers - worked:
            worked |= _announced_results(
                sentence, numbers - worked, claim - missing, given | chain.stated, text
            )
        # a number worked out is supported as much as the figures it comes from
        support = (n - len(missing) + len(worked)) / n
    return SentenceSupport(
        sentence,
        support,
        missing=missing,
        numbers_missing=bool(numbers - worked),
        units=n,
        anywhere=n - len(missing - index.all_units) if missing else n,
        unresolved=frozenset(numbers - worked),
    )


# A sentence that says the source is silent on something ("The document doesn't say how to register",
# "须知里没有说明") states nothing about the world for the source to support.
_SILENT = re.compile(
    r"\b(?:document|policy|page|information|guide|notice|terms|faq|text|source|rules?)s?\b[^.!?]{0,40}?"
    r"\b(?:doesn't|does not|don't|do not|didn't|did not)\s+(?:say|mention|cover|specify|explain|state|list|give)"
    r"|\bnot\s+(?:mentioned|covered|specified|stated|explained)\s+in\b"
    r"|(?:没有|没|未|并未|并没有)(?:说明|提到|提及|写明|涉及|列出|具体说明|明确)",
    re.I,
).search


def _silent(sentence: str) -> bool:
    # every form holds a negation: most sentences skip the regex
    low = sentence.lower()
    if "not" not in low and "n't" not in low and "没" not in sentence and "未" not in sentence:
        return False
    return _SILENT(sentence) is not None


# Words that announce the result of a calculation ("…, so it's an extra $15", "…，合计 25 元").
_RESULT = re.compile(
    r"一共|总共|合计|共计|总计|算下来|加起来|也就是|所以|因此|相当于|折合|="
    r"|\b(?:total|altogether|comes? to|works? out|which is|that's|that is|so)\b",
    re.I,
)


def _announced_results(
    sentence: str, numbers: set[str], quoted: frozenset[str], before: set[float], text: str
) -> set[str]:
    """Those of `numbers` that a result word announces and that follow from figures the sentence quoted
    (from the sources or the prompt) before it, or the user or the answer gave before (`before`): "16 元
    … 另收 5 元，所以一天是 21 元", "Plus is $40 a month versus $25 for Basic, so it's an extra $15". Not
    from any other figure of the source window: "…up to 23 kg, so extra kilograms cost 25 EUR" must not
    pass as 23 + 2. Unannounced, a quoted figure is no step: "每周二、周四" does not follow from the
    source's 周一、周三."""
    m = _RESULT.search(sentence)
    if m is None:
        return set()
    after = numbers & units(sentence[m.end() :])
    if not after:
        return set()
    steps = figures_of(quoted & units(sentence[: m.start()])) or before
    return _work_out(after, before | steps, before | steps, text, sentence.lower()) if steps else set()


def _work_out(
    numbers: set[str], given: set[float], known: set[float], text: str, sentence: str = ""
) -> set[str]:
    """Those of `numbers` that follow from `given` and `known` (see `derivable`), each one worked out
    becoming a given figure for the next: a sentence may show its steps ("50 extra km at $0.30 each,
    which is $15")."""
    worked: set[str] = set()
    given, known = set(given), set(known)
    factors = named_factors(sentence) if sentence else ()
    progress = True
    while progress:
        progress = False
        for u in sorted(numbers - worked):
            if derivable(u, given, known, text, factors):
                worked.add(u)
                value = figures_of(frozenset([u]))
                given |= value
                known |= value
                progress = True
    return worked
