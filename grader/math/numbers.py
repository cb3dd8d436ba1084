"""Reading a number answer: one literal (with its written precision) or exact arithmetic."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from grader.core import examples
from grader.math.errors import FormatError

# Words students append to a count; the number is what is graded.
# Matched at the end of right-stripped text; no leading \s*, which makes a search quadratic on long spaces.
_UNIT_WORDS = re.compile(
    r"(?:parameters|params|weights|multiply[- ]accumulates?|mult[- ]adds|macs?|flops?|"
    r"features|neurons|units|pixels|px)\.?\Z",
    re.IGNORECASE,
)
# As many digits as one literal may have in a formula (mathtext's Limits.max_digits).
MAX_DIGITS = 40
_LEAD = re.compile(r"^\s*(?:=|≈|~|≃)\s*")

_MULTIPLIERS = {
    "k": 10**3, "K": 10**3, "thousand": 10**3,
    "M": 10**6, "million": 10**6, "mio": 10**6,
    "G": 10**9, "B": 10**9, "billion": 10**9, "bn": 10**9,
}
_SUFFIX = "|".join(sorted(map(re.escape, _MULTIPLIERS), key=len, reverse=True))
_GROUPED = r"\d{1,3}(?:(?P<sep>[,_ \u00a0\u202f\u2009])\d{3})(?:(?P=sep)\d{3})*"
_LITERAL = re.compile(
    rf"""^(?P<sign>[-+\u2212]?)\s*
    (?P<int>{_GROUPED}|\d+)?(?:\.(?P<frac>\d+))?
    (?:
        [eE](?P<exp>[-+\u2212]?\d{{1,3}})
      | \s*[×xX*·⋅]\s*10\s*(?:\^|\*\*)\s*\{{?\(?(?P<exp10>[-+\u2212]?\d{{1,3}})\)?\}}?
    )?
    \s*(?P<suffix>{_SUFFIX})?$""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class NumberReading:
    """A number as read: its exact value, and for approximate notation the step of its last digit.

    `step` is set when the student wrote a magnitude suffix or an exponent (`45.9M`,
    `4.43e7`): such a value matches any key that rounds to it at that step.
    """

    value: Fraction
    step: Fraction | None = None
    significant_digits: int | None = None


def strip_decorations(text: str) -> str:
    """Drop a leading `=`/`≈` and trailing unit words (`params`, `MACs`, …)."""
    text = _LEAD.sub("", text).rstrip()
    unit = _UNIT_WORDS.search(text)
    return (text[: unit.start()] if unit else text).strip()


def read_literal(text: str) -> NumberReading | None:
    """Read a single numeric literal, or return None if the text is not one."""
    match = _LITERAL.match(text.strip())
    if not match or (match["int"] is None and match["frac"] is None):
        return None
    digits_int = re.sub(r"\D", "", match["int"] or "")
    digits_frac = match["frac"] or ""
    if len(digits_int) + len(digits_frac) > MAX_DIGITS:
        raise FormatError(f"number too long (at most {MAX_DIGITS} digits)", text=text, position=0,
                          hint=f"round the number or use e-notation such as {examples.E_NOTATION}")
    exponent_text = match["exp"] or match["exp10"]
    exponent = int(exponent_text.replace("\u2212", "-")) if exponent_text else 0
    multiplier = Fraction(_MULTIPLIERS[match["suffix"]]) if match["suffix"] else Fraction(1)
    scale = Fraction(10) ** exponent * multiplier
    mantissa = Fraction(int(digits_int or "0") * 10 ** len(digits_frac) + int(digits_frac or "0"), 10 ** len(digits_frac))
    value = mantissa * scale
    if match["sign"] in ("-", "\u2212"):
        value = -value
    if not (exponent_text or match["suffix"]):
        return NumberReading(value)
    significant = len((digits_int + digits_frac).lstrip("0")) or 1
    return NumberReading(value, step=scale / 10 ** len(digits_frac), significant_digits=significant)


def read_number(text: str) -> NumberReading:
    """Read a number answer: a literal with its precision, or exact arithmetic (`(7*7*3 + 1) * 32`)."""
    cleaned = strip_decorations(text)
    literal = read_literal(cleaned)
    if literal is not None:
        return literal
    from grader.math import tree
    from grader.math.mathtext import parse_formula  # the parser is only needed for arithmetic

    formula = parse_formula(cleaned, number_mode=True)
    if not isinstance(formula, tree.Num):
        raise FormatError(
            "this does not work out to a number",
            text=cleaned,
            position=0,
            hint=f"Give a plain number or arithmetic on numbers, e.g. {examples.ARITHMETIC}.",
        )
    return NumberReading(Fraction(formula.value))


def format_number(value: Fraction) -> str:
    """A number for people: thousands separators for whole numbers, a/b for fractions."""
    if value.denominator == 1:
        return f"{value.numerator:,}"
    return f"{value.numerator}/{value.denominator}"


def read_count(text: str) -> int | None:
    """A whole number written as one exact literal (`4,736`, not `4.7K` nor arithmetic), else None."""
    try:
        reading = read_literal(strip_decorations(text))
    except FormatError:
        return None
    if reading is None or reading.step is not None or reading.value.denominator != 1:
        return None
    return int(reading.value)
