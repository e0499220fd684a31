"""Language guessing (zh / en / other) and text normalisation, with no dependencies.

The guess asks which language supplies the *grammar* of a text, not which script has the most
characters: a Chinese answer full of product names, acronyms, numbers and code is still Chinese, and
an English answer quoting a Chinese dish name is still English. Han characters count as Chinese
evidence; English evidence is capped by the number of English function words, so a bare list of terms
(`pip install numpy pandas`) gives none. Code, URLs and e-mail addresses are removed first. When the
evidence is thin or split, the answer is "unknown", and callers must never reject on "unknown".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

ZH, EN, OTHER, UNKNOWN = "zh", "en", "other", "unknown"

# Evidence is measured in rough "words"; a Chinese word averages about 1.5 Han characters.
_HAN_PER_WORD = 1.5
_MIN_EVIDENCE = 2.0  # below this many words of evidence the text is too short to judge
_MARGIN = 2.0  # the winner must have this many times the runner-up's evidence

_CODE_FENCE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)", re.S)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.I)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")
_KANA = re.compile(r"[\u3040-\u309f\u30a0-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
# Cyrillic, Greek, Arabic, Hebrew, Devanagari, Thai and similar alphabetic scripts.
_OTHER_SCRIPT = re.compile(
    r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u0900-\u097f\u0e00-\u0e7f]"
)
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+(?:['’][A-Za-z]+)?")


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


@dataclass(slots=True, frozen=True)
class LangGuess:
    """The guess plus the evidence behind it, in approximate words per language."""

    lang: str
    zh: float
    en: float
    other: float


def strip_code(text: str) -> str:
    """Remove fenced and inline code, URLs and e-mail addresses: they say nothing about prose language."""
    text = _CODE_FENCE.sub(" ", text)
    text = _INLINE_CODE.sub(" ", text)
    return _URL.sub(" ", text)


def cjk_ratio(text: str) -> float:
    """Share of Han characters among all letters and Han characters (0.0 for a text with neither)."""
    han = len(_HAN.findall(text))
    letters = sum(1 for ch in text if ch.isalpha())
    return han / letters if letters else 0.0


def guess_language(text: str) -> LangGuess:
    """Weigh the evidence for zh, en and other languages in `text` (see the module docstring)."""
    prose = strip_code(text)
    han = len(_HAN.findall(prose))
    kana = len(_KANA.findall(prose))
    hangul = len(_HANGUL.findall(prose))
    zh = han / _HAN_PER_WORD
    other = (kana + hangul) / _HAN_PER_WORD + len(_OTHER_SCRIPT.findall(prose)) / 5
    if kana >= 2 and kana >= 0.15 * (han + kana):
        # Japanese writes with Han characters too; with enough kana they are Japanese evidence.
        other += zh
        zh = 0.0
    en_glue = foreign_glue = plain = 0
    for word in _LATIN_WORD.findall(prose):
        if len(word) > 1 and word.isupper():
            continue  # acronyms and product codes (API, CSV, MIT) belong to no language
        plain += 1
        low = word.lower().replace("’", "'")
        if low in EN_FUNCTION_WORDS:
            en_glue += 1
        elif low in FOREIGN_FUNCTION_WORDS:
            foreign_glue += 1
    # Function words make up roughly 40% of running prose; a text's share of the Latin words is capped by
    # 2.5x its glue words, so term lists without glue count for nothing.
    if en_glue >= foreign_glue:
        en = min(plain, 2.5 * en_glue)
    else:
        en = 0.0
        other += min(plain, 2.5 * foreign_glue)
    scores = {ZH: zh, EN: en, OTHER: other}
    best = max(scores, key=lambda k: scores[k])
    runner_up = max(v for k, v in scores.items() if k != best)
    if scores[best] < _MIN_EVIDENCE or scores[best] < _MARGIN * runner_up:
        best = UNKNOWN
    return LangGuess(best, round(zh, 2), round(en, 2), round(other, 2))


def detect_language(text: str) -> str:
    """ "zh", "en", "other" or "unknown" (too short, or evidence split between languages)."""
    return guess_language(text).lang


_NOT_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), case-folded, curly quotes made straight, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split())


def compact(text: str) -> str:
    """`normalize` with every space, punctuation mark, symbol and emoji removed: for "is this the same text"."""
    return _NOT_WORD.sub("", normalize(text))


def is_blank(text: str) -> bool:
    """True for text with nothing visible: whitespace and zero-width/format characters only."""
    return all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in text)


def visible_len(text: str) -> int:
    """Length without surrounding whitespace and without zero-width/format characters."""
    return sum(1 for ch in text.strip() if unicodedata.category(ch) != "Cf")


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None
