"""Grounding: facts in an answer that its source documents do not contain.

Purely lexical, no model and no dependency. From the answer it takes
- numbers, with their unit when one follows (`30 days`, `5 个工作日`, `$20`, `七天`, `50%`): a number is
  grounded when the source has the same value, and the answer's unit does not contradict the units the
  source uses that value with (`30 hours` against a source that only says `30 days` is not grounded);
- Latin-script terms: product codes and acronyms (`PX-200`, `VIP`), names with inner capitals (`PayPal`),
  capitalised names that do not start a sentence (`Contoso Premium`), and in Chinese text every Latin
  word (`北风 App`);
- quoted terms (“最终特价”, 「…」, 《…》, "…") and Chinese names built on a name-like suffix (`金卡会员`,
  `礼品卡`, `无忧计划`): the two Han characters before the suffix plus the suffix must occur in the source.

The reference is every source document plus the record's own prompt (instruction, input, user turns), so a
term the user brought up is not counted against the answer. Matching is case-, width- and
space-insensitive. Deliberately missed: sentence-initial names in English, paraphrased numbers written
as words in English ("thirty"), and Chinese terms without a name-like suffix or quotes.

Besides the facts, each answer sentence must be supported as a whole (`unsupported_sentence`, see
synthpipe.stages.support): qa and summary outputs against the sources and the instruction and input,
each dialogue assistant turn against the sources and the turns before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from synthpipe.core.records import Record
from synthpipe.lang import EN_FUNCTION_WORDS, has_han, normalize
from synthpipe.recipe import GroundingConfig, Recipe
from synthpipe.stages.base import RecordStage
from synthpipe.stages.support import (
    PromptUnits,
    SentenceSupport,
    SupportIndex,
    answer_support,
    split_sentences,
)
from synthpipe.stages.support_units import cn_numeral
from synthpipe.tasks import TaskKind, get_task

STAGE = "ground"
UNGROUNDED = "ungrounded"
UNSUPPORTED_SENTENCE = "unsupported_sentence"
CODES: dict[str, str] = {
    UNGROUNDED: "a number, name or term in the answer that neither the sources nor the prompt contain",
    UNSUPPORTED_SENTENCE: "an answer sentence that neither the sources nor the prompt support",
}
# A rewrite restates its own input in another style: what it may say is the input, and how far its
# wording may move is a question of style, not of support.
_NO_SENTENCE_CHECK = frozenset({"rewrite"})

# --- units ------------------------------------------------------------------------------------------
_UNITS: dict[str, str] = {}
for _canon, _names in {
    "day": "day days d 天 日",
    "business_day": "business-day business-days working-day working-days 工作日 个工作日",
    "hour": "hour hours hr hrs h 小时 个小时 钟头",
    "minute": "minute minutes min mins 分钟",
    "second": "second seconds sec secs s 秒",
    "week": "week weeks wk 周 星期 个星期 礼拜",
    "month": "month months mo 个月 月",
    "year": "year years yr yrs 年",
    "%": "% ％ percent per-cent 成",
    "usd": "$ usd dollar dollars 美元 美金",
    "cny": "¥ ￥ rmb cny yuan 元 块 块钱 人民币",
    "eur": "€ eur euro euros 欧元",
    "gbp": "£ gbp pound pounds 英镑",
    "time": "time times 次 回",
    "item": "item items piece pieces 件",
    "kg": "kg kilogram kilograms 公斤 千克",
    "g": "g gram grams 克",
    "km": "km kilometre kilometres kilometer kilometers 公里 千米",
    "m": "m metre metres meter meters 米",
    "cm": "cm 厘米",
    "gb": "gb 吉",
    "mb": "mb 兆",
    "x": "x 倍",
    "discount": "折",
    "age": "岁",
}.items():
    for _n in _names.split():
        _UNITS[_n] = _canon

_CJK_UNITS = sorted((u for u in _UNITS if has_han(u)), key=len, reverse=True)
_CJK_UNIT_RE = "|".join(map(re.escape, _CJK_UNITS))
_LATIN_UNIT_RE = r"(?:business|working)[ -]days?|[a-z]+"
_CURRENCY = "$¥￥€£"
_NUMBER = re.compile(  # the lookahead first lets the regex engine skip to candidate characters
    rf"(?=[{re.escape(_CURRENCY)}\d])(?P<cur>[{re.escape(_CURRENCY)}])?\s?"
    r"(?<![A-Za-z0-9_.\-/:])(?P<num>\d+(?:-\d+){2,}|\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?"
    rf"(?:\s?(?P<unit>%|％|{_CJK_UNIT_RE}|(?:{_LATIN_UNIT_RE})\b))?",
    re.IGNORECASE,
)
_CN_NUMBER = re.compile(
    rf"(?:百分之(?P<pct>[零〇一二两三四五六七八九十百]+))|(?P<num>[零〇一二两三四五六七八九十百千万]+)(?P<unit>{_CJK_UNIT_RE})"
)
_LIST_MARKER = re.compile(
    r"(?:^\s*|(?<=[.!?:;。！？：；])\s*)(?:\d{1,2}|[a-z])[.)、．](?!\d)\s*", re.MULTILINE | re.I
)
# Cheap tests for "_LIST_MARKER may match": one at the very start, or one after a line break or a
# sentence mark (a leading character class lets the regex engine skip ahead).
_LIST_AT_START = re.compile(r"\s*(?:\d{1,2}|[a-z])[.)、．](?!\d)", re.I).match
_LIST_AFTER_MARK = re.compile(r"[\n.!?:;。！？：；]\s*(?:\d{1,2}|[a-z])[.)、．](?!\d)", re.I).search

# --- terms ------------------------------------------------------------------------------------------
_LATIN_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9+#]*(?:[-_.'’/&][A-Za-z0-9+#]+)*")
# The same tokens, but only those with a capital or a digit: in English text no other token can be a
# term, and skipping the rest changes nothing (a skipped word only ever ended a phrase).
_CANDIDATE_TOKEN = re.compile(r"(?=[A-Za-z0-9+#\-_.'’/&]*[A-Z0-9])" + _LATIN_TOKEN.pattern)
_CAPS_WORDS = "i i'm i'll i've i'd ok okay mr mrs ms dr hi hello dear thanks yes no please"
_COMMON_CAPS = frozenset(_CAPS_WORDS.split())
_COMMON_LATIN_IN_ZH = frozenset(["ok", "okay", "app", "apps", "id", "email", "e-mail", "wifi", "wi-fi"])
_QUOTED = re.compile(r"[“「『《‘\"]([^”」』》’\"\n]{1,40})[”」』》’\"]")
_NAME_SUFFIXES = "会员 计划 套餐 公司 集团 银行 保险 基金 协议 条款 认证 中心 热线 积分 卡 券 险".split()  # noqa: SIM905
_SUFFIX = re.compile("|".join(_NAME_SUFFIXES))
_PREFIX = re.compile(r"[\u4e00-\u9fff]{1,2}$")
# Characters that end a name when met going backwards (的金卡 -> 金卡), and verbs that often precede a
# suffix word without naming anything (申请会员, 使用礼品卡 -> 礼品卡 is still checked via its own prefix).
_NAME_BREAK = re.compile("[的了在和与或是用等及我你您他她们这那个张份种把将被给到从对为以有可请]")
_NOT_A_NAME = frozenset(
    "申请 成为 加入 办理 使用 选择 购买 开通 注册 联系 拨打 提供 享受 领取 获得 查看 登录 升级 取消 兑换 需要 已经 "  # noqa: SIM905
    "没有 相关 任何 所有 其他 普通 一张 每张".split()
)
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


class Reference:
    """What an answer may draw on, digested for lookups on first use: a record's own prompt is consulted
    only for what the sources lack, so most of the time it is never digested at all."""

    __slots__ = ("_joined", "_text", "_numbers", "_bigrams", "_words", "_found")
    MEMO = 50_000  # terms remembered per reference (the sources' reference serves a whole run)

    def __init__(self, texts: list[str]) -> None:
        self._joined = "\n".join(texts)
        self._text: str | None = None
        self._numbers: dict[str, set[str | None]] | None = None
        self._bigrams: frozenset[str] | None = None
        self._words: frozenset[str] | None = None
        self._found: dict[str, bool] = {}

    @property
    def text(self) -> str:
        """Normalized, spaces removed between Han characters."""
        if self._text is None:
            self._text = _squash(self._joined)
        return self._text

    @property
    def numbers(self) -> dict[str, set[str | None]]:
        if self._numbers is None:
            numbers: dict[str, set[str | None]] = {}
            for value, unit, _ in extract_numbers(self._joined):
                numbers.setdefault(value, set()).add(unit)
            self._numbers = numbers
        return self._numbers

    @property
    def bigrams(self) -> frozenset[str]:
        if self._bigrams is None:
            self._bigrams = frozenset(han_bigrams(self._joined))
        return self._bigrams

    @property
    def words(self) -> frozenset[str]:
        if self._words is None:
            self._words = frozenset(w.lower() for w in _LATIN_TOKEN.findall(self._joined))
        return self._words

    def contains(self, term: str) -> bool:
        found = self._found.get(term)
        if found is None:
            found = _contains(self, term)
            if len(self._found) < self.MEMO:
                self._found[term] = found
        return found


def _num_value(num: str, frac: str | None) -> str:
    if "-" in num:  # a phone number or a date: compared whole
        return num
    whole = num.replace(",", "").lstrip("0") or "0"
    frac = (frac or "").rstrip("0")
    return f"{whole}.{frac}" if frac else whole


def _unit(raw: str | None, currency: str | None) -> str | None:
    if currency:
        return _UNITS.get(currency)
    if not raw:
        return None
    key = normalize(raw).replace(" ", "-")
    return _UNITS.get(key)


def extract_numbers(text: str) -> list[tuple[str, str | None, str]]:
    """(value, canonical unit or None, as written) for every number in `text`, list markers excepted.
    A number glued to letters that are no unit (`4K`, `PX200`) is a code and left to `extract_terms`."""
    body = _LIST_MARKER.sub(" ", text) if _LIST_AT_START(text) or _LIST_AFTER_MARK(text) else text
    out = []
    for m in _NUMBER.finditer(body):
        unit = _unit(m["unit"], m["cur"])
        after = body[m.end("frac") if m["frac"] else m.end("num") :][:1]
        if unit is None and after.isascii() and after.isalpha():
            continue
        written = m.group(0) if unit else body[m.start() : m.end("frac") if m["frac"] else m.end("num")]
        out.append((_num_value(m["num"], m["frac"]), unit, written.strip()))
    for m in _CN_NUMBER.finditer(body) if has_han(body) else ():
        value = cn_numeral(m["pct"] or m["num"])
        # 一个 / 一下 / 一天: "one" is everywhere in Chinese prose and says nothing checkable
        if value is not None and value > 1:
            out.append((str(value), "%" if m["pct"] else _unit(m["unit"], None), m.group(0)))
    return out


def _starts_sentence(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \t\"'“‘(（*-•#>":
        i -= 1
    return i < 0 or text[i] in ".!?。！？:：;；\n"


# Tokens are ASCII letters, digits and a few marks (see _LATIN_TOKEN), so case tests on the whole token
# stand in for per-character loops: a token has a letter iff lower() and upper() differ.
_DIGIT = re.compile(r"\d").search
_MEASURE = re.compile(r"\d+(?:\.\d+)?([A-Za-z]+)").fullmatch


def _is_termy(tok: str) -> bool:
    """Looks like a code, acronym or brand whatever its position: VIP, PX-200, PayPal, 4K."""
    if tok.lower() == tok.upper():
        return False  # no letter
    if tok.isupper() and sum(c.isalpha() for c in tok) >= 2:
        return True
    if _DIGIT(tok):
        return True
    rest = tok[1:]
    return rest.lower() != rest


def _is_measure(tok: str) -> bool:
    """`5GB`, `30days`: a number with a unit, which `extract_numbers` checks."""
    m = _MEASURE(tok) if tok[:1].isdigit() else None
    return bool(m and m.group(1).lower() in _UNITS)


def extract_terms(text: str) -> list[str]:
    """Latin-script names and codes, quoted terms and Chinese suffix names (see the module docstring)."""
    terms: list[str] = []
    zh = sum(map(len, _HAN_RUN.findall(text))) >= 4
    phrase: list[str] = []
    last_end = -1

    def flush() -> None:
        if phrase:
            terms.append(" ".join(phrase))
            phrase.clear()

    for m in (_LATIN_TOKEN if zh else _CANDIDATE_TOKEN).finditer(text):
        tok = m.group(0)
        if tok.endswith(("'s", "’s")):
            tok = tok[:-2]  # Northwind's -> Northwind
        low = tok.lower()
        if low == tok.upper() or _is_measure(tok):  # no letter, or a number with its unit
            flush()
            continue
        if zh:
            is_term = low not in _COMMON_LATIN_IN_ZH
        elif low in _COMMON_CAPS or (low == tok and not _DIGIT(tok)):
            is_term = False  # a plain lower-case word: not termy, not capitalised
        else:
            is_term = _is_termy(tok) or (
                tok[0].isupper() and low not in EN_FUNCTION_WORDS and not _starts_sentence(text, m.start())
            )
        joined = phrase and text[last_end : m.start()] == " "
        if is_term:
            if not joined:
                flush()
            phrase.append(tok)
        else:
            flush()
        last_end = m.end()
    flush()
    for m in _QUOTED.finditer(text):
        inner = m.group(1).strip()
        if inner and (has_han(inner) or len(inner.split()) <= 4):
            terms.append(inner)
    for m in _SUFFIX.finditer(text) if zh or has_han(text) else ():
        before = _PREFIX.search(text, max(0, m.start() - 2), m.start())
        prefix = _NAME_BREAK.split(before.group(0))[-1] if before else ""
        if prefix and prefix not in _NOT_A_NAME:
            terms.append(prefix + m.group(0))
    seen: set[str] = set()
    return [t for t in terms if not (t.lower() in seen or seen.add(t.lower()))]  # type: ignore[func-returns-value]


def _squash(text: str) -> str:
    """normalize(), and no spaces between Han characters ("北风 App" keeps its one space)."""
    t = normalize(text)
    return re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", t)


def han_bigrams(text: str) -> set[str]:
    return {run[i : i + 2] for run in _HAN_RUN.findall(text) for i in range(len(run) - 1)}


def build_reference(texts: list[str]) -> Reference:
    return Reference(texts)


def _contains(ref: Reference, term: str) -> bool:
    t = _squash(term)
    if not t:
        return True
    text = ref.text
    if t in text and re.search(r"(?<![a-z0-9])" + re.escape(t) + r"(?![a-z0-9])", text):
        return True
    # plural / singular of an English name ("Plans" for "Plan")
    return bool(
        t.endswith("s")
        and t[:-1] in text
        and re.search(r"(?<![a-z0-9])" + re.escape(t[:-1]) + r"(?![a-z0-9])", text)
    )


@dataclass(slots=True)
class GroundingResult:
    unsupported: list[str]
    coverage: float  # share of the answer's words and Han bigrams that occur in the reference

    def to_json(self) -> dict[str, Any]:
        return {"unsupported": self.unsupported, "coverage": round(self.coverage, 3)}


def check_grounding(
    answer: str, ref: Reference, prompt: Reference | None = None, coverage: bool = True
) -> GroundingResult:
    """What in `answer` neither the source reference nor (optionally) the record's own prompt supports;
    `coverage` False leaves the coverage score to the caller (the sentence check works it out anyway)."""
    refs = [ref] if prompt is None else [ref, prompt]
    numbers: list[str] = []
    for value, unit, written in extract_numbers(answer):
        units = ref.numbers.get(value)
        clear = units is not None and (unit is None or None in units or unit in units)
        if not clear and prompt is not None and value in prompt.numbers:  # the prompt only when needed
            units = (units or set()) | prompt.numbers[value]
        if units is None:
            numbers.append(written)
        elif unit is not None and None not in units and unit not in units:
            shown = ", ".join(sorted(u for u in units if u))
            numbers.append(f"{written} (source: {value} {shown})")
    found = extract_terms(answer)
    original = {t.lower(): t for t in found}
    terms = [t.lower() for t in found if not any(r.contains(t) for r in refs)]
    # one invented name is one finding: drop 金卡 when 金卡会员 is reported too
    terms = [t for t in terms if not any(t != o and t in o for o in terms)]
    unsupported = list(dict.fromkeys(numbers)) + [original[t] for t in dict.fromkeys(terms)]
    if not coverage:
        return GroundingResult(unsupported, 1.0)
    words = [w for w in map(str.lower, _LATIN_TOKEN.findall(answer)) if w not in EN_FUNCTION_WORDS]
    grams = list(han_bigrams(answer))
    total = len(words) + len(grams)
    base_words, base_grams = ref.words, ref.bigrams
    missing = [w for w in words if w not in base_words] + [g for g in grams if g not in base_grams]
    if missing and prompt is not None:  # the prompt only for what the sources lack
        p_words, p_grams = prompt.words, prompt.bigrams
        missing = [x for x in missing if x not in p_words and x not in p_grams]
    hits = total - len(missing)
    return GroundingResult(unsupported, hits / total if total else 1.0)


def prompt_texts(rec: Record) -> list[str]:
    """The parts of a record the user wrote: they may be repeated in the answer without a source."""
    return get_task(rec.task).prompt_texts(rec.fields)


def answer_text(rec: Record) -> str:
    """The claims to check; empty for kinds whose answer is not about the source (a classify text)."""
    kind = get_task(rec.task)
    return kind.answer_text(rec.fields) if kind.grounded else ""


def answer_parts(rec: Record) -> list[tuple[str, list[str]]]:
    """(answer text, what the user had written before it) for each part whose sentences are checked: the
    output against the instruction and input; each assistant turn against the turns before it."""
    kind = get_task(rec.task)
    if not kind.grounded or kind.name in _NO_SENTENCE_CHECK:
        return []
    if not kind.conversation:
        return [(text, kind.prompt_texts(rec.fields)) for _, text in kind.answers(rec.fields)]
    msgs = rec.fields.get("messages")
    out: list[tuple[str, list[str]]] = []
    before: list[str] = []
    for m in msgs if isinstance(msgs, list) else ():
        if not isinstance(m, dict) or not isinstance(m.get("content"), str):
            continue
        if m.get("role") == "assistant":
            out.append((m["content"], list(before)))
        else:
            before.append(m["content"])
    return out


def _quote(sentence: str, limit: int = 80) -> str:
    return repr(sentence if len(sentence) <= limit else sentence[: limit - 1] + "…")


class GroundingStage(RecordStage):
    """Flags or rejects answers with unsupported facts (`ungrounded`: `grounding.action`,
    `max_unsupported`) and answers with unsupported sentences (`unsupported_sentence`:
    `grounding.sentence_action`, `max_unsupported_sentences`, `min_support`). Up to the `max_…` count
    a finding is a flag; beyond it, the action decides. By default one unsupported sentence in an answer
    is flagged and two or more reject it: on the labelled sets (bench/grounding_eval.md) a single one is
    often an inference the lexical test cannot follow, while two or more are almost always invention."""

    name = STAGE
    batch_size = 512
    parallel = True

    def __init__(self, config: GroundingConfig, sources: list[str], kind: TaskKind | None = None) -> None:
        self.kind = kind
        self.config = config
        self.sources = sources
        self._base = build_reference(sources)
        # Built here, before any worker is forked, so that workers inherit it.
        self._index = SupportIndex(sources) if config.sentences else None

    @classmethod
    def from_recipe(cls, recipe: Recipe, **_: Any) -> GroundingStage | None:
        """None when there is nothing to ground against, or the kind states no facts."""
        if not recipe.grounding.enabled or not recipe.source_texts or not get_task(recipe.task).grounded:
            return None
        if recipe.grounding.sentences and recipe.grounding.embedding:
            from synthpipe.stages.support_embed import EmbeddingGroundingStage

            return EmbeddingGroundingStage(recipe.grounding, recipe.source_texts, get_task(recipe.task))
        return cls(recipe.grounding, recipe.source_texts, get_task(recipe.task))

    def prompt_reference(self, rec: Record) -> Reference | None:
        """The record's own prompt, digested apart so a long source is digested only once per run."""
        extra = prompt_texts(rec)
        return build_reference(extra) if extra else None

    def sentence_supports(self, rec: Record) -> list[SentenceSupport] | None:
        """The support of every answer sentence (claimless ones included); None when the record's
        sentences are not checked."""
        index = self._index
        parts = answer_parts(rec) if index is not None else []
        if index is None or not parts:
            return None
        out = []
        min_support = self.config.min_support
        for text, before in parts:
            prompt = PromptUnits(before)
            out += answer_support(split_sentences(text), index, prompt, min_support)
        return out

    def apply(self, rec: Record) -> None:
        self.decide(rec, self.sentence_supports(rec))

    def decide(self, rec: Record, supports: list[SentenceSupport] | None) -> None:
        answer = answer_text(rec)
        if not answer.strip():
            return
        result = check_grounding(answer, self._base, self.prompt_reference(rec), coverage=supports is None)
        cfg = self.config
        if result.unsupported:
            shown = ", ".join(repr(u[:40]) for u in result.unsupported[:5])
            more = f" (+{len(result.unsupported) - 5} more)" if len(result.unsupported) > 5 else ""
            over = len(result.unsupported) > cfg.max_unsupported  # within the allowance: a flag only
            decide = self.reject if over and cfg.action == "reject" else self.flag
            decide(rec, UNGROUNDED, f"not in the source: {shown}{more}")
        if supports is None:
            rec.meta.scores["grounding"] = result.to_json()
            return
        total = sum(s.units for s in supports)
        result.coverage = sum(s.anywhere for s in supports) / total if total else 1.0
        scores = rec.meta.scores["grounding"] = result.to_json()
        claims = [s for s in supports if not s.claimless]
        bad = [s for s in claims if not s.supported(cfg.min_support)]
        scores["sentences"] = len(claims)
        if bad:
            scores["unsupported_sentences"] = len(bad)
        if bad:
            shown = "; ".join(_quote(s.sentence) for s in bad[:2])
            more = f" (+{len(bad) - 2} more)" if len(bad) > 2 else ""
            over = len(bad) > cfg.max_unsupported_sentences  # within the allowance: a flag only
            decide = self.reject if over and cfg.sentence_action == "reject" else self.flag
            decide(rec, UNSUPPORTED_SENTENCE, f"no support in the source or the prompt: {shown}{more}")

    async def close(self) -> dict[str, Any]:
        cfg = self.config
        out: dict[str, Any] = {"action": cfg.action, "max_unsupported": cfg.max_unsupported}
        if self._index is not None:
            out["sentences"] = {
                "action": cfg.sentence_action,
                "max_unsupported": cfg.max_unsupported_sentences,
                "min_support": cfg.min_support,
                "embedding": cfg.embedding,
            }
        return out
