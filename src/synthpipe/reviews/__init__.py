"""The human spot-check: a stratified sample, decisions that are kept, and how the judge agrees with them.

    server = synthpipe.review("runs/qa_en", sample=20, seed=0).start()   # open server.url in a browser
    server.session.decide(rec_id, "reject", reasons=["wrong_fact"], note="the fee is 25, not 15")
    server.session.finish()      # a pool: one new version; a run: its decisions stay in OUT/review/
    synthpipe.review_report("runs/qa_en")   # the judge against the people: accuracy, kappa, threshold

The sample draws from what reached a human's attention in the method: a run's accepted records and
the records its judge rejected (so the judge can be checked against people on both sides), or a pool
version's records. It is stratified by task, origin, judge-score band and topic: each stratum gets seats
in proportion to its size (largest remainders, every stratum at least one while seats last), filled in
an order drawn from the seed, so the same source and seed give the same sample.

Decisions are appended to a JSONL file as they are made (the last decision on a record wins), so a killed
review loses nothing and resumes at its place. For a run directory they stay there
(`review/decisions.jsonl`) and `synthpipe export` honours them: rejected records are left out, edits
replace the record's fields, and a record the judge rejected but a person accepted is exported. For a
pool, `finish()` writes one new pool version: rejected records removed, edited ones replaced.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from synthpipe.core.errors import UsageError
from synthpipe.core.records import Record

REASON_CODES = (
    "wrong_fact",
    "not_grounded",
    "off_topic",
    "bad_format",
    "unsafe",
    "low_quality",
    "duplicate",
    "other",
)
ACTIONS = ("accept", "reject", "edit")
JUDGE_REJECT = "judge_low_score"
BANDS = ((0, 2.5, "1-2.5"), (2.5, 3.5, "2.5-3.5"), (3.5, 4.5, "3.5-4.5"), (4.5, 6, "4.5-5"))


def band(rec: Record) -> str:
    overall = rec.meta.scores.get("overall")
    if not isinstance(overall, int | float):
        return "no score"
    return next(name for lo, hi, name in BANDS if lo <= overall < hi)


def stratum(rec: Record) -> tuple[str, str, str, str]:
    return (rec.meta.task, rec.meta.origin, band(rec), str(rec.meta.plan.get("topic", "")))


def _rank(seed: int, rid: str) -> bytes:
    return hashlib.blake2b(f"{seed}:{rid}".encode(), digest_size=8).digest()


def stratified_sample(records: Sequence[Record], size: int, seed: int = 0) -> list[Record]:
    """`size` records spread over the strata in proportion to their sizes, the same for the same seed."""
    groups: dict[tuple[str, ...], list[Record]] = defaultdict(list)
    for rec in records:
        groups[stratum(rec)].append(rec)
    for members in groups.values():
        members.sort(key=lambda r: _rank(seed, r.id))
    size = min(size, len(records))
    keys = sorted(groups, key=lambda k: (-len(groups[k]), k))
    seats = dict.fromkeys(keys, 0)
    if size >= len(keys):  # every stratum at least one, the rest by size (largest remainders)
        for k in keys:
            seats[k] = 1
        rest = size - len(keys)
        total = sum(len(groups[k]) - 1 for k in keys)
        if rest and total:
            exact = {k: rest * (len(groups[k]) - 1) / total for k in keys}
            for k in keys:
                seats[k] += min(int(exact[k]), len(groups[k]) - 1)
            left = size - sum(seats.values())
            for k in sorted(keys, key=lambda k: (-(exact[k] - int(exact[k])), k)):
                if left <= 0:
                    break
                if seats[k] < len(groups[k]):
                    seats[k] += 1
                    left -= 1
    else:  # fewer seats than strata: the largest strata, ties by the seed
        for k in sorted(keys, key=lambda k: (-len(groups[k]), _rank(seed, "|".join(k))))[:size]:
            seats[k] = 1
    chosen = [rec for k in keys for rec in groups[k][: seats[k]]]
    return sorted(chosen, key=lambda r: _rank(seed, r.id))


# --- sources -------------------------------------------------------------------------------------------
@dataclass
class Source:
    """What is reviewed: a run directory or a pool version."""

    kind: str  # "run" | "pool"
    path: Path  # the run directory or the pool directory
    version: int | None  # pool version
    records: list[Record]
    threshold: float | None  # the judge threshold of the run's recipe, when it had a judge
    label: str

    @property
    def store(self) -> Path:
        """Where decisions are kept while a review goes on."""
        if self.kind == "run":
            return self.path / "review"
        return self.path / "reviews" / f"v{self.version}"


def _read_jsonl(path: Path) -> list[Record]:
    from synthpipe.sources.files import read_records

    return [r for r in read_records(path)] if path.is_file() else []


def open_source(src: str | Path) -> Source:
    text = str(src)
    if text.startswith("pool:"):
        from synthpipe.pool import Pool, parse_pool_spec

        directory, wanted = parse_pool_spec(text)
        pool = Pool(directory)
        v = pool.resolve(wanted) if wanted is not None else _open_review(directory, pool.resolve(None))
        records = list(pool.records(v))
        return Source("pool", directory, v, records, None, f"pool {directory} version {v}")
    path = Path(text)
    if not path.is_dir() or not (path / "accepted.jsonl").is_file():
        hint = "pass a run directory (the --out of `synthpipe run`) or a pool version, pool:DIR@VERSION"
        raise UsageError(f"{path}: not a run directory (no accepted.jsonl) — {hint}")
    accepted = _read_jsonl(path / "accepted.jsonl")
    judged_out = [
        r for r in _read_jsonl(path / "rejected.jsonl") if any(x.code == JUDGE_REJECT for x in r.meta.reasons)
    ]
    threshold = None
    run_json = path / "run.json"
    if run_json.is_file():
        try:
            ident = orjson.loads(run_json.read_bytes()).get("identity", {})
        except (orjson.JSONDecodeError, AttributeError):
            ident = {}
        if ident.get("judge.models") or any(k.startswith("models.judge") for k in ident):
            threshold = float(ident.get("judge.threshold", 3.5))
    if threshold is None and any("judge" in r.meta.scores for r in accepted + judged_out):
        threshold = 3.5
    return Source("run", path, None, accepted + judged_out, threshold, f"run {path}")


def _open_review(directory: Path, latest: int) -> int:
    """The version a bare `pool:DIR` reviews: one whose review is under way, else the latest."""
    reviews = directory / "reviews"
    under_way = [
        int(d.name[1:])
        for d in (reviews.iterdir() if reviews.is_dir() else ())
        if d.name[1:].isdigit() and (d / "decisions.jsonl").is_file() and not (d / "finished.json").is_file()
    ]
    return max(under_way) if under_way else latest


def last_review(directory: Path) -> int | None:
    """The version of a pool reviewed last (what `--report` on a bare `pool:DIR` reports on)."""
    reviews = directory / "reviews"
    found = [
        ((d / "decisions.jsonl").stat().st_mtime_ns, int(d.name[1:]))
        for d in (reviews.iterdir() if reviews.is_dir() else ())
        if d.name[1:].isdigit() and (d / "decisions.jsonl").is_file()
    ]
    return max(found)[1] if found else None


# --- decisions -----------------------------------------------------------------------------------------
@dataclass
class Decision:
    id: str
    action: str  # accept | reject | edit
    reasons: list[str] = field(default_factory=list)
    note: str = ""
    fields: dict[str, Any] | None = None  # the edited fields
    at: float = 0.0

    def to_json(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "action": self.action,
            "reasons": self.reasons,
            "note": self.note,
            "at": self.at,
        }
        if self.fields is not None:
            out["fields"] = self.fields
        return out


def read_decisions(path: Path) -> dict[str, Decision]:
    """The last decision per record of a decisions file (a torn last line from a kill is skipped)."""
    out: dict[str, Decision] = {}
    if not path.is_file():
        return out
    for line in path.read_bytes().splitlines():
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if (
            not isinstance(row, dict)
            or not isinstance(row.get("id"), str)
            or row.get("action") not in ACTIONS
        ):
            continue  # not a decision (a hand edit gone wrong): skipped, never a crash
        out[row["id"]] = Decision(
            row["id"],
            row["action"],
            row.get("reasons", []),
            row.get("note", ""),
            row.get("fields"),
            row.get("at", 0.0),
        )
    return out


def validate_edit(rec: Record, fields: dict[str, Any], language: str | None = None) -> list[str]:
    """What the rule checks say of the edited record (empty: it passes)."""
    from synthpipe.api import check

    edited = Record(rec.id, dict(fields), rec.meta.__class__(task=rec.meta.task))
    lang = language or (
        "zh"
        if any("\u4e00" <= ch <= "\u9fff" for v in fields.values() if isinstance(v, str) for ch in v[:200])
        else "en"
    )
    result = check([edited], task=rec.meta.task, language=lang)
    return [f"{r.code}: {r.detail}" for rec2 in result.rejected for r in rec2.meta.reasons]


class Session:
    """One review: its sample, the decisions so far and where the reviewer is."""

    def __init__(self, source: Source, size: int = 20, seed: int = 0) -> None:
        if not source.records:
            raise UsageError(
                f"{source.label}: no records to review — run it first, or add records to the pool"
            )
        if size < 1:
            raise UsageError(f"--sample {size}: review at least one record")
        self.source, self.seed = source, seed
        self.sample = stratified_sample(source.records, size, seed)
        self.by_id = {r.id: r for r in self.sample}
        self.dir = source.store
        self.file = self.dir / "decisions.jsonl"
        self.decisions = read_decisions(self.file)
        self.position = self._read_position()
        self._lock = threading.Lock()  # the page may send two decisions at once

    def _read_position(self) -> int:
        path = self.dir / "position.json"
        if path.is_file():
            try:
                data = orjson.loads(path.read_bytes())
                if data.get("seed") == self.seed and data.get("size") == len(self.sample):
                    return max(0, min(int(data.get("position", 0)), len(self.sample) - 1))
            except (orjson.JSONDecodeError, TypeError, ValueError):
                pass
        undecided = [i for i, r in enumerate(self.sample) if r.id not in self.decisions]
        return undecided[0] if undecided else 0

    def move(self, position: int) -> int:
        self.position = max(0, min(position, len(self.sample) - 1))
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / "position.json.tmp"
        tmp.write_bytes(
            orjson.dumps({"seed": self.seed, "size": len(self.sample), "position": self.position})
        )
        tmp.replace(self.dir / "position.json")
        return self.position

    def decide(
        self,
        rid: str,
        action: str,
        reasons: Sequence[str] = (),
        note: str = "",
        fields: dict[str, Any] | None = None,
    ) -> tuple[Decision | None, list[str]]:
        """Record a decision; an edit that fails the rule checks is not kept, and its problems returned."""
        rec = self.by_id.get(rid)
        if rec is None:
            raise UsageError(f"record {rid!r} is not in this review's sample")
        if action not in ACTIONS:
            raise UsageError(f"action {action!r}: use {', '.join(ACTIONS)}")
        bad = [r for r in reasons if r not in REASON_CODES]
        if bad:
            raise UsageError(f"reason {bad[0]!r}: use {', '.join(REASON_CODES)}")
        if action == "reject" and not reasons and not note.strip():
            raise UsageError("a rejection needs a reason: a code or a note")
        if action == "edit":
            if not isinstance(fields, dict) or set(fields) != set(rec.fields):
                raise UsageError(f"an edit gives the record's fields: {', '.join(rec.fields)}")
            problems = validate_edit(rec, fields)
            if problems:
                return None, problems
        decision = Decision(
            rid, action, list(reasons), note, fields if action == "edit" else None, time.time()
        )
        self.dir.mkdir(parents=True, exist_ok=True)
        with self.file.open("ab") as fh:
            fh.write(orjson.dumps(decision.to_json()) + b"\n")
        self.decisions[rid] = decision
        return decision, []

    def state(self) -> dict[str, Any]:
        items = []
        for rec in self.sample:
            d = self.decisions.get(rec.id)
            items.append(
                {
                    "id": rec.id,
                    "task": rec.meta.task,
                    "origin": rec.meta.origin,
                    "model": rec.meta.model,
                    "topic": rec.meta.plan.get("topic", ""),
                    "plan": rec.meta.plan,
                    "fields": rec.fields,
                    "scores": rec.meta.scores,
                    "judge_reason": (rec.meta.scores.get("judge") or {}).get("reason", ""),
                    "flags": [f"{r.code}: {r.detail}" for r in rec.meta.flags],
                    "reasons": [f"{r.code}: {r.detail}" for r in rec.meta.reasons],
                    "parent_id": rec.meta.parent_id,
                    "decision": d.to_json() if d else None,
                }
            )
        done = sum(1 for r in self.sample if r.id in self.decisions)
        return {
            "source": self.source.label,
            "items": items,
            "position": self.position,
            "done": done,
            "total": len(self.sample),
            "reason_codes": list(REASON_CODES),
        }

    def finish(self) -> dict[str, Any]:
        """Store the decisions: a pool gets one new version (rejected removed, edits replaced). Calling
        it again returns what the first call did."""
        with self._lock:
            done = self.dir / "finished.json"
            if done.is_file():
                return orjson.loads(done.read_bytes())
            counts = Counter(d.action for rid, d in self.decisions.items() if rid in self.by_id)
            out: dict[str, Any] = {"decisions": dict(counts), "file": str(self.file)}
            if self.source.kind == "pool":
                from synthpipe.pool import Pool

                decisions = [d for rid, d in self.decisions.items() if rid in self.by_id]
                out["version"] = Pool(self.source.path).apply_review(self.source.version or 0, decisions)
                self.dir.mkdir(parents=True, exist_ok=True)
                done.write_bytes(orjson.dumps(out))  # a pool review ends once: its version is made
            return out


def run_records(run: Path, read: Any = None) -> Iterator[Record]:
    """The accepted records of a run directory as its review left them: what export, `pool add` and
    `eval` read. `read(path)` reads a records file (default `read_records`)."""
    from synthpipe.sources.files import read_records

    read = read or read_records
    accepted = read(run / "accepted.jsonl")
    if not (run / "review" / "decisions.jsonl").is_file():
        return iter(accepted)
    rejected = run / "rejected.jsonl"
    judged_out = (
        (r for r in read(rejected) if any(x.code == JUDGE_REJECT for x in r.meta.reasons))
        if rejected.is_file()
        else iter(())
    )
    return iter(apply_to_run(accepted, run, judged_out))


def apply_to_run(
    records: Iterable[Record], run_dir: Path, judged_out: Iterable[Record] = ()
) -> Iterable[Record]:
    """A run's accepted records as its review left them: rejected ones out, edits in, and records the
    judge rejected that a person accepted or edited back in (in file order, after the accepted ones)."""
    decisions = read_decisions(run_dir / "review" / "decisions.jsonl")
    if not decisions:
        yield from records
        return
    for rec in records:
        d = decisions.get(rec.id)
        if d is not None and d.action == "reject":
            continue
        if d is not None and d.action == "edit" and d.fields is not None:
            rec.fields = dict(d.fields)
            rec.meta.extra["reviewed"] = "edited"
        elif d is not None:
            rec.meta.extra["reviewed"] = "accepted"
        yield rec
    for rec in judged_out:
        d = decisions.get(rec.id)
        if d is None or d.action == "reject":
            continue
        if d.action == "edit" and d.fields is not None:
            rec.fields = dict(d.fields)
        rec.meta.reasons.clear()
        rec.meta.extra["reviewed"] = (
            "accepted over the judge" if d.action == "accept" else "edited over the judge"
        )
        yield rec


# --- the judge against the humans ----------------------------------------------------------------------
def _kappa(pairs: Sequence[tuple[bool, bool]]) -> float | None:
    n = len(pairs)
    if not n:
        return None
    agree = sum(a == b for a, b in pairs) / n
    pa, pb = sum(a for a, _ in pairs) / n, sum(b for _, b in pairs) / n
    chance = pa * pb + (1 - pa) * (1 - pb)
    if chance >= 1:
        return None  # one class only: kappa says nothing
    return (agree - chance) / (1 - chance)


def calibration(src: str | Path) -> dict[str, Any]:
    """How the judge's verdicts agree with the human decisions on the same records."""
    text = str(src)
    if text.startswith("pool:"):
        from synthpipe.pool import parse_pool_spec

        directory, wanted = parse_pool_spec(text)
        reviewed = last_review(directory) if wanted is None else None
        if reviewed is not None:
            src = f"pool:{directory}@{reviewed}"
    source = open_source(src)
    decisions = read_decisions(source.store / "decisions.jsonl")
    by_id = {r.id: r for r in source.records}
    rows = []
    for rid, d in decisions.items():
        rec = by_id.get(rid)
        if rec is None:
            continue
        human = d.action != "reject"
        overall = rec.meta.scores.get("overall")
        judged = isinstance(overall, int | float)
        judge_pass = (not any(r.code == JUDGE_REJECT for r in rec.meta.reasons)) if judged else None
        rows.append((rec, human, judge_pass, overall))
    reviewed = len(rows)
    scored = [(rec, h, j, o) for rec, h, j, o in rows if j is not None]
    out: dict[str, Any] = {
        "source": source.label,
        "reviewed": reviewed,
        "with_judge_scores": len(scored),
        "human": {
            "accepted": sum(1 for _, h, _, _ in rows if h),
            "rejected": sum(1 for _, h, _, _ in rows if not h),
        },
        "threshold": source.threshold,
    }
    if not scored:
        out["note"] = "no reviewed record has a judge score: the judge cannot be compared with the reviewers"
        return out
    pairs = [(j, h) for _, h, j, _ in scored]
    out["accuracy"] = round(sum(a == b for a, b in pairs) / len(pairs), 3)
    kappa = _kappa(pairs)
    out["kappa"] = None if kappa is None else round(kappa, 3)
    out["confusion"] = {
        "judge accept, human accept": sum(1 for j, h in pairs if j and h),
        "judge accept, human reject": sum(1 for j, h in pairs if j and not h),
        "judge reject, human accept": sum(1 for j, h in pairs if not j and h),
        "judge reject, human reject": sum(1 for j, h in pairs if not j and not h),
    }
    criteria: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"accepted": [], "rejected": []})
    for rec, h, _, o in scored:
        judge = rec.meta.scores.get("judge") or {}
        for name, value in {
            **{k: v for k, v in judge.items() if isinstance(v, int | float)},
            "overall": o,
        }.items():
            criteria[name]["accepted" if h else "rejected"].append(float(value))
    out["criteria"] = {
        name: {side: _describe(vals) for side, vals in sides.items()}
        for name, sides in sorted(criteria.items())
    }
    # the threshold on the overall score that best matches the people (ties: the one nearest the current)
    values = sorted({float(o) for _, _, _, o in scored})
    candidates = sorted(
        {1.0, 5.01, *values, *((a + b) / 2 for a, b in zip(values, values[1:], strict=False))}
    )
    current = source.threshold or 3.5

    def agreement(t: float) -> float:
        return sum((o >= t) == h for _, h, _, o in scored) / len(scored)

    best = max(candidates, key=lambda t: (agreement(t), -abs(t - current)))
    out["best_threshold"] = {"threshold": round(best, 3), "accuracy": round(agreement(best), 3)}
    if source.threshold is not None:
        out["current_threshold_accuracy"] = round(agreement(source.threshold), 3)
    out["trust"] = _trust(out)
    return out


def _describe(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    values = sorted(values)
    mean = sum(values) / len(values)
    return {
        "n": len(values),
        "mean": round(mean, 2),
        "min": values[0],
        "median": values[len(values) // 2],
        "max": values[-1],
        "histogram": {str(k): v for k, v in sorted(Counter(math.floor(x) for x in values).items())},
    }


def _trust(report: dict[str, Any]) -> str:
    kappa, n = report.get("kappa"), report["with_judge_scores"]
    if n < 20:
        return f"only {n} reviewed records with judge scores: too few to trust the judge either way"
    if kappa is None:
        return "the reviewers or the judge decided one way only: kappa is undefined"
    if kappa >= 0.6:
        return f"kappa {kappa:.2f}: the judge agrees with the reviewers substantially"
    if kappa >= 0.4:
        return f"kappa {kappa:.2f}: moderate agreement; check the criteria whose score ranges overlap"
    return f"kappa {kappa:.2f}: the judge does not agree with the reviewers; do not let it reject alone"


__all__ = [
    "ACTIONS",
    "JUDGE_REJECT",
    "REASON_CODES",
    "Decision",
    "Session",
    "apply_to_run",
    "calibration",
    "open_source",
    "read_decisions",
    "stratified_sample",
]
