"""The library's front door: grade a submission file without going through the CLI."""

from __future__ import annotations

import re
from functools import cache, partial
from pathlib import Path

from grader.core.errors import UsageError
from grader.core.homework import Homework
from grader.core.key import Key, load_key
from grader.core.models import Result, Submission
from grader.grading.grade import grade
from grader.grading.runtime import Runtime
from grader.io.discovery import refuse_links
from grader.io.submission import MAX_FILE_BYTES, load_submission
from grader.plugins.homeworks import load_homework
from grader.runtime.sandbox import bounded_runtime


def check_file(
    path: str | Path, *, hide_expected: bool = False, mathml: bool = False, default_student_id: str | None = None,
    homework: str | None = None, allow_links: bool = False, runtime: Runtime | None = None,
) -> Result:
    """Load, grade and return the result of one submission file (UsageError if unusable).

    `default_student_id` is used when the file names no student (else the file's stem);
    `mathml` adds MathML of formulas for an HTML report. `homework` pins the homework: a file
    naming another one is refused. A file that is a symbolic link, or is reached through one, is
    refused unless `allow_links` (a batch passes it for files its discovery has already vetted).
    `runtime` is where answers are checked (default: this process's bounded runtime).
    """
    if not allow_links:
        refuse_links(path)
    submission = read_submission(path, homework=homework, default_student_id=default_student_id,
                                 follow_links=allow_links)
    return grade_submission(submission, runtime=runtime, hide_expected=hide_expected, mathml=mathml)


def read_submission(
    path: str | Path, *, homework: str | None = None, default_student_id: str | None = None, follow_links: bool = True,
) -> Submission:
    """A submission file loaded and its ids checked against the homework it names (which must be `homework`, if given)."""
    return load_submission(path, known_ids=partial(_item_ids, pinned=homework), default_student_id=default_student_id,
                           follow_links=follow_links)


def grade_submission(
    submission: Submission, *, runtime: Runtime | None = None, hide_expected: bool = False, mathml: bool = False,
) -> Result:
    """A loaded submission graded against its homework's committed key."""
    homework = load_homework(submission.homework)
    return grade(submission, homework, committed_key(homework.id), runtime or default_runtime(),
                 hide_expected=hide_expected, mathml=mathml)


@cache
def default_runtime() -> Runtime:
    """This process's grading runtime: math checked in bounded processes, checked answers remembered, errors
    carried forward here (made on first use; a batch worker or a service makes its own)."""
    return bounded_runtime()


def _item_ids(named: str, *, pinned: str | None) -> tuple[str, ...]:
    """The item ids of the homework a file names, which must be the pinned one when there is one."""
    if pinned is not None and named != pinned:
        raise UsageError(f"the file names homework {named!r}, but this grading is for {pinned!r} only "
                         f"(write homework: {pinned})")
    return load_homework(named).item_ids


def homework_named_in(path: str | Path, *, pinned: str | None = None) -> Homework | None:
    """Best effort: the installed homework a (possibly broken) submission file names, else None.

    With `pinned`, that homework whatever the file says. Used to report `0/max` points for a
    submission that cannot be graded; never raises.
    """
    try:
        if pinned is not None:
            return load_homework(pinned)
        path = Path(path)
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return None
        # Not parsed: the file is broken, maybe maliciously (alias bombs); a top-level
        # `homework: NAME` line (YAML) or `"homework": "NAME"` pair (JSON) is all we look for.
        found = _HOMEWORK_LINE.search(path.read_text(encoding="utf-8-sig", errors="replace"))
        return load_homework(found.group(1)) if found else None
    except Exception:  # a broken file is the point here: anything unusable means "unknown"
        return None


_HOMEWORK_LINE = re.compile(r"""(?:^|[{,])\s*["']?homework["']?\s*:\s*["']?([A-Za-z0-9_.-]+)""", re.MULTILINE)


@cache
def committed_key(homework_id: str) -> Key:
    """The homework's committed key, read once per process (a class is graded against one key)."""
    return load_key(load_homework(homework_id))
