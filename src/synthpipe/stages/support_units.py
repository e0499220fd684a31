"""Sentences and content units, what sentence support (support.py) compares: answers and sources are cut
into sentences, and a sentence is reduced to its content units. English words without stop words, lightly
stemmed (`returned` = `return`), number words as digits (`five` = `5`); Chinese as character bigrams
without those that hold a function character (的, 了, 您…), Chinese numerals as digits (`七天` = `7 天`);
the speaker talking about itself as one unit (ME). Also the arithmetic that tells whether a figure follows
from given ones (`derivable`)."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from synthpipe.lang import EN_FUNCTION_WORDS, EN_NUMBER_WORDS, EN_TENS

# --- sentences -------------------------------------------------------------------------------------
# A sentence ends at 。！？； (a closing quote or bracket stays with it), at . ! ? before a space or the
# end, and at a line break (list items, headings).
_BOUNDARY = re.compile(  # the lookahead first lets the regex engine skip to candidate characters
    r"(?=[。！？；.!?\n])(?:[。！？；]+[”’」』）)\"']*|[.!?]+[\"'”’)]*(?=\s|$)|[!?]+(?=[\u4e00-\u9fff])|\n)"
)
_ABBREV = re.compile(r"\b(?:e\.g|i\.e|etc|vs|mr|mrs|ms|dr|approx|incl)\.$", re.I)
_LIST_NUMBER = re.compile(r"(?:\d{1,2}|[a-z])\.", re.I).fullmatch  # "1." before its item
_LIST_MARK = re.compile(r"^\s*(?:[-*•#>]+|\d{1,2}[.)、．]|[a-z][.)])\s+", re.I)


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped, with list markers and heading marks removed."""
    out: list[str] = []
    start = 0
    pending = ""
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        piece = pending + text[start:end]
        start = end
        # an abbreviation's full stop: a short word before a single "."
        if m.group(0) == "." and (
            _ABBREV.search(piece, max(0, len(piece) - 8)) or _LIST_NUMBER(piece.strip())
        ):
            pending = piece
            continue
        pending = ""
        _add(out, piece)
    _add(out, pending + text[start:])
    return out


def _add(out: list[str], piece: str) -> None:
    piece = piece.strip()
    if not piece:
        return
    if piece[0] in _MARK_START or (piece[1:2] in ".)、．" and piece[:1].isalnum()):
        piece = _LIST_MARK.sub("", piece).strip()
        if not piece:
            return
    out.append(piece)


_MARK_START = frozenset("-*•#>0123456789")


# --- content units ---------------------------------------------------------------------------------
ME = "<me>"  # the unit for a speaker talking about itself
ME_SET = frozenset([ME])
_EN_ME = frozenset("i i'm i'll i've i'd me my myself mine".split())  # noqa: SIM905
_EN_STOP = EN_FUNCTION_WORDS | frozenset(
    """yes no yeah ok okay sure also even still just really quite rather please let lets get gets got
    getting one ones thing things way ways something anything everything nothing someone anyone able
    i'd you'd we'd there'll it'll that'll he's she's what's who's here's let's you'll won't shouldn't
    couldn't wouldn't haven't hasn't hadn't cannot can't will without per via like well hmm oh ah um uh
    wow alright anyway however otherwise unfortunately fortunately actually basically simply note
    recommend suggest mind""".split()  # noqa: SIM905
)
# Words that announce a calculation ("that comes to $45 in total", "一共 25 元"): the numbers they
# introduce are what the sentence claims, and the number rule checks those.
_EN_ARITHMETIC = frozenset("total totals altogether overall breakdown sum comes works".split())  # noqa: SIM905
_ZH_ARITHMETIC = "一共 总共 合计 共计 总计 算下来 加起来 加上 也就是说 也就是 剩下 实际 相当于 折合".split()  # noqa: SIM905
# Words of courtesy: they state nothing, so they are neither checked nor counted as content.
_EN_COURTESY = frozenset(
    """hi hello hey dear thanks thank welcome glad happy hope helps help helpful sorry apologies
    apologise apologize inconvenience hear great nice lovely wonderful enjoy day question questions
    else know feel free ask assist assistance pleasure luck regards cheers soon wish wishes hesitate
    reach afraid worry worries congratulations congrats""".split()  # noqa: SIM905
)
_EN_FORMULA = re.compile(
    r"\b(?:sorry to (?:hear|see)[^.!?]*|have an? (?:great|nice|good|lovely|wonderful) \w+|"
    r"get well soon|take care|good luck|let me know[^.!?]*|is there anything else[^.!?]*|"
    r"if you have any (?:other |more |further )?questions?[^.!?]*|you're welcome|no problem|"
    r"of course|my pleasure|happy to help|glad to help|thanks? (?:you )?for [a-z]+ing[^.!?]*|"
    r"(?:good|great) (?:catch|question|point|news)|sounds? (?:good|great|fine|like a plan)|got it)",
    re.I,
)
# Words that any formula holds: a sentence without one skips the formula regex.
_FORMULA_HINT = re.compile(
    "sorry|have a|soon|take care|luck|let me|else|question|welcome|problem|course|pleasure|help|thank|"
    "catch|point|news|sound|got it"
).search
# "one" is far more often a pronoun ("one per order") than a number, so counting starts at two.
_EN_NUMBERS = {w: str(i) for i, w in enumerate(EN_NUMBER_WORDS) if i >= 2}
_EN_NUMBERS |= {w: str(20 + 10 * i) for i, w in enumerate(EN_TENS)} | {"hundred": "100", "twice": "2"}

_TOKEN = re.compile(r"\d+(?:[.:,]\d+)*|[a-z]+(?:['’][a-z]+)*|[\u4e00-\u9fff]+")
ZH_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万]+")
_ZH_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_ZH_MULT = {"十": 10, "百": 100, "千": 1000, "万": 10_000}
_ZH_ME = re.compile(r"我(?!们)")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Function characters: a bigram that holds one says little (以在, 在签, 的商).
_ZH_STOP_CHARS = frozenset(
    "的了在是我你您他她它们这那就都也还和与或及而被把给让吧呢吗啊呀哦嘛着过很个些之其该此每等即则"
)
# Function and courtesy words: a Han run is cut at them, so no bigram straddles one (运费需要您 -> 运费).
_ZH_STOP_WORDS = """可以 如果 因为 所以 已经 现在 时候 就是 还是 或者 并且 而且 不过 但是 可能 应该 非常 一下 一些 什么
怎么 这样 那样 这个 那个 需要 进行 相关 其他 其它 一般 比如 例如 然后 同时 另外 此外 只要 只有 能够 一次 一个
以上 以下 以内 之内 之前 之后 哎呀 嗯嗯 其实 直接 自己 大家 一定 的话 时候 出来 起来""".split()  # noqa: SIM905
_ZH_COURTESY = """您好 你好 谢谢 感谢 欢迎 随时 咨询 联系 祝您 愉快 抱歉 不便 高兴 为您服务 服务 希望 帮助 请问 问题
好的 当然 明白 理解 没问题 辛苦 麻烦 满意 客气 放心 耐心 稍等 购物 阅读 光临 来电 关注 帮忙 帮您 为您 带来 如有 疑问
不好意思 恭喜 担心 不行 目前 暂时""".split()  # noqa: SIM905
# Whole courtesy formulas, as _EN_FORMULA: a wish (祝您寄件顺利) and an offer of more help
# (有其他问题欢迎再问我, 如有疑问请随时联系) state nothing, whatever words they hold. A formula ends at a
# comma: in 如果有问题，可以在7天内退货 the clause after it is a claim.
_ZH_FORMULA = re.compile(
    r"(?:祝|感谢|谢谢)(?:您|你)[^，,。！？!?；;]*|"
    r"(?:如果|如)?(?:您|你)?(?:还)?有(?:任何|其他|其它|别的)?(?:问题|疑问|需要)[^，,。！？!?；;]*"
)
_ZH_CUT = re.compile(
    "|".join(
        sorted(map(re.escape, set(_ZH_STOP_WORDS + _ZH_COURTESY + _ZH_ARITHMETIC)), key=len, reverse=True)
    )
)


def cn_numeral(text: str) -> int | None:
    """Value of a Chinese numeral (`三十`, `十五`, `两百`, `一百零五`, `一万二千`), or None if it is not one."""
    if any(ch not in _ZH_DIGITS and ch not in _ZH_MULT for ch in text):
        return None
    if not any(ch in _ZH_MULT for ch in text):  # 二〇二四: digit by digit
        return int("".join(str(_ZH_DIGITS[ch]) for ch in text))
    total, section, digit = 0, 0, 0
    for ch in text:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]  # 零 only marks a gap (一百零五)
        elif _ZH_MULT[ch] == 10_000:
            total = (total + section + digit) * 10_000
            section, digit = 0, 0
        else:
            section += (digit or 1) * _ZH_MULT[ch]
            digit = 0
    return total + section + digit


def _zh_parts(run: str) -> list[str]:
    """A Han run cut at its numerals worth 2 or more, which come back as digits: 七天内 -> 7, 天内."""
    if not ZH_NUMERAL.search(run):
        return [run]
    parts: list[str] = []
    last = 0
    for m in ZH_NUMERAL.finditer(run):
        value = cn_numeral(m.group(0))
        if value is None or value < 2:
            continue
        parts += [run[last : m.start()], str(value)]
        last = m.end()
    parts.append(run[last:])
    return [p for p in parts if p]


_STEMS: dict[str, str] = {}


def stem(word: str) -> str:
    """A light English stemmer, the same on both sides: returns, returned, returning -> return."""
    found = _STEMS.get(word)
    if found is not None:
        return found
    w = word
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "lsz":  # shipped -> shipp -> ship
        w = w[:-1]
    if len(w) > 3 and w[-1] == "e":
        w = w[:-1]
    if len(w) > 3 and w[-1] == "y":
        w = w[:-1] + "i"
    if len(_STEMS) < 200_000:
        _STEMS[word] = w
    return w


def _number(tok: str) -> str:
    t = tok.replace(",", "")
    if t.endswith(":00"):
        t = t[:-3]
    if "." in t:
        t = t.rstrip("0").rstrip(".")
    return t


def is_number(unit: str) -> bool:
    return unit[0].isdigit()


# Every ASCII character but letters, digits and the marks inside numbers and words (3.5, 9:00, 1,000,
# don't) becomes a space; a token keeps marks at its ends ("days.") until `_token_units` strips them.
_ASCII_SPACES = bytes(c if chr(c).isalnum() or chr(c) in ".:,'" else 32 for c in range(256))


def _token_units(tok: str) -> Any:
    """A token's unit, a tuple of units (a Han run), or None (no content)."""
    tok = tok.strip(".:,'")
    if not tok:
        return None
    first = tok[0]
    if first.isdigit():
        return _number(tok)
    if first.isascii():
        tok = tok.replace("’", "'")
        if tok in _EN_ME:
            return ME
        if tok in _EN_STOP or tok in _EN_COURTESY or tok in _EN_ARITHMETIC or len(tok) < 2:
            return None
        return _EN_NUMBERS.get(tok) or stem(tok)
    out: list[str] = []
    for part in _zh_parts(tok):
        if part[0].isdigit():
            out.append(part)
            continue
        for seg in _ZH_CUT.split(part):
            out += [
                seg[i : i + 2]
                for i in range(len(seg) - 1)
                if seg[i] not in _ZH_STOP_CHARS and seg[i + 1] not in _ZH_STOP_CHARS
            ]
    return tuple(out)


class _UnitCache(dict):  # type: ignore[type-arg]
    """Token (bytes for ASCII text, else str) -> `_token_units`, worked out once per distinct token."""

    def __missing__(self, tok: bytes | str) -> Any:
        found = _token_units(tok.decode() if isinstance(tok, bytes) else tok)
        if len(self) < 500_000:
            self[tok] = found
        return found


_UNIT_OF = _UnitCache()


def units(text: str) -> frozenset[str]:
    """The content units of `text` (see the module docstring); ME when the speaker talks about itself."""
    low = text.lower()
    if low.isascii():
        if len(low) < 90 and _FORMULA_HINT(low):  # a longer sentence is more than a formula
            low = _EN_FORMULA.sub(" ", low)
        # bytes.translate, split and a dict: several times faster than a token regex and a loop
        out = set(map(_UNIT_OF.__getitem__, low.encode().translate(_ASCII_SPACES).split()))
        out.discard(None)
        return frozenset(out)
    found: set[Any] = set()
    if not _HAN.search(low):
        low = _EN_FORMULA.sub(" ", low)
    else:
        low = _ZH_FORMULA.sub(" ", low)
        if _ZH_ME.search(low):
            found.add(ME)
    for unit in map(_UNIT_OF.__getitem__, _TOKEN.findall(low)):
        if type(unit) is tuple:
            found.update(unit)
        elif unit is not None:
            found.add(unit)
    return frozenset(found)


# Calendar factors an answer may use without a source stating them, each with the two units it converts
# between; a factor applies only where both units are named (in the sentence, its source window or the
# prompt), so "3 days" in the source does not support "21 days" (3 x 7) but "3 weeks" does.
CALENDAR: dict[float, tuple[tuple[str, ...], tuple[str, ...]]] = {
    7.0: (("week", "周", "星期", "礼拜"), ("day", "天", "日")),
    12.0: (("year", "annual", "年"), ("month", "月")),
    24.0: (("day", "天", "日"), ("hour", "小时", "钟头")),
    52.0: (("year", "annual", "年"), ("week", "周", "星期")),
    60.0: (("hour", "小时", "钟头"), ("minute", "分钟")),
    365.0: (("year", "annual", "年"), ("day", "天", "日")),
    3.0: (("quarter", "季度"), ("month", "月")),
}
# Fractions and multiples written as words ("half the nightly rate", "减收一半", "double"): a factor that
# applies where the sentence itself names it (a source's "twice a month" makes no $10 out of its $5).
NAMED_FACTORS: dict[float, tuple[str, ...]] = {
    0.5: ("half", "一半", "半价", "减半", "减收一半"),
    2.0: ("double", "twice", "翻倍", "两倍", "双倍"),
}


def _names_both(factor: float, text: str) -> bool:
    one, other = CALENDAR[factor]
    return any(w in text for w in one) and any(w in text for w in other)


def named_factors(sentence: str) -> tuple[float, ...]:
    """The factors of NAMED_FACTORS that `sentence` (lower-cased) names."""
    return tuple(f for f, names in NAMED_FACTORS.items() if any(n in sentence for n in names))


def derivable(
    value: str, given: set[float], known: set[float], text: str = "", factors: tuple[float, ...] = ()
) -> bool:
    """`value` follows from a given number (the user's, or one an earlier sentence of the answer worked
    out) and a known one by one +, -, x, / or percentage (8 users at $12 -> $96; 26 kg against 23 kg ->
    3; 20 % off 60 -> 48; 打 9 折 on 1548 -> 1393.2), or from a given or known number and a calendar
    factor whose two units `text` (the sentence, its source window and the prompt, lower-cased) names
    (129 a month -> 1548 a year), or times one of `factors`, a fraction or multiple the sentence names
    (`named_factors`: "half the nightly rate", 150 -> 75)."""
    try:
        v = float(value)
    except ValueError:
        return False
    close = 1e-6 * max(1.0, v)
    tenths = "折" in text  # 打 9 折: pay nine tenths
    for a in given:
        if not a:
            continue
        for b in known:
            if b:
                for r in (a + b, abs(a - b), a * b, a / b, b / a, a * b / 100, a * (100 - b) / 100):
                    if abs(r - v) < close:
                        return True
                if tenths and abs(a * b / 10 - v) < close:
                    return True
    for f in factors:
        if any(abs(a * f - v) < close for a in given | known if a):
            return True
    # a calendar factor times one would make every factor a derived number, and one over itself would
    # derive every 1 ("一个月" from "24 小时")
    return v != 1 and any(
        (abs(a * f - v) < close or abs(a / f - v) < close) and _names_both(f, text)
        for a in given | known
        if a not in (0, 1)
        for f in CALENDAR
    )


def figures_of(us: frozenset[str]) -> set[float]:
    out = set()
    for u in us:
        if is_number(u):
            with contextlib.suppress(ValueError):  # 1.2.3, a version or a date
                out.add(float(u.replace(":", ".")))
    return out
