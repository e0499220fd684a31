"""The export loop: records stream from the source, each is checked (accepted, a kind the format can
hold, a usable weight), turned into its copies and handed to the writer; nothing holds more than one
batch. Every check that can fail before a file is made runs first, on the first record."""

from __future__ import annotations

from itertools import chain
from pathlib import Path

from synthpipe.core.errors import InputFileError, UsageError
from synthpipe.core.records import Record
from synthpipe.exports import FORMATS, SPLITS, ExportInfo, ExportResult
from synthpipe.exports import formats as F
from synthpipe.exports.card import KEYS, Tally
from synthpipe.exports.sources import Source, SourceLike, open_source
from synthpipe.exports.weights import Weights, bad_weight
from synthpipe.exports.writers import JsonlWriter, LlamaFactoryWriter, Staging, Writer, sidecar_of

SUFFIX = {
    "alpaca": ".alpaca.jsonl",
    "sharegpt": ".sharegpt.jsonl",
    "openai": ".openai.jsonl",
    "llamafactory": ".llamafactory",
    "parquet": ".parquet",
    "hf": ".hf",
}
MARKS = {"llamafactory": ("dataset_info.json",), "hf": ("state.json", "dataset_dict.json")}
ARROW = ("parquet", "hf")


def check_format(fmt: str) -> str:
    name = str(fmt).strip().lower()
    if name not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} — use --format {', '.join(FORMATS)}")
    return name


def default_out(source: Source, fmt: str, split: str) -> Path:
    if source.default_dir is None:
        raise UsageError("records in memory have no folder of their own — give out=PATH")
    name = source.info.name + (f".{split}" if split != "all" else "") + SUFFIX[fmt]
    return source.default_dir / name


def export(
    src: SourceLike,
    format: str,
    out: str | Path | None = None,
    *,
    split: str = "all",
    system: str | None = None,
    seed: int | None = None,
    weights: bool = True,
    force: bool = False,
) -> ExportResult:
    fmt = check_format(format)
    if split not in SPLITS:
        raise UsageError(f"--split {split!r}: use train, eval or all")
    if system is not None and fmt in ARROW:
        raise UsageError(
            f"--system: {fmt} keeps each record's own fields — give --system with alpaca, sharegpt, openai "
            "or llamafactory"
        )
    if seed is not None and not weights:
        raise UsageError("--seed draws the weights and --no-weights applies none — give one of them")
    if fmt in ARROW:
        from synthpipe.exports.arrow import require_pyarrow

        require_pyarrow()
    source = open_source(src, split)
    records = source.records
    first = next(records, None)
    if first is None:
        raise InputFileError(
            source.where, "no records to export", "give a run directory or file with accepted records"
        )
    target = Path(out) if out is not None else default_out(source, fmt, split)
    staging = Staging(
        target,
        is_dir=fmt in ("llamafactory", "hf"),
        sidecars=(sidecar_of(target),) if fmt == "openai" else (),
        force=force,
        marks=MARKS.get(fmt, ()),
    )
    job = _Job(fmt, source, first.task, Weights(0 if seed is None else seed, weights), split)
    job.check(first)
    staging.open()
    writer: Writer | None = None
    try:
        writer = _writer(fmt, staging, source, system, first)
        for rec in chain([first], records):
            if rec is not first:
                job.check(rec)
            copies = job.weights.copies(rec.meta.weight, F.split_of(rec))
            job.count(rec, copies)
            if copies:
                writer.write(rec, copies)
        if not job.tally.rows:
            raise UsageError(
                f"{source.where}: every one of the {job.tally.records} records has weight 0 or lost its "
                "draw, so nothing would be written — export with --no-weights, or change the weights"
            )
        info = job.info()
        writer.finish(info, job.tally)
        staging.commit()
    except BaseException:
        if writer is not None:
            writer.close()
        staging.abort()
        raise
    tally = job.tally
    return ExportResult(
        out=target,
        format=fmt,
        files=writer.files,
        records=tally.records,
        rows=tally.rows,
        dropped=tally.dropped,
        counts={key: dict(tally.by(key).most_common()) for key in KEYS},
        info=info,
    )


def _writer(fmt: str, staging: Staging, source: Source, system: str | None, first: Record) -> Writer:
    labels = source.info.labels
    if fmt in ("alpaca", "sharegpt", "openai"):
        return JsonlWriter(fmt, staging, source.where, system, labels)
    if fmt == "llamafactory":
        return LlamaFactoryWriter(staging, source.where, system, labels, first)
    from synthpipe.exports.arrow import HfWriter, ParquetWriter

    if fmt == "parquet":
        return ParquetWriter(staging, source.where, first)
    return HfWriter(staging, source.where, first)


class _Job:
    def __init__(self, fmt: str, source: Source, first_task: str, weights: Weights, split: str) -> None:
        self.fmt, self.source, self.first_task, self.weights, self.split = (
            fmt,
            source,
            first_task,
            weights,
            split,
        )
        self.tally = Tally()
        self._recipes: set[tuple[str, str]] = set()

    def check(self, rec: Record) -> None:
        where = self.source.where
        reasons = rec.meta.reasons
        if reasons and reasons[0].stage == "read":
            detail = reasons[0].detail
            detail = detail.split(": ", 1)[1] if detail.startswith("line ") and ": " in detail else detail
            raise InputFileError(
                where,
                detail,
                "fix or remove that line: an export reads a file only when every line is a record",
                line=rec.meta.line,
            )
        if reasons or rec.meta.error:
            what = (
                f"was rejected ({', '.join(dict.fromkeys(r.code for r in reasons))})"
                if reasons
                else f"failed ({rec.meta.error})"
            )
            raise F.problem(
                rec, where, what, "export accepted records only: the run directory, or its accepted.jsonl"
            )
        F.check_kind(self.fmt, rec, where, self.first_task)
        if self.weights.apply:
            why = bad_weight(rec.meta.weight)
            if why:
                raise F.problem(rec, where, why, "fix meta.weight, or export with --no-weights")

    def count(self, rec: Record, copies: int) -> None:
        self.tally.add(rec, copies)
        pair = (rec.meta.recipe, rec.meta.recipe_hash)
        if pair not in self._recipes:
            self._recipes.add(pair)

    def info(self) -> ExportInfo:
        info = self.source.info
        for name, data_hash in sorted(self._recipes):
            info.add_recipe(name, data_hash)
        if not info.models:
            info.models = sorted(m for m in self.tally.by("model") if m)
        info.weight_rules.append(self.weights.rule())
        info.split = self.split
        info.seed = self.weights.seed if self.weights.apply else None
        return info
