"""Small pieces the output formats share: how points print and what a student is told about one item.

Every format that carries per-item feedback (text, Classroom, Gradescope, JUnit, Markdown, GitHub
annotations) builds it from `item_notes`, so they all say the same thing, and withholding
expected answers (`expected is None`) needs no code of its own in any of them.
"""

from __future__ import annotations

from grader.core.models import ItemResult, Result, Status

# Statuses for which the key's answer is worth showing (when not withheld): the text report's rule.
SHOW_EXPECTED = (Status.INCORRECT, Status.PARTIAL)


def points(value: float) -> str:
    """Points as people write them: 0.5, 38.5, 40 (never 40.0 or 3.8500000000000001)."""
    return f"{value:g}"


def item_notes(item: ItemResult) -> list[str]:
    """What the student is told about one item, one line each: feedback, reading, expected answer.

    `expected` is added only when the result carries it, so a result graded with
    `hide_expected=True` yields notes without it.
    """
    notes = [line for line in item.feedback.splitlines() if line.strip()] if item.feedback else []
    if item.status in SHOW_EXPECTED:
        if item.read_as is not None and item.read_as != item.given:
            notes.append(f"read as: {item.read_as}")
        if item.expected is not None:
            notes.append(f"expected: {item.expected}")
    if item.needs_review:
        notes.append(f"(flagged for review by your instructor{confidence_note(item)})")
    return notes


def confidence_note(item: ItemResult) -> str:
    """"; confidence: low — why" for a judgement that carries a confidence (free text), else ""."""
    if item.confidence is None:
        return ""
    why = f" — {item.confidence_note}" if item.confidence_note else ""
    return f"; confidence: {item.confidence}{why}"


def item_summary(item: ItemResult) -> str:
    """One line for an item: its status and points, e.g. `partial, 0.25/0.5 points`."""
    return f"{item.status.value}, {points(item.score)}/{points(item.max_score)} points"


def counts(result: Result) -> dict[Status, int]:
    """How many items have each status (every status present, in the contract's order)."""
    tally = {status: 0 for status in Status}
    for item in result.items:
        tally[item.status] += 1
    return tally


def fully_correct(result: Result) -> bool:
    """Whether every item earned full points."""
    return all(item.status is Status.CORRECT for item in result.items)


def variant_line(result: Result) -> str | None:
    """"Variant 83cfb559daa7 (seed 42)": which variant was graded, or None for the homework as registered.

    The seed may come from whoever ran the grader (`--variant`): callers escape it for their format.
    """
    if result.variant is None:
        return None
    seed = f" (seed {result.variant.seed})" if result.variant.seed is not None else ""
    return f"Variant {result.variant.digest[:12]}{seed}"
