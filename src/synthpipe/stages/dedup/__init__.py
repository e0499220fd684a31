"""Deduplication (exact, MinHash, embedding) and diversity figures.

`DedupStage` (stage.py) is the stage. `Deduper` is the incremental index it decides a run's batches
against; `dedup_records` dedups a whole batch (a file, a pool) with the same keep-first decisions.
Heavy parts (numpy, sentence-transformers) are imported only when a method needs them.
"""

from synthpipe.stages.dedup.batch import dedup_records, priority_order
from synthpipe.stages.dedup.deduper import CODES, STAGE, Deduper, Duplicate, fields_for
from synthpipe.stages.dedup.diversity import diversity
from synthpipe.stages.dedup.normalize import exact_key, normalize
from synthpipe.stages.dedup.stage import DedupStage

__all__ = [
    "CODES",
    "STAGE",
    "DedupStage",
    "Deduper",
    "Duplicate",
    "dedup_records",
    "diversity",
    "exact_key",
    "fields_for",
    "normalize",
    "priority_order",
]
