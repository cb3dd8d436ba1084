"""The library's front door: grade a submission file without going through the CLI."""

from __future__ import annotations

from pathlib import Path

from grader.grading import grade
from grader.key import load_key
from grader.models import Result
from grader.plugins import load_homework
from grader.submission import load_submission


def check_file(path: str | Path, *, hide_expected: bool = False) -> Result:
    """Load, grade and return the result of one submission file (UsageError if unusable)."""
    submission = load_submission(path, known_ids=lambda name: load_homework(name).item_ids)
    homework = load_homework(submission.homework)
    return grade(submission, homework, load_key(homework), hide_expected=hide_expected)
