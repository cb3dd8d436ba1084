"""Finding the submissions of a class folder safely (for `grader grade`).

A class folder holds `NAME.yaml` files (also `.yml`, `.json`) or one folder per student with a
`submission.yaml` in it (the layout of a classroom organisation's clones). Student repositories
can contain symlinks, so a "submission" may point at a classmate's file or at a file outside
the folder (`/etc/passwd`, a grader's secrets). Discovery therefore only accepts regular files
whose real location is inside their owner's area — the class folder for `NAME.yaml`, the
student's own folder for `NAME/submission.yaml` — and never two entries that are the same file.
Everything else is reported in `skipped` with the reason, so a batch can list it and go on.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from grader.core.errors import UsageError

__all__ = ["Discovered", "Found", "Skipped", "discover_submissions", "refuse_links", "safe_stem"]

SUFFIXES = (".yaml", ".yml", ".json")
SUBMISSION_NAMES = tuple("submission" + suffix for suffix in SUFFIXES)


@dataclass(frozen=True)
class Found:
    """A submission file to grade; `name` is the student's name from the layout (file or folder name)."""

    name: str
    path: Path


@dataclass(frozen=True)
class Skipped:
    """An entry of the class folder that is not graded, and why (for the batch's report)."""

    name: str
    path: Path
    reason: str


@dataclass
class Discovered:
    """The outcome of discover_submissions, both lists sorted by name."""

    submissions: list[Found] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def discover_submissions(folder: str | Path) -> Discovered:
    """The submissions of a class folder, and the entries skipped with a reason.

    Hidden entries (`.git`, `.DS_Store`) are ignored silently. Skipped: symlinks leading outside
    the class folder or out of a student's own folder, second links to an already found file,
    files that are not regular (pipes, devices), unreadable files and folders, student folders
    without a submission file, and files of other types. Names that are not valid UTF-8 are
    shown with U+FFFD. The order is by name, so a batch over the same folder is deterministic.
    Raises UsageError if `folder` is not a readable folder.
    """
    root = Path(folder)
    if not root.is_dir():
        raise UsageError("is not a folder", path=_shown(root))
    real_root = root.resolve()
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except OSError as error:
        raise UsageError(f"cannot list the folder: {error.strerror}", path=_shown(root)) from None
    result = Discovered()
    claims = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        name, path = _shown(entry.name), Path(entry.path)
        outcome = _classify(entry, path, real_root)
        if isinstance(outcome, str):
            result.skipped.append(Skipped(name, path, outcome))
        else:
            student_name, submission, real = outcome
            linked = entry.is_symlink() or submission.is_symlink()
            claims.append((linked, name, path, _shown(student_name), submission, real))
    # A real file is claimed before any link to it, so a link never takes a classmate's submission.
    seen: dict[Path, str] = {}
    for _linked, name, path, student_name, submission, real in sorted(claims, key=lambda c: (c[0], c[1])):
        if real in seen:
            result.skipped.append(Skipped(name, path, f"is a link to {seen[real]}'s submission"))
            continue
        seen[real] = student_name
        result.submissions.append(Found(student_name, submission))
    result.submissions.sort(key=lambda found: found.name)
    result.skipped.sort(key=lambda skipped: skipped.name)
    return result


def refuse_links(path: str | Path) -> None:
    """Refuse a submission named on its own (`grader check`) that is a symlink or is reached through one.

    A student's repository may hold `submission.yaml -> <the action's checkout>/reference/KEY.yaml`:
    graded as its target, the answer key would score full marks as the student's answers. So the
    file itself must not be a link, and for a relative path (CI passes one relative to the
    workspace, which the student's repository fills) no folder on the way may be one either; the
    `..` a caller writes is theirs, not the student's. Raises UsageError (exit 2) naming the link.
    """
    path = Path(path)
    parts = Path(os.path.normpath(path)).parts
    if path.is_absolute():
        checked = [path]  # the folders above are the caller's (/autograder/submission, a temp dir)
    else:
        start = next((i for i, part in enumerate(parts) if part != ".."), len(parts))
        checked = [Path(*parts[: end + 1]) for end in range(start, len(parts))]
    for candidate in checked:
        if os.path.islink(candidate):
            what = "the submission file" if candidate == checked[-1] else f"the folder {_shown(candidate)}"
            raise UsageError(
                f"{what} is a symbolic link; a submission is graded only as a file of its own (commit the file itself, "
                "not a link to it)",
                path=_shown(path),
            )


def _classify(entry: os.DirEntry, path: Path, real_root: Path) -> tuple[str, Path, Path] | str:
    """(student name, submission path, its real path) for a usable entry, else the reason to skip it."""
    try:
        is_dir = entry.is_dir()  # follows a symlink
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    real = _real(path)
    if real is None:
        return "is a broken symlink" if entry.is_symlink() else "cannot be read"
    if real == real_root:
        return "is a link to the class folder itself"
    if not _inside(real, real_root):
        return "is a symlink leading outside the class folder"
    if is_dir:
        return _student_folder(entry.name, path, real)
    stem, suffix = os.path.splitext(entry.name)
    if suffix.lower() not in SUFFIXES:
        return "is not a submission file (expected NAME.yaml, NAME.yml, NAME.json or NAME/submission.yaml)"
    problem = _unreadable(real)
    return problem if problem else (stem, path, real)


def _student_folder(name: str, path: Path, real_folder: Path) -> tuple[str, Path, Path] | str:
    for candidate in SUBMISSION_NAMES:
        submission = path / candidate
        if not os.path.lexists(submission):
            continue
        real = _real(submission)
        if real is None:
            return f"{candidate} is a broken symlink"
        if not _inside(real, real_folder):
            return f"{candidate} is a symlink leading out of the student's folder"
        problem = _unreadable(real)
        return f"{candidate} {problem}" if problem else (name, submission, real)
    try:
        os.listdir(path)
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    return f"has no {' or '.join(SUBMISSION_NAMES)}"


def _real(path: Path) -> Path | None:
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing target, permission, or a symlink loop
        return None


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _unreadable(real: Path) -> str | None:
    """Why a file cannot be graded (not regular, unreadable), or None. Never blocks on a pipe."""
    try:
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return "is not a regular file (a pipe, device or socket?)"
    finally:
        os.close(fd)
    return None


def _shown(name: str | Path) -> str:
    """A name as printable text (a name that is not valid UTF-8 gets U+FFFD)."""
    return os.fsencode(name).decode("utf-8", "replace")


_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def safe_stem(name: str, *, max_length: int = 64) -> str:
    """A file-name stem made from a student name or id, safe to use for a report file.

    Only ASCII letters, digits, `_` and `-` are kept (runs of anything else, `.` and `/` included,
    become `_`), no leading `-` (read as an option), and at most `max_length` characters; an empty
    result becomes `_`. Different names can give the same stem: a caller writing one file per
    student must still make stems unique.
    """
    stem = _UNSAFE.sub("_", name).lstrip("-")[:max_length]
    return stem or "_"
