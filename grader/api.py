"""The library's front door: grade a submission file without going through the CLI."""

from __future__ import annotations

import re
from functools import cache, partial
from pathlib import Path

from grader.io.discovery import refuse_links
from grader.core.errors import UsageError
from grader.grading.grade import Checking, check_submission, finish
from grader.core.homework import Homework
from grader.core.key import Key, load_key
from grader.core.models import Result
from grader.plugins.homeworks import load_homework
from grader.io.submission import MAX_FILE_BYTES, load_submission


def check_file(
    path: str | Path, *, hide_expected: bool = False, mathml: bool = False, default_student_id: str | None = None,
    homework: str | None = None, allow_links: bool = False,
) -> Result:
    """Load, grade and return the result of one submission file (UsageError if unusable).

    `default_student_id` is used when the file names no student (else the file's stem);
    `mathml` adds MathML of formulas for an HTML report. `homework` pins the homework: a file
    naming another one is refused. A file that is a symbolic link, or is reached through one, is
    refused unless `allow_links` (a batch passes it for files its discovery has already vetted).
    """
    if not allow_links:
        refuse_links(path)
    return finish(read_and_check(path, hide_expected=hide_expected, mathml=mathml,
                                 default_student_id=default_student_id, homework=homework,
                                 follow_links=allow_links))


def read_and_check(
    path: str | Path, *, hide_expected: bool = False, mathml: bool = False, default_student_id: str | None = None,
    homework: str | None = None, follow_links: bool = True,
) -> Checking:
    """The first half of `check_file`: the file loaded and its answers checked; `grading.finish` does the rest."""
    submission = load_submission(
        path, known_ids=partial(_item_ids, pinned=homework), default_student_id=default_student_id,
        follow_links=follow_links,
    )
    homework = load_homework(submission.homework)
    return check_submission(submission, homework, committed_key(homework.id), hide_expected=hide_expected,
                            mathml=mathml)


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
