"""Bounds on checking answers, and which bound an answer hit."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class WorkLimits:
    """Bounds on checking one answer.

    `seconds` is the wall-clock time one check may take (the CPU-time limit, a backstop, is one to
    two seconds more); `memory_mb` is how much address space the checking process may grow beyond
    its size at start; `batch_seconds` bounds the checks of one submission in total, so a file full
    of slow answers costs at most that long (the answers left then hit the `budget` bound).
    """

    seconds: float = 5.0
    memory_mb: int = 1024
    batch_seconds: float = 60.0


DEFAULT_WORK_LIMITS = WorkLimits()


class Bound(str, Enum):
    """The bound a check hit: it was stopped, and the answer is `invalid`, "too complex to check"."""

    TIME = "time"
    CPU = "cpu"
    MEMORY = "memory"
    NESTING = "nesting"
    BUDGET = "budget"
