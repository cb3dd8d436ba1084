"""Answers written as chains (`(15 × 15 × C) × C = 225C^2`) and index-style variable names."""

from __future__ import annotations

import pytest

from grader.checks import expression
from grader.core.models import RawAnswer, Status
from grader.grading.grade import grade_item
from grader.homework import ExpressionOptions, Homework, Item, Problem, Variable
from grader.math.chains import split_members
from tests.runtimes import BOUNDED

COUNT = Item("q.count", "number", 1, "How many?")
FORMULA = Item("q.formula", "expression", 1, "Parameters?", ExpressionOptions((Variable("C"),)))
RF_STEP = Item("q.rf", "expression", 1, "Receptive field step?", ExpressionOptions(
    (Variable("R_prev"), Variable("k"), Variable("d"), Variable("j_prev"))))
HOMEWORK = Homework("demo", "Demo", (Problem("q", "Q", (COUNT, FORMULA, RF_STEP), dict),), "reference", "x.yaml")


@pytest.mark.parametrize(
    ("text", "members"),
    [
        ("a = b", ["a", "b"]),
        ("1 + (7 − 1) × 1 × 1 = 7", ["1 + (7 − 1) × 1 × 1", "7"]),
        ("45,937,034 ≈ 45.9M", ["45,937,034", "45.9M"]),
        ("max(a, b) = c", ["max(a, b)", "c"]),
        ("a <= b", ["a <= b"]),
        ("a == b", ["a == b"]),
        ("= 7", ["", "7"]),
        ("f(x = 1) = 2", ["f(x = 1)", "2"]),
    ],
    ids=["two", "derivation", "approximately", "comma-in-call", "less-equal", "double-equals", "leading",
         "inside-brackets"],
)
def test_split_members(text, members):
    """Chains split at = and ≈ outside brackets; comparison operators are not separators."""
    assert split_members(text) == members


def grade(item: Item, text: str, key: str):
    return grade_item(item, RawAnswer(text=text), key, HOMEWORK, BOUNDED)


@pytest.mark.parametrize(
    ("item", "text", "key", "status", "note"),
    [
        (COUNT, "1 + (7 − 1) × 1 × 1 = 7", "7", Status.CORRECT, False),
        (COUNT, "(7*7*3 + 1)*32 = 4736", "4736", Status.CORRECT, False),
        (COUNT, "7*7*3*32 = 4736", "4736", Status.CORRECT, True),
        (COUNT, "3 + 3 + 3 = 9", "7", Status.INCORRECT, False),
        (COUNT, "= 7", "7", Status.CORRECT, False),
        (FORMULA, "(15 × 15 × C) × C = 225C^2", "225*C**2", Status.CORRECT, False),
        (FORMULA, "15^2 C^2 = 225 C^3", "225*C**2", Status.INCORRECT, True),
        (FORMULA, "params = 225 C^2", "225*C**2", Status.CORRECT, False),
    ],
    ids=["rf-derivation", "params-derivation", "members-disagree-last-right", "consistent-but-wrong",
         "leading-equals", "formula-derivation", "members-disagree-last-wrong", "label-skipped"],
)
def test_chains_are_graded_on_the_last_member(item, text, key, status, note):
    """The last member is graded; a note says when earlier members differ from it; labels are skipped."""
    result = grade(item, text, key)
    assert result.status is status
    assert ("not all equal" in result.feedback) is note


@pytest.mark.parametrize(
    "text",
    ["R_{i-1} + (k_i - 1) d_i j_{i-1}", "R_{l-1} + (k_l - 1) d_l j_{l-1}", "R_i = R_{i - 1} + (k - 1) d j_{i-1}"],
    ids=["i", "l", "chain-with-label"],
)
def test_index_style_names_map_to_declared_variables(text):
    """k_i and R_{i-1} stand for the current and previous layer's variables of the item."""
    assert grade(RF_STEP, text, "R_prev + (k - 1)*d*j_prev").status is Status.CORRECT


def test_index_spellings():
    """Only unsubscripted names get _i forms, and only _prev names get _{i-1} forms."""
    assert expression.index_spellings("k") == ["k_i", "k_l", "k_n"]
    assert expression.index_spellings("R_prev") == ["R_i-1", "R_l-1", "R_n-1"]
    assert expression.index_spellings("C_in") == []
