"""Exact evaluation of formula trees at integer points, with size limits: the sampling half of equivalence."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction

from grader.math import tree
from grader.math.tree import Node

# Values are exact (int, Fraction) except after an irrational root, which is a float.
Value = int | Fraction | float
Env = Mapping[str, int]
Evaluator = Callable[[Env], Value]
Condition = Callable[[Env], bool]

# Two values of which at least one is a float agree when within this relative tolerance; the
# absolute floor lets sqrt(2)*sqrt(3) - sqrt(6) count as 0.
REL_TOL = Fraction(1, 10**9)
ABS_TOL = Fraction(1, 10**12)
# Larger exponents are refused rather than risk building enormous integers.
MAX_EXPONENT = 4096
# A power whose exact value would need more bits than this is refused (about 30,000 digits):
# nested powers such as floor(floor(H^16)^16)^16 otherwise build numbers of millions of digits.
MAX_VALUE_BITS = 100_000


class Unsupported(Exception):
    """The expression uses a construct the exact evaluator does not implement."""


class TooLarge(Unsupported):
    """A value would be too large to compute exactly in reasonable time and memory."""


class Undefined(ArithmeticError):
    """The value is not a real number here (an even root of a negative number, nan, zoo)."""


# Both mean "undefined at this point": the formula has no value there.
UNDEFINED = (ZeroDivisionError, Undefined)


def compile_node(node: Node) -> Evaluator:
    """Turn a formula tree into a closure evaluating it exactly at an integer point."""
    if isinstance(node, tree.Num):
        value = node.value
        return lambda env: value
    if isinstance(node, tree.Sym):
        name = node.name
        return lambda env: env[name]
    if isinstance(node, tree.Add):
        return _sum(*map(compile_node, node.terms))
    if isinstance(node, tree.Mul):
        return _compile_product(node)
    if isinstance(node, tree.Pow):
        return _pow(compile_node(node.base), compile_node(node.exp))
    if isinstance(node, tree.Call):
        return _BUILDERS[node.func](*map(compile_node, node.args))
    raise Unsupported(f"cannot evaluate {node.func}(…) (in {short(node)})")


def short(node: Node, limit: int = 60) -> str:
    text = tree.show(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _sum(*terms: Evaluator) -> Evaluator:
    def evaluate(env: Env) -> Value:
        total: Value = 0
        for term in terms:
            total += term(env)
        return total

    return evaluate


def _compile_product(node: tree.Mul) -> Evaluator:
    """A product, with factors like s**-1 moved to one denominator so that x/s is one division.

    Keeping quotients that are integers as int avoids slow Fraction arithmetic at most points.
    """
    numerator, denominator = [], []
    for factor in node.factors:
        if isinstance(factor, tree.Pow) and isinstance(factor.exp, tree.Num) and isinstance(factor.exp.value, int) \
                and factor.exp.value < 0:
            denominator.append(compile_node(tree.power(factor.base, tree.number(-factor.exp.value))))
        elif isinstance(factor, tree.Num) and isinstance(factor.value, Fraction):
            numerator.append(compile_node(tree.Num(factor.value.numerator)))
            denominator.append(compile_node(tree.Num(factor.value.denominator)))
        else:
            numerator.append(compile_node(factor))
    if not denominator:
        return _product(*numerator)
    over, under = _product(*numerator), _product(*denominator)
    return lambda env: _divide(over(env), under(env))


def _divide(numerator: Value, denominator: Value) -> Value:
    """numerator / denominator, exactly unless either is a float; ZeroDivisionError for / 0."""
    if isinstance(numerator, int) and isinstance(denominator, int):
        quotient, remainder = divmod(numerator, denominator)
        return quotient if remainder == 0 else Fraction(numerator, denominator)
    if isinstance(numerator, float) or isinstance(denominator, float):
        return numerator / denominator
    return Fraction(numerator) / denominator


def _product(*factors: Evaluator) -> Evaluator:
    def evaluate(env: Env) -> Value:
        result: Value = 1
        for factor in factors:
            result *= factor(env)
        return result

    return evaluate


def _pow(base: Evaluator, exponent: Evaluator) -> Evaluator:
    return lambda env: _power(base(env), exponent(env))


def _absolute(value: Value) -> Value:
    return -value if value < 0 else value


def _unary(fn: Callable[[Value], Value]) -> Callable[[Evaluator], Evaluator]:
    return lambda arg: lambda env: fn(arg(env))


def _n_ary(fn: Callable[[Sequence[Value]], Value]) -> Callable[..., Evaluator]:
    return lambda *args: lambda env: fn([arg(env) for arg in args])


_BUILDERS: dict[str, Callable[..., Evaluator]] = {
    tree.FLOOR: _unary(math.floor),
    tree.CEILING: _unary(math.ceil),
    tree.ABS: _unary(_absolute),
    tree.MAX: _n_ary(max),
    tree.MIN: _n_ary(min),
}


def _power(base: Value, exponent: Value) -> Value:
    """base**exponent: exact for rational results, float for irrational roots."""
    if isinstance(exponent, Fraction) and exponent.denominator == 1:
        exponent = exponent.numerator
    if isinstance(exponent, int):
        if abs(exponent) > MAX_EXPONENT:
            raise Unsupported(f"exponent {exponent} is too large to evaluate")
        _check_bits(base, exponent)
        if exponent < 0 and not isinstance(base, float):
            return Fraction(base) ** exponent  # ZeroDivisionError for 0**-n
        return base**exponent
    if base < 0:
        raise Undefined("root of a negative number")
    if isinstance(exponent, Fraction) and not isinstance(base, float):
        if abs(exponent.numerator) > MAX_EXPONENT:
            raise Unsupported(f"exponent {exponent} is too large to evaluate")
        root = tree.exact_root(Fraction(base), exponent.denominator)
        if root is not None:
            return _power(root, exponent.numerator)
    try:
        return float(float(base) ** float(exponent))
    except OverflowError:
        raise Unsupported(f"{base}**{exponent} is too large to evaluate") from None


def _check_bits(base: Value, exponent: int) -> None:
    """Refuse base**exponent when its exact value would have more than MAX_VALUE_BITS bits."""
    if isinstance(base, float) or abs(exponent) < 2:
        return
    size = max(abs(base.numerator).bit_length(), base.denominator.bit_length())
    if size * abs(exponent) > MAX_VALUE_BITS:
        raise TooLarge(f"a power in the formula makes a number of about {int(size * abs(exponent) * 0.30103):,} "
                        f"digits at one of the points checked (at most {int(MAX_VALUE_BITS * 0.30103):,})")


def compile_condition(nonnegative: Node) -> Condition:
    """A test that the formula is ≥ 0 at a point."""
    value = compile_node(nonnegative)
    return lambda env: value(env) >= 0


def agree(a: Value, b: Value) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        # Compared as Fractions so huge exact values cannot overflow a float.
        a, b = Fraction(a), Fraction(b)
        return abs(a - b) <= max(REL_TOL * max(abs(a), abs(b)), ABS_TOL)
    return a == b


def as_text(value: Value | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return format(value, ".12g")
    return str(value)  # "28", "7/2"
