"""Property tests of the parsers not fuzzed elsewhere: LaTeX rewriting, numbers, shapes and chains."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from grader.math.chains import split_members
from grader.math.errors import FormatError
from grader.math.latex import latex_to_text
from grader.math.numbers import NumberReading, read_number
from grader.math.shapes import ShapeReading, read_shape

PIECES = [*"0123456789.,_ xX×·*()[]{}$\\^-+−=≈eEkKMG", r"\frac{", "}{", r"\times", r"\cdot", r"\left(", r"\right)",
          r"\text{", r"\sqrt{", "params", " features", "≈ ", "44,303,360", "1e999", "9^9^9", "N, ", "\u00a0", "\x00"]
TEXT = st.one_of(st.text(max_size=300), st.lists(st.sampled_from(PIECES), max_size=80).map("".join))


def well_formed(error: FormatError) -> bool:
    return bool(error.message) and (error.position is None or 0 <= error.position <= max(len(error.text), 0) + 1)


@settings(max_examples=300, deadline=1000)
@given(text=TEXT)
def test_latex_rewrite_gives_text_or_format_error(text):
    """LaTeX rewriting returns text or raises a well-formed FormatError, for any input."""
    try:
        assert isinstance(latex_to_text(text), str)
    except FormatError as error:
        assert well_formed(error)


@settings(max_examples=300, deadline=1000)
@given(text=TEXT)
def test_number_reading_gives_a_number_or_format_error(text):
    """read_number returns a NumberReading or raises a well-formed FormatError, for any input."""
    try:
        assert isinstance(read_number(text), NumberReading)
    except FormatError as error:
        assert well_formed(error)


@settings(max_examples=300, deadline=1000)
@given(text=TEXT)
def test_shape_reading_gives_a_shape_or_format_error(text):
    """read_shape returns positive dimensions or raises a well-formed FormatError, for any input."""
    try:
        reading = read_shape(text)
    except FormatError as error:
        assert well_formed(error)
    else:
        assert isinstance(reading, ShapeReading) and all(d > 0 for d in reading.dims)


@settings(max_examples=300, deadline=1000)
@given(text=TEXT)
def test_chain_splitting_never_fails(text):
    """split_members returns a list of strings for any input."""
    assert all(isinstance(member, str) for member in split_members(text))
