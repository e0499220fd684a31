"""Coverage of the plan: accepted records and reject rates per topic, persona and question type, so a
topic the model cannot write for (every candidate rejected) shows up instead of vanishing from the data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from synthpipe.core.records import Record
from synthpipe.report.charts import esc

DIMENSIONS = (("topic", "Topic"), ("persona", "Persona"), ("question_type", "Question type"))


def coverage(accepted: Sequence[Record], rejected: Sequence[Record]) -> dict[str, list[dict[str, Any]]]:
    """Per planned dimension that varied: [{value, accepted, rejected, reject_rate, top_reason}], the
    values with nothing accepted first, then by fewest accepted. Records without a plan (files) count
    nowhere; derived records (augmented, parent_id) count with neither, as they were not planned."""
    out: dict[str, list[dict[str, Any]]] = {}
    for key, _title in DIMENSIONS:
        ok: Counter[str] = Counter()
        bad: Counter[str] = Counter()
        reasons: dict[str, Counter[str]] = {}
        for recs, into in ((accepted, ok), (rejected, bad)):
            for rec in recs:
                value = rec.meta.plan.get(key) if rec.meta.plan and not rec.meta.parent_id else None
                if not value:
                    continue
                into[str(value)] += 1
                if into is bad and rec.meta.reasons:
                    reasons.setdefault(str(value), Counter())[rec.meta.reasons[0].code] += 1
        values = set(ok) | set(bad)
        if len(values) < 2 and not any(not ok[v] for v in values):
            continue  # nothing varied and nothing to flag
        rows = [
            {
                "value": v,
                "accepted": ok[v],
                "rejected": bad[v],
                "reject_rate": round(bad[v] / (ok[v] + bad[v]), 3),
                "top_reason": reasons[v].most_common(1)[0][0] if v in reasons else "",
            }
            for v in values
        ]
        rows.sort(key=lambda r: (r["accepted"] > 0, r["accepted"], -r["rejected"], r["value"]))
        out[key] = rows
    return out


def coverage_html(cov: dict[str, list[dict[str, Any]]], shown: int = 40) -> str:
    if not cov:
        return ""
    parts = ['<h2>Coverage of the plan</h2><section id="coverage">']
    for key, title in DIMENSIONS:
        rows = cov.get(key)
        if not rows:
            continue
        empty = [r["value"] for r in rows if not r["accepted"]]
        note = (
            f'<p class="warn" data-empty="{len(empty)}">Nothing accepted for {len(empty)} '
            f"{esc(title.lower())}{'s' if len(empty) != 1 else ''}: {esc(', '.join(empty[:12]))}"
            f"{' …' if len(empty) > 12 else ''}. See their reasons below; rework those topics or drop them.</p>"
            if empty
            else ""
        )
        body = "".join(
            f'<tr class="{"empty" if not r["accepted"] else ""}" data-value="{esc(r["value"])}">'
            f"<td>{esc(r['value'])}</td><td>{r['accepted']}</td><td>{r['rejected']}</td>"
            f"<td>{r['reject_rate']:.0%}</td><td><code>{esc(r['top_reason'])}</code></td></tr>"
            for r in rows[:shown]
        )
        more = f'<p class="note">{len(rows) - shown} more not shown.</p>' if len(rows) > shown else ""
        parts.append(
            f'<h3>{esc(title)} ({len(rows)})</h3>{note}<table class="templates coverage" id="coverage-{key}">'
            "<thead><tr><th>value</th><th>accepted</th><th>rejected</th><th>reject rate</th>"
            f"<th>most common reason</th></tr></thead><tbody>{body}</tbody></table>{more}"
        )
    parts.append("</section>")
    return "".join(parts)
