"""The dataset card (README.md of an hf or llamafactory export): where the data came from (recipes with
their hashes, models, pool version), what it holds (rows per task, origin, split and model) and how the
weights were applied."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from synthpipe.core.records import Record
from synthpipe.exports import ExportInfo
from synthpipe.exports.formats import PROVENANCE, split_of

KEYS = ("task", "origin", "split", "model")


@dataclass
class Tally:
    records: int = 0  # read from the source
    rows: int = 0  # written
    dropped: int = 0  # records written 0 times (weight 0, or a weight below 1 that lost its draw)
    reweighted: int = 0  # records whose weight is not 1
    lowest: float = float("inf")  # of the weights other than 1
    highest: float = float("-inf")
    _groups: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)  # rows per KEYS values

    def add(self, rec: Record, copies: int) -> None:
        self.records += 1
        m = rec.meta
        w = m.weight
        if w != 1 and isinstance(w, int | float):  # --no-weights takes any value
            self.reweighted += 1
            self.lowest, self.highest = min(w, self.lowest), max(w, self.highest)
        if copies:
            self.rows += copies
            self._groups[(m.task, m.origin, split_of(rec) or "", m.model)] += copies
        else:
            self.dropped += 1

    def by(self, key: str) -> Counter[str]:
        """Rows per value of one of KEYS."""
        i = KEYS.index(key)
        out: Counter[str] = Counter()
        for group, n in self._groups.items():
            out[group[i]] += n
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "rows": self.rows,
            "dropped": self.dropped,
            "reweighted": self.reweighted,
            **{key: dict(self.by(key).most_common()) for key in KEYS},
        }


def _table(title: str, counter: Counter[str], total: int) -> list[str]:
    lines = [f"| {title} | rows | share |", "|---|---:|---:|"]
    for value, n in counter.most_common():
        lines.append(f"| {value or '(none)'} | {n:,} | {n / total:.1%} |")
    return lines


def render(info: ExportInfo, tally: Tally, fmt: str, usage: str) -> str:
    name = info.name or "synthpipe export"
    out = [
        "---",
        "tags:",
        "- synthetic",
        "- synthpipe",
        "---",
        "",
        f"# {name}",
        "",
        f"Synthetic training data exported by synthpipe (`--format {fmt}`) from {info.source}: "
        f"{tally.rows:,} rows from {tally.records:,} accepted records.",
        "",
        usage,
        "",
        "## Source",
        "",
        f"- pool version: {info.pool_version if info.pool_version is not None else '— (not from a pool)'}",
        f"- split: {info.split}",
    ]
    if info.recipes:
        out.append(
            "- recipes (name: data hash): "
            + ", ".join(f"`{n}`: `{h or '?'}`" for n, h in info.recipes.items())
        )
    else:
        out.append("- recipes: none recorded (records read from a file)")
    out.append("- models: " + (", ".join(info.models) if info.models else "as recorded per record (below)"))
    if info.labels:
        out.append("- labels: " + ", ".join(info.labels))
    out += ["", "## Contents", ""]
    for key in KEYS:
        out += _table(key, tally.by(key), max(tally.rows, 1)) + [""]
    out += ["## Weights", ""]
    out += [f"- {rule}" for rule in info.weight_rules]
    lo, hi = tally.lowest, tally.highest
    if tally.reweighted:
        out.append(
            f"- {tally.reweighted:,} of {tally.records:,} records had a weight other than 1 (from {lo:g} to "
            f"{hi:g}); {tally.dropped:,} were written 0 times. Copies of a record sit next to each other: "
            "shuffle when training."
        )
    else:
        out.append("- every record had weight 1 and was written once.")
    where = {
        "hf": "as columns",
        "parquet": "as columns",
        "openai": "in the sidecar NAME.meta.jsonl, line for line",
    }.get(fmt, "under `_meta` in each line (trainers ignore unmapped keys)")
    out += [
        "",
        "## Provenance",
        "",
        f"Every row keeps {', '.join(f'`{p}`' for p in PROVENANCE)} ({where}); `weight` is the record's weight "
        "before copies.",
        "",
    ]
    return "\n".join(out)
