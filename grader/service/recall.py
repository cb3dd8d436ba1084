"""Results remembered per worker: a file sent again unchanged (CI on every push) is not graded again.

A result is a function of the bytes, the file's name (the result quotes it), the student it is graded
as, the pinned homework, whether expected answers are withheld, the key and the grader: the last two are
fixed for a worker's life (read once at start), the others make the key or are checked on recall. A result
with a bound hit or a checker's failure (an `invalid` answer flagged for review) depends on the machine's
load, so it is never remembered; nor is an unusable file (its error is cheap to find again).
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.core.lru import LeastRecentlyUsed
from grader.core.models import Result, Status

# Results of about 35 kB of JSON each: a few megabytes per worker.
MAX_REMEMBERED_RESULTS = 256


@dataclass(frozen=True)
class Remembered:
    """A result, its JSON, and whether expected answers were withheld from it."""

    result: Result
    json: str
    withheld: bool


Key = tuple[str, str, str, str | None]  # (SHA-256 of the bytes, file name, student, pinned homework)


class Recall(LeastRecentlyUsed[Key, Remembered]):
    """The most recently used results, by what determines them; safe to share between grading threads."""

    def __init__(self, size: int = MAX_REMEMBERED_RESULTS) -> None:
        super().__init__(size)

    def put(self, key: Key, value: Remembered) -> None:
        if any(item.status is Status.INVALID and item.needs_review for item in value.result.items):
            return
        super().put(key, value)
