"""GitHub-flavoured Markdown: a score line and one table per problem (job summaries, PR comments).

Student text lands in table cells, so every cell is escaped: HTML special characters become
entities and Markdown punctuation is backslash-escaped, so an answer can neither break the
table nor inject markup.
"""

from __future__ import annotations

import re

from grader.core.models import ItemResult, Result, Status
from grader.render._common import counts, item_notes, points, variant_line
from grader.render.safe_text import terminal_safe

MARKS = {
    Status.CORRECT: "✅",
    Status.PARTIAL: "🟡",
    Status.INCORRECT: "❌",
    Status.MISSING: "⬜",
    Status.INVALID: "⚠️",
}

# Characters that start inline Markdown (emphasis, code, links, tables, math, strike-through).
# Cells and headings never begin a line, so block markers (#, -, +, >) need no escape.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]|~$])")
# GitHub turns URLs (`https://…`, `www.…`), e-mail addresses, @mentions (which notify the person or
# team) and issue references (`#12`, `GH-12`, `owner/repo#12`) into links, and it does so on the
# rendered HTML too, after escapes and entities are decoded (micromark-extension-gfm-autolink-literal's
# README describes the two passes), so no Markdown escape stops it. A zero-width space right after
# the `@`, the `:` of `://`, `www` and the `#` breaks each of them, is invisible, and is what Renovate
# writes into its pull requests for the same reason.
_LINK_TRIGGER = re.compile(r"(?<=@)(?=[A-Za-z0-9])|(?<=:)(?=//)|(?<=www)(?=\.)|(?<=#)(?=\d)|(?<=GH-)(?=\d)",
                           re.IGNORECASE)


def render_markdown(result: Result) -> str:
    """The result as Markdown: title, total, a table per problem, then loader warnings."""
    who = result.student.id + (f" ({result.student.name})" if result.student.name else "")
    percent = 100 * result.score / result.max_score if result.max_score else 0.0
    tally = " · ".join(f"{status.value} {n}" for status, n in counts(result).items() if n)
    lines = [
        f"## {md_escape(result.homework)} · {md_escape(who)}",
        "",
        f"**Score: {points(result.score)} / {points(result.max_score)} ({percent:.1f}%)** · {tally}",
    ]
    if result.source:
        lines += ["", f"Submission: {_code(result.source)}"]
    if variant_line(result) is not None:
        lines += ["", md_escape(variant_line(result) or "")]
    for problem in result.problems:
        items = [item for item in result.items if item.problem == problem.id]
        lines += ["", f"### {md_escape(problem.id.upper())} {md_escape(problem.title)} — "
                      f"{points(problem.score)} / {points(problem.max_score)}", ""]
        lines += _table([item for item in items if item.status is not Status.MISSING])
        missing = [item for item in items if item.status is Status.MISSING]
        if missing:  # one line for all of them: a long run of "no answer" rows hides the rest
            lost = sum(item.max_score for item in missing)
            lines += ["", f"{MARKS[Status.MISSING]} Not answered ({len(missing)}, {points(lost)} points): "
                          + ", ".join(_code(item.id) for item in missing)]
    if result.warnings:
        lines += ["", "**Warnings**", ""]
        lines += [f"- {md_escape(warning)}" for warning in result.warnings]
    return "\n".join(lines) + "\n"


def _table(items: list[ItemResult]) -> list[str]:
    rows = ["| | Item | Points | Your answer | Feedback |", "|---|---|--:|---|---|"]
    for item in items:
        answer = _code(item.given) if item.given is not None else ""
        line = f" (line {item.line})" if item.line is not None else ""
        rows.append(
            f"| {MARKS[item.status]} | {_code(item.id)}{line} | {points(item.score)} / {points(item.max_score)} "
            f"| {answer} | {_notes_cell(item)} |"
        )
    return rows


def _notes_cell(item: ItemResult) -> str:
    cells = []
    for note in item_notes(item):
        if note.startswith("  "):  # a caret diagram: keep its spacing in a code span
            cells.append(_code(note))
        else:
            cells.append(md_escape(note))
    return "<br>".join(cells)


def md_escape(text: str) -> str:
    """Plain text, safe in a Markdown table cell or heading (control characters shown as escapes), linking nothing."""
    text = terminal_safe(text.replace("\r\n", "\n"), keep_newlines=True)
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = _MARKDOWN_PUNCTUATION.sub(r"\\\1", escaped)
    escaped = _LINK_TRIGGER.sub("&#8203;", escaped)
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def _code(text: str) -> str:
    """Monospaced text in a table cell; runs of spaces kept, so caret diagrams line up."""
    if not text:
        return ""
    spaced = re.sub(r"^ +| {2,}", lambda run: "&nbsp;" * len(run.group()), md_escape(text), flags=re.MULTILINE)
    return f"<code>{spaced}</code>"
