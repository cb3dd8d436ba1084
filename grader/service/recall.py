"""Results remembered per worker: a file sent again unchanged (CI on every push) is not graded again.

A result is a function of the bytes, the file's name (the result quotes it), the student it is graded
as, the pinned homework, whether expected answers are withheld, the key and the grader: the last two are
fixed for a worker's life (read once at start), the others make the key or are checked on recall. A result
with a bound hit or a checker's failure (an `invalid` answer flagged for review) depends on the machine's
load, so it is never remembered; nor is an unusable file (its error is cheap to find again).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

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


class Recall:
    """The most recently used results, by what determines them; safe to share between grading threads."""

    def __init__(self, size: int = MAX_REMEMBERED_RESULTS) -> None:
        self.size = size
        self._entries: OrderedDict[Key, Remembered] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key) -> Remembered | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Key, remembered: Remembered) -> None:
        if any(item.status is Status.INVALID and item.needs_review for item in remembered.result.items):
            return
        with self._lock:
            self._entries[key] = remembered
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
