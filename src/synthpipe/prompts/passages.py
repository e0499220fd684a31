"""Source documents cut into passages of at most `size` characters: one passage goes into one prompt.

Paragraphs (split on blank lines) are packed together up to the size, as they always were, so a document
whose paragraphs all fit keeps exactly the passages it had, and a resumed run asks the same prompts. Only
a paragraph longer than the size is cut further: at line breaks, then at sentence ends (`. ! ?` before a
space; `。！？；` anywhere, since Chinese puts no space between sentences), and a sentence that is still
too long at the size itself (at a space in its second half when there is one). The pieces are packed
again up to the size, so no text is lost and the order is kept.
"""

from __future__ import annotations

import re

PASSAGE_CHARS = 1500

_LINE = re.compile(r"[^\n]*\n|[^\n]+")
# The closing quotes and brackets after a sentence end stay with the sentence.
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*\s+|[。！？；]+[”’」』）】]*\s*")


def passages(texts: list[str], size: int = PASSAGE_CHARS) -> list[str]:
    """Split source documents on paragraph breaks into passages of at most `size` characters."""
    out: list[str] = []
    for text in texts:
        buf = ""
        for para in text.split("\n\n"):
            if len(para) > size:
                if buf.strip():
                    out.append(buf.strip())
                pieces = pack(cut(para, size), size)
                out.extend(p.strip() for p in pieces[:-1] if p.strip())
                # The paragraph's tail may share a passage with the paragraphs after it.
                buf = pieces[-1] + "\n\n" if pieces[-1].strip() else ""
                continue
            # Unchanged from before long paragraphs were cut: the passages of documents that fit depend on it.
            if buf and len(buf) + len(para) > size:
                out.append(buf.strip())
                buf = ""
            buf += para + "\n\n"
        if buf.strip():
            out.append(buf.strip())
    return out


def cut(text: str, size: int) -> list[str]:
    """`text` in pieces of at most `size` characters whose concatenation is `text`: lines, then
    sentences, then hard cuts, each finer step only for a piece the coarser one left too long."""
    if len(text) <= size:
        return [text]
    out: list[str] = []
    for line in _LINE.findall(text):
        if len(line) <= size:
            out.append(line)
            continue
        for sentence in _sentences(line):
            if len(sentence) <= size:
                out.append(sentence)
            else:
                out.extend(_hard_cut(sentence, size))
    return out


def pack(pieces: list[str], size: int) -> list[str]:
    """Consecutive pieces joined into as few strings of at most `size` characters as go greedily."""
    out: list[str] = []
    cur: list[str] = []
    n = 0
    for piece in pieces:
        if cur and n + len(piece) > size:
            out.append("".join(cur))
            cur, n = [], 0
        cur.append(piece)
        n += len(piece)
    if cur:
        out.append("".join(cur))
    return out


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        out.append(text[start : m.end()])
        start = m.end()
    if start < len(text):
        out.append(text[start:])
    return out


def _hard_cut(text: str, size: int) -> list[str]:
    out: list[str] = []
    start = 0
    while len(text) - start > size:
        space = text.rfind(" ", start + size // 2, start + size)
        end = space + 1 if space >= 0 else start + size  # the space stays on the left piece
        out.append(text[start:end])
        start = end
    out.append(text[start:])
    return out
