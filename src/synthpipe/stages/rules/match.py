"""Cheap literal tests in front of the rule checks' regular expressions.

Most texts match none of the patterns, and proving that by running each regex is the bulk of the cost.
So each pattern carries literal keys, of which every possible match contains at least one; a text that
holds none of its keys is skipped without the regex. Where the keys are looked for matters too: ASCII
keys in the text's ASCII characters only (short, and searched without widening the key), other keys
only once their first character, a quick one-character search, has been found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


def ascii_only(text: str) -> str:
    """The ASCII characters of `text`, in order: an ASCII key found in `text` is found in this too."""
    return text.encode("ascii", "ignore").decode("ascii")


def lowered(text: str, odd: bool = True, asc: str | None = None) -> str | None:
    """The ASCII characters of `text`, lower-cased, for testing folded (ASCII) keys; None where the text
    holds one of the four other characters that IGNORECASE matches to ASCII letters (İ and ı to "i", K to
    "k", ſ to "s"), since then the keys can't rule anything out. `odd=False`: the keys hold no i, k or s.
    `asc`: `ascii_only(text)`, where the caller has it."""
    if text.isascii():
        return text.lower()
    if odd and ("İ" in text or "ı" in text or "\u212a" in text or "ſ" in text):
        return None
    return (ascii_only(text) if asc is None else asc).lower()


def _odd_letters(keys: Iterable[str]) -> bool:
    return any(ch in key for key in keys for ch in "iks")


class KeyIndex(Generic[T]):
    """Literal keys, each with a payload, looked for in a text: see the module docstring."""

    __slots__ = ("_ascii", "_by_first")

    def __init__(self, items: Iterable[tuple[str, T]]) -> None:
        ascii_keys: list[tuple[str, T]] = []
        by_first: dict[str, list[tuple[str, T]]] = {}
        for key, payload in items:
            if key.isascii():
                ascii_keys.append((key, payload))
            else:
                by_first.setdefault(key[0], []).append((key, payload))
        self._ascii = tuple(ascii_keys)
        self._by_first = tuple((first, tuple(group)) for first, group in by_first.items())

    def any(self, text: str, asc: str | None = None) -> bool:
        """Whether `text` holds any of the keys. `asc`: `ascii_only(text)`, where the caller has it."""
        if text.isascii():
            hay = text
        else:
            hay = ascii_only(text) if asc is None else asc
            for first, group in self._by_first:
                if first in text:
                    for key, _ in group:
                        if key in text:
                            return True
        for key, _ in self._ascii:  # noqa: SIM110 - a plain loop beats any() on a generator here
            if key in hay:
                return True
        return False

    def found(self: KeyIndex[tuple[int, ...]], text: str, asc: str | None = None) -> list[int]:
        """The payloads (tuples of ints) of the keys `text` holds, run together. `asc`: as for `any`."""
        if text.isascii():  # then it holds none of the other keys
            return [i for key, where in self._ascii if key in text for i in where]
        if asc is None:
            asc = ascii_only(text)
        out = [i for key, where in self._ascii if key in asc for i in where] if asc else []
        for first, group in self._by_first:
            if first in text:
                out += [i for key, where in group if key in text for i in where]
        return out


class Guarded:
    """A pattern with the literal `keys` of which every match contains at least one, so that a text
    holding none of them is skipped without running the pattern. No keys: always run. Keys starting with
    "~" are compared with the lower-cased text, for patterns that ignore case."""

    __slots__ = ("pattern", "plain", "folded", "odd", "always", "_index")

    def __init__(self, pattern: re.Pattern[str], keys: Sequence[str] = ()) -> None:
        self.pattern = pattern
        self.plain = tuple(k for k in keys if not k.startswith("~"))
        self.folded = tuple(k[1:] for k in keys if k.startswith("~"))
        self.odd = _odd_letters(self.folded)
        self.always = not keys or "" in self.plain or "" in self.folded
        self._index = KeyIndex((k, True) for k in self.plain)

    def could_match(self, text: str) -> bool:
        if self.always or self._index.any(text):
            return True
        if self.folded:
            low = lowered(text, self.odd)
            return low is None or any(key in low for key in self.folded)
        return False

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.could_match(text) else None


class PatternSet:
    """Patterns searched together; `findall` gives their distinct matches in pattern order, as running
    every pattern would, but runs only the patterns whose keys the text holds."""

    __slots__ = ("items", "_always", "_plain", "_folded", "_folded_odd", "_whole", "_spaced", "_blank_key")

    def __init__(self, items: Iterable[Guarded]) -> None:
        self.items = tuple(items)
        self._always = tuple(i for i, g in enumerate(self.items) if g.always)
        plain: dict[str, list[int]] = {}
        folded: dict[str, list[int]] = {}
        for i, g in enumerate(self.items):
            if not g.always:
                for key in g.plain:
                    plain.setdefault(key, []).append(i)
                for key in g.folded:
                    folded.setdefault(key, []).append(i)
        self._plain: KeyIndex[tuple[int, ...]] = KeyIndex((k, tuple(v)) for k, v in plain.items())
        self._folded = tuple((k, tuple(v)) for k, v in folded.items())
        self._folded_odd = _odd_letters(folded)
        # For `ruled_out_by_whole`, the space-free parts of each key: one-part keys in an index.
        parts = [k.split() for k in plain]
        self._whole: KeyIndex[bool] = KeyIndex((p[0], True) for p in parts if len(p) == 1)
        # the longest part first: the likeliest to be missing
        self._spaced = tuple(
            tuple((q, q.isascii()) for q in sorted(p, key=len, reverse=True)) for p in parts if len(p) > 1
        )
        self._blank_key = any(not p for p in parts)  # a key of spaces alone rules nothing out

    @classmethod
    def build(cls, patterns: Sequence[re.Pattern[str]], keys: Sequence[Sequence[str]] = ()) -> PatternSet:
        """`keys[i]` for `patterns[i]`; patterns beyond the keys given always run."""
        keys = list(keys) + [()] * (len(patterns) - len(keys))
        return cls(Guarded(p, k) for p, k in zip(patterns, keys, strict=True))

    def __add__(self, other: PatternSet) -> PatternSet:
        return PatternSet((*self.items, *other.items))

    def ruled_out_by_whole(self, norm_whole: str) -> bool:
        """True when no pattern can match `normalize(unquote(text))`, judged from `normalize(text)`:
        unquoting only blanks out spans, so every space-free stretch of the unquoted text is also in the
        whole one, and so is every space-free part of a key it holds. (Needs plain keys on every pattern.)"""
        if self._always or self._folded or self._blank_key:
            return False
        asc = norm_whole if norm_whole.isascii() else ascii_only(norm_whole)
        if self._whole.any(norm_whole, asc):
            return False
        for parts in self._spaced:
            for part, is_ascii in parts:
                if part not in (asc if is_ascii else norm_whole):
                    break
            else:
                return False
        return True

    def findall(self, text: str) -> list[str]:
        asc = text if text.isascii() else ascii_only(text)
        active = self._plain.found(text, asc)
        if self._folded:
            low = lowered(text, self._folded_odd, asc)
            active += [i for key, where in self._folded if low is None or key in low for i in where]
        active += self._always
        if not active:
            return []
        found: list[str] = []
        for i in sorted(set(active)):
            found.extend(m.group(0).strip() for m in self.items[i].pattern.finditer(text))
        return unique(found)


def unique(items: Iterable[str]) -> list[str]:
    """The non-empty items, each once, in first-seen order."""
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item, None)
    return list(seen)
