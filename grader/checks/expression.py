"""The `expression` kind: a formula in the item's variables, compared by symbolic proof or sampling."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from grader.core.homework import Item
from grader.core.kinds import Kind, spelling_clash
from grader.core.models import Status
from grader.core.verdict import Verdict
from grader.math import tree
from grader.math.equivalence import Domain, Equivalence, IntegerVariable, check_equivalence
from grader.math.mathtext import canonical_name, parse_formula
from grader.math.symbolic import to_sympy
from grader.math.tree import Node


@dataclass(frozen=True)
class Variable:
    """A variable a formula item accepts, with the other names students use for it.

    `low`/`high` bound the integers it is sampled from when formulas are compared.
    """

    name: str
    aliases: tuple[str, ...] = ()
    low: int = 1
    high: int = 64
    meaning: str = ""


@dataclass(frozen=True)
class ExpressionOptions:
    """Options of an `expression` item: its variables and the integer domain they live in.

    Each `nonnegative` entry is a formula over the variables that must be ≥ 0 on the
    domain (e.g. "the window fits": `H + 2p - d(k-1) - 1`); it is read by the same safe
    parser as answers.
    """

    variables: tuple[Variable, ...]
    nonnegative: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Vocabulary:
    """The names an item accepts (aliases included) and the integer domain of its variables."""

    names: dict[str, str]  # every accepted spelling → the variable's name
    domain: Domain


@cache
def _vocabulary(options: ExpressionOptions) -> _Vocabulary:
    names = {canonical_name(spelling): v.name for v in options.variables for spelling in (v.name, *v.aliases)}
    for v in options.variables:
        for spelling in index_spellings(v.name):
            names.setdefault(spelling, v.name)  # declared spellings win
    variables = tuple(IntegerVariable(v.name, v.low, v.high) for v in options.variables)
    nonnegative = tuple(parse_formula(text, variables=names) for text in options.nonnegative)
    return _Vocabulary(names, Domain(variables, nonnegative))


# Layer indices students write: k_i, k_l, k_n for the current layer, R_{i-1} for the previous one.
_INDICES = ("i", "l", "n")


def index_spellings(name: str) -> list[str]:
    """Index-style names of a variable: `k` → k_i, k_l, k_n; `R_prev` → R_i-1, R_l-1, R_n-1 (canonical)."""
    if name.endswith("_prev"):
        base = name.removesuffix("_prev")
        return [f"{base}_{i}-1" for i in _INDICES]
    if "_" not in name:
        return [f"{name}_{i}" for i in _INDICES]
    return []


def _options(item: Item) -> ExpressionOptions:
    assert isinstance(item.options, ExpressionOptions), f"{item.id}: expression items need ExpressionOptions"
    return item.options


def read(text: str, item: Item) -> Node:
    """Parse a formula with the item's variables and aliases; raises FormatError."""
    return parse_formula(text, variables=_vocabulary(_options(item)).names)


@lru_cache(maxsize=16384)
def show(value: Node) -> str:
    """How the grader read the formula."""
    return tree.show(value)


# Math markup for `<math>`: only presentation elements, so the HTML renderer can vet it by tag.
_MATHML_NS = "http://www.w3.org/1998/Math/MathML"


_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")


def _numeric_entity(match: re.Match) -> str:
    from html.entities import html5

    text = html5.get(match.group(1) + ";")
    return "".join(f"&#{ord(char)};" for char in text) if text else match.group(0)


@lru_cache(maxsize=4096)
def mathml(value: Node) -> str:
    """The formula as presentation MathML (one `<math>` element, printed by sympy), for HTML reports.

    Cached: a class writes the same few formulas again and again.
    """
    from sympy.printing.mathml import mathml as print_mathml

    body = print_mathml(to_sympy(value), printer="presentation")
    # Named entities (&InvisibleTimes;) are HTML-only; numeric ones keep the markup well-formed XML.
    body = _NAMED_ENTITY.sub(_numeric_entity, body)
    return f'<math xmlns="{_MATHML_NS}">{body}</math>'


def compare(given: Node, expected: Node, item: Item) -> Verdict:
    """Full credit when equivalent on the item's domain; a counterexample when not."""
    return _decide(given, expected, _options(item))


@lru_cache(maxsize=16384)
def _decide(given: Node, expected: Node, options: ExpressionOptions) -> Verdict:
    """Memoised on the parsed formula: a class's identical answers are decided once.

    `2p` and `2*p` parse to the same tree, so they share one entry. Trees are immutable and
    hashable, and a Verdict is frozen, so sharing is safe.
    """
    result = check_equivalence(given, expected, _vocabulary(options).domain)
    if result.decision is True:
        return Verdict(1.0, _how_decided(result))
    if result.decision is False:
        return Verdict(0.0, _explain_counterexample(result))
    if result.method == "too-large":
        return Verdict(
            0.0,
            f"Too complex to check: {result.note}. Simplify the formula (fewer nested powers); "
            "your instructor will review it.",
            Status.INVALID,
            needs_review=True,
        )
    return Verdict(
        0.0,
        "The grader could not decide whether this formula is equivalent to the expected one"
        + (f" ({result.note})" if result.note else "")
        + "; it is flagged for your instructor to review.",
        needs_review=True,
    )


def _how_decided(result: Equivalence) -> str:
    if result.method == "symbolic":
        return ""
    return f"Equivalent to the expected formula on all {result.points_checked} integer cases checked."


def _explain_counterexample(result: Equivalence) -> str:
    example = result.counterexample
    if example is None:
        return "Not equivalent to the expected formula."
    at = ", ".join(f"{name} = {value}" for name, value in example.point.items())
    given = "is undefined" if example.given is None else f"gives {example.given}"
    expected = "is undefined there" if example.expected is None else f"it should give {example.expected}"
    return f"Not equivalent: for {at} your formula {given}, but {expected}."


def validate(item: Item) -> str | None:
    """A variable's name or alias may not be another variable's."""
    options = item.options
    return spelling_clash(((v.name, (v.name, *v.aliases)) for v in options.variables), "name")


KIND = Kind(
    name="expression",
    read=read,
    compare=compare,
    show=show,
    how_to_answer=lambda item: "a formula",
    json_schema=lambda item: {"type": ["string", "number"]},
    options=ExpressionOptions,
    validate=validate,
    mathml=mathml,
    allows_chains=True,  # `H_out = (H - k)/s + 1`: the last member is graded
)
