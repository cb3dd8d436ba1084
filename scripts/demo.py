"""Grade every sample submission of a folder with `grader check` and print a class summary."""

from __future__ import annotations

import sys
from pathlib import Path

from grader.api import check_file
from grader.errors import UsageError
from grader.models import Status


def main(folder: str) -> int:
    files = sorted(Path(folder).glob("*.yaml"))
    if not files:
        print(f"no submissions in {folder}", file=sys.stderr)
        return 2
    print(f"{'student':<16} {'score':>13}  {'correct':>7} {'partial':>7} {'wrong':>5} {'missing':>7} {'invalid':>7}")
    for path in files:
        try:
            result = check_file(path)
        except UsageError as error:
            print(f"{path.stem:<16} {'not graded':>13}  {error}")
            continue
        counts = {status: sum(item.status is status for item in result.items) for status in Status}
        print(
            f"{result.student.id:<16} {result.score:>6g} / {result.max_score:<4g}  "
            f"{counts[Status.CORRECT]:>7} {counts[Status.PARTIAL]:>7} {counts[Status.INCORRECT]:>5} "
            f"{counts[Status.MISSING]:>7} {counts[Status.INVALID]:>7}"
        )
    print(f"\nDetails of one student: .venv/bin/grader check {files[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "submissions/hw2-cnn"))
