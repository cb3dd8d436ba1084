"""Reading a roster of student ids: a course file's `students`, or a plain list with one id per line."""

from __future__ import annotations

from pathlib import Path

import yaml

from grader.core.errors import UsageError


def read_roster(path: str | Path) -> list[str]:
    """The student ids of a roster file, in order and each once.

    A `.yaml`/`.yml` file is a course file (`students: [{id: …}, …]`, as `grader serve` reads);
    any other file holds one id per line (blank lines and lines starting with `#` are skipped).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read the roster: {getattr(error, 'strerror', None) or error}", path=path) from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise UsageError(f"the roster is not valid YAML: {error}", path=path) from None
        students = document.get("students") if isinstance(document, dict) else None
        if not isinstance(students, list) or not all(isinstance(s, dict) and s.get("id") for s in students):
            raise UsageError("a YAML roster is a course file: students: [{id: …}, …]", path=path)
        ids = [str(student["id"]) for student in students]
    else:
        ids = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not ids:
        raise UsageError("the roster lists no student", path=path)
    return list(dict.fromkeys(ids))
