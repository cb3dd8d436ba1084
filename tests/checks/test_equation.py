"""The equation checker: `lhs = rhs` with function symbols, compared as a statement."""

from __future__ import annotations

import pytest

from grader.checks import equation
from grader.homework import EquationOptions, FunctionName, Item, Variable
from grader.math.errors import FormatError

OPTIONS = EquationOptions((FunctionName("f", ("F",)), FunctionName("T", ("g",))), (Variable("x", ("I",)),))
ITEM = Item("q.eq", "equation", 3, "Define invariance.", OPTIONS)
INVARIANCE = equation.read("f(T(x)) = f(x)", ITEM)
EQUIVARIANCE = equation.read("f(T(x)) = T(f(x))", ITEM)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("f(T(x)) = f(x)", INVARIANCE),
        ("f(x) = f(T(x))", INVARIANCE),
        ("$$f(T(x)) = f(x)$$", INVARIANCE),
        ("f(T(x)) = f(x) for all x", INVARIANCE),
        (r"f(T(x)) = f(x) \quad \forall x", INVARIANCE),
        ("f∘T = f", INVARIANCE),
        (r"f \circ T = f", INVARIANCE),
        ("(f∘T)(x) = f(x)", INVARIANCE),
        ("f(Tx) = f(x)", INVARIANCE),
        ("F(g(I)) = F(I)", INVARIANCE),
        ("f(T(x)) - f(x) = 0", INVARIANCE),
        ("T(f(x)) = f(T(x))", EQUIVARIANCE),
        ("f ∘ T = T ∘ f", EQUIVARIANCE),
        ("f(T x) = T f(x)", EQUIVARIANCE),
    ],
    ids=["as-key", "sides-swapped", "display-latex", "for-all-words", "forall-latex", "composition",
         "circ-latex", "composition-applied", "operator-notation", "aliases", "difference-is-zero",
         "equivariance-swapped", "equivariance-composition", "equivariance-operator-notation"],
)
def test_equivalent_notations_get_full_credit(text, expected):
    """Every usual way to write the definition is read and scores 1."""
    assert equation.compare(equation.read(text, ITEM), expected, ITEM).score == 1.0


@pytest.mark.parametrize(
    ("text", "expected", "feedback"),
    [
        ("f(T(x)) = T(f(x))", INVARIANCE, "does not state the expected property"),
        ("T(f(x)) = f(x)", INVARIANCE, "does not state the expected property"),
        ("f(x) = f(x)", INVARIANCE, "Both sides are the same"),
        ("f(T(x)) = f(x)", EQUIVARIANCE, "does not state the expected property"),
    ],
    ids=["equivariance-for-invariance", "wrong-order-of-application", "trivial", "invariance-for-equivariance"],
)
def test_different_statements_score_zero(text, expected, feedback):
    """A different equation, or one that always holds, scores 0 with a reason."""
    verdict = equation.compare(equation.read(text, ITEM), expected, ITEM)
    assert verdict.score == 0.0 and feedback in verdict.feedback


@pytest.mark.parametrize(
    ("text", "message"),
    [("f(T(x))", "no '='"), ("f(T(x)) = f(x) = y", "2 '=' signs"), ("f(T(y)) = f(y)", "unknown name 'y'"),
     ("= f(x)", "empty")],
    ids=["no-equals", "two-equals", "unknown-variable", "empty-side"],
)
def test_unreadable_equations_say_why(text, message):
    """Text that is not one equation in the item's names is a format error naming the problem."""
    with pytest.raises(FormatError) as caught:
        equation.read(text, ITEM)
    assert message in caught.value.explain()


def test_show_prints_both_sides():
    """The reading is shown as lhs = rhs."""
    assert equation.show(EQUIVARIANCE) == "f(T(x)) = T(f(x))"
