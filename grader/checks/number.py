"""The `number` checker: exact counts, or approximate notation matched at the precision written."""

from __future__ import annotations

from grader.core.homework import Item, NumberOptions
from grader.math.errors import FormatError
from grader.math.numbers import NumberReading, format_number, read_literal, read_number, strip_decorations
from grader.core.verdict import Verdict

# Answers may be written as a chain `(7*7*3 + 1)*32 = 4736`; grading reads the last member.
ALLOWS_CHAINS = True

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
    options = item.options if isinstance(item.options, NumberOptions) else NumberOptions()
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
