"""Server-rendered HTML: the service's own pages (jinja2, autoescaped) and the grader's feedback report."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from grader.core.models import Result
from grader.render.html import render_error_report, render_report
from grader.service.tables import Grading, Submission

# The service's pages: no script at all, styles from our own stylesheet, frames of our own reports only.
PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")
# The grader's report is self-contained (inline CSS, style attributes for its meters) and runs no script.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("grader.service", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_page(name: str, **context: Any) -> str:
    """One of the service's pages (templates/NAME.html.j2); everything interpolated is escaped."""
    return _environment().get_template(f"{name}.html.j2").render(**context)


# A pending submission: stored, but the grader failed on it (its fault, not the file's); the next start grades it.
PENDING_NOTE = ("Not graded yet: the grader failed on this file (a fault of the service, not of the file). "
                "It is kept, and graded again when the service restarts.")


def report_html(submission: Submission, grading: Grading | None, result: Result | None) -> str:
    """The feedback report of a graded submission, the error page of an unusable one, or the pending note."""
    if result is not None:
        return render_report(result)
    message = grading.error if grading is not None and grading.error else PENDING_NOTE
    return render_error_report(submission.member_id, submission.filename, message)
