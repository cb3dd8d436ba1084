"""Errors that stop a command, and the process exit codes they map to."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Process exit codes of the `grader` command (CONTRACT §3)."""

    OK = 0
    BELOW_THRESHOLD = 1
    USAGE = 2


class UsageError(Exception):
    """A submission, key or argument that cannot be used; the CLI prints it and exits 2.

    The message names the file and, where known, the line and what is wrong.
    """

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or ""
        if where and self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}" if where else self.message
