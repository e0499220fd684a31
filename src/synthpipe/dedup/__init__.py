"""Deduplication (exact, MinHash, embedding) and diversity figures.

`Deduper` is the incremental stage the `run` pipeline streams records through; `dedup_records` dedups a
whole batch (a file, a pool) with the same keep-first decisions; `dedup_file` is what `synthpipe dedup` runs.
Heavy parts (numpy, sentence-transformers) are imported only when a method needs them.
"""

from synthpipe.dedup.batch import dedup_records, priority_order
from synthpipe.dedup.deduper import CODES, DEFAULT_FIELDS, STAGE, Deduper, Duplicate, fields_for
from synthpipe.dedup.diversity import diversity
from synthpipe.dedup.file import dedup_file, read_existing
from synthpipe.dedup.normalize import exact_key, normalize

__all__ = [
    "CODES",
    "DEFAULT_FIELDS",
    "STAGE",
    "Deduper",
    "Duplicate",
    "dedup_file",
    "dedup_records",
    "diversity",
    "exact_key",
    "fields_for",
    "normalize",
    "priority_order",
    "read_existing",
]
