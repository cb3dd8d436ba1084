"""Exports of a homework's current grades: grades.csv (as `grader grade` writes it), results.jsonl, and gradebook
import files for Canvas and Moodle (their documented columns: docs/formats.md names the sources)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from grader.batch.outputs import grades_csv
from grader.core.summary import ClassSummary
from grader.render.safe_text import json_safe
from grader.service.classdata import Entry

# Canvas's gradebook CSV: the identity columns (one of Student, ID or SIS User ID identifies the student; SIS Login
# ID and Section are expected too), then one column per assignment, named as the assignment.
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
# Moodle's CSV grade import maps a column of the file to a user field ("ID number" → useridnumber) and each
# other column to a grade item, chosen in its import form.
MOODLE_COLUMNS = ("ID number", "Full name")


def grades(summary: ClassSummary) -> str:
    """grades.csv exactly as `grader grade` writes it (points before any late penalty)."""
    return grades_csv(summary)


def results_jsonl(entries: Sequence[Entry]) -> str:
    """One result JSON (decisions applied) per line, as `grader grade` writes results.jsonl."""
    return "".join(json_safe(entry.result.model_dump_json()) + "\n" for entry in entries)


def after_penalty(entry: Entry) -> float:
    """The points a gradebook takes: the result's, less the late penalty."""
    penalty = entry.grading.penalty_percent or 0.0
    return round(entry.result.score * (1 - penalty / 100), 4)


def canvas_csv(entries: Sequence[Entry], assignment: str) -> str:
    """A Canvas gradebook import: the student's name, SIS User ID (the roster id), and the points after penalty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CANVAS_COLUMNS, assignment])
    for entry in entries:
        writer.writerow([_cell(entry.name or entry.submission.member_id), "", _cell(entry.submission.member_id),
                         "", "", f"{after_penalty(entry):g}"])
    return buffer.getvalue()


def moodle_csv(entries: Sequence[Entry], item: str) -> str:
    """A Moodle grade import: ID number (the roster id) to map to useridnumber, the name, and the points after
    penalty in a column named after the grade item."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*MOODLE_COLUMNS, item])
    for entry in entries:
        writer.writerow([_cell(entry.submission.member_id), _cell(entry.name or ""), f"{after_penalty(entry):g}"])
    return buffer.getvalue()


def _cell(text: str) -> str:
    """Text a spreadsheet must not run as a formula: a leading quote disarms it (as grades.csv does)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
