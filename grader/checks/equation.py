"""The `equation` kind: `lhs = rhs` with declared function symbols, compared as an equation.

Two equations agree when their sides are the same pair in either order, or, more generally,
when `lhs - rhs` is a non-zero constant multiple of the expected `lhs - rhs` (so
`f(T(x)) - f(x) = 0` is the same statement as `f(x) = f(T(x))`). Composition is read too:
`f∘T = f` is `f(T(x)) = f(x)`, and a bare function name beside a composition means it
applied to the item's first variable. Nothing is evaluated as code: each side goes through
the safe parser with the item's names only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from grader.checks.expression import Variable
from grader.core import examples
from grader.core.homework import Item
from grader.core.kinds import Kind, spelling_clash
from grader.core.verdict import Verdict
from grader.math import tree
from grader.math.algebra import NoNormalForm, constant_ratio, is_zero, same_rational_function
from grader.math.chains import split_members
from grader.math.errors import FormatError
from grader.math.mathtext import canonical_name, parse_formula
from grader.math.symbolic import to_sympy
from grader.math.timelimit import TimeLimitExceeded, run_with_time_limit
from grader.math.tree import Node


@dataclass(frozen=True)
class FunctionName:
    """A function symbol an equation may apply (`f`, `T`), with the other names students use."""

    name: str
    aliases: tuple[str, ...] = ()
    meaning: str = ""


@dataclass(frozen=True)
class EquationOptions:
    """Options of an `equation` item: its function symbols and variables (`f`, `T`; `x`)."""

    functions: tuple[FunctionName, ...]
    variables: tuple[Variable, ...]


SIMPLIFY_SECONDS = 1.0

Equation = tuple[Node, Node]

# "… for all x", "∀x ∈ X", "\forall x": a quantifier after the equation states nothing to grade.
_QUANTIFIER = re.compile(
    r"(?:,|\\quad|\\,|\s)*(?:\\text\{\s*)?(?:\\forall|∀|for\s+(?:all|every|any|each))\b.*$",
    re.IGNORECASE | re.DOTALL,
)
_COMPOSE = re.compile(r"\\circ\b|∘")
_WRITE_AN_EQUATION = f"write it like {examples.EQUATION}"


@dataclass(frozen=True)
class _Vocabulary:
    variables: dict[str, str]  # every accepted spelling → the variable's name
    functions: dict[str, str]  # every accepted spelling → the function's name
    spellings: tuple[str, ...]  # every function spelling, longest first, for the rewrites
    argument: str  # the first variable's name: what a composition is applied to


@cache
def _vocabulary(options: EquationOptions) -> _Vocabulary:
    variables = {canonical_name(s): v.name for v in options.variables for s in (v.name, *v.aliases)}
    functions = {canonical_name(s): f.name for f in options.functions for s in (f.name, *f.aliases)}
    spellings = tuple(sorted(functions, key=len, reverse=True))
    return _Vocabulary(variables, functions, spellings, options.variables[0].name)


def _options(item: Item) -> EquationOptions:
    assert isinstance(item.options, EquationOptions), f"{item.id}: equation items need EquationOptions"
    return item.options


# Not an answer of any item: the example used to be hw2-cnn's key for p2.a.invariance, shown even with
# expected answers withheld.


def read(text: str, item: Item) -> Equation:
    """The two sides of `lhs = rhs`; FormatError if there is no `=`, more than one, or a side is unreadable."""
    vocabulary = _vocabulary(_options(item))
    cleaned = _QUANTIFIER.sub("", _COMPOSE.sub("∘", text.strip().strip("$").strip()))
    sides = split_members(cleaned, "=")
    if len(sides) != 2:
        problem = "no '='" if len(sides) == 1 else f"{len(sides) - 1} '=' signs"
        raise FormatError(f"an equation needs exactly one '=' between two sides; this has {problem}",
                          text=text, hint=_WRITE_AN_EQUATION)
    if not all(sides):
        raise FormatError("one side of the '=' is empty", text=text, hint=_WRITE_AN_EQUATION)
    composed = [_is_composition(side, vocabulary) for side in sides]
    rewritten = [_rewrite(side, vocabulary, bare_is_call=any(composed)) for side in sides]
    lhs, rhs = (parse_formula(side, variables=vocabulary.variables, function_symbols=vocabulary.functions)
                for side in rewritten)
    return lhs, rhs


def _function_pattern(vocabulary: _Vocabulary) -> str:
    return "|".join(re.escape(s) for s in vocabulary.spellings)


def _is_composition(side: str, vocabulary: _Vocabulary) -> bool:
    return "∘" in side and _composition(side, vocabulary) is not None


def _composition(side: str, vocabulary: _Vocabulary) -> tuple[list[str], str | None] | None:
    """`f ∘ T`, `(f∘T)(x)` or a bare `f` → the function names in order and the argument, if written."""
    names = _function_pattern(vocabulary)
    match = re.fullmatch(rf"\(?\s*((?:{names})(?:\s*∘\s*(?:{names}))*)\s*\)?\s*(?:\(\s*(\w+)\s*\))?", side.strip())
    if match is None:
        return None
    return [name.strip() for name in match.group(1).split("∘")], match.group(2)


def _rewrite(side: str, vocabulary: _Vocabulary, *, bare_is_call: bool) -> str:
    """Compositions and bare names as calls on the first variable; `T x` and `Tx` as `T(x)`."""
    composition = _composition(side, vocabulary)
    if composition is not None and ("∘" in side or bare_is_call):
        names, argument = composition
        text = argument or vocabulary.argument
        for name in reversed(names):
            text = f"{name}({text})"
        return text
    if not vocabulary.variables:
        return side
    variables = "|".join(re.escape(v) for v in sorted(vocabulary.variables, key=len, reverse=True))
    functions = _function_pattern(vocabulary)
    # Operator notation: a function name directly before a variable (T x, Tx) applies it …
    side = re.sub(rf"\b({functions})\s*({variables})\b(?!\s*\()", r"\1(\2)", side)
    # … and before another call (T f(x) is T(f(x))), innermost first.
    previous = None
    while previous != side:
        previous = side
        side = re.sub(rf"\b({functions})\s+((?:{functions})\s*\([^()]*\))", r"\1(\2)", side)
    return side


def show(value: Equation) -> str:
    """How the grader read the equation."""
    lhs, rhs = value
    return f"{tree.show(lhs)} = {tree.show(rhs)}"


def compare(given: Equation, expected: Equation, item: Item) -> Verdict:
    """Full credit for the same equation (sides in either order, or a constant multiple of it)."""
    (lhs, rhs), (want_lhs, want_rhs) = given, expected
    if (lhs, rhs) in ((want_lhs, want_rhs), (want_rhs, want_lhs)):
        return Verdict(1.0)
    try:
        if _same(lhs, rhs):
            return Verdict(0.0, "Both sides are the same, so this equation holds for every f and T and defines "
                                "nothing.")
        if _same(lhs, want_lhs) and _same(rhs, want_rhs) or _same(lhs, want_rhs) and _same(rhs, want_lhs):
            return Verdict(1.0)
        same = run_with_time_limit(lambda: _proportional(tree.add(lhs, tree.neg(rhs)),
                                                         tree.add(want_lhs, tree.neg(want_rhs))), SIMPLIFY_SECONDS)
    except TimeLimitExceeded:
        return Verdict(0.0, "The grader could not decide whether this equation is equivalent to the expected one; "
                            "it is flagged for your instructor to review.", needs_review=True)
    if same:
        return Verdict(1.0, "Equivalent to the expected equation.")
    return Verdict(0.0, "This equation does not state the expected property.")


def _same(a: Node, b: Node) -> bool:
    """Whether two sides are the same formula: identical, or the same rational function."""
    if a == b:
        return True
    try:
        return same_rational_function(a, b)
    except NoNormalForm:
        return False


def _proportional(difference: Node, expected: Node) -> bool:
    """Whether difference = c · expected for a non-zero constant c.

    Exact algebra settles rational functions (of the variables and function applications);
    anything else goes to sympy's simplify, imported only then.
    """
    try:
        if is_zero(expected):
            return is_zero(difference)
        ratio = constant_ratio(difference, expected)
        return ratio is not None and ratio != 0
    except NoNormalForm:
        pass
    import sympy

    ratio = sympy.simplify(to_sympy(difference) / to_sympy(expected))
    return bool(ratio.is_number and ratio != 0 and ratio.is_finite)


def validate(item: Item) -> str | None:
    """A function's or variable's name or alias may not be another one's."""
    options = item.options
    named = [*options.variables, *options.functions]
    return spelling_clash(((n.name, (n.name, *n.aliases)) for n in named), "name")


KIND = Kind(
    name="equation",
    read=read,
    compare=compare,
    show=show,
    how_to_answer=lambda item: "an equation lhs = rhs",
    json_schema=lambda item: {"type": "string"},
    options=EquationOptions,
    validate=validate,
)
