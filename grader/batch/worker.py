"""Grading one submission of a class in a worker: its result, its report, and its line of the class outputs."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from grader.api import default_runtime, homework_for, key_of, read_submission, varied_items
from grader.authoring.key_cache import KeyCache
from grader.batch.discover import Entry
from grader.core.errors import UsageError
from grader.core.identity import graded_as
from grader.core.models import Result, Status
from grader.core.overrides import Overrides, apply_overrides
from grader.core.summary import Outcome
from grader.core.variant import Assignment
from grader.grading.grade import grade
from grader.grading.runtime import Runtime
from grader.io.files import write_atomic
from grader.io.submission import printable_path
from grader.render.safe_text import json_safe, log_safe
from grader.runtime.carry_service import ServiceClient
from grader.runtime.sandbox import bounded_runtime

log = logging.getLogger(__name__)

REPORTS_DIR = "reports"
# Shown to the student when the grader itself failed; the traceback goes to the instructor only.
CRASH_MESSAGE = "The grader failed on this submission; your instructor has been told and will grade it by hand."
WORKER_DIED = "the grading worker process died on this submission (crash or out of memory)"
_WRONG = (Status.INCORRECT, Status.PARTIAL, Status.INVALID)


@dataclass(frozen=True)
class Options:
    """What every worker needs: where reports go, and how to grade."""

    out: Path
    hide_expected: bool = False
    overrides: Overrides = field(default_factory=dict)
    reports: bool = True
    carry_service: tuple[str, bytes] | None = None  # address and key of the batch's grader.runtime.carry_service
    assignment: Assignment | None = None  # each student's variant, from the course secret and the layout's name
    keys: KeyCache | None = None  # where the variants' keys are kept


class Grading:
    """A batch worker's job (grader.runtime.pool.Job): grades submissions with its own runtime and writes their reports.

    Errors are carried forward through the batch's carry-forward service when there is one, so
    torch is loaded once for the whole class.
    """

    def __init__(self, options: Options) -> None:
        self.options = options
        client = ServiceClient(*options.carry_service) if options.carry_service is not None else None
        self.runtime = bounded_runtime(recompute=client) if client is not None else bounded_runtime()

    def take(self, entry: Entry) -> Outcome:
        return grade_entry(entry, self.options, self.runtime)


def grade_entry(entry: Entry, options: Options, runtime: Runtime | None = None) -> Outcome:
    """Grade one submission and write its report; every failure becomes an error outcome.

    Whose grade it is comes from the layout (NAME.yaml or NAME/), never from the file's student.id:
    rows, reports and overrides are keyed by it.
    """
    try:
        if entry.problem is not None:
            raise UsageError(entry.problem, path=entry.path)
        # Discovery vetted the path (links stay inside the student's own area), so links are followed.
        submission = read_submission(entry.path, default_student_id=entry.default_id, follow_links=True)
        # The layout's name is whose variant it is, as it is whose grade.
        homework = homework_for(submission.homework, options.assignment, entry.default_id)
        result = graded_as(grade(submission, homework, key_of(homework, options.keys), runtime or default_runtime(),
                                 hide_expected=options.hide_expected, mathml=True), entry.default_id)
        result = apply_overrides(result, options.overrides.get(entry.default_id, {}))
        return _ended(entry, options, result, None, varied_items(homework, options.keys))
    except Exception as error:
        return _ended(entry, options, None, error)


def failed(entry: Entry, options: Options, error: str) -> Outcome:
    """The outcome of a submission whose worker process died on it (the error page is written all the same)."""
    outcome = _outcome(entry)
    outcome.error = outcome.details = error
    if options.reports:
        outcome.report = _write_report(entry, None, outcome, options)
    return outcome


def _outcome(entry: Entry) -> Outcome:
    return Outcome(entry.name, printable_path(entry.path), student_id=entry.default_id)


def _ended(entry: Entry, options: Options, result: Result | None, error: Exception | None,
           varied: frozenset[str] = frozenset()) -> Outcome:
    """The outcome of a graded submission or of one that failed (a crash is a result: listed, never fatal)."""
    outcome = _outcome(entry)
    try:
        if error is not None:
            raise error
        _record(outcome, result, varied)
    except UsageError as failure:
        outcome.error = _one_line(str(failure))
        result = None
    except Exception as failure:
        log.exception("grading %s crashed", log_safe(str(entry.path)))
        outcome.error = f"internal error: {type(failure).__name__}: {_one_line(str(failure))}"
        outcome.details = traceback.format_exc()
        result = None
    if options.reports:
        try:
            outcome.report = _write_report(entry, result, outcome, options)
        except Exception as failure:
            log.exception("writing the report of %s failed", log_safe(str(entry.path)))
            outcome.error = outcome.error or f"internal error writing the report: {type(failure).__name__}: {failure}"
            outcome.details = outcome.details or traceback.format_exc()
    return outcome


def outcome_of(result: Result, *, name: str, source: str, varied: frozenset[str] = frozenset()) -> Outcome:
    """A graded result's line in the class outputs (the service's class view makes its outcomes here too)."""
    outcome = Outcome(name, source, student_id=result.student.id)
    _record(outcome, result, varied)
    return outcome


def _record(outcome: Outcome, result: Result | None, varied: frozenset[str]) -> None:
    """What the class outputs need of a result: totals, counts, the JSON line and a per-item digest.

    The `varied` items' wrong answers are kept with the variant they answer: the same number means
    something else in another student's variant.
    """
    assert result is not None
    outcome.student_id = result.student.id
    outcome.student_name = result.student.name
    outcome.declared_id = result.student.declared_id
    outcome.homework = result.homework
    outcome.problems = {p.id: p.score for p in result.problems}
    outcome.score, outcome.max_score = result.score, result.max_score
    outcome.adjusted = sum(item.override is not None for item in result.items)
    outcome.review = sum(item.needs_review for item in result.items)
    outcome.warnings = len(result.warnings)
    # json_safe: U+2028 and the like in an answer would split the record for some line splitters.
    outcome.result_json = json_safe(result.model_dump_json())
    outcome.variant = result.variant.digest if result.variant is not None else None
    outcome.digest = [
        (item.status.value, item.score / item.max_score if item.max_score else 0.0, item.needs_review,
         (item.read_as if item.read_as is not None else item.given or "") if item.status in _WRONG else None,
         item.feedback if item.status in _WRONG else None, item.misconception, item.follows_from,
         outcome.variant if item.id in varied else None)
        for item in result.items
    ]


def _write_report(entry: Entry, result: Result | None, outcome: Outcome, options: Options) -> str:
    from grader.render.html import render_error_report, render_report  # jinja2: only where reports are made

    relative = f"{REPORTS_DIR}/{entry.name}.html"
    if result is not None:
        html = render_report(result, back_link="../index.html")
    else:
        message = CRASH_MESSAGE if outcome.details else outcome.error or CRASH_MESSAGE
        html = render_error_report(entry.default_id, str(entry.path), message, back_link="../index.html")
    write_atomic(options.out / relative, html)
    return relative


def _one_line(text: str) -> str:
    return " ".join(text.split())
