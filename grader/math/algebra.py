"""Exact rational-function normal forms of formula trees, to prove identities without sympy.

A formula made of numbers, variables, +, ×, integer powers and declared functions applied to
such formulas is a quotient of two polynomials with rational coefficients; two formulas are the
same rational function exactly when their cross products agree. Anything else (floor, roots,
symbolic exponents) has no normal form here and the callers fall back to sampling or sympy.
"""

from __future__ import annotations

from fractions import Fraction

from grader.math import tree
from grader.math.tree import Node

# A monomial: (atom, exponent) pairs sorted by atom; an atom is a variable name or a canonical
# `f(…)` of a declared function applied to arguments.
Monomial = tuple[tuple[str, int], ...]
Polynomial = dict[Monomial, Fraction]
RationalFunction = tuple[Polynomial, Polynomial]

# Expansion beyond this many terms is abandoned (no proof), as a time limit would: a product of
# a few high powers of long sums would otherwise take long and much memory.
MAX_TERMS = 4000
MAX_POWER = 64


class NoNormalForm(Exception):
    """The formula is not a rational function of its atoms, or too large to expand."""


def rational_function(node: Node) -> RationalFunction:
    """numerator and denominator polynomials of the formula; NoNormalForm if it has none."""
    if isinstance(node, tree.Num):
        return _constant(node.value), _constant(1)
    if isinstance(node, tree.Sym):
        return {((node.name, 1),): Fraction(1)}, _constant(1)
    if isinstance(node, tree.Apply):
        return {((_atom(node), 1),): Fraction(1)}, _constant(1)
    if isinstance(node, tree.Add):
        numerator, denominator = rational_function(node.terms[0])
        for term in node.terms[1:]:
            top, bottom = rational_function(term)
            if bottom == denominator:
                numerator = _plus(numerator, top)
            else:
                numerator = _plus(_times(numerator, bottom), _times(top, denominator))
                denominator = _times(denominator, bottom)
        return numerator, denominator
    if isinstance(node, tree.Mul):
        numerator, denominator = _constant(1), _constant(1)
        for factor in node.factors:
            top, bottom = rational_function(factor)
            numerator, denominator = _times(numerator, top), _times(denominator, bottom)
        return numerator, denominator
    if isinstance(node, tree.Pow) and isinstance(node.exp, tree.Num) and isinstance(node.exp.value, int):
        exponent = node.exp.value
        if abs(exponent) > MAX_POWER:
            raise NoNormalForm(f"power {exponent} is too large to expand")
        top, bottom = rational_function(node.base)
        if exponent < 0:
            if not bottom or not top:
                raise NoNormalForm("division by zero")
            top, bottom, exponent = bottom, top, -exponent
        return _power(top, exponent), _power(bottom, exponent)
    raise NoNormalForm(f"{tree.show(node)} is not a rational function")


def is_zero(node: Node) -> bool:
    """Whether the formula is identically 0 as a rational function (NoNormalForm if undecidable here)."""
    numerator, denominator = rational_function(node)
    if not denominator:
        raise NoNormalForm("division by zero")
    return not numerator


def same_rational_function(a: Node, b: Node) -> bool:
    """Whether a and b are the same rational function (NoNormalForm if either has no normal form)."""
    return is_zero(tree.add(a, tree.neg(b)))


def constant_ratio(a: Node, b: Node) -> Fraction | None:
    """c such that a = c·b identically (None if there is none; NoNormalForm if undecidable here).

    b must not be identically 0.
    """
    (top_a, bottom_a), (top_b, bottom_b) = rational_function(a), rational_function(b)
    if not bottom_a or not bottom_b or not top_b:
        raise NoNormalForm("division by zero")
    left, right = _times(top_a, bottom_b), _times(top_b, bottom_a)  # a/b = left/right
    if not left:
        return Fraction(0)
    monomial, coefficient = next(iter(right.items()))
    ratio = left.get(monomial, Fraction(0)) / coefficient
    scaled = {m: c * ratio for m, c in right.items()}
    return ratio if scaled == left else None


def _atom(node: tree.Apply) -> str:
    """A canonical name for f(args): the same for arguments that are the same rational function."""
    return f"{node.func}({', '.join(_canonical(arg) for arg in node.args)})"


def _canonical(node: Node) -> str:
    try:
        numerator, denominator = rational_function(node)
    except NoNormalForm:
        return tree.show(node)
    return f"{_text(numerator)} / {_text(denominator)}"


def _text(polynomial: Polynomial) -> str:
    return " + ".join(f"{c}*{m}" for m, c in sorted(polynomial.items())) or "0"


def _constant(value: tree.Rational) -> Polynomial:
    return {(): Fraction(value)} if value != 0 else {}


def _plus(a: Polynomial, b: Polynomial) -> Polynomial:
    result = dict(a)
    for monomial, coefficient in b.items():
        total = result.get(monomial, 0) + coefficient
        if total:
            result[monomial] = total
        else:
            result.pop(monomial, None)
    return result


def _times(a: Polynomial, b: Polynomial) -> Polynomial:
    if len(a) * len(b) > MAX_TERMS * 4:
        raise NoNormalForm("too many terms to expand")
    result: Polynomial = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            monomial = _multiply_monomials(ma, mb)
            total = result.get(monomial, 0) + ca * cb
            if total:
                result[monomial] = total
            else:
                result.pop(monomial, None)
    if len(result) > MAX_TERMS:
        raise NoNormalForm("too many terms to expand")
    return result


def _multiply_monomials(a: Monomial, b: Monomial) -> Monomial:
    if not a:
        return b
    if not b:
        return a
    exponents = dict(a)
    for atom, exponent in b:
        exponents[atom] = exponents.get(atom, 0) + exponent
    return tuple(sorted(exponents.items()))


def _power(base: Polynomial, exponent: int) -> Polynomial:
    result, square = _constant(1), base
    while exponent:
        if exponent & 1:
            result = _times(result, square)
        exponent >>= 1
        if exponent:
            square = _times(square, square)
    return result
