"""A homework's statement, as Markdown or a self-contained HTML page, with a variant's numbers where it has one."""

from __future__ import annotations

from grader.core.homework import Homework, Item, Table
from grader.plugins.kinds import kind_of
from grader.render.markdown import md_escape


def variant_note(homework: Homework) -> str | None:
    """The line that names a student's variant and how to check answers against it, or None without a variant."""
    variant = homework.variant
    if variant is None or variant.seed is None:
        return None
    return (f"Your variant is {variant.short} (seed {variant.seed}): the numbers below are yours. "
            f"Check your answers with `grader check submission.yaml --variant {variant.seed}`.")


def render_statement_markdown(homework: Homework) -> str:
    """The statement as Markdown: each problem with its introduction (tables included) and its items."""
    points = f"{homework.max_score:g} point{'s' if homework.max_score != 1 else ''}"
    lines = [f"# {md_escape(homework.title)}", "", f"{points} · homework `{homework.id}`"]
    note = variant_note(homework)
    if note is not None:
        lines += ["", note]
    for problem in homework.problems:
        lines += ["", f"## {md_escape(problem.id.upper())}. {md_escape(problem.title)} ({problem.max_score:g} points)"]
        for block in problem.intro:
            lines += [""] + (_markdown_table(block) if isinstance(block, Table) else [md_escape(block)])
        lines.append("")
        lines += [_markdown_item(item) for item in problem.items]
    return "\n".join(lines) + "\n"


def _markdown_item(item: Item) -> str:
    points = f"{item.points:g} point{'s' if item.points != 1 else ''}"
    return f"- `{item.id}` ({item.kind}, {points}): {md_escape(item.prompt)}"


def _markdown_table(table: Table) -> list[str]:
    def row(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(md_escape(cell) for cell in cells) + " |"

    return [row(table.header), "|" + "---|" * len(table.header), *(row(cells) for cells in table.rows)]


def render_statement_html(homework: Homework) -> str:
    """The statement as one self-contained HTML page (inline CSS, no script); every text is escaped."""
    from grader.render.html import _environment  # jinja2: only where HTML is made

    problems = [{"problem": problem, "intro": [("table", block) if isinstance(block, Table) else ("text", block)
                                               for block in problem.intro],
                 "items": [(item, kind_of(item).how_to_answer(item)) for item in problem.items]}
                for problem in homework.problems]
    return _environment().get_template("statement.html.j2").render(
        homework=homework, problems=problems, note=variant_note(homework))
