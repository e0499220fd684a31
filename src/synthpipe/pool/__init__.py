"""The training pool: accepted records from many runs, gathered into immutable versions.

    pool = synthpipe.Pool.init("pool/")
    pool.add("out/qa_en", tag="hr-docs")           # accepted records only, deduplicated against the pool
    pool.weight(1.5, origin="seed")                 # a new version; the earlier ones keep their weights
    pool.split(eval_share=0.1, by=("task", "topic"))
    synthpipe.export("pool:pool/@latest", format="openai", split="train")

Every change (add, weight, remove, split) makes a new version; a version's records and weights never
change afterwards, so any version exports again byte for byte. Tags name versions. See store.py for the
storage and its guarantees (concurrent changes wait for each other; a kill leaves the version before).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from synthpipe.core.errors import UsageError
from synthpipe.core.gcpause import gc_paused
from synthpipe.core.records import Meta, Record
from synthpipe.pool.records import (
    AddResult,
    add_records,
    check_weight,
    record_key,
    selector,
    source_records,
)
from synthpipe.pool.spec import export_source, parse_pool_spec
from synthpipe.pool.splits import SPLIT_KEYS, SPLITS, assign_new_splits
from synthpipe.pool.store import COLUMNS, DB_NAME, FORMAT, SCHEMA, Store, live


class Pool:
    """A pool directory. Every method that changes it makes a new version and returns what it did."""

    def __init__(self, directory: str | Path) -> None:
        self.dir = Path(directory)
        Store(self.dir).close()  # a clear error now if it is not a pool

    @staticmethod
    def is_pool(path: str | Path) -> bool:
        """Whether `path` is a pool directory (made by `Pool.init`)."""
        return (Path(path) / DB_NAME).is_file()

    @staticmethod
    def when(ts: float) -> str:
        """A version's time as people read it (local time)."""
        import time

        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))

    # --- creating ----------------------------------------------------------------------------------
    @classmethod
    def init(cls, directory: str | Path) -> Pool:
        d = Path(directory)
        if d.exists() and not d.is_dir():
            raise UsageError(f"{d}: exists and is not a directory — choose another path for the pool")
        if (d / "pool.sqlite").exists():
            raise UsageError(f"{d}: is a pool already — use it with --pool {d}")
        if d.exists() and any(p.name != ".init" for p in d.iterdir()):
            raise UsageError(f"{d}: directory is not empty — a pool needs a directory of its own")
        d.mkdir(parents=True, exist_ok=True)
        building = d / ".init"  # a kill during init leaves no half-made pool.sqlite behind
        building.mkdir(exist_ok=True)
        for leftover in building.iterdir():
            leftover.unlink()
        store = Store(building, create=True)
        try:
            store.db.executescript("BEGIN IMMEDIATE;" + SCHEMA)
            store.set_setting("format", FORMAT)
            v = store.new_version("init", {})
            store.finish_version(v, {})
            store.commit()
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            store.rollback()
            store.close()
        (building / DB_NAME).replace(d / DB_NAME)
        for leftover in building.iterdir():
            leftover.unlink()
        building.rmdir()
        return cls(d)

    def _open(self) -> Store:
        return Store(self.dir)

    def _change(self, op: str, args: dict[str, Any], work: Any, on_wait: Any = None) -> Any:
        """Run `work(store, version)` in one write transaction that makes version `latest + 1`; `work`
        returns (changes, result) — changes None means nothing changed and nothing is written."""
        store = self._open()
        try:
            store.begin(on_wait)
            version = store.new_version(op, args)
            changes, result = work(store, version)
            if changes is None:
                store.rollback()
                return result
            store.finish_version(version, changes)
            store.commit()
            return result
        finally:
            store.rollback()
            store.close()

    # --- reading -----------------------------------------------------------------------------------
    def resolve(self, spec: str | int | None = None) -> int:
        """A version number from 3, "3", "v3", a tag, "latest" or None (the latest)."""
        store = self._open()
        try:
            latest = store.latest()
            if spec is None or spec == "latest" or spec == "":
                return latest
            text = str(spec)
            number = text[1:] if text[:1] in "vV" and text[1:].isdigit() else text
            if number.isdigit():
                v = int(number)
                if 0 <= v <= latest:
                    return v
                raise UsageError(
                    f"{self.dir}: no version {v} — versions run from 0 to {latest} (`synthpipe pool list`)"
                )
            tagged = store.tag_version(text)
            if tagged is None:
                names = [t for (t,) in store.db.execute("SELECT name FROM tags ORDER BY name LIMIT 10")]
                known = f"tags: {', '.join(names)}" if names else "the pool has no tags"
                raise UsageError(f"{self.dir}: no version or tag {text!r} — {known}; versions run 0-{latest}")
            return tagged
        finally:
            store.close()

    def versions(self) -> list[dict[str, Any]]:
        store = self._open()
        try:
            return store.versions()
        finally:
            store.close()

    def show(self, version: str | int | None = None) -> dict[str, Any]:
        v = self.resolve(version)
        store = self._open()
        try:
            info = store.version_row(v)
            weights = Counter(
                w for (w,) in store.db.execute(f"SELECT m.weight FROM members m WHERE {live()}", {"v": v})
            )
            info["weights"] = {f"{w:g}": n for w, n in sorted(weights.items())}
            info["split_settings"] = store.setting("split")
            return info
        finally:
            store.close()

    def log(self) -> list[dict[str, Any]]:
        """Every change and every tag, oldest first."""
        store = self._open()
        try:
            events = [
                {
                    "at": r["created"],
                    "version": r["version"],
                    "op": r["op"],
                    "args": r["args"],
                    "changes": r["summary"].get("changes", {}),
                    "records": r["summary"].get("records", 0),
                }
                for r in store.versions()
            ]
            for name, version, created in store.db.execute("SELECT name, version, created FROM tags"):
                events.append(
                    {
                        "at": created,
                        "version": version,
                        "op": "tag",
                        "args": {"name": name},
                        "changes": {},
                        "records": None,
                    }
                )
            return sorted(events, key=lambda e: (e["at"], e["version"]))
        finally:
            store.close()

    def diff(self, a: str | int, b: str | int) -> dict[str, Any]:
        va, vb = self.resolve(a), self.resolve(b)
        store = self._open()
        try:
            sql = (
                "WITH A AS (SELECT m.rid, m.weight FROM members m WHERE {la}), "
                "B AS (SELECT m.rid, m.weight FROM members m WHERE {lb}) "
            ).format(la=live(":a"), lb=live(":b"))
            p = {"a": va, "b": vb}
            added = [
                k
                for (k,) in store.db.execute(
                    sql
                    + "SELECT r.id FROM B JOIN records r ON r.rid = B.rid WHERE B.rid NOT IN (SELECT rid FROM A) ORDER BY B.rid",
                    p,
                )
            ]
            removed = [
                k
                for (k,) in store.db.execute(
                    sql
                    + "SELECT r.id FROM A JOIN records r ON r.rid = A.rid WHERE A.rid NOT IN (SELECT rid FROM B) ORDER BY A.rid",
                    p,
                )
            ]
            changed = [
                {"id": k, "from": wa, "to": wb}
                for k, wa, wb in store.db.execute(
                    sql
                    + "SELECT r.id, A.weight, B.weight FROM A JOIN B ON A.rid = B.rid JOIN records r ON r.rid = A.rid "
                    "WHERE A.weight != B.weight ORDER BY A.rid",
                    p,
                )
            ]
            return {"from": va, "to": vb, "added": added, "removed": removed, "weight_changed": changed}
        finally:
            store.close()

    def records(self, version: str | int | None = None, split: str = "all") -> Iterator[Record]:
        """The records of a version in the order they were added, each with `meta.weight`,
        `meta.pool_version` and, once the pool is split, `meta.extra["split"]`."""
        if split not in (*SPLITS, "all"):
            raise UsageError(f"split {split!r}: use train, eval or all")
        v = self.resolve(version)
        store = self._open()
        try:
            if split != "all":
                settings = store.setting("split")
                if not settings:
                    raise UsageError(
                        f"{self.dir}: has no train/eval split yet — run `synthpipe pool split --pool {self.dir} --eval 0.1` "
                        "first, or export --split all"
                    )
                if settings["version"] > v:
                    raise UsageError(
                        f"{self.dir}: version {v} was made before the split (version {settings['version']}) — "
                        f"export version {settings['version']} or later, or --split all"
                    )
            for _rid, _key, weight, body, assigned in store.live_rows(v):
                if split != "all" and assigned != split:
                    continue
                rec = Record.from_json(orjson.loads(body))
                rec.meta.weight = weight
                rec.meta.pool_version = v
                if assigned:
                    rec.meta.extra["split"] = assigned
                yield rec
        finally:
            store.close()

    # --- changing ----------------------------------------------------------------------------------
    def add(
        self,
        source: str | Path | Iterable[Record],
        *,
        tag: str | None = None,
        weight: float | None = None,
        readd: bool = False,
        on_wait: Any = None,
    ) -> AddResult:
        """Add the accepted records of a run directory, a data file or an iterable of records.

        Records the pool holds already (same key) are skipped; the others are deduplicated (exact and
        MinHash near duplicates, the dedup stage's defaults) against the version they join and against
        each other. `weight` (default: each record's own, 1.0) and `tag` apply to the records added (a
        record already in the pool keeps its tag). Records that a change took out of the pool (`remove`, a
        review) are not added again unless `readd`: adding a run again must not undo a review."""
        check_weight(weight)
        if tag is not None and not tag.strip():
            raise UsageError("--tag: give a non-empty name")
        with gc_paused():  # a million records in memory: see gc_paused
            if isinstance(source, (str, Path)):
                recs, not_accepted = source_records(Path(source))
                label = str(source)
            else:
                recs, not_accepted, label = [r for r in source if not r.meta.reasons], 0, "<records>"
            result = AddResult(None, not_accepted=not_accepted, source=label)
            args = {"source": label, "tag": tag, "weight": weight, "readd": readd}

            def work(store: Store, version: int) -> tuple[dict[str, Any] | None, AddResult]:
                return add_records(store, version, recs, result, tag=tag, weight=weight, readd=readd)

            return self._change("add", args, work, on_wait)

    def weight(self, weight: float, **selection: str | None) -> dict[str, Any]:
        """Set the weight of every record that matches (origin=, model=, recipe=, tag=, task=)."""
        check_weight(weight)
        where, params, text = selector(selection)

        def work(store: Store, version: int) -> tuple[dict[str, Any] | None, dict[str, Any]]:
            db = store.db
            matched = db.execute(
                f"SELECT COUNT(*) FROM members m JOIN records r ON r.rid = m.rid WHERE m.removed IS NULL AND {where}",
                params,
            ).fetchone()[0]
            if not matched:
                raise UsageError(
                    f"{self.dir}: no record in the latest version has {text} — see `synthpipe pool show`"
                )
            db.execute("CREATE TEMP TABLE IF NOT EXISTS chosen (rid INTEGER PRIMARY KEY)")
            db.execute("DELETE FROM chosen")
            db.execute(
                f"INSERT INTO chosen SELECT m.rid FROM members m JOIN records r ON r.rid = m.rid "
                f"WHERE m.removed IS NULL AND m.weight != ? AND {where}",
                [weight, *params],
            )
            changed = db.execute("SELECT COUNT(*) FROM chosen").fetchone()[0]
            out = {
                "version": None,
                "matched": matched,
                "changed": changed,
                "weight": weight,
                "selection": text,
            }
            if not changed:
                return None, out
            db.execute(
                "UPDATE members SET removed = ? WHERE removed IS NULL AND rid IN (SELECT rid FROM chosen)",
                (version,),
            )
            db.execute(
                "INSERT INTO members (rid, weight, added) SELECT rid, ?, ? FROM chosen", (weight, version)
            )
            out["version"] = version
            return {"weight_changed": changed, "weight": weight, "selection": text}, out

        return self._change(
            "weight", {"weight": weight, "selection": {k: v for k, v in selection.items() if v}}, work
        )

    def remove(self, ids: Sequence[str] = (), **selection: str | None) -> dict[str, Any]:
        """Remove records by id (as `pool show`/`diff` and the exports name them) or by origin=/recipe=."""
        chosen_sel = {k: v for k, v in selection.items() if v is not None}
        if ids and chosen_sel:
            raise UsageError("remove takes ids or a selection (--origin, --recipe…), not both")
        if not ids:
            where, params, text = selector(chosen_sel)

        def work(store: Store, version: int) -> tuple[dict[str, Any] | None, dict[str, Any]]:
            db = store.db
            if ids:
                rids, unknown = [], []
                for rec_id in dict.fromkeys(ids):
                    found = [
                        rid
                        for (rid,) in db.execute(
                            "SELECT r.rid FROM records r JOIN members m ON m.rid = r.rid WHERE r.id = ? AND m.removed IS NULL",
                            (rec_id,),
                        )
                    ]
                    (rids.extend(found) if found else unknown.append(rec_id))
                if unknown:
                    shown = ", ".join(unknown[:5]) + (
                        f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
                    )
                    raise UsageError(f"{self.dir}: not in the latest version: {shown} — nothing removed")
                db.executemany(
                    "UPDATE members SET removed = ? WHERE removed IS NULL AND rid = ?",
                    [(version, r) for r in rids],
                )
                n, what = len(rids), f"{len(rids)} ids"
            else:
                n = db.execute(
                    f"UPDATE members SET removed = ? WHERE removed IS NULL AND rid IN "
                    f"(SELECT r.rid FROM records r WHERE {where})",
                    [version, *params],
                ).rowcount
                if not n:
                    raise UsageError(
                        f"{self.dir}: no record in the latest version has {text} — nothing removed"
                    )
                what = text
            return {"removed": n, "selection": what}, {"version": version, "removed": n}

        return self._change(
            "remove", {"ids": list(ids)[:20], "count": len(ids), "selection": chosen_sel}, work
        )

    def apply_review(self, reviewed: int, decisions: Sequence[Any]) -> int | None:
        """A new version with a review's decisions on version `reviewed`: rejected records removed, an
        edited record replaced by its edit (id `ID.eN`, N the new version; `meta.extra.edited_from` names
        the original). Decisions on records that have left the pool since are skipped."""

        def work(store: Store, version: int) -> tuple[dict[str, Any] | None, dict[str, Any]]:
            db = store.db
            removed = edited = 0
            next_rid = (db.execute("SELECT MAX(rid) FROM records").fetchone()[0] or 0) + 1
            for d in decisions:
                if d.action not in ("reject", "edit"):
                    continue
                row = db.execute(
                    "SELECT r.rid, r.body, m.weight, r.task, r.origin, r.model, r.recipe, r.tag, r.topic "
                    "FROM records r JOIN members m ON m.rid = r.rid WHERE r.id = ? AND m.removed IS NULL",
                    (d.id,),
                ).fetchone()
                if row is None:
                    continue
                db.execute(
                    "UPDATE members SET removed = ? WHERE removed IS NULL AND rid = ?", (version, row[0])
                )
                if d.action == "reject":
                    removed += 1
                    continue
                body = orjson.loads(row[1])
                meta = body.pop("meta")
                meta.setdefault("extra", {})["edited_from"] = d.id
                new_id = f"{d.id}.e{version}"
                new_body = {"id": new_id, **d.fields, "meta": meta}
                key = record_key(Record(new_id, dict(d.fields), Meta(task=row[3], created_at=0.0)))
                db.execute(
                    "INSERT INTO records (rid, key, id, task, origin, model, recipe, tag, topic, body) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING",
                    (next_rid, key, new_id, *row[3:], orjson.dumps(new_body)),
                )
                have = db.execute("SELECT rid FROM records WHERE key = ?", (key,)).fetchone()[0]
                if have != next_rid:  # the edit says what a record the pool held already said
                    db.execute(
                        "INSERT INTO members (rid, weight, added) SELECT ?, ?, ? WHERE NOT EXISTS "
                        "(SELECT 1 FROM members WHERE rid = ? AND removed IS NULL)",
                        (have, row[2], version, have),
                    )
                    edited += 1
                    continue
                db.execute(
                    "INSERT INTO members (rid, weight, added) VALUES (?, ?, ?)", (next_rid, row[2], version)
                )
                split = db.execute("SELECT split FROM splits WHERE rid = ?", (row[0],)).fetchone()
                if split:  # an edit keeps its record's split
                    db.execute(
                        "INSERT INTO splits (rid, split, assigned) VALUES (?, ?, ?)",
                        (next_rid, split[0], version),
                    )
                next_rid += 1
                edited += 1
            if not removed and not edited:
                return None, {"version": None}
            return {"reviewed": reviewed, "removed": removed, "edited": edited}, {"version": version}

        return self._change("review", {"reviewed": reviewed, "decisions": len(decisions)}, work)["version"]

    def tag(self, version: str | int, name: str) -> int:
        """Name a version (a tag is not a change: it makes no version). A name is given once."""
        if not name or name == "latest" or name.isdigit() or (name[:1] in "vV" and name[1:].isdigit()):
            raise UsageError(
                f"tag {name!r}: use a name that is not a version number or 'latest', e.g. release-1"
            )
        if any(c in name for c in "@/ \t"):
            raise UsageError(
                f"tag {name!r}: no @, / or spaces (pool:DIR@TAG must stay readable), e.g. release-1"
            )
        v = self.resolve(version)
        store = self._open()
        try:
            store.begin()
            have = store.tag_version(name)
            if have is not None:
                raise UsageError(
                    f"{self.dir}: tag {name!r} names version {have} already — choose another name"
                )
            import time

            store.db.execute(
                "INSERT INTO tags (name, version, created) VALUES (?, ?, ?)", (name, v, time.time())
            )
            store.commit()
            return v
        finally:
            store.rollback()
            store.close()

    def split(self, eval_share: float, by: Sequence[str] = ("task",)) -> dict[str, Any]:
        """Assign every record to train or eval, stratified by `by`; assignments never change, and
        records added later are assigned as they arrive, keeping each stratum near the share."""
        if not 0 < eval_share < 1:
            raise UsageError(
                f"--eval {eval_share}: give the eval share as a fraction between 0 and 1, e.g. 0.1"
            )
        bad = [k for k in by if k not in SPLIT_KEYS]
        if bad:
            raise UsageError(f"--by {','.join(by)}: {bad[0]!r} is not one of {', '.join(SPLIT_KEYS)}")
        by = tuple(dict.fromkeys(by)) or ("task",)

        def work(store: Store, version: int) -> tuple[dict[str, Any] | None, dict[str, Any]]:
            have = store.setting("split")
            if have and (have["eval"] != eval_share or tuple(have["by"]) != by):
                raise UsageError(
                    f"{self.dir}: is split already (eval {have['eval']} by {','.join(have['by'])}, version "
                    f"{have['version']}); assignments never change, so a split is set once"
                )
            if not have:
                store.set_setting("split", {"eval": eval_share, "by": list(by), "version": version})
            assigned = assign_new_splits(store, version)
            out = {"version": version, "assigned": assigned}
            if not assigned and have:
                return None, {"version": None, "assigned": 0}
            return {"assigned": assigned, "eval": eval_share, "by": list(by)}, out

        return self._change("split", {"eval": eval_share, "by": list(by)}, work)


__all__ = ["COLUMNS", "AddResult", "Pool", "export_source", "parse_pool_spec", "record_key"]
