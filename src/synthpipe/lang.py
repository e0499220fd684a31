"""Language guessing (zh / en / other) and text normalisation, with no dependencies.

The guess asks which language supplies the *grammar* of a text, not which script has the most
characters: a Chinese answer full of product names, acronyms, numbers and code is still Chinese, and
an English answer quoting a Chinese dish name is still English. Han characters count as Chinese
evidence; English evidence is capped by the number of English function words, so a bare list of terms
(`pip install numpy pandas`) gives none. Code, URLs and e-mail addresses are removed first. When the
evidence is thin or split, the answer is "unknown", and callers must never reject on "unknown".
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

ZH, EN, OTHER, UNKNOWN = "zh", "en", "other", "unknown"

# Evidence is measured in rough "words"; a Chinese word averages about 1.5 Han characters.
# English number words, for the checks that read "three" as 3 (dedup confirmation, sentence support).
EN_NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]  # 0-19
EN_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]  # 20, 30 … 90

_EN_UNIT_VALUES = {w: i for i, w in enumerate(EN_NUMBER_WORDS)}
_EN_TEN_VALUES = {w: 20 + 10 * i for i, w in enumerate(EN_TENS)}
_EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_NUMBER_TOKEN = re.compile(r"[a-z]+|\d+(?:\.\d+)?")


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def en_compound_numbers(text: str) -> tuple[set[str], set[str]]:
    """English numbers written in several words ("five hundred", "twenty-five", "one and a half",
    "2 thousand"): (their values, the values of the single words they are made of), as canonical
    strings ("500", "25", "1.5"). A checker that reads one word at a time finds "5" and "100" in "five
    hundred"; it can put 500 in their place."""
    toks = _NUMBER_TOKEN.findall(text.lower().replace("-", " "))
    values: set[str] = set()
    parts: set[str] = set()
    i = 0
    while i < len(toks):
        total, current, used, j = 0.0, None, [], i
        while j < len(toks):
            t = toks[j]
            if t in _EN_UNIT_VALUES or t in _EN_TEN_VALUES:
                v = _EN_UNIT_VALUES.get(t, _EN_TEN_VALUES.get(t, 0))
                if current is not None and current % 100 != 0 and v >= 10 and t not in _EN_TEN_VALUES:
                    break  # "five six": two numbers, not one
                current = (current or 0) + v
                used.append(v)
            elif (
                t[0].isdigit()
                and current is None
                and j == i
                and j + 1 < len(toks)
                and toks[j + 1] in _EN_SCALES
            ):
                current = float(t)
                used.append(current)
            elif t == "a" and current is None and j + 1 < len(toks) and toks[j + 1] in _EN_SCALES:
                current = 1
            elif t in _EN_SCALES and current is not None:
                used.append(_EN_SCALES[t])
                if _EN_SCALES[t] >= 1000:
                    total += current * _EN_SCALES[t]
                    current = 0
                else:
                    current *= _EN_SCALES[t]
            elif t == "and" and current is not None and toks[j + 1 : j + 3] == ["a", "half"]:
                current += 0.5
                used.append(0.5)
                j += 3
                break
            elif (
                t == "and"
                and toks[j - 1] in _EN_SCALES
                and j + 1 < len(toks)
                and (toks[j + 1] in _EN_UNIT_VALUES or toks[j + 1] in _EN_TEN_VALUES)
            ):
                pass  # "five hundred and twenty"
            else:
                break
            j += 1
        if len(used) > 1:
            values.add(_fmt(total + (current or 0)))
            parts.update(_fmt(v) for v in used)
        i = max(j, i + 1)
    return values, parts


_HAN_PER_WORD = 1.5
_MIN_EVIDENCE = 2.0  # below this many words of evidence the text is too short to judge
_MARGIN = 2.0  # the winner must have this many times the runner-up's evidence

_CODE_FENCE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)", re.S)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.I)
_WEB = re.compile(r"(?:https?://|www\.)\S+", re.I)
_HAN_CHARS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
_KANA_CHARS = r"\u3040-\u309f\u30a0-\u30ff"
_HANGUL_CHARS = r"\uac00-\ud7af\u1100-\u11ff"
# Cyrillic, Greek, Arabic, Hebrew, Devanagari, Thai and similar alphabetic scripts.
_OTHER_CHARS = r"\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u0900-\u097f\u0e00-\u0e7f"
_HAN = re.compile(f"[{_HAN_CHARS}]")
# Counting runs rather than single characters makes far fewer match objects.
_HAN_RUN = re.compile(f"[{_HAN_CHARS}]+")
_KANA_RUN = re.compile(f"[{_KANA_CHARS}]+")
_HANGUL_RUN = re.compile(f"[{_HANGUL_CHARS}]+")
_OTHER_SCRIPT_RUN = re.compile(f"[{_OTHER_CHARS}]+")
_EXOTIC = re.compile(f"[{_KANA_CHARS}{_HANGUL_CHARS}{_OTHER_CHARS}]")
_EXOTIC_OR_LATIN1 = re.compile(f"[{_KANA_CHARS}{_HANGUL_CHARS}{_OTHER_CHARS}À-ÖØ-öø-ÿ’]")
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+(?:['’][A-Za-z]+)?")
_LATIN1_LETTER = re.compile(r"[À-ÖØ-öø-ÿ’]")  # without these, _LATIN_WORD matches ASCII letters only


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


EN_FUNCTION_WORDS = _words(
    """a an the is are was were be been being am of to in on at by for with from into onto about as and
    or but if then than so because while although though not no nor it its this that these those there
    here you your yours we our us i me my he him his she her they them their what which who whom whose
    how when where why can could will would shall should may might must do does did done have has had
    having all any some each every more most other such only also just very too up down out over under
    again once after before during until between through both few many much own same than let let's
    i'm you're it's don't doesn't didn't can't won't isn't aren't wasn't there's that's we're they're
    i've you've we'll you'll i'll"""
)

# Frequent function words of French, Spanish, German, Italian and Portuguese that are not English
# words; a Latin-script text whose glue comes from here is "other", not English.
FOREIGN_FUNCTION_WORDS = _words(
    """le la les des du est et une pour dans avec sur sont pas qui que ce cette nous vous il elle ils
    au aux mais très été être sera el los las es y del una por para se su sus al como más pero está
    muy también der das und ist nicht ein eine mit zu den von sich auf für ich sie wir auch werden wird
    sind oder aber im dem di che è della sono gli nel não uma são também você"""
)
_FOREIGN_ONLY = FOREIGN_FUNCTION_WORDS - EN_FUNCTION_WORDS  # a word in both counts as English


@dataclass(slots=True, frozen=True)
class LangGuess:
    """The guess plus the evidence behind it, in approximate words per language."""

    lang: str
    zh: float
    en: float
    other: float


def strip_code(text: str) -> str:
    """Remove fenced and inline code, URLs and e-mail addresses: they say nothing about prose language."""
    # Each substitution runs only when its pattern could match: most texts have none of these, and the
    # e-mail branch of _URL is slow to rule out position by position. One-character tests come first,
    # being the fastest, above all in text that is not ASCII.
    if "`" in text:
        if "```" in text or ("~" in text and "~~~" in text):
            text = _strip_fences(text)
        text = _INLINE_CODE.sub(" ", text)
    elif "~" in text and "~~~" in text:
        text = _strip_fences(text)
    if "@" in text:
        return _URL.sub(" ", text)
    if (":" in text and "://" in text) or (("w" in text or "W" in text) and "www." in text.lower()):
        return _WEB.sub(" ", text)  # _URL without its e-mail branch, which needs an "@"; (?i)www\. is all
    return text


def _strip_fences(text: str) -> str:
    """`_CODE_FENCE.sub(" ", text)` with str.find: from the leftmost ``` or ~~~ to the next same fence or
    the end of the text, each fenced block becomes a space. (The regex tries its lazy end at every
    character of the block, which is slow on long code.)"""
    out, pos = [], 0
    while True:
        ticks, tildes = text.find("```", pos), text.find("~~~", pos)
        start = ticks if tildes < 0 or 0 <= ticks < tildes else tildes
        if start < 0:
            break
        end = text.find(text[start : start + 3], start + 3)
        out += (text[pos:start], " ")
        pos = len(text) if end < 0 else end + 3
    out.append(text[pos:])
    return "".join(out)


def cjk_ratio(text: str) -> float:
    """Share of Han characters among all letters and Han characters (0.0 for a text with neither)."""
    han = len(_HAN.findall(text))
    letters = sum(1 for ch in text if ch.isalpha())
    return han / letters if letters else 0.0


class Evidence(NamedTuple):
    """Raw counts behind a language guess. Counts of two texts joined by a newline are the sum of the
    counts of each, as long as neither holds a code fence (a fence left open runs on into the next)."""

    han: int = 0
    kana: int = 0
    hangul: int = 0
    other_script: int = 0
    plain: int = 0  # Latin-script words that are not acronyms
    en_glue: int = 0
    foreign_glue: int = 0

    def __add__(self, other: object) -> Evidence:  # type: ignore[override]
        if not isinstance(other, Evidence):
            return NotImplemented
        return Evidence._make(map(operator.add, self, other))


def evidence(text: str) -> Evidence:
    """Count the language evidence in `text` once code, URLs and e-mail addresses are removed."""
    return prose_evidence(strip_code(text))


def prose_evidence(prose: str) -> Evidence:
    """`evidence` of a text that has been through `strip_code` already."""
    if prose.isascii():
        return _ascii_evidence(prose)
    han = _han_count(prose)
    if not _EXOTIC_OR_LATIN1.search(prose):
        # No kana, Hangul or other scripts, and only ASCII letters can make words, every other character
        # parting them as a space would.
        return Evidence(han, 0, 0, 0, *_ascii_words(prose.encode("ascii", "replace")))
    kana = hangul = other_script = 0
    if _EXOTIC.search(prose):
        kana = sum(map(len, _KANA_RUN.findall(prose)))
        hangul = sum(map(len, _HANGUL_RUN.findall(prose)))
        other_script = sum(map(len, _OTHER_SCRIPT_RUN.findall(prose)))
    if not _LATIN1_LETTER.search(prose):
        plain, en_glue, foreign_glue = _ascii_words(prose.encode("ascii", "replace"))
        return Evidence(han, kana, hangul, other_script, plain, en_glue, foreign_glue)
    words = _LATIN_WORD.findall(prose)
    plain = en_glue = foreign_glue = 0
    if words:
        # Lower-casing is per character in this script range, so one call for all words is the same as
        # one per word; acronyms (API, CSV, MIT) belong to no language and are taken out afterwards.
        lows = " ".join(words).lower().replace("’", "'").split()
        plain = len(words)
        en_glue = sum(map(EN_FUNCTION_WORDS.__contains__, lows))
        foreign_glue = sum(map(_FOREIGN_ONLY.__contains__, lows))
        for word in filter(str.isupper, words):
            if len(word) > 1:
                low = word.lower().replace("’", "'")
                plain -= 1
                en_glue -= low in EN_FUNCTION_WORDS
                foreign_glue -= low in _FOREIGN_ONLY
    return Evidence(han, kana, hangul, other_script, plain, en_glue, foreign_glue)


# Han characters by the high byte of their UTF-16 code unit: 0x34-0x4C, 0x4E-0x9F and 0xF9-0xFA hold Han
# characters only. 0x4D is only partly Han and 0xD8-0xDF are surrogates (characters beyond the BMP, which
# _HAN also counts in part): texts with those are counted by the regex.
_NOT_HAN_HIGH = bytes(
    b for b in range(256) if not (0x34 <= b <= 0x4C or 0x4E <= b <= 0x9F or b in (0xF9, 0xFA))
)
_NOT_MIXED_HIGH = bytes(b for b in range(256) if not (b == 0x4D or 0xD8 <= b <= 0xDF))


def _han_count(prose: str) -> int:
    """len(_HAN.findall(prose)), counted with byte operations, which are far cheaper than a regex on
    text that is not ASCII."""
    high = prose.encode("utf-16-le", "surrogatepass")[1::2]
    if high.translate(None, _NOT_MIXED_HIGH):
        return sum(map(len, _HAN_RUN.findall(prose)))
    return len(high.translate(None, _NOT_HAN_HIGH))


# For ASCII text: letters and apostrophes kept, everything else a space. Splitting on spaces then gives the
# runs _LATIN_WORD searches within; a run is one whole word unless it holds an apostrophe that is not
# between two letters, or two apostrophes (_ODD_APOSTROPHE), where the regex has to split it.
_ASCII_RUNS = bytes(c if chr(c).isalpha() or c == ord("'") else ord(" ") for c in range(128)) + bytes(128)
_LATIN_WORD_ASCII = re.compile(rb"[A-Za-z]+(?:'[A-Za-z]+)?")
_ODD_APOSTROPHE = re.compile(rb"(?<![A-Za-z])'|'(?![A-Za-z])|'[A-Za-z]+'")
# Upper-case letters as "A", apostrophes kept, all else a space: an all-capitals word of two or more
# letters then shows as "AA" or "A'A".
_CAPITALS = bytes(
    ord("A") if chr(c).isupper() else c if c == ord("'") else ord(" ") for c in range(128)
) + bytes(128)
# One pass counts both kinds of glue word: English ones add 1, foreign ones 1 << 32.
_GLUE_WEIGHT = {w.encode(): 1 for w in EN_FUNCTION_WORDS} | {w.encode(): 1 << 32 for w in _FOREIGN_ONLY}


def _ascii_evidence(prose: str) -> Evidence:
    """`evidence` for ASCII prose: no Han, kana or other scripts."""
    return Evidence(0, 0, 0, 0, *_ascii_words(prose.encode("ascii")))


def _ascii_words(raw: bytes) -> tuple[int, int, int]:
    """(plain words, English glue words, foreign glue words) of ASCII text, worked on as bytes."""
    # (bytes `in` with a bytes operand first tries it as an int and fails, which is slow: hence find)
    regex = raw.find(b"'") >= 0 and _ODD_APOSTROPHE.search(raw) is not None
    low = raw.lower()  # the same words, at the same places, in lower case
    lows = _LATIN_WORD_ASCII.findall(low) if regex else low.translate(_ASCII_RUNS).split()
    if not lows:
        return 0, 0, 0
    plain = len(lows)
    glue = sum(map(_GLUE_WEIGHT.get, lows, itertools.repeat(0)))
    en_glue, foreign_glue = glue & 0xFFFFFFFF, glue >> 32
    capitals = raw.translate(_CAPITALS)
    if capitals.find(b"AA") >= 0 or capitals.find(b"A'A") >= 0:
        words = _LATIN_WORD_ASCII.findall(raw) if regex else raw.translate(_ASCII_RUNS).split()
        for word in filter(bytes.isupper, words):
            if len(word) > 1:  # acronyms (API, CSV, MIT) belong to no language
                weight = _GLUE_WEIGHT.get(word.lower(), 0)
                plain -= 1
                en_glue -= weight & 0xFFFFFFFF
                foreign_glue -= weight >> 32
    return plain, en_glue, foreign_glue


def _scores(ev: Evidence) -> tuple[float, float, float]:
    """Evidence for zh, en and other, in words."""
    han, kana, hangul, other_script, plain, en_glue, foreign_glue = ev
    zh = han / _HAN_PER_WORD
    other = (kana + hangul) / _HAN_PER_WORD + other_script / 5
    if kana >= 2 and kana >= 0.15 * (han + kana):
        # Japanese writes with Han characters too; with enough kana they are Japanese evidence.
        other += zh
        zh = 0.0
    # Function words make up roughly 40% of running prose; a text's share of the Latin words is capped by
    # 2.5x its glue words, so term lists without glue count for nothing.
    if en_glue >= foreign_glue:
        en = min(plain, 2.5 * en_glue)
    else:
        en = 0.0
        other += min(plain, 2.5 * foreign_glue)
    return zh, en, other


def language_of(ev: Evidence) -> str:
    """The verdict on `ev`: the best-supported language (ties go to zh, then en), or "unknown" when it
    has too little evidence or too small a margin over the runner-up."""
    zh, en, other = _scores(ev)
    if zh >= en and zh >= other:
        best, score, runner_up = ZH, zh, max(en, other)
    elif en >= other:
        best, score, runner_up = EN, en, max(zh, other)
    else:
        best, score, runner_up = OTHER, other, max(zh, en)
    if score < _MIN_EVIDENCE or score < _MARGIN * runner_up:
        return UNKNOWN
    return best


def guess_from_evidence(ev: Evidence) -> LangGuess:
    """Weigh the evidence for zh, en and other languages (see the module docstring)."""
    zh, en, other = _scores(ev)
    return LangGuess(language_of(ev), round(zh, 2), round(en, 2), round(other, 2))


def guess_language(text: str) -> LangGuess:
    """Weigh the evidence for zh, en and other languages in `text` (see the module docstring)."""
    return guess_from_evidence(evidence(text))


def detect_language(text: str) -> str:
    """ "zh", "en", "other" or "unknown" (too short, or evidence split between languages)."""
    return language_of(evidence(text))


_NOT_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), case-folded, curly quotes made straight, whitespace collapsed."""
    if text.isascii():  # NFKC leaves ASCII alone, casefold is lower, and there are no curly quotes
        return " ".join(text.lower().split())
    text = _nfkc(text).casefold()
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split())


# Full-width ASCII and the ideographic space: the only characters that keep most Chinese text from being
# NFKC already. Each stands for one ASCII character, so mapping them first leaves NFKC's result unchanged.
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]+")
_COMMON_FULL_WIDTH = tuple((ch, unicodedata.normalize("NFKC", ch)) for ch in "：？！（）；\u3000")


def _half_width(m: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", m.group(0))


def _nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), skipping its slow full pass where it would change nothing
    but full-width characters."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    half = text.replace("，", ",")  # by far the commonest
    if half is not text and unicodedata.is_normalized("NFKC", half):
        return half
    for full, ascii_ in _COMMON_FULL_WIDTH:
        half = half.replace(full, ascii_)
    if unicodedata.is_normalized("NFKC", half):
        return half
    half = _FULL_WIDTH.sub(_half_width, half)
    if unicodedata.is_normalized("NFKC", half):
        return half
    return unicodedata.normalize("NFKC", text)


def compact(text: str) -> str:
    """`normalize` with every space, punctuation mark, symbol and emoji removed: for "is this the same text"."""
    return compact_normalized(normalize(text))


# The commonest non-word characters of normalize()d text, removed with str.replace before the regex:
# removing some of them first does not change what is left, and most texts then need no regex at all.
_COMMON_PUNCT = (",", ".", "'", '"', "?", "!", ":", ";", "-", "(", ")", "/", "。", "、", "《", "》")


# In ASCII, [\W_] is exactly "not a letter or digit". (Every ASCII code has an entry: a missing one costs
# str.translate a KeyError for each distinct character.)
_ASCII_NON_WORD = {c: c if chr(c).isalnum() else None for c in range(128)}


def compact_normalized(norm: str) -> str:
    """`compact` of a text that is already `normalize`d."""
    if norm.isascii():
        return norm.translate(_ASCII_NON_WORD)
    s = norm.replace(" ", "")
    if s.isalnum():  # isalnum is exactly "no character in [\W_]"
        return s
    for ch in _COMMON_PUNCT:
        if ch in s:
            s = s.replace(ch, "")
    return s if s.isalnum() else _NOT_WORD.sub("", s)


def is_blank(text: str) -> bool:
    """True for text with nothing visible: whitespace and zero-width/format characters only."""
    if not text or text.isspace():
        return True
    if text.isascii():  # no ASCII character is a format character
        return False
    first = text[0]
    if not first.isspace() and unicodedata.category(first) != "Cf":
        return False
    return all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in text)


def visible_len(text: str) -> int:
    """Length without surrounding whitespace and without zero-width/format characters."""
    text = text.strip()
    if text.isascii() or text.isprintable():  # a format character is never printable
        return len(text)
    return len(text) - sum(1 for ch in _format_suspects().findall(text) if unicodedata.category(ch) == "Cf")


@functools.cache
def _format_suspects() -> re.Pattern[str]:
    """Every character that may be a format (Cf) character: the BMP ones of this Python's Unicode tables,
    listed once on first use (~10 ms), and everything beyond the BMP, which the caller checks one by one."""
    bmp = "".join(chr(c) for c in range(0x80, 0x10000) if unicodedata.category(chr(c)) == "Cf")
    return re.compile(f"[{re.escape(bmp)}\\U00010000-\\U0010ffff]")


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None
