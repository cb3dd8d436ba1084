"""Tests' bridge to sympy: parse text into a tree, convert it, and compare with sympy built by hand.

sympy is the independent reference here: an expression written out with sympy's own
constructors states what a notation means, and sympy decides the equality.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from grader.math.mathtext import parse_formula
from grader.math.symbolic import to_sympy
from grader.math.tree import Node


def names(mapping: Mapping[str, Any] | None) -> dict[str, str]:
    """Spelling → sympy Symbol (or Function) as spelling → the name the parser uses."""
    return {spelling: str(target) for spelling, target in (mapping or {}).items()}


def parse_tree(text: str, *, variables: Mapping[str, Any] | None = None,
               function_symbols: Mapping[str, Any] | None = None, **kwargs: Any) -> Node:
    """parse_formula with sympy symbols and functions naming the variables."""
    return parse_formula(text, variables=names(variables), function_symbols=names(function_symbols), **kwargs)


def parse_math(text: str, **kwargs: Any) -> Any:
    """The formula parse_formula reads, as a sympy expression."""
    return to_sympy(parse_tree(text, **kwargs))


def from_sympy(expr: Any) -> Node:
    """A sympy expression (numbers, symbols, + × ^, floor, ceiling, Max, Min, Abs, f(x)) as a formula tree."""
    import sympy

    from grader.math import tree

    calls = {sympy.floor: tree.FLOOR, sympy.ceiling: tree.CEILING, sympy.Max: tree.MAX, sympy.Min: tree.MIN,
             sympy.Abs: tree.ABS}
    if expr.is_Rational:
        return tree.number(Fraction(int(expr.p), int(expr.q)))
    if expr.is_Symbol:
        return tree.Sym(expr.name)
    args = [from_sympy(arg) for arg in expr.args]
    if expr.is_Add:
        return tree.add(*args)
    if expr.is_Mul:
        return tree.mul(*args)
    if expr.is_Pow:
        return tree.power(*args)
    if expr.func in calls:
        return tree.call(calls[expr.func], *args)
    if isinstance(expr.func, sympy.core.function.UndefinedFunction):
        return tree.apply(str(expr.func), *args)
    raise ValueError(f"no formula tree for {expr}")
