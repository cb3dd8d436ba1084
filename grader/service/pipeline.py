"""A submission's way through the server: refuse early, grade off the event loop, store it with its grading, answer.

Grading is CPU-bound: it runs in one of `concurrency` dedicated threads per worker process (each
thread keeps its own bounded checker process from grader.runtime.bounded, so a fixed set of threads means a
fixed set of checkers), and no more than `queue` submissions wait for one; past that the server
answers 503 before storing anything.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import anyio.to_thread

from grader import api

if TYPE_CHECKING:
    from grader.grading.runtime import Runtime
from grader.authoring.key_cache import KeyCache, default_cache_folder
from grader.core.errors import UsageError
from grader.core.models import Result
from grader.core.variant import Assignment
from grader.service.classdata import decisions_for, effective, reviewed_history
from grader.service.course import Course, course_secret, expected_released, lateness, refusal
from grader.service.recall import Recall, Remembered
from grader.service.release import released_at
from grader.service.storage import Line, Principal, Store
from grader.service.tables import Grading, Submission, now

log = logging.getLogger("grader.service.pipeline")

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class Busy(Exception):
    """Every grading thread is taken and the queue is full: try again shortly."""


@dataclass(frozen=True)
class Received:
    """A submission as it arrived, before it is stored."""

    data: bytes
    filename: str
    via: str
    client: str
    homework: str | None


@dataclass(frozen=True)
class Submitted:
    """A submission just stored with its grading, its result (None for an unusable file), and its student's history
    of the homework (newest first, this one included) when it was asked for."""

    submission: Submission
    grading: Grading
    result: Result | None
    history: list[Line] | None = None


@dataclass(frozen=True)
class Shown:
    """A result as the asker may see it, and its JSON when that is the stored text (most of an answer)."""

    result: Result
    stored_json: str | None

    def json(self) -> str:
        return self.stored_json if self.stored_json is not None else self.result.model_dump_json()


def safe_filename(name: str | None, default: str = "submission.yaml") -> str:
    """The upload's base name reduced to a safe alphabet (it names the file in messages and picks JSON or YAML)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _SAFE_NAME.sub("_", base).strip("._")[:100]
    return cleaned if cleaned.lower().endswith((".yaml", ".yml", ".json")) else default


class Pipeline:
    """Stores and grades submissions for one worker process."""

    def __init__(self, store: Store, course: Course, *, concurrency: int, queue: int,
                 keys: KeyCache | None = None) -> None:
        self.store, self.course, self.queue = store, course, queue
        self.graders, self.concurrency = ThreadPoolExecutor(concurrency, thread_name_prefix="grading"), concurrency
        self.waiting = 0
        # Each student's variant of the homeworks given in variants, from the course secret and their roster id.
        self.assignment = Assignment(secret=course_secret(course), only=course.varied) if course.varied else None
        self.keys = keys or KeyCache(default_cache_folder())
        self.recall = Recall()
        # Set by the app at start (grader.api.serving_runtime): shared by the grading threads.
        self.runtime: Runtime | None = None

    def warm(self, homeworks: Iterable[str]) -> None:
        """Grade each homework's key file once on every grading thread, before the first student: a thread's first
        grading starts its checking process and loads what checkers read lazily (about 0.25 s, measured: the first
        students waited for it). Nothing is stored; a homework without a key is left to say so to students."""
        names = list(homeworks)
        ready = threading.Barrier(self.concurrency)

        def on_each_thread() -> None:
            ready.wait(timeout=120)  # every thread holds one, so each grading thread warms its own checking process
            for name in names:
                try:
                    key_file = Path(api.committed_key(name).source)
                    api.grade_bytes(key_file.read_bytes(), source=key_file.name, student_id="warm-up", homework=name,
                                    hide_expected=True, runtime=self.runtime)
                except UsageError:
                    log.info("not warming up %s: no key", name)

        for done in [self.graders.submit(on_each_thread) for _ in range(self.concurrency)]:
            done.result()

    async def on_grading_thread(self, work):
        return await asyncio.get_running_loop().run_in_executor(self.graders, work)

    async def submit(self, principal: Principal, received: Received, *, history: int = 0) -> Submitted:
        """Grade the submission, then store it with its grading (one synced commit): what the answer is made of
        (with the result, which the answer shows without reading the stored JSON back, and the latest `history`
        lines of the student's history of the homework, read in the same trip to a thread as the write).

        Stored together, a submission passes the database's single writer once, not twice; one cut off by a
        crash while it was graded was never acknowledged, and its sender sends it again.
        """
        submission = self.store.new_submission(
            member_id=principal.member_id, raw=received.data, digest=hashlib.sha256(received.data).hexdigest(),
            filename=received.filename, via=received.via, client=received.client, pinned_homework=received.homework,
            received_at=now())
        if self.waiting >= self.queue:
            raise Busy
        self.waiting += 1
        try:
            grading, result = await self.on_grading_thread(lambda: self.grade(submission))
        except Exception:
            # A grader failure (a bug, not the file's fault): keep the file for the instructor; the next start grades it.
            await anyio.to_thread.run_sync(self.store.add_submission, submission)
            raise
        finally:
            self.waiting -= 1

        def store() -> list[Line] | None:
            self.store.add_graded(submission, grading)
            return reviewed_history(self.store, member_id=submission.member_id, homework=grading.homework,
                                    limit=history) if history else None

        return Submitted(submission, grading, result, await anyio.to_thread.run_sync(store))

    def grade(self, submission: Submission, *, recall: bool = True) -> tuple[Grading, Result | None]:
        """The first grading of a submission (stored, or to be stored with it), under the course's rules at the time
        it was received, and its result (None if the file was unusable); the same file sent again is recalled, not
        graded again (unless `recall` is false: a regrade grades every file afresh)."""
        received = submission.received_at
        # A new submission has no id yet: storing it with its grading (Store.add_graded) sets both.
        common = {"submission_id": submission.id, "revision": 0, "graded_at": now(),
                  "grader_version": api.grader_version()}
        # Asked when grading and again when remembering: one database query for both.
        withheld = cache(lambda homework: self.withheld(homework, received))
        # The student is part of the key: their variant, and the identity in the result, are theirs.
        key = (submission.digest, submission.filename, submission.member_id, submission.pinned_homework)
        remembered = self.recall.get(key) if recall else None
        if remembered is None or not self._applies(remembered, received):
            try:
                result = api.grade_bytes(
                    submission.raw, source=submission.filename, student_id=submission.member_id,
                    homework=submission.pinned_homework, admit=lambda homework: self._admit(homework, received),
                    hide_expected=withheld, runtime=self.runtime,
                    assignment=self.assignment, keys=self.keys,
                )
            except UsageError as error:
                return Grading(**common, outcome="unusable", error=str(error), expected_withheld=True), None
            remembered = Remembered(result, result.model_dump_json(), withheld(result.homework))
            self.recall.put(key, remembered)
        result = remembered.result
        late = lateness(self.course.homeworks[result.homework], received)
        return Grading(**common, outcome="graded", homework=result.homework, score=result.score,
                       max_score=result.max_score, late_seconds=late.seconds if late else None,
                       penalty_percent=late.penalty_percent if late else None, expected_withheld=remembered.withheld,
                       result=remembered.json, key_digest=api.result_key_digest(result, self.keys)), result

    def _applies(self, remembered: Remembered, received: datetime) -> bool:
        """Whether a remembered result is what grading would give now: the homework still admitted, its
        expected answers withheld as they were."""
        try:
            self._admit(remembered.result.homework, received)
        except UsageError:
            return False
        return self.withheld(remembered.result.homework, received) == remembered.withheld

    def homework_of(self, homework_id: str, member_id: str):
        """The homework as `member_id` is given it: their variant where the course gives it in variants."""
        return api.homework_for(homework_id, self.assignment, member_id)

    def withheld(self, homework: str, at: datetime) -> bool:
        """Whether expected answers are withheld from students at `at` (until the course file's release or an
        instructor's, whichever comes first; a database query: call it from a thread)."""
        offering = self.course.homeworks.get(homework)
        if offering is None:
            return True
        if expected_released(offering, at):
            return False
        released = released_at(self.store, homework)
        return released is None or at < released

    def _admit(self, homework: str, received: datetime) -> None:
        if homework not in self.course.homeworks:
            raise UsageError(f"the file names homework {homework!r}, which this course does not offer "
                             f"(offered: {', '.join(sorted(self.course.homeworks))})")
        why = refusal(self.course.homeworks[homework], received)
        if why is not None:
            raise UsageError(f"{homework}: {why}")

    async def view(self, submission: Submission, grading: Grading, *, instructor: bool,
                   graded: Result | None = None) -> Shown | None:
        """The result as the asker may see it now, with the reviewers' decisions applied: graded again with
        expected answers shown for an instructor, or for a student once they are released (same points:
        grading is deterministic). `graded` is the result of a submission just graded (no need to read its
        JSON, and no decision can have been made on it yet)."""
        if grading.result is None:
            return None
        stored = graded or Result.model_validate_json(grading.result)
        shown = Shown(stored, grading.result)
        # A result just graded was graded under the release as it is (no second database trip to ask again).
        if grading.expected_withheld and (instructor or (
                graded is None and not await anyio.to_thread.run_sync(self.withheld, stored.homework, now()))):
            again = await self.on_grading_thread(lambda: api.grade_bytes(
                submission.raw, source=submission.filename, student_id=submission.member_id,
                homework=stored.homework, hide_expected=False, runtime=self.runtime, assignment=self.assignment,
                keys=self.keys))
            if again.score == stored.score:
                shown = Shown(again, None)
        if graded is not None:
            return shown
        decisions = await anyio.to_thread.run_sync(decisions_for, self.store, stored.homework, submission.id)
        return Shown(effective(shown.result, decisions), None) if decisions else shown

    def recover(self) -> int:
        """Grade every stored submission that has no grading (the server stopped while grading it)."""
        count = 0
        for submission in self.store.pending():
            self.store.add_grading(self.grade(submission)[0])
            count += 1
        if count:
            log.info("graded submissions left pending by an earlier stop", extra={"count": count})
        return count
