"""What two texts share: the lexical units behind the summary, rewrite and off-topic rules.

No model and no corpus statistics, so each unit is chosen to carry content in itself:
- English: content words (function words and a few stock verbs removed), lightly stemmed, so that
  "closes", "closed" and "closing" are one unit;
- Chinese: Han characters other than particles and pronouns (`chars`), and character bigrams (`bigrams`),
  since Chinese has no word breaks and a paraphrase keeps characters more often than whole words;
- numbers, made comparable across the ways one value is written: "2,000" and "2000", "五天" and "5 天",
  "five days" and "5 days", "下午 5 点 30 分", "5:30 pm" and "17:30", "半天" and "0.5 天";
- names: Latin-script names that do not start a sentence ("Lisa Chen", "FastFreight"), product codes and
  acronyms ("NW20240915", "ROI"), and every Latin word in Chinese text ("顺丰" is not found, "App" is).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from synthpipe.lang import EN_FUNCTION_WORDS, has_han, normalize


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that carry no content of their own in English prose, beyond the function words.
# fmt: off
_EN_STOP = EN_FUNCTION_WORDS | _word_set("""
    please also get gets got getting make makes made just like will can could would should may might
    one ones yes no not ok okay oh hi hello hey dear thanks thank sorry well really quite very still
    even ever much many lot lots bit thing things way ways something anything everything nothing
    someone anyone everyone know let us need needs want wants go goes going went come comes
    say says said tell told see seen look looks take takes took give gives gave put keep kept
""")
# Han characters that are grammar, not content: particles, pronouns, copulas, measure words, negation,
# numerals (numbers are compared on their own), and the commonest characters of generic verbs and
# adverbs ("一直", "打开", "已经", "进行"), which two unrelated texts share by chance.
_ZH_STOP = frozenset(
    "的了是在和与或也都就还又及把被将给对从而且但并等个这那些其之以为于着过吗呢吧啊哦呀嘛啦哈您你我他她它们"
    "请会能要有没不很更最已经让此该各每所如若即则再才只便可其中里上下来去到说做"
    "一二两三四五六七八九十百千万零半几多少第"
    "直打开后前进行出用无重新大小好高全然当时于自己同样部分起实现面间看想知道得地着吧需应该已"
)
# fmt: on

_EN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


def stem(word: str) -> str:
    """A light English stemmer: plural, past, -ing and -ly endings, then a final e ("closing" -> "clos")."""
    w = word
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
        if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
            w = w[:-1]  # running -> run
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
        if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
            w = w[:-1]
    elif len(w) > 6 and w.endswith("ment"):
        w = w[:-4]  # payment -> pay
    elif len(w) > 4 and w.endswith("ly"):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-2] if w.endswith(("ches", "shes", "xes", "sses")) else w[:-1]
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


# --- numbers ---------------------------------------------------------------------------------------
_CN_DIGIT = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_CN_UNIT = (
    "个|位|名|人|天|日|号|月|年|周|星期|小时|钟头|分钟|分|秒|点|元|块|角|件|台|次|倍|折|岁|层|楼|条|张|本|家|所|款|种|"
    "套|双|斤|公斤|千克|克|米|公里|千米|厘米|毫米|升|毫升|万|亿|成|趟|站|期|季度|届|项|份|杯|瓶|间|晚"
)
_CN_NUM = re.compile(
    rf"百分之(?P<pct>[零〇一二两三四五六七八九十百]+)|第?(?P<num>[零〇一二两三四五六七八九十百千]+)(?=(?:{_CN_UNIT}))"
)
_HALF = re.compile(rf"半(?=(?:个)?(?:{_CN_UNIT}))|\bhalf (?:an? )?(?=(?:hour|day|week|month|year)s?\b)")
# Clock times, so that "下午 5 点 30 分", "5:30 pm" and "17:30" are one value.
_ZH_TIME = re.compile(
    r"(?P<part>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里)?\s*"
    r"(?P<h>\d{1,2}|[零一二两三四五六七八九十]{1,3})\s*(?:点|时)(?!钟头)"
    r"(?:\s*(?P<half>半)|\s*(?P<m>\d{1,2}|[零一二三四五六七八九十]{1,3})\s*分(?!钟))?"
)
_EN_TIME = re.compile(
    r"\b(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)(?![a-z])"
    r"|\b(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)\b",
    re.I,
)
_DIGITS = re.compile(r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
# fmt: off
_EN_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "hundred": 100, "dozen": 12, "twice": 2, "second": 2, "third": 3,
    "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
}
_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
}
# fmt: on
# "one" is a pronoun more often than a number ("the wrong one"): it counts only before a unit.
_EN_ONE = re.compile(
    r"\b(?:one|a single)(?=[ -](?:day|week|month|year|hour|minute|time|item|piece|dollar)s?\b)"
)
_EN_NUM_WORD = re.compile(r"\b(" + "|".join(_EN_NUMBER_WORDS) + r")\b")
_EN_MONTH = re.compile(r"\b(" + "|".join(_MONTHS) + r")(?=\s+\d)", re.I)


def cn_int(s: str) -> int | None:
    """The value of a Chinese numeral up to the thousands ("十二" 12, "二十五" 25, "三百" 300), else None."""
    if s.isdigit():
        return int(s)
    total, cur = 0, None
    for ch in s:
        if ch in _CN_DIGIT:
            cur = _CN_DIGIT[ch]
        elif ch in "十百千":
            mult = {"十": 10, "百": 100, "千": 1000}[ch]
            total += (1 if cur is None else cur) * mult
            cur = None
        else:
            return None
    return total + (cur or 0)


def _clock(h: int, m: int) -> str | None:
    """A clock time on the 12-hour dial: "17:30", "5:30 pm" and "下午 5 点半" are all "5:30". Morning and
    evening are not told apart: a rewrite that says "5 点" for "下午 5 点" has not changed the time."""
    if h > 24 or m > 59:
        return None
    return f"{h % 12 or 12}:{m:02d}"


def numbers(text: str) -> frozenset[str]:
    """The values `text` states, each in one canonical spelling: "2000", "0.5", "5:30"."""
    norm = normalize(text)
    found: list[str] = []

    def zh_time(m: re.Match[str]) -> str:
        if not m.group("h").isdigit() and not (m.group("part") or m.group("half") or m.group("m")):
            return m.group(0)  # "一点", "两点" alone are "a bit", "two points" as often as a time
        h = cn_int(m.group("h"))
        minutes = 30 if m.group("half") else (cn_int(m.group("m")) if m.group("m") else 0)
        if h is not None and minutes is not None and (clock := _clock(h, minutes)):
            found.append(clock)
        return " "

    def en_time(m: re.Match[str]) -> str:
        if m.group("h24"):
            clock = _clock(int(m.group("h24")), int(m.group("m24")))
        else:
            clock = _clock(int(m.group("h")), int(m.group("m") or 0))
        if clock:
            found.append(clock)
        return " "

    if has_han(norm):
        norm = _ZH_TIME.sub(zh_time, norm)
    norm = _EN_TIME.sub(en_time, norm)
    if "半" in norm or "half" in norm:
        found.extend("0.5" for _ in _HALF.findall(norm))
    if has_han(norm):
        for m in _CN_NUM.finditer(norm):
            value = cn_int(m.group("pct") or m.group("num"))
            if value is not None:
                found.append(str(value))
    found.extend(str(_MONTHS[m.group(1).lower()]) for m in _EN_MONTH.finditer(norm))
    found.extend(str(_EN_NUMBER_WORDS[w]) for w in _EN_NUM_WORD.findall(norm))
    found.extend("1" for _ in _EN_ONE.findall(norm))
    for m in _DIGITS.finditer(norm):
        value = m.group(0).replace(",", "")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        found.append(value.lstrip("0") or "0")
    return frozenset(found)


# --- names -----------------------------------------------------------------------------------------
_LATIN_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_.'][A-Za-z0-9]+)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?。！？:：;；\n\"“(（\[【]\s*)$")
_COMMON_CAPS = _word_set(
    "i i'm i'll i've i'd ok okay mr mrs ms dr hi hello hey dear thanks yes no please monday tuesday "
    "wednesday thursday friday saturday sunday january february march april may june july august september "
    "october november december am pm q1 q2 q3 q4"
)


def names(text: str) -> frozenset[str]:
    """Names and codes, lower-cased: capitalised Latin words that do not start a sentence, words with a
    digit or an inner capital, and in Chinese text every Latin word of two or more letters."""
    out: set[str] = set()
    zh = has_han(text)
    for m in _LATIN_TOKEN.finditer(text):
        word = m.group(0)
        low = word.lower()
        if low in _COMMON_CAPS or len(word) < 2:
            continue
        capital = any(ch.isupper() for ch in word)
        inner = capital and (any(ch.isdigit() for ch in word) or any(ch.isupper() for ch in word[1:]))
        # a capitalised word names something unless it starts a sentence
        named = word[0].isupper() and not _SENTENCE_START.search(text, max(0, m.start() - 3), m.start())
        if zh or inner or named:
            out.add(low)
    return frozenset(out)


# --- content units ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Units:
    """The content of one text, worked out on first use."""

    text: str

    @cached_property
    def norm(self) -> str:
        return normalize(self.text)

    @cached_property
    def words(self) -> frozenset[str]:
        """Stemmed English content words."""
        return frozenset(
            stem(w)
            for w in _EN_WORD.findall(self.norm)
            if w not in _EN_STOP and w not in _EN_NUMBER_WORDS and len(w) > 2
        )

    @cached_property
    def han(self) -> str:
        return "".join(_HAN_RUN.findall(self.norm))

    @cached_property
    def chars(self) -> frozenset[str]:
        """Han characters that carry content."""
        return frozenset(ch for ch in self.han if ch not in _ZH_STOP)

    @cached_property
    def bigrams(self) -> frozenset[str]:
        """Bigrams within Han runs that hold at least one content character."""
        out = set()
        for run in _HAN_RUN.findall(self.norm):
            out.update(
                run[i : i + 2]
                for i in range(len(run) - 1)
                if run[i] not in _ZH_STOP or run[i + 1] not in _ZH_STOP
            )
        return frozenset(out)

    @cached_property
    def numbers(self) -> frozenset[str]:
        return numbers(self.text)

    @cached_property
    def names(self) -> frozenset[str]:
        return names(self.text)

    @cached_property
    def size(self) -> float:
        """Length in rough words, the same scale for Chinese and English (1.5 Han characters a word)."""
        return len(self.han) / 1.5 + len(_EN_WORD.findall(self.norm)) + len(_DIGITS.findall(self.norm))

    @cached_property
    def is_zh(self) -> bool:
        return len(self.han) / 1.5 >= len(_EN_WORD.findall(self.norm))


def number_in(value: str, others: frozenset[str]) -> bool:
    """`value` is among `others`, a whole-hour time matching a bare hour ("5:00" and "5", "by five")."""
    if value in others:
        return True
    if value.endswith(":00"):
        return value[:-3] in others
    return f"{value}:00" in others


def missing_numbers(a: frozenset[str], b: frozenset[str]) -> list[str]:
    """The numbers of `a` that `b` does not state, sorted."""
    return sorted(n for n in a if not number_in(n, b))
