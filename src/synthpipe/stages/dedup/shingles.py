"""Shingles: the sets whose Jaccard similarity defines a near duplicate.

Chinese and Japanese text has no spaces between words, so it is cut into character n-grams; other text
into word n-grams. The choice is made per text by the share of CJK characters. Shingles are 64-bit hashes
that depend only on the text (no per-process salt), so an index built today matches one built tomorrow.

Batches are cut with numpy over the code points of many texts at once (no Python work per word): that is
what lets a million short records go through in seconds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from synthpipe.core.errors import MissingDependencyError
from synthpipe.stages.dedup.normalize import CJK_CLASS, CJK_RANGES

if TYPE_CHECKING:
    import numpy as np

# Defaults of DedupConfig.word_ngram / char_ngram, chosen on the labelled near-duplicate set (bench/dedup.md):
# records are short, so at Jaccard 0.8 longer n-grams miss edits of 5-10% of the words.
WORD_N = 1
CHAR_N = 2
CJK_MIN_RATIO = 0.3  # share of non-space characters that are CJK for a text to be cut into characters
_CHUNK = 1 << 14  # texts per vectorised block (~100 MB of temporaries for short texts)
_MULT = 0x9E3779B97F4A7C15  # odd 64-bit constant (golden ratio) for polynomial combining
_CJK = re.compile(f"[{CJK_CLASS}]")


def numpy():  # type: ignore[no-untyped-def]
    """numpy, or a clear error naming the extra that brings it."""
    try:
        import numpy as np
    except ImportError:
        raise MissingDependencyError("MinHash dedup", "minhash") from None
    return np


def cjk_ratio(text: str) -> float:
    """Share of the non-space characters of `text` that are Chinese/Japanese."""
    if text.isascii():
        return 0.0
    chars = len(text) - text.count(" ")
    return len(_CJK.findall(text)) / chars if chars else 0.0


def is_cjk(text: str) -> bool:
    return cjk_ratio(text) >= CJK_MIN_RATIO


def splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, vectorised: spreads every input bit over the 64-bit output."""
    np = numpy()
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


class Shingler:
    """Cuts normalised texts into n-gram hashes: `word_n`-grams of words, `char_n`-grams of CJK characters.

    Texts must be normalised (`normalize`): single spaces, no newlines."""

    def __init__(self, word_n: int = WORD_N, char_n: int = CHAR_N) -> None:
        if word_n < 1 or char_n < 1:
            raise ValueError("n-gram sizes must be >= 1")
        self.word_n, self.char_n = word_n, char_n

    def batch(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Shingle hashes of every text: a flat uint64 array and int64 row offsets (len(texts) + 1).

        Shingles repeat within a row when the text repeats itself; callers that need sets use `np.unique`.
        A text shorter than n tokens is one shingle; an empty text has none."""
        np = numpy()
        parts: list[np.ndarray] = []
        counts: list[np.ndarray] = []
        for start in range(0, len(texts), _CHUNK):
            flat, offsets = self._block(texts[start : start + _CHUNK])
            parts.append(flat)
            counts.append(np.diff(offsets))
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        if counts:
            np.cumsum(np.concatenate(counts), out=offsets[1:])
        flat = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
        return flat, offsets

    def shingles(self, text: str) -> np.ndarray:
        """The sorted, unique shingle hashes of one normalised text."""
        flat, _ = self.batch([text])
        return numpy().unique(flat)

    def _block(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        np = numpy()
        rows = len(texts)
        cps = np.frombuffer("\n".join(texts).encode("utf-32-le"), dtype=np.uint32)
        total = len(cps)
        newline = cps == 10
        space = newline | (cps == 32)
        row = np.cumsum(newline, dtype=np.int32)
        row -= newline  # the text each code point belongs to
        visible = np.bincount(row[~space], minlength=rows)
        cjk_count = np.bincount(row[_cjk_table()[cps]], minlength=rows)
        cjk_row = (visible > 0) & (cjk_count >= CJK_MIN_RATIO * visible)

        # words: runs of non-space code points, hashed by a polynomial over their code points
        word_start = ~space
        word_start[1:] &= space[:-1]
        starts = np.flatnonzero(word_start)
        lengths_w = np.diff(np.append(starts, total))  # up to the next word (trailing spaces add 0)
        offset_in_word = np.zeros(total, dtype=np.int32)  # leading spaces (none once normalised) stay 0
        if len(starts):
            first = int(starts[0])
            offset_in_word[first:] = np.arange(first, total, dtype=np.int32) - np.repeat(
                starts.astype(np.int32), lengths_w
            )
        powers = _powers(int(offset_in_word.max()) + 1 if total else 1)
        with np.errstate(over="ignore"):
            contrib = (cps.astype(np.uint64) + np.uint64(1)) * powers[offset_in_word]
        contrib[space] = 0
        word_hash = np.add.reduceat(contrib, starts) if len(starts) else np.zeros(0, dtype=np.uint64)

        # one token per word start in word rows, per code point in CJK rows (spaces inside CJK text count)
        cjk_pos = cjk_row[row]
        token_at = np.where(cjk_pos, ~newline, word_start)
        values = cps.astype(np.uint64)
        in_words = ~cjk_row[row[starts]]  # CJK rows keep their characters
        values[starts[in_words]] = word_hash[in_words]
        tokens = values[token_at]
        lengths = np.bincount(row[token_at], minlength=rows).astype(np.int64)
        ns = np.where(cjk_row, self.char_n, self.word_n).astype(np.int64)
        return ngram_hashes(tokens, lengths, ns)


@cache
def _cjk_table() -> np.ndarray:
    """Boolean lookup by code point: is it a Chinese/Japanese character."""
    np = numpy()
    table = np.zeros(0x110000, dtype=bool)
    for lo, hi in CJK_RANGES:
        table[lo : hi + 1] = True
    return table


def _powers(n: int) -> np.ndarray:
    """_MULT ** k mod 2**64 for k < n."""
    np = numpy()
    out = np.ones(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        step = np.uint64(_MULT)
        filled = 1
        while filled < n:  # doubling: out[f:2f] = out[:f] * MULT**f
            take = min(filled, n - filled)
            out[filled : filled + take] = out[:take] * step
            step = step * step
            filled += take
    return out


def ngram_hashes(tokens: np.ndarray, lengths: np.ndarray, ns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hash every n-gram inside each row (rows are `lengths` long, row i uses n = ns[i]; a row shorter than
    its n is one shingle of all its tokens)."""
    np = numpy()
    total = int(lengths.sum())
    n_eff = np.minimum(ns, np.maximum(lengths, 1))
    counts = np.where(lengths > 0, lengths - n_eff + 1, 0)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    if total == 0:
        return np.zeros(0, dtype=np.uint64), offsets
    row = np.repeat(np.arange(len(lengths)), lengths)
    row_start = np.repeat(np.cumsum(lengths) - lengths, lengths)
    pos_n = n_eff[row]
    valid = (np.arange(total) - row_start) + pos_n <= lengths[row]
    n_max = int(pos_n.max())
    if n_max == 1:
        return splitmix64(tokens ^ np.uint64(1 << 56)), offsets
    padded = np.concatenate([tokens, np.zeros(n_max, dtype=np.uint64)])
    out = tokens.copy()
    g = tokens.copy()
    mult = np.uint64(_MULT)
    with np.errstate(over="ignore"):
        for n in range(2, n_max + 1):
            g *= mult
            g += padded[n - 1 : n - 1 + total]
            sel = pos_n == n
            out[sel] = g[sel]
    return splitmix64(out[valid] ^ (pos_n[valid].astype(np.uint64) << np.uint64(56))), offsets
