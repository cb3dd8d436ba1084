"""How one count relates to another, in words a hint can use (an off-by-one, a whole factor, a simple ratio)."""

from __future__ import annotations

from fractions import Fraction

# What a hint compares with when nothing else is named.
EXPECTED = "the expected value"


def compare_counts(what: str, given: int, reference: int, target: str, hidden: bool) -> str:
    """How `given` relates to `reference`: an off-by-one, a whole factor, a simple ratio, or larger/smaller."""
    larger = given > reference
    if given <= 0 or reference <= 0:
        return f"{what} is too {'large' if larger else 'small'}"
    if abs(given - reference) == 1:
        if hidden:
            return f"{what} is close but not exact: check a + 1 or a rounding step (floor or ceiling)"
        return (f"{what} is one {'more' if larger else 'less'} than {target}: check a + 1 or a rounding step "
                "(floor or ceiling)")
    ratio = Fraction(given, reference)
    if ratio.denominator == 1 or ratio.numerator == 1:
        factor = max(ratio, 1 / ratio)
        if hidden:
            return (f"{what} is off by a whole factor: a factor is counted that does not belong" if larger
                    else f"{what} is off by a whole factor: a factor is missing")
        return (f"{what} is {factor} times {target}: a factor {factor} is counted that does not belong" if larger
                else f"{what} is 1/{factor} of {target}: a factor {factor} is missing")
    if ratio.numerator <= 12 and ratio.denominator <= 12:
        if hidden:
            return f"{what} is off by a simple ratio: check each size and count that goes into it"
        return f"{what} is {ratio} of {target}: check each size and count that goes into it"
    if hidden:
        return f"{what} is too {'large' if larger else 'small'}"
    if ratio >= 2 or ratio <= Fraction(1, 2):
        times = float(max(ratio, 1 / ratio))
        return f"{what} is about {times:.3g} times {'larger' if larger else 'smaller'} than {target}"
    return f"{what} is {abs(float(ratio) - 1):.0%} {'larger' if larger else 'smaller'} than {target}"
