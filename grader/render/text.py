"""The terminal view: a per-problem table of status, points and feedback, coloured on a terminal."""

from __future__ import annotations

import shutil
import textwrap

from grader.core.models import ItemResult, Result, Status
from grader.render._common import counts, item_notes, points, variant_line
from grader.render.safe_text import runner_safe, terminal_safe

_MARKS = {
    Status.CORRECT: ("✔", "32"),
    Status.PARTIAL: ("◐", "33"),
    Status.INCORRECT: ("✘", "31"),
    Status.MISSING: ("∅", "90"),
    Status.INVALID: ("?", "35"),
}


def _safe_result(result: Result) -> Result:
    """A copy of the result whose student-written texts are terminal_safe (feedback keeps its lines)."""
    items = [
        item.model_copy(update={
            "id": terminal_safe(item.id),
            "given": None if item.given is None else terminal_safe(item.given),
            "read_as": None if item.read_as is None else terminal_safe(item.read_as),
            "feedback": terminal_safe(item.feedback, keep_newlines=True),
        })
        for item in result.items
    ]
    student = result.student.model_copy(update={
        "id": terminal_safe(result.student.id),
        "name": None if result.student.name is None else terminal_safe(result.student.name),
    })
    return result.model_copy(update={
        "student": student,
        "homework": terminal_safe(result.homework),
        "source": None if result.source is None else terminal_safe(result.source),
        "items": items,
        "warnings": [terminal_safe(warning) for warning in result.warnings],
    })


def render_text(result: Result, *, color: bool = False, width: int | None = None) -> str:
    """The result as a readable report, one table per problem; student-written text is terminal_safe.

    The whole report is runner_safe too: wrapping can start a line with any word of an answer.
    """
    result = _safe_result(result)
    width = width or min(shutil.get_terminal_size((100, 24)).columns, 120)
    paint = _painter(color)
    who = result.student.id + (f" ({result.student.name})" if result.student.name else "")
    lines = [paint("1", f"{result.homework} · {who}") + (f" · {result.source}" if result.source else ""), ""]
    if variant_line(result) is not None:
        lines[1:1] = [terminal_safe(variant_line(result) or "")]
    id_width = max(len(item.id) for item in result.items) if result.items else 10
    for problem in result.problems:
        lines.append(paint("1", f"{problem.id.upper()}  {problem.title}") + f"  {points(problem.score)}/{points(problem.max_score)}")
        items = [i for i in result.items if i.problem == problem.id]
        for item in items:
            if item.status is not Status.MISSING:
                lines.extend(_item_lines(item, id_width, width, paint))
        missing = [i.id for i in items if i.status is Status.MISSING]
        if missing:  # one line for all of them: a long run of "no answer" rows hides the rest
            mark, colour = _MARKS[Status.MISSING]
            text = f"not answered ({len(missing)}): " + ", ".join(missing)
            wrapped = textwrap.wrap(text, max(30, width - 4))
            lines.append(f"  {paint(colour, mark)} " + wrapped[0])
            lines.extend("    " + line for line in wrapped[1:])
        lines.append("")
    percent = 100 * result.score / result.max_score if result.max_score else 0.0
    lines.append(paint("1", f"Total: {points(result.score)} / {points(result.max_score)} ({percent:.1f}%)"))
    lines.append(_tally(result))
    if result.warnings:
        lines.append("")
        lines.extend(paint("33", f"warning: {w}") for w in result.warnings)
    return runner_safe("\n".join(lines))


def _item_lines(item: ItemResult, id_width: int, width: int, paint) -> list[str]:
    mark, colour = _MARKS[item.status]
    earned = f"{points(item.score)}/{points(item.max_score)}"
    head = f"  {paint(colour, mark)} {item.id:<{id_width}}  {earned:>9}  "
    indent = 4 + id_width + 2 + 9 + 2
    notes = item_notes(item)
    if not notes:
        return [head.rstrip()]
    wrapped: list[str] = []
    for note in notes:
        if note.startswith("  "):  # a caret diagram: its spacing is the point
            wrapped.append(note)
        else:
            wrapped.extend(textwrap.wrap(note, max(30, width - indent)) or [""])
    return [head + wrapped[0]] + [" " * indent + line for line in wrapped[1:]]


def _tally(result: Result) -> str:
    return "  ".join(f"{status.value}: {n}" for status, n in counts(result).items() if n)


def _painter(color: bool):
    def paint(code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if color else text

    return paint
