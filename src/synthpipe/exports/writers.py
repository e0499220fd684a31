"""Where an export's files are written, and the JSONL writers.

Everything goes to temporary names beside the output; `Staging.commit` renames them into place (the
main output last, so its presence means the export is complete) and `Staging.abort` removes them and
any folder it made: an export that fails half-way leaves nothing, and never touches an earlier export
unless `force` asked to replace it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

import orjson

from synthpipe.core.errors import UsageError
from synthpipe.core.records import Record
from synthpipe.exports import ExportInfo
from synthpipe.exports import formats as F

if TYPE_CHECKING:
    from synthpipe.exports.card import Tally


class Writer(Protocol):
    files: list[Path]

    def write(self, rec: Record, copies: int) -> None: ...

    def finish(self, info: ExportInfo, tally: Tally) -> None: ...

    def close(self) -> None: ...


class Staging:
    def __init__(
        self,
        out: Path,
        *,
        is_dir: bool,
        sidecars: tuple[Path, ...] = (),
        force: bool = False,
        marks: tuple[str, ...] = (),
    ) -> None:
        """`marks`: files one of which an earlier export folder holds (what `force` may replace)."""
        self.out, self.is_dir, self.sidecars, self.force, self.marks = out, is_dir, sidecars, force, marks
        self._made: list[Path] = []  # folders this export created, deepest last
        self._temps: dict[Path, Path] = {}
        self.check()

    def check(self) -> None:
        for target in (self.out, *self.sidecars):
            if not (target.exists() or target.is_symlink()):
                continue
            if not self.force:
                raise UsageError(f"{target}: already exists — give another --out, or --force to replace it")
            if self.is_dir and target == self.out:
                if not target.is_dir() or not any((target / m).exists() for m in self.marks):
                    raise UsageError(
                        f"{target}: exists and is not an earlier export of this format (no "
                        f"{' or '.join(self.marks)}) — --force replaces only those; give another --out"
                    )
            elif target.is_dir():
                raise UsageError(f"{target}: is a folder — give a file name as --out")
        parent = self.out.parent
        while not parent.exists():
            parent = parent.parent
        if not parent.is_dir():
            raise UsageError(f"{parent}: is not a folder — give another --out")

    def open(self) -> None:
        missing = []
        parent = self.out.parent
        while not parent.exists():
            missing.append(parent)
            parent = parent.parent
        try:
            for folder in reversed(missing):
                folder.mkdir()
                self._made.append(folder)
            if self.is_dir:
                self.temp(self.out).mkdir()
            else:
                self.temp(self.out).touch()
        except OSError as exc:
            self.abort()
            raise UsageError(
                f"{self.out}: cannot be written ({exc.strerror or type(exc).__name__}) — give another --out"
            ) from None

    def temp(self, target: Path) -> Path:
        """The temporary name of `target` (the output, or a sidecar) until `commit`."""
        if target not in self._temps:
            self._temps[target] = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        return self._temps[target]

    @property
    def root(self) -> Path:
        """The folder a directory format writes into."""
        return self.temp(self.out)

    def commit(self) -> None:
        for target in (*self.sidecars, self.out):
            temp = self._temps.pop(target, None)
            if temp is None:
                continue
            if target.is_dir() and not target.is_symlink():  # an earlier export, replaced with --force
                old = target.with_name(f".{target.name}.{os.getpid()}.old")
                os.replace(target, old)
                os.replace(temp, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(temp, target)
        self._made.clear()

    def abort(self) -> None:
        for temp in self._temps.values():
            if temp.is_dir() and not temp.is_symlink():
                shutil.rmtree(temp, ignore_errors=True)
            else:
                temp.unlink(missing_ok=True)
        self._temps.clear()
        for folder in reversed(self._made):
            try:
                folder.rmdir()
            except OSError:
                break
        self._made.clear()


def sidecar_of(out: Path) -> Path:
    """`train.jsonl` -> `train.meta.jsonl`: one provenance line per line of the openai file."""
    stem = out.name[: -len(".jsonl")] if out.name.endswith(".jsonl") else out.name
    return out.with_name(stem + ".meta.jsonl")


class _Lines:
    def __init__(self, path: Path) -> None:
        self.fh: IO[bytes] = path.open("wb", buffering=1 << 20)

    def write(self, row: dict[str, Any], copies: int) -> None:
        line = orjson.dumps(row, default=str) + b"\n"
        self.fh.write(line if copies == 1 else line * copies)

    def close(self) -> None:
        self.fh.close()


class JsonlWriter:
    """alpaca, sharegpt and openai: one JSONL file (openai: and its provenance sidecar)."""

    def __init__(self, fmt: str, staging: Staging, where: str, system: str | None, labels: list[str]) -> None:
        self.fmt, self.where, self.system, self.labels = fmt, where, system, labels
        self.files = [staging.out, *staging.sidecars]
        self._out = _Lines(staging.temp(staging.out))
        self._meta = _Lines(staging.temp(staging.sidecars[0])) if staging.sidecars else None
        self._line = 0

    def write(self, rec: Record, copies: int) -> None:
        if self.fmt == "alpaca":
            row = F.alpaca_row(rec, self.where, self.system, self.labels)
        elif self.fmt == "sharegpt":
            row = F.sharegpt_row(rec, self.where, self.system, self.labels)
        else:
            row = F.openai_row(rec, self.where, self.system, self.labels)
        self._out.write(row, copies)
        if self._meta is not None:
            prov = F.provenance(rec)
            for _ in range(copies):
                self._line += 1
                self._meta.write({"line": self._line, **prov}, 1)

    def finish(self, info: ExportInfo, tally: Tally) -> None:
        self.close()

    def close(self) -> None:
        self._out.close()
        if self._meta is not None:
            self._meta.close()


LF_TAGS = {
    "role_tag": "from",
    "content_tag": "value",
    "user_tag": "human",
    "assistant_tag": "gpt",
    "system_tag": "system",
}


def dataset_name(out: Path) -> str:
    name = out.name.removesuffix(".llamafactory")
    return re.sub(r"[^\w.-]+", "_", name).strip("._") or "synthpipe"


class LlamaFactoryWriter:
    """A folder for LLaMA-Factory's `dataset_dir`: the data (alpaca layout, or sharegpt when the first
    record is a dialogue; one file per split when the source has train and eval), `dataset_info.json`
    describing each file with LLaMA-Factory's column mapping (data/README.md of hiyouga/LLaMA-Factory),
    and README.md.

    Every record fits either layout: in the alpaca one a dialogue keeps its earlier turns as `history`;
    in the sharegpt one an instruction or classify record is one human/gpt exchange. The system prompt
    is a `system` key; `system` and `history` are mapped only when some row has them, since
    LLaMA-Factory's converter reads every mapped column of every row."""

    def __init__(
        self, staging: Staging, where: str, system: str | None, labels: list[str], first: Record
    ) -> None:
        self.staging, self.where, self.system, self.labels = staging, where, system, labels
        self.name = dataset_name(staging.out)
        self.layout = "sharegpt" if first.task == "dialogue" else "alpaca"
        self.files = [staging.out]
        self._parts: dict[str, _Lines] = {}
        self._has: dict[str, set[str]] = {}  # per file: the optional keys some row has

    def write(self, rec: Record, copies: int) -> None:
        if self.layout == "alpaca":
            row = F.alpaca_row(rec, self.where, self.system, self.labels)
        else:
            row = F.sharegpt_row(rec, self.where, self.system, self.labels, system_column=True)
        split = F.split_of(rec) or ""
        part = self._parts.get(split)
        if part is None:
            part = self._parts[split] = _Lines(self.staging.root / f".part-{split or 'all'}.jsonl")
            self._has[split] = set()
        part.write(row, copies)
        for key in ("system", "history"):
            if key in row:
                self._has[split].add(key)

    def finish(self, info: ExportInfo, tally: Tally) -> None:
        from synthpipe.exports.card import render

        self.close()
        entries: dict[str, Any] = {}
        order = sorted(self._parts, key=lambda s: ("", "train", "eval").index(s))
        for split in order:
            name = self.name if len(order) == 1 else f"{self.name}_{split or 'unsplit'}"
            os.replace(
                self.staging.root / f".part-{split or 'all'}.jsonl", self.staging.root / f"{name}.jsonl"
            )
            entries[name] = self._entry(f"{name}.jsonl", self._has[split])
        text = json.dumps(entries, ensure_ascii=False, indent=2) + "\n"
        (self.staging.root / "dataset_info.json").write_text(text, encoding="utf-8")
        usage = self._usage(list(entries))
        (self.staging.root / "README.md").write_text(
            render(info, tally, "llamafactory", usage), encoding="utf-8"
        )

    def _entry(self, file_name: str, has: set[str]) -> dict[str, Any]:
        if self.layout == "alpaca":
            columns = {"prompt": "instruction", "query": "input", "response": "output"}
            columns.update({key: key for key in ("system", "history") if key in has})
            return {"file_name": file_name, "formatting": "alpaca", "columns": columns}
        columns = {"messages": "conversations"}
        if "system" in has:
            columns["system"] = "system"
        return {"file_name": file_name, "formatting": "sharegpt", "columns": columns, "tags": dict(LF_TAGS)}

    def _usage(self, names: list[str]) -> str:
        train = next((n for n in names if not n.endswith("_eval")), names[0])
        lines = [
            "Point LLaMA-Factory's `dataset_dir` at this folder and name the dataset:",
            "",
            "```yaml",
            f"dataset_dir: {self.staging.out}",
            f"dataset: {train}",
        ]
        if len(names) > 1 and any(n.endswith("_eval") for n in names):
            lines.append(f"eval_dataset: {self.name}_eval")
        lines.append("```")
        return "\n".join(lines)

    def close(self) -> None:
        for part in self._parts.values():
            part.close()
