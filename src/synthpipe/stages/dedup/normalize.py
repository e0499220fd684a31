"""Normalisation for exact dedup: two texts are exact duplicates when their normal forms are equal.

NFKC folds full-width and compatibility forms (`ＡＢＣ１` -> `ABC1`, `，` -> `,`), casefold handles case in
every script, punctuation (Unicode category P*, which covers CJK punctuation such as `。、「」`) becomes a
space, whitespace runs collapse to one space, and spaces next to a Chinese/Japanese character are dropped,
since those scripts do not separate words with spaces.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache

# Han, kana and CJK compatibility ideographs: the scripts whose text has no spaces between words.
CJK_RANGES = (
    (0x3040, 0x30FF),
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFF66, 0xFF9F),
    (0x20000, 0x3134F),
)
CJK_CLASS = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in CJK_RANGES)
_SPACE_NEXT_TO_CJK = re.compile(f"(?<=[{CJK_CLASS}]) | (?=[{CJK_CLASS}])")


def _is_punct(c: int) -> bool:
    return unicodedata.category(chr(c)).startswith("P")


class _PunctToSpace(dict):  # type: ignore[type-arg]
    """str.translate table: punctuation -> " ", every other character itself; each code point is
    looked up the first time it is seen, so no table of the whole of Unicode is built up front."""

    def __missing__(self, c: int) -> str:
        value = self[c] = " " if _is_punct(c) else chr(c)
        return value


@cache
def _tables() -> tuple[bytes, dict[int, str]]:
    """Translation tables mapping punctuation to a space: a bytes table for ASCII, a lazy one for the rest."""
    ascii_table = bytes(32 if _is_punct(c) else c for c in range(256) if c < 128) + bytes(range(128, 256))
    return ascii_table, _PunctToSpace()


def normalize(text: str) -> str:
    """The exact-dedup normal form of `text`."""
    ascii_table, unicode_table = _tables()
    text = unicodedata.normalize("NFKC", text).casefold()
    if text.isascii():  # the common case; bytes.translate is ~2x faster than str.translate
        return " ".join(text.encode("ascii").translate(ascii_table).decode("ascii").split())
    text = " ".join(text.translate(unicode_table).split())
    return _SPACE_NEXT_TO_CJK.sub("", text)


def exact_key(normalized: str) -> bytes:
    """A 128-bit digest of a normal form: the exact-duplicate key (collisions are not a practical concern)."""
    return hashlib.blake2b(normalized.encode("utf-8"), digest_size=16).digest()
