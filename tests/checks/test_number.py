"""The number checker: exact counts, written precision, arithmetic, and clear rejections."""

from fractions import Fraction

import pytest

from grader.checks import number
from grader.core.models import Status
from grader.homework import Item
from grader.math.errors import FormatError

ITEM = Item("p.count", "number", 1, "A count.")
# fc1 of the homework network: (43264 + 1) * 1024 parameters, from the layer table.
FC1_PARAMS = (13 * 13 * 256 + 1) * 1024
# The network's MACs as measured with forward hooks (REFERENCES.md).
TOTAL_MACS = 2_101_585_920


def verdict(text: str, key: int):
    return number.compare(number.read(text, ITEM), number.read(str(key), ITEM), ITEM)


@pytest.mark.parametrize(
    "text, value",
    [
        ("44303360", 44_303_360),
        ("44,303,360", 44_303_360),
        ("44 303 360", 44_303_360),
        ("44_303_360", 44_303_360),
        ("44\u202f303\u202f360", 44_303_360),
        ("4.43e7", 44_300_000),
        ("45.9M", 45_900_000),
        ("2.1 G", 2_100_000_000),
        ("1.05K", 1_050),
        ("4.43 × 10^7", 44_300_000),
        ("(7*7*3 + 1) * 32", 4_736),
        ("(7 x 7 x 3 + 1) x 32", 4_736),
        ("(7 × 7 × 3 + 1) · 32", 4_736),
        ("$(7 \\times 7 \\times 3 + 1) \\times 32$", 4_736),
        ("2^10", 1024),
        ("\u22123", -3),
        ("= 4736", 4_736),
        ("4736 params", 4_736),
        ("2,101,585,920 MACs", TOTAL_MACS),
    ],
    ids=["plain", "commas", "spaces", "underscores", "thin-spaces", "scientific", "mega", "giga-spaced",
         "kilo", "times-ten", "arithmetic", "x-between-numbers", "unicode-times", "latex", "caret-power",
         "unicode-minus", "leading-equals", "unit-word", "unit-word-macs"],
)
def test_reads_value(text, value):
    """Every notation of CONTRACT §1 reads as the number it denotes."""
    assert number.read(text, ITEM).value == Fraction(value)


@pytest.mark.parametrize(
    "text, key, status",
    [
        ("44,303,360", FC1_PARAMS, Status.CORRECT),
        ("(13*13*256 + 1) * 1024", FC1_PARAMS, Status.CORRECT),
        ("44.3M", FC1_PARAMS, Status.CORRECT),
        ("4.43e7", FC1_PARAMS, Status.CORRECT),
        ("44.31M", FC1_PARAMS, Status.INCORRECT),
        ("2.1G", TOTAL_MACS, Status.CORRECT),
        ("2.10G", TOTAL_MACS, Status.CORRECT),
        ("2.102G", TOTAL_MACS, Status.CORRECT),
        ("2.2G", TOTAL_MACS, Status.INCORRECT),
        ("2G", TOTAL_MACS, Status.INCORRECT),
        ("2101585921", TOTAL_MACS, Status.INCORRECT),
        ("13*13*256 * 1024", FC1_PARAMS, Status.INCORRECT),
        ("9/2", 4, Status.INCORRECT),
        ("4.0", 4, Status.CORRECT),
    ],
    ids=["grouped", "arithmetic", "rounded-mega", "rounded-scientific", "mega-too-precise-and-wrong",
         "giga-2-digits", "giga-3-digits", "giga-4-digits", "giga-wrong", "one-digit-too-coarse",
         "off-by-one", "forgot-bias", "fraction", "decimal-integer"],
)
def test_compare(text, key, status):
    """Exact counts match exactly; approximate notation matches at the precision written."""
    assert verdict(text, key).status is status


def test_coarse_answer_says_why():
    """A one-digit approximation is rejected with a message asking for more digits."""
    assert "significant digits" in verdict("2G", TOTAL_MACS).feedback


def test_fraction_for_a_count_says_why():
    """A non-integer count is wrong, and the feedback says a count is whole."""
    assert "whole number" in verdict("9/2", 4).feedback


@pytest.mark.parametrize(
    "text",
    ["", "lots", "12,34", "4736 +", "(4736", "__import__('os').system('true')", "2^99999"],
    ids=["empty", "word", "bad-grouping", "dangling-operator", "unbalanced", "code", "huge-power"],
)
def test_rejects_unreadable(text):
    """Unreadable text is a FormatError (an `invalid` verdict), never a crash or a guess."""
    with pytest.raises(FormatError):
        number.read(text, ITEM)
