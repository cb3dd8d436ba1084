"""The `number` kind: exact counts, or approximate notation matched at the precision written."""

from __future__ import annotations

from dataclasses import dataclass

from grader.core import examples
from grader.core.hints import EXPECTED, compare_counts
from grader.core.homework import Item
from grader.core.kinds import Kind
from grader.core.verdict import Verdict
from grader.math.errors import FormatError
from grader.math.numbers import NumberReading, format_number, read_count, read_literal, read_number, strip_decorations


@dataclass(frozen=True)
class NumberOptions:
    """Options of a `number` item: counts are whole numbers compared exactly."""

    integer: bool = True

# An approximate answer needs this many significant digits: "2G" for 2,101,585,920 is too coarse.
MIN_SIGNIFICANT_DIGITS = 2


def needs_bounds(text: str) -> bool:
    """Only arithmetic can cost unbounded work; a single literal is read by a regular expression."""
    try:
        return read_literal(strip_decorations(text)) is None
    except FormatError:
        return False  # a literal too long to read: refused at once, wherever it is read


def read(text: str, item: Item) -> NumberReading:
    """Parse a student's (or the key's) text; raises FormatError."""
    return read_number(text)


def show(value: NumberReading) -> str:
    """How the grader read the number."""
    shown = format_number(value.value)
    return f"≈ {shown}" if value.step is not None else shown


def compare(given: NumberReading, expected: NumberReading, item: Item) -> Verdict:
    """Full credit for the exact value, or for a rounded value that agrees at its precision."""
    options = KIND.options_of(item)
    if given.value == expected.value:
        return Verdict(1.0)
    if given.step is not None and abs(given.value - expected.value) * 2 <= given.step:
        if (given.significant_digits or 0) >= MIN_SIGNIFICANT_DIGITS:
            return Verdict(1.0, "Accepted as a rounded value: it agrees with the exact count to the precision you wrote.")
        return Verdict(
            0.0,
            f"One significant digit is too coarse to check. Write at least {MIN_SIGNIFICANT_DIGITS} "
            "significant digits or, better, the exact count.",
        )
    if options.integer and given.value.denominator != 1:
        return Verdict(0.0, "A count must be a whole number.")
    return Verdict(0.0, "This is not the expected value.")


def hint(item: Item, given: str, reference: str, hidden: bool, relative_to: str | None) -> str | None:
    """Which way a wrong count is off (one more, a whole factor, 3/2 of it, 6 % larger); with `hidden`, only the kind of slip."""
    given_value, reference_value = read_count(given), read_count(reference)
    if given_value is None or reference_value is None or given_value == reference_value:
        return None
    return f"Hint: {compare_counts('this count', given_value, reference_value, relative_to or EXPECTED, hidden)}."


KIND = Kind(
    name="number",
    read=read,
    compare=compare,
    show=show,
    how_to_answer=lambda item: f"a number; arithmetic such as {examples.ARITHMETIC} is fine",
    # YAML reads `1024` as a number; the loader keeps it as typed text.
    json_schema=lambda item: {"type": ["number", "string"]},
    options=NumberOptions,
    default_options=NumberOptions,
    needs_bounds=needs_bounds,
    hint=hint,
    allows_chains=True,  # `(2*3*4 + 1)*5 = 125`: the last member is graded
)
