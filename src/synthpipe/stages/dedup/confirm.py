"""Confirmation of MinHash candidates: a near duplicate says the same thing, not only the same template.

FAQ data and LLM output reuse answer templates: "How long does onboarding take? … within 3 working days"
and "How long does payroll take? … within 5 working days" share most of their words, so their Jaccard
similarity passes any useful threshold, yet they state different facts. LSH proposes candidates (records
whose MinHash fingerprints agree on at least `min_agreement` positions); a candidate is a near duplicate
when its similarity reaches the threshold and neither veto applies:

- similarity: Jaccard of the two records' words (Chinese/Japanese: characters), with every number
  replaced by one placeholder, since numbers are compared by value below. Words rather than longer
  n-grams, and characters rather than character pairs, so that a light rewording ("usually" ->
  "normally", 联系 -> 咨询) costs one or two units and not three to six shingles (character pairs were
  used until 2026-12-06: a 2-character swap in a 30-character answer left too little, bench/dedup.md).
  A function word that only one record has ("how much" -> "what", 吗 -> 呢) costs half a word: it
  rewords, it does not state another fact. Shared function words count in full, since in short texts
  they are much of what two rewordings share; negations ("not", "no") are not function words here.
- numbers: each record states a number the other does not (3 vs 5 days, 20 vs 25 %, 2024-01-05 vs
  2024-01-06, "1,200" vs "1,500"). Digits, Chinese numerals (三, 二十四) and English number words count by
  value, so "3", "３", "三" and "three" are one number; a number only one side has (an inserted "one")
  is wording, not a changed fact.
- subject: the slot that a template fills. The prompt (question, user turns) and the answer are compared
  separately: a subject shows itself as content words (not function words: a subject is a noun, a name)
  that changed in the prompt *and* changed the same way in the answer, on both sides ("onboarding" ->
  "payroll" in both). A light rewording changes the prompt or the answer, or different words in each;
  one that swaps the same content word in both ("use" -> "take" in question and answer) looks like a
  subject and is kept, which costs some recall. A record without both parts (a classify text) has no
  subject test; its numbers still count.
- question: the prompts differ by more than a light rewording: each has two or more content words
  (Chinese: three or more characters, particles and question words aside) that the other lacks; "Who
  do I speak to …" / "Who should I talk to …" differ by one ("speak" / "talk"). Templates often give
  many subjects one answer ("Can I get a refund for course enrolments?" / "… for certificate
  reissues?" -> "Yes, within 30 days of purchase"): the subject is then in the question only, and the
  two are different questions. A rewording that replaces a phrase ("get in touch" -> "contact us") is
  kept too: the price in recall of not merging two questions that may differ. Embedding dedup
  (`methods: [embedding]`) does not apply this veto: it exists to merge questions worded differently.

Both rules look at the pair only (the function words are a fixed list), not at corpus statistics, so the
batch path (`dedup_records`) and the incremental `Deduper` make the same decisions whatever the batches.
Exact duplicates (equal normal forms) are decided before this and stay duplicates. bench/dedup.md has the
measurements behind the choice, including a rarity-weighted (IDF) similarity that was tried and lost
recall.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from synthpipe.lang import EN_FUNCTION_WORDS, EN_NUMBER_WORDS, EN_TENS
from synthpipe.stages.dedup.normalize import normalize
from synthpipe.stages.dedup.shingles import is_cjk

if TYPE_CHECKING:
    from synthpipe.core.records import Record

NUMBERS, SUBJECT, QUESTION = "numbers", "subject", "question"
# A light rewording of a prompt swaps or inserts one word (en) or one two-character word (zh); more
# words than this on each side is another question, even when the answer is the same ("Can I get a
# refund for course enrolments?" / "… for certificate reissues?" -> "Yes, within 30 days").
_QUESTION_WORDS, _QUESTION_CHARS = 2, 3
# Function words, and Chinese particles and question words: changing them rewords a text. Not negations.
FUNCTION_WORDS = (EN_FUNCTION_WORDS - {"no", "nor", "not"}) | frozenset("的了吗呢吧啊呀么什怎哪谁")
_FUNCTION_COST = 0.5  # of a word only one record has

_ZH_DIGIT = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_UNIT = {"十": 10, "百": 100, "千": 1000}
_ZH_BIG = {"万": 10_000, "亿": 100_000_000}
_EN_VALUE = {w: i for i, w in enumerate(EN_NUMBER_WORDS)} | {w: 20 + 10 * i for i, w in enumerate(EN_TENS)}
NUMBER_WORDS = frozenset(_EN_VALUE)
_DIGITS = re.compile(r"\d+(?:(?:,\d{3})+(?!\d))?(?:\.\d+)?")  # 3, 1,200, 1,200.50, 3.5
_NUMBER = re.compile(_DIGITS.pattern + "|[零〇一二两三四五六七八九十百千万亿]+")


def zh_value(run: str) -> str:
    """The value of a run of Chinese numerals: 三 3, 十二 12, 二十四 24, 七百五十 750, 一千零五 1005;
    a run of digits only (二〇二四) reads digit by digit, as years are written."""
    if all(c in _ZH_DIGIT for c in run):
        return "".join(str(_ZH_DIGIT[c]) for c in run).lstrip("0") or "0"
    total = section = digit = 0
    for c in run:
        if c in _ZH_DIGIT:
            digit = _ZH_DIGIT[c]
        elif c in _ZH_UNIT:
            section += (digit or 1) * _ZH_UNIT[c]
            digit = 0
        else:
            total += ((section + digit) or 1) * _ZH_BIG[c]
            section = digit = 0
    return str(total + section + digit)


def _canonical(token: str) -> str:
    """A number's value as text: "1,200" -> "1200", "3.50" -> "3.5", "007" -> "7", "二十四" -> "24"."""
    if not token[0].isdigit():
        return zh_value(token)
    whole, _, frac = token.replace(",", "").partition(".")
    whole, frac = whole.lstrip("0") or "0", frac.rstrip("0")
    return f"{whole}.{frac}" if frac else whole


def sequence(text: str, found: list[str] | None = None) -> tuple[list[str], bool]:
    """(tokens in order, is Chinese/Japanese): words, or characters, with each number masked as "0";
    the numbers' values are appended to `found` when it is given."""
    text = text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()
    pattern = _DIGITS if text.isascii() else _NUMBER
    if found is not None:
        found.extend(map(_canonical, pattern.findall(text)))
    norm = normalize(pattern.sub(" 0 ", text))
    if is_cjk(norm):
        return list(norm.replace(" ", "")), True
    words = norm.split()
    if _EN_VALUE.keys().isdisjoint(words):
        return words, False
    tens = False  # the word before was "twenty"…"ninety": "twenty one" is 21
    for i, w in enumerate(words):
        value = _EN_VALUE.get(w)
        if value is None:
            tens = False
            continue
        words[i] = "0"
        if tens and 0 < value < 10:
            if found is not None:
                found[-1] = str(int(found[-1]) + value)
            tens = False
        else:
            if found is not None:
                found.append(str(value))
            tens = value >= 20
    return words, False


def _scan(text: str, found: list[str]) -> frozenset[str]:
    """The token set of one text (words, or characters for Chinese/Japanese)."""
    return frozenset(sequence(text, found)[0])


def numbers(text: str) -> Counter[str]:
    """The numbers a text states, by value ("1,200" and "1200" alike; 三 and three are 3), with counts."""
    found: list[str] = []
    _scan(text, found)
    return Counter(found)


def tokens(text: str) -> frozenset[str]:
    """Words, or characters for Chinese/Japanese text, with numbers masked."""
    return _scan(text, [])


@dataclass(slots=True, frozen=True)
class Features:
    """What the confirmation compares: the numbers, and the token sets of the prompt (content words
    only), the answer and both (the prompt may be empty: a classify text is all answer)."""

    numbers: Counter[str]
    prompt: frozenset[str]
    answer: frozenset[str]
    words: frozenset[str]
    function_words: frozenset[str]  # those of `words`
    replaced: int  # how many prompt tokens on each side make another question (words or characters)


def features(prompt: str, answer: str) -> Features:
    found: list[str] = []
    p, a = _scan(prompt, found), _scan(answer, found)
    replaced = _QUESTION_CHARS if is_cjk(prompt) else _QUESTION_WORDS
    words = p | a
    return Features(Counter(found), p - FUNCTION_WORDS, a, words, words & FUNCTION_WORDS, replaced)


def split_parts(rec: Any, keys: Sequence[str], prompt_keys: Sequence[str]) -> tuple[str, str]:
    """(prompt, answer) text of a record: the dedup fields that are prompt fields of the task, and the
    rest; in a conversation, user and system turns are the prompt and assistant turns the answer."""
    prompt: list[str] = []
    answer: list[str] = []
    for key in keys:
        value = rec.fields.get(key)
        if isinstance(value, str):
            (prompt if key in prompt_keys and len(keys) > 1 else answer).append(value)
        elif isinstance(value, list):
            for m in value:
                if isinstance(m, dict):
                    role = m.get("role")
                    (prompt if role in ("user", "system") else answer).append(str(m.get("content", "")))
    return "\n".join(p for p in prompt if p), "\n".join(a for a in answer if a)


def similarity(a: Features, b: Features) -> float:
    """Jaccard similarity of the two records' words (numbers masked); a function word only one of
    them has counts `_FUNCTION_COST`."""
    inter = len(a.words & b.words)
    only_function = len(a.function_words ^ b.function_words)
    union = len(a.words) + len(b.words) - inter - (1 - _FUNCTION_COST) * only_function
    return inter / union if union else 0.0


def veto(a: Features, b: Features, questions: bool = True) -> str | None:
    """Why two similar records are not duplicates (NUMBERS, SUBJECT or QUESTION), or None. A semantic
    (embedding) match passes `questions=False`: merging questions worded differently is what it is for."""
    if a.numbers != b.numbers and (a.numbers - b.numbers) and (b.numbers - a.numbers):  # as multisets
        return NUMBERS
    # another question: each prompt has a phrase the other lacks, not one swapped word
    if questions and a.prompt and b.prompt:
        need = max(a.replaced, b.replaced)
        if len(a.prompt - b.prompt) >= need and len(b.prompt - a.prompt) >= need:
            return QUESTION
    # a subject: what changed in the prompt changed the same way in the answer, on both sides
    both_parts = a.prompt and b.prompt and a.answer and b.answer
    if (
        both_parts
        and (a.prompt - b.prompt) & (a.answer - b.answer)
        and (b.prompt - a.prompt) & (b.answer - a.answer)
    ):
        return SUBJECT
    return None


def family(rec: Record) -> str:
    """A record and the records derived from it (paraphrases, back-translations…) form one family: their
    answers are alike on purpose, so a near or semantic match inside a family is not a duplicate (the
    augment_check stage judges copies within a family, `augment_copy`). Exact copies still are."""
    return rec.meta.parent_id or rec.id
