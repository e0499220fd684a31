"""`synthpipe.review`: the human spot-check page; `synthpipe.review_report`: the judge against people."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def review(src: str | Path, *, sample: int = 20, seed: int = 0, port: int = 0) -> Any:
    """A review server (not started) for a run directory or a pool version (`pool:DIR@VERSION`): call
    `.start()` (background thread) or `.serve_forever()`, open `.url`, `.stop()`. Decisions are kept as
    they are made (see synthpipe.reviews)."""
    from synthpipe.reviews import Session, open_source
    from synthpipe.reviews.app import ReviewServer

    return ReviewServer(Session(open_source(src), sample, seed), port)


def review_report(src: str | Path) -> dict[str, Any]:
    """How the judge's verdicts agree with the reviewers' decisions on the same records: accuracy,
    Cohen's kappa, per-criterion scores of accepted and rejected records, the best threshold."""
    from synthpipe.reviews import calibration

    return calibration(src)
