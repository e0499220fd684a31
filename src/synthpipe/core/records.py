"""Record types and their one JSON form.

A record is flat: its task fields (`instruction`/`input`/`output`, `text`/`label`, or `messages`) sit at
the top level beside `id` and `meta`, so an accepted.jsonl line is already close to every export format.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from dataclasses import fields as dataclass_fields
from typing import Any

import orjson


@dataclass(slots=True, frozen=True)
class Reason:
    """Why a record was rejected or flagged: a stable code plus a human detail."""

    code: str
    detail: str = ""
    stage: str = ""

    def to_json(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}


@dataclass(slots=True)
class Meta:
    task: str
    origin: str = "generated"  # generated | seed | augmented:<method> | feedback | input
    recipe: str = ""
    recipe_hash: str = ""
    model: str = ""
    prompt_hash: str = ""
    parent_id: str | None = None
    created_at: float = field(default_factory=time.time)
    plan: dict[str, Any] = field(default_factory=dict)  # topic, persona, seed… that produced it
    line: int | None = None  # 1-based line of the input file, for records read from a file
    scores: dict[str, Any] = field(default_factory=dict)
    reasons: list[Reason] = field(default_factory=list)
    flags: list[Reason] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)
    raw: str | None = None  # the model's raw text, kept when parsing failed
    error: str | None = None
    weight: float = 1.0
    pool_version: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The fields that are set: None and empty lists and dicts are left out, except `reasons` (always
        there, so a reader sees at once that a record has none). Runs once per record written."""
        out: dict[str, Any] = {}
        for name, kind in _META_KINDS:
            value = getattr(self, name)
            if value is None:
                continue
            if kind is _REASONS:
                if value or name == "reasons":
                    out[name] = [r.to_json() for r in value]
            elif kind is _OTHER or value:
                out[name] = value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Meta:
        data = dict(data)
        known = _META_KEYS
        extra = (
            {k: data.pop(k) for k in [k for k in data if k not in known]}
            if not known.issuperset(data)
            else {}
        )
        reasons = [Reason(**r) for r in data.pop("reasons", ())]
        flags = [Reason(**r) for r in data.pop("flags", ())]
        meta = cls(**data, reasons=reasons, flags=flags)
        if extra:
            meta.extra.update(extra)
        return meta


_META_KEYS = frozenset(Meta.__slots__)  # type: ignore[attr-defined]
_REASONS, _CONTAINER, _OTHER = "reasons", "container", "other"
# What Meta.to_json does with each field, from its annotation: lists of Reason, dicts (left out when
# empty), everything else (left out only when None).
_META_KINDS = tuple(
    (f.name, _REASONS if "Reason" in str(f.type) else _CONTAINER if "dict" in str(f.type) else _OTHER)
    for f in dataclass_fields(Meta)
)


@dataclass(slots=True)
class Record:
    id: str
    fields: dict[str, Any]
    meta: Meta

    @property
    def task(self) -> str:
        return self.meta.task

    @property
    def ok(self) -> bool:
        return not self.meta.reasons and self.meta.error is None

    def reject(self, code: str, detail: str = "", stage: str = "") -> Record:
        self.meta.reasons.append(Reason(code, detail, stage))
        return self

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, **self.fields, "meta": self.meta.to_json()}

    def dumps(self) -> str:
        """One JSONL line (UTF-8, no escapes). orjson: this runs once per record on the hot path."""
        return orjson.dumps(self.to_json(), default=str).decode()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        data = dict(data)
        meta = Meta.from_json(data.pop("meta"))
        rid = data.pop("id")
        return cls(id=rid, fields=data, meta=meta)

    def text(self, keys: tuple[str, ...] | None = None) -> str:
        """All text of the record (or of `keys`), joined; what dedup and language checks look at."""
        parts: list[str] = []
        for key in keys or tuple(self.fields):
            value = self.fields.get(key)
            if isinstance(value, str):
                parts.append(value)
            elif isinstance(value, list):
                parts.extend(str(m.get("content", "")) for m in value if isinstance(m, dict))
        return "\n".join(p for p in parts if p)


def stable_hash(obj: Any, length: int = 16) -> str:
    """Hash of a JSON-able object that does not depend on key order or process."""
    blob = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:length]
