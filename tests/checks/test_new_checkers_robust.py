"""Property tests: no text crashes the choice, equation or text readers, or makes them slow."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from grader.checks import choice, equation, text
from grader.math.errors import FormatError
from problems.hw2_cnn import HOMEWORK

CHOICE = HOMEWORK.item("p2.b")
EQUATION = HOMEWORK.item("p2.a.equivariance")
TEXT = HOMEWORK.item("p1.a")
ALPHABET = st.sampled_from(list("fTxg()=∘$\\ -_,.;:!?'’⌊⌋ 0123456789abcnotpoling\n") + ["\\circ", "for all", "not "])
ANSWERS = st.one_of(st.text(max_size=200), st.lists(ALPHABET, max_size=60).map("".join))


@settings(max_examples=300, deadline=None)
@given(ANSWERS)
def test_readers_never_crash_and_stay_fast(answer):
    """Any text is read or refused with a FormatError, within a fraction of a second."""
    for module, item in ((choice, CHOICE), (equation, EQUATION), (text, TEXT)):
        started = time.perf_counter()
        try:
            value = module.read(answer, item)
        except FormatError:
            continue
        finally:
            assert time.perf_counter() - started < 1.0
        module.show(value)
        if module is text:
            assert 0.0 <= text.compare(value, "", item).score <= 1.0


def test_long_answer_is_still_fast():
    """A 5,000-word answer is scored by the rubric in well under a second."""
    answer = "the same weights are not shared over positions, " * 700
    started = time.perf_counter()
    text.compare(answer, "", TEXT)
    assert time.perf_counter() - started < 2.0
