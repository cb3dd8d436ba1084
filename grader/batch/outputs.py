"""The class outputs besides the reports: grades.csv, index.html, and the results.jsonl line of a submission not graded."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from grader.core.summary import ClassSummary, Outcome
from grader.io.files import write_atomic
from grader.render.safe_text import json_safe


def write_outputs(summary: ClassSummary, out: Path) -> None:
    """grades.csv and index.html (results.jsonl is streamed while grading), each written atomically."""
    from grader.render.html import render_index  # jinja2: only where reports are made

    write_atomic(out / "grades.csv", grades_csv(summary))
    write_atomic(out / "index.html", render_index(summary))


def grades_csv(summary: ClassSummary) -> str:
    """One row per submission: id, name, homework, points per problem, total, maximum, percent, error,
    the file it came from, the student id the file declares where that differs from the row's, and in a
    class graded on variants the digest of each student's variant.

    With several homeworks in one folder, problem columns are prefixed `homework:`.
    """
    several = len(summary.homeworks) > 1
    columns = [(h.id, p) for h in summary.homeworks for p, _, _ in h.problems]
    # A class graded on variants gets a last column naming each student's (its digest; empty: the default).
    variants = any(outcome.variant is not None for outcome in summary.outcomes)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", "name", "homework",
                     *(f"{h}:{p}" if several else p for h, p in columns),
                     "total", "max_score", "percent", "error", "source", "declared_id", *(["variant"] * variants)])
    for outcome in summary.outcomes:
        origin = [_cell(outcome.source), _cell(outcome.declared_id or ""), *([outcome.variant or ""] * variants)]
        if not outcome.graded:
            # Not graded is not zero: the total stays empty, so a gradebook import records nothing.
            writer.writerow([_cell(outcome.student_id), "", "", *([""] * len(columns)), "", "", "",
                             _cell(outcome.error or ""), *origin])
            continue
        points = {(outcome.homework, p): score for p, score in outcome.problems.items()}
        writer.writerow([_cell(outcome.student_id), _cell(outcome.student_name or ""), outcome.homework,
                         *(_num(points[c]) if c in points else "" for c in columns),
                         _num(outcome.score), _num(outcome.max_score), f"{outcome.percent:.2f}",
                         _cell(outcome.error or ""), *origin])
    return buffer.getvalue()


def _cell(text: str) -> str:
    """Text a spreadsheet must not run as a formula (CSV injection): a leading quote disarms it."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _num(value: float) -> str:
    return f"{value:g}"


def error_line(outcome: Outcome) -> str:
    """The results.jsonl line of a submission not graded: {student, source, error}."""
    return json_safe(json.dumps({"student": {"id": outcome.student_id, "name": None},
                                 "source": outcome.source, "error": outcome.error}, ensure_ascii=False))
