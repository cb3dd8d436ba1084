"""Quantitative hints for a wrong number or shape: which quantity is off and how (factor, off-by-one, order)."""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from grader.core.homework import Item, ShapeOptions
from grader.math.numbers import read_count
from grader.math.shapes import read_dims

_EXPECTED = "the expected value"


# A class repeats the same wrong values: each common hint is worked out once per process.
@lru_cache(maxsize=4096)
def hint(item: Item, given: str, reference: str, *, hidden: bool, relative_to: str | None = None) -> str | None:
    """A hint comparing `given` with `reference` (both as the grader reads them), or None if there is none to give.

    `relative_to` names what the reference is when it is not the key (e.g. what follows from an
    earlier answer of the student's). With `hidden` (expected answers withheld) the hint says what
    kind of slip it looks like but nothing the expected value follows from: no factor, no
    difference, no direction of a near miss.
    """
    target = relative_to or _EXPECTED
    if item.kind == "number":
        given_value, reference_value = read_count(given), read_count(reference)
        if given_value is None or reference_value is None or given_value == reference_value:
            return None
        return f"Hint: {_compare('this count', given_value, reference_value, target, hidden)}."
    if item.kind == "shape":
        return _shape_hint(item, given, reference, target, hidden)
    return None


def _shape_hint(item: Item, given: str, reference: str, target: str, hidden: bool) -> str | None:
    given_dims, reference_dims = read_dims(given), read_dims(reference)
    if given_dims is None or reference_dims is None or given_dims == reference_dims:
        return None
    if len(given_dims) != 3 or len(reference_dims) != 3:
        return None
    layout = item.options.layout if isinstance(item.options, ShapeOptions) else "HWC"
    if sorted(given_dims) == sorted(reference_dims):
        return f"Hint: the sizes are right but in the wrong order; write {' × '.join(layout)}."
    parts = []
    (gh, gw, gc), (rh, rw, rc) = given_dims, reference_dims
    if (gh, gw) != (rh, rw):
        if gh - rh == gw - rw or gh * rw == gw * rh:  # the same change on both sides: describe one
            parts.append(_compare("the spatial size", gh, rh, target, hidden))
        else:
            parts.append("the height and the width are not off in the same way; work out each side")
    if gc != rc:
        parts.append(_compare("the number of channels", gc, rc, target, hidden))
    return "Hint: " + "; ".join(parts) + "." if parts else None


def _compare(what: str, given: int, reference: int, target: str, hidden: bool) -> str:
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
        factor = float(max(ratio, 1 / ratio))
        return f"{what} is about {factor:.3g} times {'larger' if larger else 'smaller'} than {target}"
    return f"{what} is {abs(float(ratio) - 1):.0%} {'larger' if larger else 'smaller'} than {target}"
