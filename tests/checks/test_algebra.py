"""Exact rational-function normal forms: identities proved without sympy agree with sympy's cancel()."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.math import tree
from grader.math.algebra import NoNormalForm, constant_ratio, is_zero, same_rational_function
from grader.math.symbolic import to_sympy
from tests.sympy_bridge import from_sympy, parse_tree

k, s, C = sympy.symbols("k s C")
f, T = sympy.Function("f"), sympy.Function("T")
x = sympy.Symbol("x")


def read(text: str) -> tree.Node:
    return parse_tree(text, variables={n: sympy.Symbol(n) for n in ("k", "s", "C", "x")},
                      function_symbols={"f": f, "T": T})


@pytest.mark.parametrize("a, b, same", [
    ("(k*k*C + 1)*C", "k^2 C^2 + C", True),
    ("(k^2 - 1)/(k + 1)", "k - 1", True),
    ("1/k + 1/s", "(k + s)/(k s)", True),
    ("(k + s)^3", "k^3 + 3k^2 s + 3 k s^2 + s^3", True),
    ("(k + s)^3", "k^3 + s^3", False),
    ("2C", "4C", False),
    ("f(T(x)) - f(x)", "-(f(x) - f(T(x)))", True),
    ("f(x + 1)", "f(1 + x)", True),
    ("f(T(x))", "T(f(x))", False),
])
def test_same_rational_function(a, b, same):
    """Pairs decided exactly; sympy's cancel() of the difference agrees."""
    assert same_rational_function(read(a), read(b)) is same
    assert (sympy.cancel(to_sympy(read(a)) - to_sympy(read(b))) == 0) is same


def test_constant_ratio_of_equations():
    """f(x) - f(T(x)) is -1 times f(T(x)) - f(x); f(T(x)) - T(f(x)) is no multiple of it."""
    invariance = read("f(T(x)) - f(x)")
    assert constant_ratio(read("f(x) - f(T(x))"), invariance) == -1
    assert constant_ratio(read("3 f(T(x)) - 3 f(x)"), invariance) == 3
    assert constant_ratio(read("f(T(x)) - T(f(x))"), invariance) is None
    assert constant_ratio(tree.ZERO, invariance) == 0


@pytest.mark.parametrize("text", ["floor(k/s)", "sqrt(k)", "k^s", "max(k, s)"])
def test_no_normal_form_outside_rational_functions(text):
    """floor, roots, symbolic exponents and max are not rational functions: no decision here."""
    with pytest.raises(NoNormalForm):
        is_zero(read(text))


def test_expansion_too_large_is_abandoned():
    """A product expanding to millions of terms is given up (no proof), quickly, not computed."""
    names = " + ".join(f"x{i}" for i in range(8))
    node = parse_tree(f"({names})^16 * ({names})^16",
                     variables={f"x{i}": sympy.Symbol(f"x{i}") for i in range(8)})
    with pytest.raises(NoNormalForm):
        is_zero(node)


_terms = st.tuples(st.integers(-4, 4), st.integers(0, 3), st.integers(0, 2), st.integers(0, 2)).map(
    lambda t: t[0] * k ** t[1] * s ** t[2] * C ** t[3])
_polynomials = st.lists(_terms, min_size=1, max_size=4).map(lambda terms: sympy.Add(*terms))
_rationals = st.tuples(_polynomials, _polynomials).filter(lambda t: t[1] != 0).map(lambda t: t[0] / t[1])


@settings(max_examples=60, deadline=None, database=None)
@given(a=_rationals, b=_rationals)
def test_agrees_with_sympy_on_random_rational_functions(a, b):
    """For random quotients of polynomials: a + b equals b + a over one denominator, and a = b exactly when sympy says so."""
    assert same_rational_function(from_sympy(a + b), from_sympy(sympy.together(b + a)))
    assert same_rational_function(from_sympy(a), from_sympy(b)) is (sympy.cancel(a - b) == 0)


def test_fraction_coefficients_are_exact():
    """Coefficients stay exact fractions: k/3 + k/6 is k/2, not 0.4999…"""
    assert same_rational_function(read("k/3 + k/6"), read("k/2"))
    assert constant_ratio(read("k/3"), read("k")) == Fraction(1, 3)
