"""A blank submission of a homework: every item id, its prompt as a comment, nothing answered."""

from __future__ import annotations

import textwrap

from grader.core.homework import Homework, Item
from grader.plugins.kinds import kind_of

# What the first line of a template points editors at; `grader schema HOMEWORK -o …` writes it.
DEFAULT_SCHEMA_NAME = "{homework}.schema.json"

_WIDTH = 100


def schema_reference(homework: Homework) -> str:
    """The schema file name a template points at by default."""
    return DEFAULT_SCHEMA_NAME.format(homework=homework.id)


def render_template(homework: Homework, *, schema: str | None = None) -> str:
    """The blank submission as YAML text: it loads, and grades as every item `missing`.

    Ids are written flat (`p1.b.i.why:`), so an item whose id continues another's never clashes
    with it. Every line that is not an id is a comment, so nothing is answered until filled in.
    """
    schema = schema or schema_reference(homework)
    lines = [
        f"# yaml-language-server: $schema={schema}",
        f"# {homework.title}: a blank submission ({homework.max_score:g} points).",
        f"# Editor completion and checks: `grader schema {homework.id} -o {schema}`. "
        f"Check your answers: `grader check FILE`.",
        "# Write each answer after its id; leave an id empty to skip it.",
        *_variant_lines(homework),
        f"homework: {homework.id}",
        "student:",
        "  id:      # your student id",
        "  name:    # your name",
        "answers:",
    ]
    for problem in homework.problems:
        lines.append("")
        lines.append(f"  # ── {problem.id.upper()}. {problem.title} ({problem.max_score:g} points)")
        for item in problem.items:
            lines.extend(_item_lines(item))
    return "\n".join(lines) + "\n"


def _variant_lines(homework: Homework) -> list[str]:
    """A variant's template says whose numbers its prompts hold and how to check against them."""
    variant = homework.variant
    if variant is None or variant.seed is None:
        return []
    return [f"# Your variant: {variant.short}. Check your answers: `grader check FILE --variant {variant.seed}`."]


def _item_lines(item: Item) -> list[str]:
    how = kind_of(item).how_to_answer(item)
    points = f"{item.points:g} point{'s' if item.points != 1 else ''}"
    comment = f"{item.prompt} [{item.kind}, {points}; {how}]"
    wrapped = textwrap.wrap(comment, _WIDTH - 4, break_on_hyphens=False)
    return [f"  # {line}" for line in wrapped] + [f"  {item.id}:"]
