"""Where finished records go: a run directory (append-only, resumable), an all-or-nothing set of output
files, or memory. Every sink keeps the records it holds in memory too, for the manifest, the report and
the result the Python API returns."""

from synthpipe.sinks.base import OUTCOMES, MemorySink
from synthpipe.sinks.outputset import OutputSet
from synthpipe.sinks.rundir import RunDir

__all__ = ["OUTCOMES", "MemorySink", "OutputSet", "RunDir"]
