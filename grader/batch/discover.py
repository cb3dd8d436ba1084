"""The entries of a class folder, in name order, each under a unique file-safe name (grader.io.discovery finds them)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from grader.io.discovery import discover_submissions, safe_stem

# The blank submission `grader template` writes, kept at the top of the class folder: not a student.
TEMPLATE_FILE = "template.yaml"


@dataclass(frozen=True)
class Entry:
    """One submission found in the class folder; `name` is unique and names its report.

    `problem` says why an entry found in the folder cannot be graded (a student folder without
    a submission, a symlink leading elsewhere, an unreadable file); it is listed, not graded.
    """

    name: str
    path: Path
    default_id: str
    problem: str | None = None


def discover(folder: str | Path) -> tuple[list[Entry], list[str]]:
    """Submissions of a class folder, sorted by name, and the names of files deliberately left out.

    grader.io.discovery finds them safely (no symlink out of a student's area, no file twice). What
    it skips is kept as an entry with its `problem`, so a student whose folder has no submission
    is listed rather than silently left out; files that are not submissions (README.md) are left
    out, and so is the blank `template.yaml` at the top (listed in the second list). A student's
    file or folder named `Template`, `template/` or `template.json` is a student like any other.
    """
    found = discover_submissions(folder)
    blank = [f for f in found.submissions if f.path.name == TEMPLATE_FILE and f.path.parent == Path(folder)]
    entries = [Entry(f.name, f.path, f.name) for f in found.submissions if f not in blank]
    for skipped in found.skipped:
        if skipped.reason.startswith("is not a submission file"):
            continue
        stem, suffix = os.path.splitext(skipped.name)
        name = stem if suffix.lower() in (".yaml", ".yml", ".json") else skipped.name
        entries.append(Entry(name, skipped.path, name, problem=skipped.reason))
    return _unique_names(sorted(entries, key=lambda e: e.name)), [f.path.name for f in blank]


def _unique_names(entries: list[Entry]) -> list[Entry]:
    """Report names safe as file names and distinct (`ada.yaml` beside `ada/` gets `ada-2`)."""
    seen: set[str] = set()
    unique = []
    for entry in entries:
        base = safe_stem(entry.name)
        name, n = base, 1
        while name.lower() in seen:
            n += 1
            name = f"{base}-{n}"
        seen.add(name.lower())
        unique.append(Entry(name, entry.path, entry.default_id, entry.problem))
    return unique

