"""report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched) summing up a run.

Charts: outcomes, reject reasons, flags, judge scores per criterion and overall, agreement, answer
lengths, label balance (classify), answer template clusters (from the dedup stage's manifest entry); then
the largest template clusters in full, coverage of the plan (accepted and reject rate per topic, persona
and question type, with those where nothing was accepted flagged) and the worst rejected examples. Record text is
untrusted: everything is escaped, and the page's Content-Security-Policy forbids scripts and any load.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from synthpipe.core.records import Record
from synthpipe.report.charts import esc, hbar, histogram, nice_max, vbar
from synthpipe.report.coverage import coverage, coverage_html
from synthpipe.tasks import TaskKind, get_task

WORST_EXAMPLES = 24
FIELD_CHARS = 700
_NOT_CRITERIA = {"overall", "reason", "by_model", "aggregation", "votes", "passed"}
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'"

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",sans-serif;margin:0;
color:#212529;background:#f8f9fa}
header{background:#1f2933;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:20px}
header p{margin:0;color:#cbd2d9}main{padding:18px 28px;max-width:1400px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:18px}
.card{background:#fff;border:1px solid #dee2e6;border-radius:8px;padding:10px 16px;min-width:110px}
.card b{display:block;font-size:22px}.card span{color:#6c757d}
.grid{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
figure.chart{background:#fff;border:1px solid #dee2e6;border-radius:8px;margin:0;padding:10px 12px}
figcaption{font-weight:600;margin-bottom:6px}.note,.none{color:#6c757d;margin:4px 0 0;font-size:12px}
svg .lbl,svg .val,svg .tick{font-size:12px;fill:#343a40}svg .axis{stroke:#adb5bd}
h2{margin:26px 0 10px;font-size:17px}
.example{background:#fff;border:1px solid #dee2e6;border-left:4px solid #e03131;border-radius:6px;
padding:8px 12px;margin-bottom:10px}
.example .head{color:#6c757d;font-size:12px}.reasons{margin:6px 0;padding-left:18px}
.reasons code{background:#fff5f5;color:#c92a2a;padding:0 4px;border-radius:3px}
.field{margin:4px 0}.field b{color:#495057}.field pre{white-space:pre-wrap;word-break:break-word;margin:2px 0;
background:#f1f3f5;padding:6px 8px;border-radius:4px;font:13px/1.4 ui-monospace,Menlo,Consolas,monospace}
details pre{white-space:pre-wrap;word-break:break-word;background:#fff;border:1px solid #dee2e6;padding:10px}
.warn{color:#c92a2a;font-weight:600}tr.empty td{background:#fff5f5}h3{font-size:15px;margin:16px 0 6px}
table.templates{border-collapse:collapse;background:#fff;border:1px solid #dee2e6;font-size:13px}
table.templates td,table.templates th{border-top:1px solid #dee2e6;padding:4px 10px;text-align:left;
vertical-align:top}table.templates code{white-space:pre-wrap;word-break:break-word;
font-family:ui-monospace,Menlo,Consolas,"Noto Sans CJK SC","PingFang SC",monospace}
"""


def write_report(
    out_dir: Path, accepted: list[Record], rejected: list[Record], manifest: dict[str, Any]
) -> Path:
    """Write `out_dir/report.html` (atomically) and return its path."""
    out = Path(out_dir) / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".report.html.{os.getpid()}.tmp")
    tmp.write_text(render_report(accepted, rejected, manifest), encoding="utf-8")
    os.replace(tmp, out)
    return out


def render_report(accepted: list[Record], rejected: list[Record], manifest: dict[str, Any]) -> str:
    records = accepted + rejected
    task = str(manifest.get("task") or (records[0].task if records else ""))
    title = manifest.get("recipe") or manifest.get("input") or "synthpipe"
    charts = [
        _outcomes(manifest, accepted, rejected),
        _reasons(rejected, manifest),
        _flags(records),
        *_judge(records),
        _agreement(records),
        _lengths(accepted, rejected, task),
    ]
    kind = _kind(task)
    if kind is not None and kind.label_field:
        charts.append(_labels(accepted, manifest))
    templates = _template_info(manifest)
    if templates is not None:
        charts.append(_templates(templates))
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime())
    sub = " · ".join(
        esc(x)
        for x in (
            f"task {task}",
            f"language {manifest.get('language', '?')}",
            manifest.get("command", "run"),
            when,
        )
        if x
    )
    return "".join(
        [
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            '<meta name="viewport" content="width=device-width,initial-scale=1">',
            f"<title>synthpipe report — {esc(title)}</title><style>{_CSS}</style></head><body>",
            f"<header><h1>synthpipe report — {esc(title)}</h1><p>{sub}</p></header><main>",
            _cards(manifest, accepted, rejected),
            '<section class="grid" id="charts">',
            "".join(charts),
            "</section>",
            _template_table(templates) if templates is not None else "",
            coverage_html(coverage(accepted, rejected)),
            f"<h2>Worst rejected examples ({min(WORST_EXAMPLES, len(rejected))} of {len(rejected)})</h2>",
            '<section id="examples">',
            _examples(rejected),
            "</section>",
            "<h2>Manifest</h2><details><summary>manifest.json</summary><pre>",
            esc(json.dumps(manifest, ensure_ascii=False, indent=2, default=str)),
            "</pre></details>",
            "</main></body></html>\n",
        ]
    )


def _kind(task: str) -> TaskKind | None:
    from synthpipe.tasks import task_names

    return get_task(task) if task in task_names() else None


# --- summary ---------------------------------------------------------------------------------------


def _counts(manifest: dict[str, Any], accepted: list[Record], rejected: list[Record]) -> dict[str, int]:
    c = dict(manifest.get("counts") or {})
    c.setdefault("accepted", len(accepted))
    c.setdefault("rejected", len(rejected))
    c.setdefault("failed", 0)
    return {k: int(c[k]) for k in ("accepted", "rejected", "failed")}


def _cards(manifest: dict[str, Any], accepted: list[Record], rejected: list[Record]) -> str:
    c = _counts(manifest, accepted, rejected)
    total = sum(c.values())
    cards = [
        ("attempted", total),
        ("accepted", c["accepted"]),
        ("rejected", c["rejected"]),
        ("failed", c["failed"]),
    ]
    if total:
        cards.append(("accept rate", f"{100 * c['accepted'] / total:.0f}%"))
    scores = [
        r.meta.scores["overall"] for r in accepted if isinstance(r.meta.scores.get("overall"), int | float)
    ]
    if scores:
        cards.append(("mean judge score (accepted)", f"{sum(scores) / len(scores):.2f}"))
    tokens = sum(
        int(u.get("prompt_tokens", 0)) + int(u.get("completion_tokens", 0))
        for u in (manifest.get("usage") or {}).values()
        if isinstance(u, dict)
    )
    if tokens:
        cards.append(("tokens", f"{tokens:,}"))
    return (
        '<section class="cards">'
        + "".join(
            f'<div class="card" data-card="{esc(k)}"><b>{esc(v)}</b><span>{esc(k)}</span></div>'
            for k, v in cards
        )
        + "</section>"
    )


# --- charts ----------------------------------------------------------------------------------------


def _outcomes(manifest: dict[str, Any], accepted: list[Record], rejected: list[Record]) -> str:
    c = _counts(manifest, accepted, rejected)
    return vbar("outcomes", "Outcomes", list(c), {"": list(c.values())}, width=300)


def _reasons(rejected: list[Record], manifest: dict[str, Any]) -> str:
    counts: Counter[str] = Counter()
    for rec in rejected:
        counts.update({r.code for r in rec.meta.reasons})
    if not counts and isinstance(manifest.get("reasons"), dict):  # records not at hand: the manifest's
        counts.update({k: int(v["records"]) for k, v in manifest["reasons"].items() if isinstance(v, dict)})
    note = "records rejected for each reason (a record can have several)"
    return hbar("reasons", "Reject reasons", _ranked(counts, 25), "#e03131", note)


def _flags(records: Sequence[Record]) -> str:
    counts: Counter[str] = Counter()
    for rec in records:
        counts.update({r.code for r in rec.meta.flags})
    return hbar("flags", "Flags (kept, for review)", _ranked(counts, 15), "#f59f00")


def _ranked(counts: Counter[str], n: int) -> list[tuple[str, float]]:
    """Most frequent first, ties by name, so the same data always draws the same chart."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def _judge(records: Sequence[Record]) -> list[str]:
    judged = [r.meta.scores["judge"] for r in records if isinstance(r.meta.scores.get("judge"), dict)]
    if not judged:
        return [vbar("judge_overall", "Judge overall score", [], {})]
    criteria = list(dict.fromkeys(k for j in judged for k in j if k not in _NOT_CRITERIA))
    out = []
    bins = ["1", "2", "3", "4", "5"]
    for c in criteria:
        counts = Counter(round(float(j[c])) for j in judged if isinstance(j.get(c), int | float))
        out.append(
            vbar(f"judge_{c}", f"Judge: {c}", bins, {"": [counts.get(i, 0) for i in range(1, 6)]}, width=260)
        )
    overall = [float(j["overall"]) for j in judged if isinstance(j.get("overall"), int | float)]
    labels, counts = histogram(overall, 1, 5, 8)
    out.append(
        vbar(
            "judge_overall",
            "Judge overall score",
            labels,
            {"": counts},
            width=420,
            note=f"{len(overall)} records judged",
        )
    )
    return out


def _agreement(records: Sequence[Record]) -> str:
    values = [
        float(r.meta.scores["agreement"])
        for r in records
        if isinstance(r.meta.scores.get("agreement"), int | float)
    ]
    if not values:
        return vbar("agreement", "Agreement with a second model", [], {})
    labels, counts = histogram(values, 0, 1, 10)
    return vbar(
        "agreement",
        "Agreement with a second model",
        labels,
        {"": counts},
        width=420,
        note="answer similarity (qa) or 1 = same label (classify)",
    )


def answer_length(rec: Record, kind: TaskKind | None) -> int:
    """Characters of the answer: the output, a classify text, or all turns of a dialogue."""
    if kind is None:
        return len(rec.text())
    parts = kind.texts(rec.fields) if kind.conversation else kind.answers(rec.fields)
    return sum(len(t) for _, t in parts)


def _lengths(accepted: list[Record], rejected: list[Record], task: str) -> str:
    kind = _kind(task)
    acc = [answer_length(r, kind) for r in accepted]
    rej = [answer_length(r, kind) for r in rejected]
    if not acc and not rej:
        return vbar("lengths", "Answer length (characters)", [], {})
    hi = nice_max(max(acc + rej))
    labels, a = histogram(acc, 0, hi, 10)
    _, r = histogram(rej, 0, hi, 10)
    what = "all turns" if kind and kind.conversation else ", ".join(kind.answer_fields) if kind else "record"
    return vbar("lengths", f"Length of {what} (characters)", labels, {"accepted": a, "rejected": r})


def _labels(accepted: list[Record], manifest: dict[str, Any]) -> str:
    counts: Counter[str] = Counter({str(k): 0 for k in manifest.get("labels") or []})
    for rec in accepted:
        counts[str(rec.fields.get("label"))] += 1
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return hbar("labels", "Label balance (accepted)", items, "#7048e8")


def _template_info(manifest: dict[str, Any]) -> dict[str, Any] | None:
    info = ((manifest.get("stages") or {}).get("dedup") or {}).get("templates")
    return info if isinstance(info, dict) else None


def _templates(info: dict[str, Any]) -> str:
    """Accepted records per answer skeleton, largest clusters first: a diversity signal."""
    top = [t for t in info.get("top") or [] if isinstance(t, dict)]
    items = [(str(t.get("skeleton", "")), float(t.get("records", 0))) for t in top]
    note = (
        f"{info.get('in_clusters', 0)} of {info.get('records', 0)} accepted records share an answer "
        f"skeleton with another ({info.get('clusters', 0)} clusters, largest {info.get('largest', 0)})"
    )
    if info.get("max_per_template"):
        note += f"; max_per_template {info['max_per_template']} removed {info.get('capped', 0)}"
    return hbar("templates", "Answer templates (accepted records per skeleton)", items, "#0c8599", note)


def _template_table(info: dict[str, Any]) -> str:
    top = [t for t in info.get("top") or [] if isinstance(t, dict)]
    if not top:
        return ""
    rows = "".join(
        f'<tr data-records="{esc(t.get("records", 0))}"><td>{esc(t.get("records", 0))}</td>'
        f"<td><code>{esc(t.get('skeleton', ''))}</code></td><td>{esc(t.get('example', ''))}</td></tr>"
        for t in top
    )
    return (
        f'<h2>Largest answer templates</h2><p class="note">{esc(info.get("skeleton", ""))}</p>'
        '<table class="templates" id="templates"><thead><tr><th>records</th><th>skeleton</th>'
        f"<th>example id</th></tr></thead><tbody>{rows}</tbody></table>"
    )


# --- examples --------------------------------------------------------------------------------------


def worst(rejected: Sequence[Record], n: int = WORST_EXAMPLES) -> list[Record]:
    """Up to n rejected records, round-robin over reason codes so every kind of failure shows; within a
    code, the lowest judge score and the most reasons first."""
    groups: dict[str, list[Record]] = {}
    for rec in rejected:
        code = rec.meta.reasons[0].code if rec.meta.reasons else "error"
        groups.setdefault(code, []).append(rec)

    def badness(rec: Record) -> tuple[float, int]:
        score = rec.meta.scores.get("overall")
        return (float(score) if isinstance(score, int | float) else 0.0, -len(rec.meta.reasons))

    queues = [sorted(g, key=badness) for g in sorted(groups.values(), key=len, reverse=True)]
    out: list[Record] = []
    while len(out) < n and any(queues):
        for q in queues:
            if q and len(out) < n:
                out.append(q.pop(0))
    return out


def _field_html(name: str, value: Any) -> str:
    if isinstance(value, list):
        text = "\n".join(
            f"{m.get('role', '?')}: {m.get('content', '')}" if isinstance(m, dict) else str(m) for m in value
        )
    else:
        text = "" if value is None else str(value)
    if len(text) > FIELD_CHARS:
        text = text[:FIELD_CHARS] + f" … (+{len(text) - FIELD_CHARS} chars)"
    return f'<div class="field"><b>{esc(name)}</b><pre>{esc(text)}</pre></div>'


def _examples(rejected: Sequence[Record]) -> str:
    if not rejected:
        return '<p class="none">No rejected records.</p>'
    parts = []
    for rec in worst(rejected):
        where = f"line {rec.meta.line} · " if rec.meta.line else ""
        score = rec.meta.scores.get("overall")
        score_s = f" · judge {float(score):.2f}" if isinstance(score, int | float) else ""
        reasons = "".join(
            f"<li><code>{esc(r.code)}</code> {esc(r.detail)}{f' <i>({esc(r.stage)})</i>' if r.stage else ''}</li>"
            for r in rec.meta.reasons
        )
        fields = "".join(_field_html(k, v) for k, v in rec.fields.items())
        raw = _field_html("raw model output", rec.meta.raw) if rec.meta.raw and not rec.fields else ""
        parts.append(
            f'<article class="example" data-id="{esc(rec.id)}"><div class="head">{esc(where)}id '
            f'{esc(rec.id)}{esc(score_s)}</div><ul class="reasons">{reasons}</ul>{fields}{raw}</article>'
        )
    return "".join(parts)
