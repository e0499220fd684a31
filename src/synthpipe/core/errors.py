"""Typed errors. Library code raises these; only the CLI turns them into messages and exit codes.

SynthpipeError                 every error synthpipe raises on purpose
├── UsageError                 bad input from the user: recipe, files, options (CLI exit code 2)
│   ├── RecipeError            a recipe that is missing, not YAML, or fails validation
│   ├── InputFileError         a data file that cannot be read or parsed
│   └── MissingDependencyError an optional extra is not installed
├── ModelError                 a model that cannot be loaded or configured
│   └── ModelFileMissing       the embedded GGUF cannot be found
├── RunStopped                 a run stopped early: its requests all failed the same way (exit code 1)
└── BackendError               a request that failed for good (after retries)
    ├── RateLimited            429 from the server
    ├── ServerError            5xx, connection errors, time-outs (retryable)
    └── RequestRejected        4xx other than 429 (not retryable)
"""

from __future__ import annotations


class SynthpipeError(Exception):
    """Base class; `str(err)` is a complete one-line message for the user."""


class UsageError(SynthpipeError):
    pass


class RecipeError(UsageError):
    def __init__(self, file: str, problem: str, fix: str = "", field: str = "") -> None:
        self.file, self.field, self.problem, self.fix = file, field, problem, fix
        where = f"{file}: {field}: " if field else f"{file}: "
        super().__init__(where + problem + (f" — {fix}" if fix else ""))


class InputFileError(UsageError):
    def __init__(self, file: str, problem: str, fix: str = "", line: int | None = None) -> None:
        self.file, self.line = file, line
        where = f"{file}:{line}: " if line else f"{file}: "
        super().__init__(where + problem + (f" — {fix}" if fix else ""))


class MissingDependencyError(UsageError):
    def __init__(self, what: str, extra: str, package: str = "") -> None:
        pkg = package or f"synthpipe[{extra}]"
        super().__init__(f"{what} needs an optional dependency — install it with `pip install '{pkg}'`")


class ModelError(SynthpipeError):
    pass


class RunStopped(SynthpipeError):
    """The run stopped before its end; what it finished is kept and a re-run resumes."""


class ModelFileMissing(ModelError):
    pass


class BackendError(SynthpipeError):
    retryable = False

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None) -> None:
        self.status, self.retry_after = status, retry_after
        super().__init__(message)


class RateLimited(BackendError):
    retryable = True


class ServerError(BackendError):
    retryable = True


class RequestRejected(BackendError):
    retryable = False
