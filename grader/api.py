"""The library's front door: grade a submission file without going through the CLI."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Mapping
from functools import cache, partial
from pathlib import Path

from grader.discovery import refuse_links
from grader.errors import UsageError
from grader.grading import Checking, check_submission, finish
from grader.homework import Carried, Homework
from grader.identity import graded_as
from grader.key import Key, key_path, load_key
from grader.models import Result
from grader.plugins import load_homework
from grader.submission import MAX_FILE_BYTES, load_submission, load_submission_text


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


def grade_bytes(
    data: bytes, *, source: str, student_id: str, homework: str | None = None,
    admit: Callable[[str], None] | None = None, hide_expected: bool | Callable[[str], bool] = False,
) -> Result:
    """Grade a submission received as bytes (a service's upload) under the identity the caller vouches for.

    The same loader, limits and grading as `check_file`: the hardened parser (size, nesting, tags),
    every answer within grader.bounded's bounds. `homework` pins the homework; `admit(named)` is
    called with the homework the file names before its answers are read and refuses it by raising
    UsageError; `hide_expected` may be a function of that homework. The result is the student's
    under `student_id` (a differing `student.id` in the file is kept as `declared_id`, a flag).
    UsageError if the bytes are unusable.
    """
    submission = load_submission_text(
        data, source=source, default_student_id=student_id,
        known_ids=partial(_item_ids, pinned=homework, admit=admit),
    )
    loaded = load_homework(submission.homework)
    hidden = hide_expected(loaded.id) if callable(hide_expected) else hide_expected
    result = finish(check_submission(submission, loaded, committed_key(loaded.id), hide_expected=hidden))
    return graded_as(result, student_id)


def _item_ids(named: str, *, pinned: str | None, admit: Callable[[str], None] | None = None) -> tuple[str, ...]:
    """The item ids of the homework a file names, which must be the pinned one when there is one (and admitted)."""
    if pinned is not None and named != pinned:
        raise UsageError(f"the file names homework {named!r}, but this grading is for {pinned!r} only "
                         f"(write homework: {pinned})")
    if admit is not None:
        admit(named)
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


def grader_version() -> str:
    """The installed grader's version (stored with every grading)."""
    from grader import __version__

    return __version__


def installed_homeworks() -> tuple[str, ...]:
    """Names of the homeworks this grader can grade."""
    from grader.plugins import available_homeworks

    return tuple(available_homeworks())


def max_score(homework_id: str) -> float:
    """The homework's points."""
    return load_homework(homework_id).max_score


@cache
def key_digest(homework_id: str) -> str:
    """SHA-256 of the homework's committed key file: which key graded a stored result."""
    return hashlib.sha256(key_path(load_homework(homework_id)).read_bytes()).hexdigest()


_recompute_lock = threading.Lock()


def _serialised_recompute(homework: Homework, item_id: str, upstream: Mapping[str, str]) -> Carried | None:
    # torch's dispatch modes and the problems' caches are not meant for threads: one recomputation at a time.
    from grader.carry import recompute_here

    with _recompute_lock:
        return recompute_here(homework, item_id, upstream)


def prepare_to_serve(*, warm: bool = True) -> None:
    """Ready this process to grade from several threads: recomputations (error carried forward) one at a
    time, and, with `warm`, torch and every carry-forward analysis loaded now rather than by the first
    student who needs them. Call it before the threads start grading."""
    from grader.carry import set_recompute
    from grader.carry_service import warm_up

    if warm:
        warm_up()
    set_recompute(_serialised_recompute)
