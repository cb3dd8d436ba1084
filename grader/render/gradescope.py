"""Gradescope: `results.json` per the autograder specification (gradescope-autograders.readthedocs.io, "specs").

One test per item: `name` (the item id), `number` (problem position.item position),
`score`, `max_score`, `status` (`passed` only for full points), `output` (feedback as plain
text, shown in a <pre>), `tags` (problem and kind) and `visibility`. The top level carries the
total `score` (it overrides the tests' sum on Gradescope, and equals it), `execution_time`,
a Markdown `output` and `stdout_visibility: hidden` (the grader's log is for instructors).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from grader.core.models import Result, Status
from grader.render._common import counts, item_notes, item_summary, points, variant_line
from grader.render.markdown import md_escape
from grader.render.safe_text import json_safe

Visibility = Literal["hidden", "after_due_date", "after_published", "visible"]
VISIBILITIES: tuple[str, ...] = ("hidden", "after_due_date", "after_published", "visible")


def gradescope_results(
    result: Result, *, execution_time: float | None = None, visibility: Visibility = "visible"
) -> dict[str, Any]:
    """The results.json document of a graded submission.

    `execution_time` (seconds) is measured by the caller; `visibility` applies to the whole
    submission and to each test (Gradescope: `hidden`, `after_due_date`, `after_published`,
    `visible`).
    """
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}, got {visibility!r}")
    numbers = {problem.id: position for position, problem in enumerate(result.problems, start=1)}
    seen: dict[str, int] = {}
    tests = []
    for item in result.items:
        seen[item.problem] = seen.get(item.problem, 0) + 1
        tests.append({
            "name": item.id,
            "number": f"{numbers.get(item.problem, 0)}.{seen[item.problem]}",
            "score": item.score,
            "max_score": item.max_score,
            "status": "passed" if item.status is Status.CORRECT else "failed",
            "output": _item_output(item),
            "output_format": "text",
            "tags": [item.problem, item.kind],
            "visibility": visibility,
            "extra_data": {"status": item.status.value, "needs_review": item.needs_review, "line": item.line},
        })
    document: dict[str, Any] = {
        "score": result.score,
        "output": _summary(result),
        "output_format": "md",
        "visibility": visibility,
        "stdout_visibility": "hidden",
        "extra_data": {
            "homework": result.homework,
            "student": result.student.model_dump(),
            "max_score": result.max_score,
            "grader_version": result.grader_version,
            "warnings": result.warnings,
        },
        "tests": tests,
    }
    if execution_time is not None:
        document["execution_time"] = max(0, round(execution_time))
    return document


def error_results(message: str, *, execution_time: float | None = None) -> dict[str, Any]:
    """results.json for a submission that could not be graded: score 0 and what to fix."""
    document: dict[str, Any] = {
        "score": 0,
        "output": f"Your submission could not be graded:\n\n{message}\n\nFix it and submit again.",
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
    }
    if execution_time is not None:
        document["execution_time"] = max(0, round(execution_time))
    return document


def render_gradescope(result: Result, *, execution_time: float | None = None, visibility: Visibility = "visible") -> str:
    """results.json as indented JSON text."""
    return _dump(gradescope_results(result, execution_time=execution_time, visibility=visibility))


def render_error(message: str, *, execution_time: float | None = None) -> str:
    """results.json of a submission that could not be graded, as indented JSON text."""
    return _dump(error_results(message, execution_time=execution_time))


def _dump(document: dict[str, Any]) -> str:
    # json_safe: the document is printed, and Gradescope and CI logs show it to people and runners.
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False))


def _item_output(item) -> str:
    lines = [item_summary(item)]
    if item.given is not None:
        lines.append(f"your answer: {item.given}" + (f" (line {item.line})" if item.line is not None else ""))
    lines += item_notes(item)
    return "\n".join(lines)


def _summary(result: Result) -> str:
    tally = ", ".join(f"{n} {status.value}" for status, n in counts(result).items() if n)
    lines = [f"**{points(result.score)} / {points(result.max_score)} points** ({tally})"]
    if variant_line(result) is not None:
        lines.append(f"\n{md_escape(variant_line(result) or '')}")
    review = [item.id for item in result.items if item.needs_review]
    if review:
        lines.append(f"\nFlagged for review by your instructor: {md_escape(', '.join(review))}")
    if result.warnings:
        lines.append("\nWarnings:\n")
        lines += [f"- {md_escape(warning)}" for warning in result.warnings]
    return "\n".join(lines)
