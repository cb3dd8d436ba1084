"""The library's front door: grade a submission file without going through the CLI."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from functools import cache, lru_cache, partial
from pathlib import Path

from grader.authoring.key_cache import KeyCache, default_cache_folder
from grader.core.errors import UsageError
from grader.core.homework import Carried, Homework
from grader.core.identity import graded_as
from grader.core.key import Key, key_path, load_key
from grader.core.models import Result, Submission
from grader.core.variant import Assignment
from grader.grading.grade import grade
from grader.grading.runtime import MAX_REMEMBERED_RESENT, CheckMemo, Runtime, recompute_here
from grader.io.discovery import refuse_links
from grader.io.submission import MAX_FILE_BYTES, load_submission, load_submission_text
from grader.plugins.homeworks import available_homeworks, homework_variant, load_homework
from grader.runtime.carry_service import warm_up
from grader.runtime.sandbox import bounded_runtime


def check_file(
    path: str | Path, *, hide_expected: bool = False, mathml: bool = False, default_student_id: str | None = None,
    homework: str | None = None, allow_links: bool = False, runtime: Runtime | None = None,
    assignment: Assignment | None = None, identity: str | None = None, keys: KeyCache | None = None,
) -> Result:
    """Load, grade and return the result of one submission file (UsageError if unusable).

    `default_student_id` is used when the file names no student (else the file's stem);
    `mathml` adds MathML of formulas for an HTML report. `homework` pins the homework: a file
    naming another one is refused. A file that is a symbolic link, or is reached through one, is
    refused unless `allow_links` (a batch passes it for files its discovery has already vetted).
    `runtime` is where answers are checked (default: this process's bounded runtime).
    `assignment` gives the variant graded (of `identity`, by default the file's student id), whose
    key comes from `keys` (see `grade_submission`).
    """
    if not allow_links:
        refuse_links(path)
    submission = read_submission(path, homework=homework, default_student_id=default_student_id,
                                 follow_links=allow_links)
    return grade_submission(submission, runtime=runtime, hide_expected=hide_expected, mathml=mathml,
                            assignment=assignment, identity=identity, keys=keys)


def read_submission(
    path: str | Path, *, homework: str | None = None, default_student_id: str | None = None, follow_links: bool = True,
) -> Submission:
    """A submission file loaded and its ids checked against the homework it names (which must be `homework`, if given)."""
    return load_submission(path, known_ids=partial(_item_ids, pinned=homework), default_student_id=default_student_id,
                           follow_links=follow_links)


def grade_submission(
    submission: Submission, *, runtime: Runtime | None = None, hide_expected: bool = False, mathml: bool = False,
    assignment: Assignment | None = None, identity: str | None = None, keys: KeyCache | None = None,
) -> Result:
    """A loaded submission graded against its homework's key: the committed one, or with an `assignment` the key
    of `identity`'s variant (by default the file's student id), kept in `keys` (default: the user's key cache)
    and computed there by torch when missing."""
    homework = homework_for(submission.homework, assignment, identity or submission.student.id)
    return grade(submission, homework, key_of(homework, keys), runtime or default_runtime(),
                 hide_expected=hide_expected, mathml=mathml)


def homework_for(homework_id: str, assignment: Assignment | None, identity: str) -> Homework:
    """The homework `identity` is graded on: as registered, or their variant under the assignment.

    A homework without parameters is the same for everyone: a course secret leaves it as it is, but
    an explicit seed for it is refused (UsageError), since it would suggest a variant that does not exist.
    """
    homework = load_homework(homework_id)
    seed = assignment.seed_for(homework_id, identity) if assignment is not None else None
    if seed is None:
        return homework
    if not homework.parameters:
        if assignment is not None and assignment.seed is not None:
            raise UsageError(f"homework {homework_id} has no parameters: every student gets the same one, "
                             "so a variant seed does not apply")
        return homework
    return homework_variant(homework_id, homework.variant_from_seed(seed))


def key_of(homework: Homework, keys: KeyCache | None = None) -> Key:
    """The key `homework` is graded with: the committed key for the homework as registered and its default
    variant, else the variant's kept key (computed now if missing; a few of the latest are remembered)."""
    variant = homework.variant
    if variant is None or variant.values == homework.default_variant.values:
        return committed_key(homework.id)
    keys = keys or KeyCache(default_cache_folder())
    remembered = (keys.folder, homework.id, variant.digest)
    with _KEYS_LOCK:
        found = _KEYS.get(remembered)
        if found is not None:
            _KEYS.move_to_end(remembered)
            return found
    key = keys.get(homework)
    with _KEYS_LOCK:
        _KEYS[remembered] = key
        if len(_KEYS) > MAX_KEYS_KEPT:
            _KEYS.popitem(last=False)
    return key


def varied_items(homework: Homework, keys: KeyCache | None = None) -> frozenset[str]:
    """Ids of the items a variant asks differently from the homework as registered (prompt, options, key or
    computed mistakes): only their answers belong to one variant; the others can be compared across a class."""
    variant = homework.variant
    if variant is None or variant.values == homework.default_variant.values:
        return frozenset()
    found = _VARIED.get((homework.id, variant.digest))
    if found is None:
        registered, own, base = load_homework(homework.id), key_of(homework, keys), committed_key(homework.id)
        found = frozenset(item.id for item in homework.items if item != registered.item(item.id)
                          or own.answers[item.id] != base.answers[item.id]
                          or own.mistakes.get(item.id) != base.mistakes.get(item.id))
        if len(_VARIED) >= MAX_KEYS_KEPT:
            _VARIED.clear()
        _VARIED[(homework.id, variant.digest)] = found
    return found


_VARIED: dict[tuple[str, str], frozenset[str]] = {}


# Keys of variants kept read: a service grades the same students again and again (a batch, each once).
MAX_KEYS_KEPT = 64
_KEYS: OrderedDict[tuple[Path, str, str], Key] = OrderedDict()
_KEYS_LOCK = threading.Lock()


@cache
def default_runtime() -> Runtime:
    """This process's grading runtime: math checked in bounded processes, checked answers remembered, errors
    carried forward here (made on first use; a batch worker or a service makes its own)."""
    return bounded_runtime()


def grade_bytes(
    data: bytes, *, source: str, student_id: str, homework: str | None = None,
    admit: Callable[[str], None] | None = None, hide_expected: bool | Callable[[str], bool] = False,
    runtime: Runtime | None = None, assignment: Assignment | None = None, keys: KeyCache | None = None,
) -> Result:
    """Grade a submission received as bytes (a service's upload) under the identity the caller vouches for.

    The same loader, limits and grading as `check_file`: the hardened parser (size, nesting, tags),
    every answer within the runtime's bounds. `homework` pins the homework; `admit(named)` is
    called with the homework the file names before its answers are read and refuses it by raising
    UsageError; `hide_expected` may be a function of that homework. The result is the student's
    under `student_id` (a differing `student.id` in the file is kept as `declared_id`, a flag).
    UsageError if the bytes are unusable. With an `assignment`, the student's variant is graded.
    """
    submission = load_submission_text(
        data, source=source, default_student_id=student_id,
        known_ids=partial(_item_ids, pinned=homework, admit=admit),
    )
    hidden = hide_expected(submission.homework) if callable(hide_expected) else hide_expected
    return graded_as(grade_submission(submission, runtime=runtime, hide_expected=hidden, assignment=assignment,
                                      identity=student_id, keys=keys), student_id)


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


def homework(homework_id: str) -> Homework:
    """An installed homework: its problems, items, points and rubrics (UsageError if unknown)."""
    return load_homework(homework_id)


def installed_homeworks() -> tuple[str, ...]:
    """Names of the homeworks this grader can grade."""
    return tuple(available_homeworks())


def max_score(homework_id: str) -> float:
    """The homework's points."""
    return load_homework(homework_id).max_score


@cache
def key_digest(homework_id: str) -> str:
    """SHA-256 of the homework's committed key file: which key graded a stored result."""
    return hashlib.sha256(key_path(load_homework(homework_id)).read_bytes()).hexdigest()


def graded_homework(result: Result) -> Homework:
    """The homework `result` was graded on: its recorded variant, else the homework as registered."""
    if result.variant is None or result.variant.seed is None:
        return load_homework(result.homework)
    return homework_for(result.homework, Assignment(seed=result.variant.seed), "")


def result_key_digest(result: Result, keys: KeyCache | None = None) -> str:
    """SHA-256 of the key file that graded `result`: its variant's kept key, else the committed one."""
    homework = graded_homework(result)
    if homework.variant is None or homework.variant.values == homework.default_variant.values:
        return key_digest(result.homework)
    return _kept_key_digest((keys or KeyCache(default_cache_folder())).path(homework))


@lru_cache(maxsize=4096)  # a digest per student of a class, a few bytes each
def _kept_key_digest(path: Path) -> str:
    """SHA-256 of a kept key file, read once: its path names the variant, grader and committed key it was made for."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def serving_runtime(*, warm: bool = True) -> Runtime:
    """A runtime for grading from several threads at once (a service): each thread gets its own checking
    process, checked answers are shared (free text too: students send their files again with most of their
    texts unchanged), and recomputations (error carried forward) run one at a time, since torch's dispatch
    modes and the problems' caches are not meant for threads. With `warm`, torch and every carry-forward
    analysis are loaded now rather than by the first student who needs them."""
    if warm:
        warm_up()
    lock = threading.Lock()

    def recompute(homework: Homework, item_id: str, upstream: Mapping[str, str]) -> Carried | None:
        with lock:
            return recompute_here(homework, item_id, upstream)

    return bounded_runtime(recompute=recompute, resent=CheckMemo(MAX_REMEMBERED_RESENT))
