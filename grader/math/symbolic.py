"""Formula trees as sympy expressions, on demand: for MathML in reports and the rare symbolic proof (imports sympy)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from grader.math.tree import ABS, CEILING, FLOOR, MAX, MIN, Add, Call, Mul, Node, Num, Pow, Sym


def to_sympy(node: Node, functions: Mapping[str, Any] | None = None) -> Any:
    """The same formula as a sympy expression (imports sympy: reports and rare proofs only)."""
    import sympy

    builtins = {FLOOR: sympy.floor, CEILING: sympy.ceiling, MAX: sympy.Max, MIN: sympy.Min, ABS: sympy.Abs}

    def convert(n: Node) -> Any:
        if isinstance(n, Num):
            value = n.value
            return sympy.Rational(value.numerator, value.denominator) if isinstance(value, Fraction) else sympy.Integer(value)
        if isinstance(n, Sym):
            return sympy.Symbol(n.name)
        if isinstance(n, Add):
            return sympy.Add(*map(convert, n.terms))
        if isinstance(n, Mul):
            return sympy.Mul(*map(convert, n.factors))
        if isinstance(n, Pow):
            return sympy.Pow(convert(n.base), convert(n.exp))
        if isinstance(n, Call):
            return builtins[n.func](*map(convert, n.args))
        return sympy.Function(n.func)(*map(convert, n.args))

    return convert(node)
