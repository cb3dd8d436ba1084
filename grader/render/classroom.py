"""GitHub Classroom: the runner result that `classroom-resources/autograding-grading-reporter` reads.

The reporter (v1) reads each runner's step output from an environment variable
`<RUNNER-ID>_RESULTS` (the id upper-cased), base64-decodes it to JSON, and

- adds up the `score` of every test and the runner's `max_score`, and reports
  `Points <total>/<max>` to Classroom (as a notice annotation);
- prints each test as passed (`status == "pass"`) or failed with its `message`, as is, to its
  step's log (src/console-results.js), so the texts of every test are made log_safe here;
- fails the job when the runner's `status` is `"fail"` or `"error"`.

Unlike the stock command grader (all or nothing per command), every homework item is one test
carrying its own partial score, so the per-item scores add up to the grade.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from grader.core.models import ItemResult, Result, Status
from grader.render._common import fully_correct, item_notes, item_summary, points
from grader.render.safe_text import log_safe

FORMAT_VERSION = 1


def classroom_payload(result: Result) -> dict[str, Any]:
    """The runner result as a dict: version 1, overall status, max_score, one test per item.

    The status is `pass` when every item earned full points and `fail` otherwise, which is
    what the reporter turns into a green or red job; the points are reported either way.
    """
    return {
        "version": FORMAT_VERSION,
        "status": "pass" if fully_correct(result) else "fail",
        "max_score": result.max_score,
        "tests": [_test(item, result.source) for item in result.items],
    }


def error_payload(message: str, *, max_score: float = 0, source: str | None = None) -> dict[str, Any]:
    """A runner result for a submission that could not be graded: status `error`, no points.

    With the homework's `max_score` the reporter still records `Points 0/<max>`; with 0 it
    records nothing, but the job fails and the log shows `message`.
    """
    return {
        "version": FORMAT_VERSION,
        "status": "error",
        "max_score": max_score,
        "tests": [{
            "name": "submission",
            "status": "error",
            "score": 0,
            "max_score": max_score,
            "message": log_safe(message, keep_newlines=True),
            "test_code": "",
            "filename": log_safe(source or ""),
            "line_no": 0,
            "duration": 0,
        }],
    }


def encode_payload(payload: dict[str, Any]) -> str:
    """Compact JSON, base64-encoded on one line (what goes after `result=` in $GITHUB_OUTPUT)."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def render_classroom(result: Result) -> str:
    """The base64 runner result of a graded submission."""
    return encode_payload(classroom_payload(result))


def points_line(result: Result) -> str:
    """`Points X/Y`, as the reporter reports the grade to Classroom."""
    return f"Points {points(result.score)}/{points(result.max_score)}"


def _test(item: ItemResult, source: str | None) -> dict[str, Any]:
    message = "\n".join([item_summary(item), *item_notes(item)])
    return {
        "name": log_safe(item.id),
        "status": "pass" if item.status is Status.CORRECT else "fail",
        "score": item.score,
        "max_score": item.max_score,
        "message": log_safe(message, keep_newlines=True),
        "test_code": log_safe(item.given or "", keep_newlines=True),
        "filename": log_safe(source or ""),
        "line_no": item.line or 0,
        "duration": 0,
    }
