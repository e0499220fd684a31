"""synthpipe: recipe-driven synthetic training data that is checked before it is trusted."""

from synthpipe.core.errors import SynthpipeError
from synthpipe.core.records import Meta, Reason, Record

__all__ = ["Meta", "Reason", "Record", "SynthpipeError", "__version__"]
__version__ = "0.1.0"
