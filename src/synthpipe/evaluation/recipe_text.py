"""Edit a recipe's YAML text in place, so the new recipe differs from the old one only where it must.

Every edit changes the text (the user's comments, key order and layout stay) and, beside it, the data
the text must load as. `render()` loads the edited text and compares: when an edit met a layout it
cannot handle (a multi-line flow list, an anchor…), the whole recipe is written again from the data
instead (still in its key order, its comments lost), and `kept_layout` says so.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import yaml

NOTE = "# feedback:"


def scalar(value: Any) -> str:
    """`value` as a YAML flow scalar (quoted only when it must be)."""
    return yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=10**9).strip()[1:-1]


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


class RecipeText:
    def __init__(self, text: str, order: list[str]) -> None:
        """`order`: the recipe's keys in schema order (where a missing key is inserted)."""
        self.original = text
        self.lines = text.splitlines()
        self.data: dict[str, Any] = yaml.safe_load(text) or {}
        self.expected: dict[str, Any] = copy.deepcopy(self.data)
        self.order = order
        self.kept_layout = True

    # --- finding ---------------------------------------------------------------------------------------
    def _key_line(self, key: str) -> int | None:
        pattern = re.compile(rf"^['\"]?{re.escape(key)}['\"]?\s*:(\s|$)")
        return next((i for i, line in enumerate(self.lines) if pattern.match(line)), None)

    def _block_end(self, i: int) -> int:
        """The last line of the block that key line `i` opens (its indented lines and list items; a
        column-0 comment ends it unless more of the block follows)."""
        last, j = i, i + 1
        while j < len(self.lines):
            line = self.lines[j]
            if not line.strip():
                j += 1
                continue
            if line[0] in " \t-":
                last = j
                j += 1
                continue
            if _is_comment(line):
                k = j + 1
                while k < len(self.lines) and (not self.lines[k].strip() or _is_comment(self.lines[k])):
                    k += 1
                if k < len(self.lines) and self.lines[k][0] in " \t-":
                    j = k
                    continue
            break
        return last

    def _value_text(self, i: int) -> str:
        return self.lines[i].split(":", 1)[1]

    def _insert_at(self, key: str) -> int:
        """Where a missing top-level key goes: after the block of the latest key before it in schema
        order, else after the leading comments."""
        before = self.order[: self.order.index(key)] if key in self.order else self.order
        ends = [self._block_end(i) for k in before if (i := self._key_line(k)) is not None]
        if ends:
            return max(ends) + 1
        n = 0
        while n < len(self.lines) and (_is_comment(self.lines[n]) or not self.lines[n].strip()):
            n += 1
        return n

    # --- editing ---------------------------------------------------------------------------------------
    def set_scalar(self, key: str, value: Any, note: str) -> None:
        self.expected[key] = value
        line = f"{key}: {scalar(value)}   {NOTE} {_one_line(note)}"
        i = self._key_line(key)
        if i is None:
            at = self._insert_at(key)
            self.lines[at:at] = [line]
        elif self._block_end(i) == i and self._value_text(i).strip():
            self.lines[i] = line
        else:
            self.replace_block(key, value, note)

    def append_items(
        self, key: str, items: list[tuple[Any, str]], header: str, base: list[Any] | None = None
    ) -> None:
        """Add `items` (value, where it came from) to the top-level list `key`; `base` is written first
        when the recipe has no such list (the defaults it stood for, which a list would replace)."""
        current = self.expected.get(key)
        start = list(current) if isinstance(current, list) and current else list(base or [])
        self.expected[key] = start + [v for v, _ in items]
        i = self._key_line(key)
        if i is None or not isinstance(current, list) or (not current and base):
            block = [f"{NOTE} {_one_line(header)}", f"{key}:"]
            block += [f"  - {scalar(v)}" for v in start]
            block += [f"  - {scalar(v)}   {NOTE} {_one_line(note)}" for v, note in items]
            if i is None:
                at = self._insert_at(key)
                self.lines[at:at] = block
            else:
                self.lines[i : self._block_end(i) + 1] = block
            return
        end = self._block_end(i)
        rest = self._value_text(i)
        if rest.strip() and not rest.strip().startswith("#"):
            self._append_flow(i, end, rest, current, items)
            return
        item_lines = [j for j in range(i + 1, end + 1) if self.lines[j].lstrip().startswith("-")]
        if not item_lines:
            self.replace_block(key, self.expected[key], header)
            return
        first = self.lines[item_lines[0]]
        indent = first[: len(first) - len(first.lstrip())]
        last = max(
            j for j in range(i + 1, end + 1) if self.lines[j].strip() and not _is_comment(self.lines[j])
        )
        new = [f"{indent}- {scalar(v)}   {NOTE} {_one_line(note)}" for v, note in items]
        self.lines[last + 1 : last + 1] = new

    def _append_flow(
        self, i: int, end: int, rest: str, current: list[Any], items: list[tuple[Any, str]]
    ) -> None:
        """`key: [a, b]  # comment` on one line: the new items go before its `]`, a comment line each above."""
        key = self.lines[i].split(":", 1)[0]
        close = None
        if end == i:
            for m in re.finditer(r"\]", rest):
                try:
                    if yaml.safe_load(rest[: m.end()]) == current:
                        close = m.start()
                        break
                except yaml.YAMLError:
                    continue
        if close is None:
            self.replace_block(key.strip("'\""), self.expected[key.strip("'\"")], "items added by feedback")
            return
        head = rest[:close].rstrip()
        sep = "" if head.strip() == "[" else ", "
        added = ", ".join(scalar(v) for v, _ in items)
        self.lines[i] = f"{key}:{head}{sep}{added}{rest[close:]}"
        notes = [f"{NOTE} + {scalar(v)}: {_one_line(note)}" for v, note in items]
        self.lines[i:i] = notes

    def set_child(self, parent: str, key: str, value: Any, note: str) -> None:
        """Set `parent.key` (a mapping under a top-level key) to a scalar."""
        block = self.expected.get(parent)
        if not isinstance(block, dict):
            block = {}
        self.expected[parent] = {**block, key: value}
        i = self._key_line(parent)
        if i is None:
            self.replace_block(parent, self.expected[parent], note)
            return
        end = self._block_end(i)
        if self._value_text(i).strip() and not self._value_text(i).strip().startswith("#"):
            self.replace_block(parent, self.expected[parent], note)
            return
        children = [
            j for j in range(i + 1, end + 1) if self.lines[j].strip() and not _is_comment(self.lines[j])
        ]
        if not children:
            self.replace_block(parent, self.expected[parent], note)
            return
        indent = min(len(self.lines[j]) - len(self.lines[j].lstrip()) for j in children)
        pad = " " * indent
        line = f"{pad}{key}: {scalar(value)}   {NOTE} {_one_line(note)}"
        pattern = re.compile(rf"^{pad}{re.escape(key)}\s*:")
        hit = next((j for j in children if pattern.match(self.lines[j])), None)
        if hit is None:
            self.lines[i + 1 : i + 1] = [line]
        elif (v := self.lines[hit].split(":", 1)[1].strip()) and not v.startswith("#"):
            self.lines[hit] = line  # a one-line value; anything longer is written again below
        else:
            self.replace_block(parent, self.expected[parent], note)

    def replace_block(self, key: str, value: Any, note: str) -> None:
        """Write `key` again from its value, block style, with a comment saying why."""
        self.expected[key] = value
        dumped = yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, width=100).splitlines()
        block = [f"{NOTE} {_one_line(note)}", *dumped]
        i = self._key_line(key)
        if i is None:
            at = self._insert_at(key)
            self.lines[at:at] = block
        else:
            self.lines[i : self._block_end(i) + 1] = block

    # --- result ----------------------------------------------------------------------------------------
    def render(self, header: list[str]) -> str:
        """The edited text when it loads as the expected data; else the data written again (the key order
        kept), `header` comment lines first."""
        text = "\n".join(self.lines) + "\n"
        try:
            if yaml.safe_load(text) == self.expected:
                return text
        except yaml.YAMLError:
            pass
        self.kept_layout = False
        body = yaml.safe_dump(self.expected, sort_keys=False, allow_unicode=True, width=100)
        return "".join(f"{NOTE} {_one_line(h)}\n" for h in header) + body
