"""Inline SVG charts for report.html: no script, no library, nothing fetched.

Every chart is a `<figure class="chart" data-chart=ID>`; each bar is a `<rect class="bar">` carrying
`data-label` and `data-value`, so a browser test can count and measure them. All text is escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH = 640
PALETTE = {"accepted": "#2f9e44", "rejected": "#e03131", "failed": "#868e96", "": "#1c7ed6"}


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def _num(v: float) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _short(label: str, n: int = 28) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def figure(chart_id: str, title: str, body: str, note: str = "") -> str:
    note_html = f'<p class="note">{esc(note)}</p>' if note else ""
    return (
        f'<figure class="chart" data-chart="{esc(chart_id)}"><figcaption>{esc(title)}</figcaption>'
        f"{body}{note_html}</figure>"
    )


def empty(chart_id: str, title: str, why: str) -> str:
    return (
        f'<figure class="chart empty" data-chart="{esc(chart_id)}" data-empty="1"><figcaption>{esc(title)}'
        f'</figcaption><p class="none">{esc(why)}</p></figure>'
    )


def hbar(
    chart_id: str, title: str, items: Sequence[tuple[str, float]], color: str = "#1c7ed6", note: str = ""
) -> str:
    """Horizontal bars, one row per (label, value), in the given order."""
    if not items:
        return empty(chart_id, title, "nothing to show")
    row, label_w, right = 24, 210, 50
    plot_w = WIDTH - label_w - right
    top = max(v for _, v in items) or 1
    h = row * len(items) + 8
    parts = [
        f'<svg class="plot" width="{WIDTH}" height="{h}" viewBox="0 0 {WIDTH} {h}" role="img" '
        f'aria-label="{esc(title)}">'
    ]
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        w = max(2.0, plot_w * value / top) if value else 0.0
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" class="lbl">{esc(_short(label))}</text>'
            f'<rect class="bar" data-label="{esc(label)}" data-value="{_num(value)}" x="{label_w}" y="{y + 3}" '
            f'width="{w:.1f}" height="{row - 6}" fill="{color}"><title>{esc(label)}: {_num(value)}</title></rect>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}" class="val">{_num(value)}</text>'
        )
    parts.append("</svg>")
    return figure(chart_id, title, "".join(parts), note)


def vbar(
    chart_id: str,
    title: str,
    bins: Sequence[str],
    series: dict[str, Sequence[float]],
    width: int = WIDTH,
    note: str = "",
) -> str:
    """Vertical grouped bars: one group per bin, one bar per series (legend when more than one)."""
    if not bins or not any(any(v for v in vals) for vals in series.values()):
        return empty(chart_id, title, "nothing to show")
    height, bottom, left, top_pad = 170, 34, 34, 16
    plot_h = height - bottom - top_pad
    group_w = (width - left - 8) / len(bins)
    bar_w = max(3.0, (group_w - 6) / max(1, len(series)))
    top = max(max(vals) for vals in series.values()) or 1
    # ranges like "0.1–0.2" overlap in narrow groups: label each group by its lower edge then
    short = group_w < 7 * max(len(b) for b in bins)
    parts = [
        f'<svg class="plot" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{esc(title)}">',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 4}" y2="{height - bottom}" class="axis"/>',
        f'<text x="{left - 4}" y="{top_pad + 4}" text-anchor="end" class="val">{_num(top)}</text>',
    ]
    for b, label in enumerate(bins):
        gx = left + b * group_w + 3
        for s, (name, vals) in enumerate(series.items()):
            v = vals[b]
            bh = plot_h * v / top if v else 0.0
            x, y = gx + s * bar_w, height - bottom - bh
            parts.append(
                f'<rect class="bar" data-series="{esc(name)}" data-label="{esc(label)}" data-value="{_num(v)}" '
                f'x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" height="{bh:.1f}" '
                f'fill="{PALETTE.get(name or label, PALETTE[""])}">'
                f"<title>{esc(name + ' ' if name else '')}{esc(label)}: {_num(v)}</title></rect>"
            )
        parts.append(
            f'<text x="{gx + group_w / 2 - 3:.1f}" y="{height - bottom + 14}" text-anchor="middle" '
            f'class="tick">{esc(label.split("–")[0] if short else _short(label, 10))}</text>'
        )
    if len(series) > 1:
        x = left
        for name in series:
            parts.append(
                f'<rect x="{x}" y="{height - 12}" width="10" height="10" '
                f'fill="{PALETTE.get(name, PALETTE[""])}"/><text x="{x + 14}" y="{height - 3}" '
                f'class="tick">{esc(name)}</text>'
            )
            x += 16 + 8 * len(name) + 10
    parts.append("</svg>")
    return figure(chart_id, title, "".join(parts), note)


def histogram(values: Sequence[float], lo: float, hi: float, n: int) -> tuple[list[str], list[int]]:
    """Counts of `values` in n equal bins over [lo, hi] (the last bin includes hi)."""
    step = (hi - lo) / n
    counts = [0] * n
    for v in values:
        counts[min(n - 1, max(0, int((v - lo) / step)))] += 1
    fmt = (lambda x: f"{x:g}") if step < 1 else (lambda x: f"{int(x)}")
    return [f"{fmt(lo + i * step)}–{fmt(lo + (i + 1) * step)}" for i in range(n)], counts


def nice_max(v: float) -> float:
    """A round upper bound (1, 2, 5 × 10^k) at or above v, so bin edges read well."""
    if v <= 0:
        return 1
    k = 1.0
    while k * 10 <= v:
        k *= 10
    for m in (1, 2, 5, 10):
        if m * k >= v:
            return m * k
    return 10 * k
