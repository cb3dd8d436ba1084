"""The live class view: the batch's class summary (grader.batch.stats, grader.render.html) made from the database,
and the student table the instructor filters by item and status."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grader import api
from grader.authoring.key_cache import KeyCache
from grader.batch.stats import Tally, summarize
from grader.batch.worker import outcome_of
from grader.core.summary import ClassSummary
from grader.service.classdata import Entry
from grader.service.course import Course


def class_summary(entries: Sequence[Entry], homework: str, keys: KeyCache | None = None) -> ClassSummary:
    """What `grader grade` writes as index.html and grades.csv, for the students' latest submissions (decisions
    applied); reports are linked as `reports/STUDENT.html`, beside the page, as in a batch's output folder.
    In a class given variants, wrong answers to the items a variant changes are counted with their variant."""
    tally = Tally(api.homework(homework))
    outcomes = []
    for entry in entries:
        student = entry.submission.member_id
        varied = api.varied_items(api.graded_homework(entry.result), keys)
        outcome = outcome_of(entry.result, name=student, source=f"submission {entry.submission.public_id}",
                             varied=varied)
        outcome.student_name = entry.name or outcome.student_name
        outcome.report = f"reports/{student}.html"
        tally.add(outcome)
        outcome.digest = outcome.result_json = None  # consumed; the summary keeps only the lines
        outcomes.append(outcome)
    return summarize(f"{homework} (live)", outcomes, {homework: tally}, {}, grader_version=api.grader_version())


def student_rows(entries: Sequence[Entry], course: Course, homework: str, *, item: str | None = None,
                 status: str | None = None) -> list[dict[str, Any]]:
    """One row per student of the roster: latest submission (when, late, how many), points, reviewed and flagged
    items; with `item` (and `status`), only students whose answer to it has that status (with the answer)."""
    by_student = {e.submission.member_id: e for e in entries}
    rows = []
    for member in course.students:
        entry = by_student.get(member.id)
        if entry is None:
            if item is None and status in (None, "not submitted"):
                rows.append({"student": member.id, "name": member.name, "entry": None})
            continue
        result = entry.result
        chosen = next((i for i in result.items if i.id == item), None) if item else None
        if status == "not submitted" or (status and item and (chosen is None or chosen.status.value != status)):
            continue
        if status and not item and not any(i.status.value == status for i in result.items):
            continue
        rows.append({
            "student": member.id, "name": member.name, "entry": entry, "result": result, "answer": chosen,
            "late": entry.grading.penalty_percent, "submissions": entry.submissions,
            "reviewed": sum(1 for d in entry.decisions.values() if d.points is not None),
            "to_review": sum(1 for i in result.items if i.needs_review and i.override is None and i.given is not None),
        })
    return rows
