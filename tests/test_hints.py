"""Quantitative hints: which quantity is off and how, and nothing that gives the expected value away when hidden."""

from __future__ import annotations

import re

import pytest

from grader.plugins.kinds import kind_of
from problems.hw2_cnn import HOMEWORK


def hint(item, given, reference, *, hidden, relative_to=None):
    """The item's kind's hint, as grading asks for it (None for a kind without hints)."""
    kind_hint = kind_of(item).hint
    return kind_hint(item, given, reference, hidden, relative_to) if kind_hint is not None else None

COUNT = HOMEWORK.item("p4.layer1.params")
SHAPE = HOMEWORK.item("p4.layer2.output")
FORMULA = HOMEWORK.item("p4.formula.conv_out")

CASES = [
    # (item, given, expected, the hint shown, the hint with expected answers hidden)
    pytest.param(COUNT, "4737", "4736", "one more than the expected value", "close but not exact", id="off-by-one"),
    pytest.param(COUNT, "9472", "4736", "2 times the expected value", "off by a whole factor", id="factor"),
    pytest.param(COUNT, "2368", "4736", "1/2 of the expected value: a factor 2 is missing", "a factor is missing",
                 id="missing-factor"),
    pytest.param(COUNT, "7104", "4736", "3/2 of the expected value", "off by a simple ratio", id="ratio"),
    pytest.param(COUNT, "5000", "4736", "6% larger than the expected value", "too large", id="percent"),
    pytest.param(COUNT, "1000000", "4736", "about 211 times larger", "too large", id="far-off"),
    pytest.param(SHAPE, "125 × 125 × 64", "126 × 126 × 64", "spatial size is one less", "spatial size is close",
                 id="shape-off-by-one"),
    pytest.param(SHAPE, "126 × 126 × 128", "126 × 126 × 64", "number of channels is 2 times",
                 "number of channels is off by a whole factor", id="channels-doubled"),
    pytest.param(SHAPE, "126 × 64 × 126", "126 × 126 × 64", "wrong order; write H × W × C",
                 "wrong order; write H × W × C", id="channels-swapped"),
    pytest.param(SHAPE, "125 × 124 × 64", "126 × 126 × 64", "not off in the same way",
                 "not off in the same way", id="sides-differ"),
]


@pytest.mark.parametrize(("item", "given", "expected", "shown", "hidden"), CASES)
def test_hint_names_the_quantity_and_how_it_is_off(item, given, expected, shown, hidden):
    """Shown: by how much; hidden: only the kind of slip."""
    assert shown in hint(item, given, expected, hidden=False)
    assert hidden in hint(item, given, expected, hidden=True)


@pytest.mark.parametrize(("item", "given", "expected", "shown", "hidden"), CASES)
def test_hidden_hint_holds_no_number_but_the_students(item, given, expected, shown, hidden):
    """With expected answers hidden, no number in the hint but those of the student's answer (and H × W × C)."""
    text = hint(item, given, expected, hidden=True)
    assert set(re.findall(r"\d+", text)) <= set(re.findall(r"\d+", given)) | {"1"}  # "a + 1" in the advice


def test_no_hint_for_right_values_or_other_kinds():
    """Equal values, unreadable text and formulas get no hint."""
    assert hint(COUNT, "4736", "4736", hidden=False) is None
    assert hint(COUNT, "(7*7*3+1)*32", "4736", hidden=False) is None  # only the grader's literal readings
    assert hint(FORMULA, "k", "floor((H - d*(k - 1) + 2*p - 1)/s) + 1", hidden=False) is None


def test_relative_to_names_what_the_answer_is_compared_with():
    """After an earlier wrong answer, the hint compares with what follows from it and says so."""
    text = hint(COUNT, "101", "100", hidden=False, relative_to="what follows from your answer to p4.layer1.output")
    assert "one more than what follows from your answer to p4.layer1.output" in text


def test_an_anticipated_mistake_keeps_its_own_explanation_without_a_hint():
    """A wrong answer matching an item's anticipated mistake gets that explanation, not a quantitative hint."""
    from grader.core.key import load_key
    from grader.core.models import RawAnswer, Student, Submission
    from grader.grading.grade import grade
    from tests.runtimes import BOUNDED

    submission = Submission(homework="hw2-cnn", student=Student(id="pat"), answers={
        "p3.a.ii.rf_three_3x3": RawAnswer(text="9"), "p4.layer3.rf": RawAnswer(text="14")})
    items = {i.id: i for i in grade(submission, HOMEWORK, load_key(HOMEWORK), BOUNDED).items}
    assert "do not add kernel sizes" in items["p3.a.ii.rf_three_3x3"].feedback
    assert "Hint" not in items["p3.a.ii.rf_three_3x3"].feedback
    assert "Hint: this count is one more than the expected value" in items["p4.layer3.rf"].feedback
