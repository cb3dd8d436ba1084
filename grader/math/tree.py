"""Formulas as small immutable trees: what the parser builds, without importing sympy.

Grading a submission only needs to read formulas, evaluate them exactly and compare them, so
the parser builds these nodes and sympy (0.4–0.7 s to import) is left to reports (MathML) and
to the rare proof that needs more than polynomial algebra; grader.math.symbolic converts on demand.

The builders fold what sympy folds automatically and is cheap to fold: numbers in sums and
products, powers and roots of rational numbers when exact, floor/ceiling/max/min/abs of numbers,
nested sums, products and max/min. Nothing else is rewritten, so the tree keeps the student's
order and `show` prints it back recognisably.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeAlias, TypeGuard, cast

Rational: TypeAlias = int | Fraction


def magnitude(value: Rational) -> Rational:
    """abs() of an exact number, typed as one (abs of `int | Fraction` is an `object` to a type checker)."""
    return -value if value < 0 else value

# Built-in functions, by the names sympy gives them (printed the same way sympy prints them).
FLOOR, CEILING, MAX, MIN, ABS = "floor", "ceiling", "Max", "Min", "Abs"


@dataclass(frozen=True, slots=True)
class Num:
    """An exact rational number (int when whole, so equal numbers compare and hash equal)."""

    value: Rational


@dataclass(frozen=True, slots=True)
class Sym:
    """A variable, by its canonical name."""

    name: str


@dataclass(frozen=True, slots=True)
class Add:
    """A sum of two or more terms (at most one of them a number)."""

    terms: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Mul:
    """A product of two or more factors (at most one of them a number, which comes first)."""

    factors: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Pow:
    """base ** exponent; a quotient a/b is a * b**-1, a square root is x**(1/2)."""

    base: Node
    exp: Node


@dataclass(frozen=True, slots=True)
class Call:
    """A built-in function (floor, ceiling, Max, Min, Abs) applied to its arguments."""

    func: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Apply:
    """An item's declared, undefined function applied to arguments: f(T(x)) in an equation."""

    func: str
    args: tuple[Node, ...]


Node: TypeAlias = Num | Sym | Add | Mul | Pow | Call | Apply

ZERO, ONE, MINUS_ONE = Num(0), Num(1), Num(-1)


def number(value: Rational) -> Num:
    """A number node; whole Fractions become ints."""
    if isinstance(value, Fraction) and value.denominator == 1:
        value = value.numerator
    return Num(value)


def add(*terms: Node) -> Node:
    """The sum, flattened, with like terms collected (k - k is 0, H + H is 2*H) and numbers last."""
    collected: dict[Node, Rational] = {}  # a term without its coefficient → the coefficient
    constant: Rational = 0
    for term in terms:
        for part in term.terms if isinstance(term, Add) else (term,):
            if isinstance(part, Num):
                constant += part.value
            else:
                coefficient, rest = split_coefficient(part)
                collected[rest] = collected.get(rest, 0) + coefficient
    flat = [mul(number(c), rest) for rest, c in collected.items() if c != 0]
    if constant != 0 or not flat:
        flat.append(number(constant))
    return flat[0] if len(flat) == 1 else Add(tuple(flat))


def split_coefficient(node: Node) -> tuple[Rational, Node]:
    """(c, rest) with node = c * rest: a product's leading number, else 1."""
    if isinstance(node, Mul) and isinstance(node.factors[0], Num):
        rest = node.factors[1:]
        return node.factors[0].value, rest[0] if len(rest) == 1 else Mul(rest)
    return 1, node


def mul(*factors: Node) -> Node:
    """The product, flattened, with powers of the same base collected (p*p is p**2) and its numbers
    folded into one leading coefficient (0 absorbs all)."""
    exponents: dict[Node, Rational] = {}  # base → its number exponent, in the order first written
    others: list[Node] = []  # powers with a symbolic exponent, kept as written
    coefficient: Rational = 1
    for factor in factors:
        for part in factor.factors if isinstance(factor, Mul) else (factor,):
            if isinstance(part, Num):
                coefficient *= part.value
            elif isinstance(part, Pow) and not isinstance(part.exp, Num):
                others.append(part)
            else:
                base, exponent = (part.base, cast(Num, part.exp).value) if isinstance(part, Pow) else (part, 1)
                exponents[base] = exponents.get(base, 0) + exponent
    flat: list[Node] = []
    for base, exponent in exponents.items():
        collected = power(base, number(exponent))
        if isinstance(collected, Num):  # sqrt(2)*sqrt(2)
            coefficient *= collected.value
        else:
            flat.append(collected)
    flat += others
    if coefficient == 0 or not flat:
        return number(coefficient)
    if coefficient != 1:
        flat.insert(0, number(coefficient))
    return flat[0] if len(flat) == 1 else Mul(tuple(flat))


def neg(node: Node) -> Node:
    return mul(MINUS_ONE, node)


def divide(numerator: Node, denominator: Node) -> Node:
    """numerator / denominator (the caller refuses a literal 0 denominator)."""
    return mul(numerator, power(denominator, MINUS_ONE))


def power(base: Node, exponent: Node) -> Node:
    """base ** exponent, folded when both are numbers and the result is rational.

    The parser checks sizes before calling this, so folding never builds a huge number.
    """
    if isinstance(exponent, Num):
        if exponent.value == 1:
            return base
        if exponent.value == 0:
            return ONE
        if isinstance(base, Num):
            folded = rational_power(base.value, exponent.value)
            if folded is not None:
                return number(folded)
    return Pow(base, exponent)


def rational_power(base: Rational, exponent: Rational) -> Rational | None:
    """base ** exponent when it is rational (None for an irrational root or a negative base's root).

    0 ** negative raises ZeroDivisionError.
    """
    exponent = Fraction(exponent)
    if exponent.denominator == 1:
        n = exponent.numerator
        return Fraction(base) ** n if n < 0 else base**n
    if base < 0:
        return None
    root = exact_root(Fraction(base), exponent.denominator)
    return None if root is None else rational_power(root, exponent.numerator)


def exact_root(value: Fraction, degree: int) -> Fraction | None:
    """The rational degree-th root of a non-negative value, or None if it is irrational."""
    numerator, denominator = _integer_root(value.numerator, degree), _integer_root(value.denominator, degree)
    return Fraction(numerator, denominator) if numerator is not None and denominator is not None else None


def _integer_root(n: int, degree: int) -> int | None:
    if n < 2:
        return n
    if degree >= n.bit_length():
        return None  # 1 < root < 2
    if degree == 2:
        root = math.isqrt(n)
    else:
        # Newton's method from above on integers; converges to floor(n ** (1/degree)).
        root = 1 << -(-n.bit_length() // degree)
        while True:
            better = ((degree - 1) * root + n // root ** (degree - 1)) // degree
            if better >= root:
                break
            root = better
    return root if root**degree == n else None


_FOLDERS: dict[str, Callable[[list[Rational]], Rational]] = {
    FLOOR: lambda args: math.floor(args[0]),
    CEILING: lambda args: math.ceil(args[0]),
    ABS: lambda args: magnitude(args[0]),
    MAX: max,
    MIN: min,
}


def call(func: str, *args: Node) -> Node:
    """A built-in function applied; nested Max (Min) merged, numbers folded."""
    if func in (MAX, MIN):
        args = tuple(part for arg in args for part in (arg.args if isinstance(arg, Call) and arg.func == func else (arg,)))
        args = tuple(dict.fromkeys(args))  # max(a, a) is a
        if len(args) == 1:
            return args[0]
    if all(isinstance(arg, Num) for arg in args):
        return number(_FOLDERS[func]([cast(Num, arg).value for arg in args]))
    return Call(func, tuple(args))


def apply(func: str, *args: Node) -> Apply:
    return Apply(func, tuple(args))


def is_complex_constant(node: Node) -> bool:
    """Whether a formula without variables takes a root of a negative number (sqrt(-1)): not a real number."""
    nodes = list(walk(node))
    return not any(isinstance(n, (Sym, Apply)) for n in nodes) and any(
        isinstance(n, Pow) and isinstance(n.base, Num) and n.base.value < 0 and isinstance(n.exp, Num)
        and Fraction(n.exp.value).denominator != 1
        for n in nodes
    )


def substitute(node: Node, values: Mapping[str, Rational]) -> Node:
    """The formula with variables replaced by numbers, rebuilt (so a formula of numbers only folds to one)."""
    if isinstance(node, Sym):
        return number(values[node.name]) if node.name in values else node
    if isinstance(node, Add):
        return add(*(substitute(t, values) for t in node.terms))
    if isinstance(node, Mul):
        return mul(*(substitute(f, values) for f in node.factors))
    if isinstance(node, Pow):
        return power(substitute(node.base, values), substitute(node.exp, values))
    if isinstance(node, Call):
        return call(node.func, *(substitute(a, values) for a in node.args))
    if isinstance(node, Apply):
        return apply(node.func, *(substitute(a, values) for a in node.args))
    return node


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Add):
        return node.terms
    if isinstance(node, Mul):
        return node.factors
    if isinstance(node, Pow):
        return node.base, node.exp
    if isinstance(node, (Call, Apply)):
        return node.args
    return ()


def free_names(node: Node) -> set[str]:
    """The names of the variables a tree uses."""
    return {n.name for n in walk(node) if isinstance(n, Sym)}


def has_calls(node: Node) -> bool:
    """Whether a built-in function call (floor, max, …) occurs in the tree."""
    return any(isinstance(n, Call) for n in walk(node))


# ---------------------------------------------------------------- printing


def show(node: Node) -> str:
    """The formula as plain text, in sympy's notation (`*`, `**`, `floor(…)`), in the order written."""
    return _show(node, 0)


# Binding strength of each printed form: a child binding weaker than its context is bracketed.
_SUM, _PRODUCT, _POWER, _ATOM = 1, 2, 3, 4


def _show(node: Node, context: int) -> str:
    text, strength = _printed(node)
    return f"({text})" if strength < context else text


def _printed(node: Node) -> tuple[str, int]:
    if isinstance(node, Num):
        value = node.value
        if isinstance(value, Fraction):
            return f"{value.numerator}/{value.denominator}", _PRODUCT if value > 0 else _SUM
        return str(value), _ATOM if value >= 0 else _SUM
    if isinstance(node, Sym):
        return node.name, _ATOM
    if isinstance(node, Add):
        parts = [_show(node.terms[0], _SUM)]
        for term in node.terms[1:]:
            negated = _negated(term)
            parts.append(f"- {_show(negated, _PRODUCT if isinstance(negated, Add) else _SUM)}"
                         if negated is not None else f"+ {_show(term, _SUM)}")
        return " ".join(parts), _SUM
    if isinstance(node, Mul):
        return _printed_product(node)
    if isinstance(node, Pow):
        if isinstance(node.exp, Num) and node.exp.value == Fraction(1, 2):
            return f"sqrt({_show(node.base, 0)})", _ATOM
        if node.exp == MINUS_ONE:
            return f"1/{_show(node.base, _ATOM)}", _PRODUCT
        return f"{_show(node.base, _ATOM)}**{_show(node.exp, _ATOM)}", _POWER
    return f"{node.func}({', '.join(_show(arg, 0) for arg in node.args)})", _ATOM


def _negated(term: Node) -> Node | None:
    """-term when the term carries a negative coefficient (printed as a subtraction), else None."""
    if isinstance(term, Num) and term.value < 0:
        return number(-term.value)
    if isinstance(term, Mul) and isinstance(term.factors[0], Num) and term.factors[0].value < 0:
        return mul(number(-term.factors[0].value), *term.factors[1:])
    return None


def _printed_product(node: Mul) -> tuple[str, int]:
    factors = list(node.factors)
    sign = ""
    if isinstance(factors[0], Num) and factors[0].value < 0:
        sign = "-"
        factors[0] = number(-factors[0].value)
        if factors[0] == ONE:
            factors.pop(0)
    over = [f for f in factors if not _is_reciprocal(f)]
    under = [f.base if f.exp == MINUS_ONE else Pow(f.base, number(-cast(Num, f.exp).value))
             for f in factors if _is_reciprocal(f)]
    first = over[0] if over else None
    if isinstance(first, Num) and isinstance(first.value, Fraction):
        fraction = first.value  # positive: the sign was taken off above
        over.pop(0)
        if fraction.numerator != 1:
            over.insert(0, Num(fraction.numerator))
        under.insert(0, Num(fraction.denominator))
    top = "*".join(_show(f, _PRODUCT) for f in over) if over else "1"
    if not under:
        return sign + top, _SUM if sign else _PRODUCT
    bottom = _show(under[0], _POWER) if len(under) == 1 else "(" + "*".join(_show(f, _PRODUCT) for f in under) + ")"
    return f"{sign}{top}/{bottom}", _SUM if sign else _PRODUCT


def _is_reciprocal(factor: Node) -> TypeGuard[Pow]:
    return isinstance(factor, Pow) and isinstance(factor.exp, Num) and factor.exp.value < 0 and (
        isinstance(factor.exp.value, int))
