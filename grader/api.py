"""The library's front door: grade a submission file without going through the CLI."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from grader.grading import Checking, check_submission, finish
from grader.homework import Homework
from grader.key import Key, load_key
from grader.models import Result
from grader.plugins import load_homework
from grader.submission import MAX_FILE_BYTES, load_submission


def check_file(
    path: str | Path, *, hide_expected: bool = False, mathml: bool = False, default_student_id: str | None = None
) -> Result:
    """Load, grade and return the result of one submission file (UsageError if unusable).

    `default_student_id` is used when the file names no student (else the file's stem);
    `mathml` adds MathML of formulas for an HTML report.
    """
    return finish(read_and_check(path, hide_expected=hide_expected, mathml=mathml,
                                 default_student_id=default_student_id))


def read_and_check(
    path: str | Path, *, hide_expected: bool = False, mathml: bool = False, default_student_id: str | None = None
) -> Checking:
    """The first half of `check_file`: the file loaded and its answers checked; `grading.finish` does the rest."""
    submission = load_submission(
        path, known_ids=lambda name: load_homework(name).item_ids, default_student_id=default_student_id
    )
    homework = load_homework(submission.homework)
    return check_submission(submission, homework, committed_key(homework.id), hide_expected=hide_expected,
                            mathml=mathml)


def homework_named_in(path: str | Path) -> Homework | None:
    """Best effort: the installed homework a (possibly broken) submission file names, else None.

    Used to report `0/max` points for a submission that cannot be graded; never raises.
    """
    try:
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
