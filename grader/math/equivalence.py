"""Decide whether two formulas agree at every integer point of a constrained domain."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from grader.math import tree
from grader.math.algebra import NoNormalForm, same_rational_function
from grader.math.evaluate import (
    UNDEFINED,
    Env,
    Evaluator,
    TooLarge,
    Unsupported,
    Value,
    agree,
    as_text,
    compile_condition,
    compile_node,
)
from grader.math.symbolic import to_sympy
from grader.math.timelimit import TimeLimitExceeded, run_with_time_limit
from grader.math.tree import Node

Point = tuple[int, ...]

# Random draws allowed per wanted sample before giving up on restrictive constraints.
DRAWS_PER_SAMPLE = 50
# Failing points collected before sampling stops: enough to pick a simple one to shrink, while
# a wrong formula (most fail at the first few points) is not evaluated at all 200.
ENOUGH_FAILURES = 10


@dataclass(frozen=True)
class IntegerVariable:
    """An integer variable (by name) and the inclusive range it is sampled from."""

    name: str
    low: int
    high: int


@dataclass(frozen=True)
class Domain:
    """The variables of an item and the formulas that are ≥ 0 at a valid point (written by authors)."""

    variables: tuple[IntegerVariable, ...]
    nonnegative: tuple[Node, ...] = ()

    def __post_init__(self) -> None:
        names = [v.name for v in self.variables]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate variable names: {names}")
        for v in self.variables:
            if v.low > v.high:
                raise ValueError(f"{v.name}: low {v.low} > high {v.high}")
        for constraint in self.nonnegative:
            unknown = tree.free_names(constraint) - set(names)
            if unknown:
                raise ValueError(f"constraint {tree.show(constraint)} ≥ 0 uses unknown names {sorted(unknown)}")


@dataclass(frozen=True)
class Counterexample:
    """A point where the formulas differ, with both values as text (None where undefined)."""

    point: dict[str, int]
    given: str | None
    expected: str | None


@dataclass(frozen=True)
class Equivalence:
    """The outcome of check_equivalence; decision None means it could not decide."""

    decision: bool | None
    method: str
    counterexample: Counterexample | None = None
    points_checked: int = 0
    note: str = ""


def check_equivalence(
    given: Node,
    expected: Node,
    domain: Domain,
    *,
    samples: int = 200,
    seed: int = 0,
    symbolic_seconds: float = 1.0,
) -> Equivalence:
    """Decide whether `given` equals `expected` at every integer point of `domain`.

    Sampling runs first, with an exact Fraction evaluator (only irrational roots fall back to
    float, compared with relative tolerance 1e-9 and absolute 1e-12): a point where the values
    differ, or where only one formula is defined, gives False with the simplest failing point
    found, shrunk towards 0. Otherwise, for formulas without floor/ceiling/Max/Min/Abs, a proof
    that the difference is 0 as a rational function gives True, method "symbolic" (exact
    polynomial algebra, or sympy's cancel() within `symbolic_seconds` for roots; it ignores
    removable singularities, so a point where only one side is undefined is caught only if
    sampled); a timeout falls back to the sampled result. The time limit works in the
    main thread only (see run_with_time_limit). Agreement at every compared point gives True,
    method "sampling". Undecided (None) methods: "unknown-symbols", "unsupported" (a construct the
    evaluator lacks, named in `note`), "undefined" (both sides undefined at every admitted point),
    "no-points" (no sampled point satisfies the constraints), "too-large" (a value would have more
    than MAX_VALUE_BITS bits, named in `note`). Never raises for any expression;
    the same arguments always give the same result.
    """
    variables = tuple(sorted(domain.variables, key=lambda v: v.name))
    names = {v.name for v in variables}
    unknown = sorted((tree.free_names(given) | tree.free_names(expected)) - names)
    if unknown:
        return Equivalence(None, "unknown-symbols", note=f"not a variable of this item: {', '.join(unknown)}")
    if given == expected:
        return Equivalence(True, "symbolic", note="the formulas are identical")
    try:
        formulas = _Formulas(variables, given, expected, domain.nonnegative)
        sampled = _sample(formulas, samples, random.Random(seed))
    except TooLarge as exc:
        return Equivalence(None, "too-large", note=str(exc))
    except Unsupported as exc:
        return Equivalence(None, "unsupported", note=str(exc))
    if sampled.counterexample is not None:
        return Equivalence(False, "sampling", sampled.counterexample, sampled.compared, sampled.note)
    proved, proof_note = _prove(given, expected, symbolic_seconds)
    if proved:
        return Equivalence(True, "symbolic", points_checked=sampled.compared)
    if sampled.compared:
        note = _join(sampled.note, proof_note)
        return Equivalence(True, "sampling", points_checked=sampled.compared, note=note)
    if sampled.both_undefined:
        reason = f"both formulas are undefined at all {sampled.both_undefined} points checked"
        return Equivalence(None, "undefined", note=_join(reason, proof_note))
    reason = sampled.note or "no sampled point satisfies the constraints"
    return Equivalence(None, "no-points", note=_join(reason, proof_note))


def _join(*notes: str) -> str:
    return "; ".join(note for note in notes if note)


# ---------------------------------------------------------------- sampling


class _Formulas:
    """The compiled pair of formulas and constraints, evaluated at points in variable-name order."""

    def __init__(
        self,
        variables: tuple[IntegerVariable, ...],
        given: Node,
        expected: Node,
        constraints: tuple[Node, ...],
    ):
        self.variables = variables
        self.names = tuple(v.name for v in variables)
        self.given = compile_node(given)
        self.expected = compile_node(expected)
        self.constraints = tuple(compile_condition(c) for c in constraints)

    def env(self, point: Point) -> Env:
        """Variable name -> value at the point."""
        return dict(zip(self.names, point))

    def admits(self, env: Env) -> bool:
        """Whether the point satisfies every constraint (an undefined constraint does not hold)."""
        try:
            return all(holds(env) for holds in self.constraints)
        except UNDEFINED:
            return False

    def values(self, env: Env) -> tuple[Value | None, Value | None]:
        """Both formulas' values at the point, None where undefined."""
        return _value_or_none(self.given, env), _value_or_none(self.expected, env)

    def fails(self, point: Point) -> bool:
        """Whether the point is admitted and the formulas disagree there."""
        env = self.env(point)
        return self.admits(env) and _disagree(*self.values(env))


def _value_or_none(evaluate: Evaluator, env: Env) -> Value | None:
    try:
        return evaluate(env)
    except UNDEFINED:
        return None


def _disagree(given: Value | None, expected: Value | None) -> bool:
    if given is None or expected is None:
        return (given is None) != (expected is None)
    return not agree(given, expected)


@dataclass
class _Sampled:
    compared: int = 0
    both_undefined: int = 0
    failures: list[Point] = field(default_factory=list)
    counterexample: Counterexample | None = None
    note: str = ""


def _sample(formulas: _Formulas, samples: int, rng: random.Random) -> _Sampled:
    """Compare the formulas at up to `samples` distinct admitted points (corners first)."""
    result = _Sampled()
    seen: set[Point] = set()
    admitted = 0
    for point in _candidate_points(formulas.variables, samples, rng):
        if admitted >= samples:
            break
        if point in seen:
            continue
        seen.add(point)
        env = formulas.env(point)
        if not formulas.admits(env):
            continue
        admitted += 1
        given, expected = formulas.values(env)
        if given is None and expected is None:
            result.both_undefined += 1
            continue
        result.compared += 1
        if _disagree(given, expected):
            result.failures.append(point)
            if len(result.failures) >= ENOUGH_FAILURES:
                break
    stopped_early = len(result.failures) >= ENOUGH_FAILURES
    if admitted < samples and not stopped_early and _box_size(formulas.variables) > samples:
        result.note = f"only {admitted} of {len(seen)} distinct points drawn satisfy the constraints"
    if result.failures:
        result.counterexample = _counterexample(formulas, min(result.failures, key=_simplicity))
    return result


def _candidate_points(
    variables: tuple[IntegerVariable, ...], samples: int, rng: random.Random
) -> Iterator[Point]:
    """Corner points, then every point of a small box or else seeded uniform random draws."""
    lows = tuple(v.low for v in variables)
    yield lows
    for i, v in enumerate(variables):
        if v.low < v.high:
            yield lows[:i] + (v.low + 1,) + lows[i + 1 :]
    if _box_size(variables) <= samples:
        yield from itertools.product(*(range(v.low, v.high + 1) for v in variables))
        return
    for _ in range(DRAWS_PER_SAMPLE * samples):
        yield tuple(rng.randint(v.low, v.high) for v in variables)


def _box_size(variables: tuple[IntegerVariable, ...]) -> int:
    return math.prod(v.high - v.low + 1 for v in variables)


def _simplicity(point: Point) -> tuple[int, Point]:
    return sum(abs(x) for x in point), point


def _counterexample(formulas: _Formulas, point: Point) -> Counterexample:
    point = _shrink(formulas, point)
    given, expected = formulas.values(formulas.env(point))
    return Counterexample(dict(zip(formulas.names, point)), as_text(given), as_text(expected))


def _shrink(formulas: _Formulas, point: Point) -> Point:
    """Move coordinates towards 0 while the point stays a failure, so students get small numbers.

    Each accepted move lowers the sum of |values|, so this terminates.
    """
    targets = [min(max(0, v.low), v.high) for v in formulas.variables]
    improved = True
    while improved:
        improved = False
        for i, target in enumerate(targets):
            for value in _moves_towards(point[i], target):
                candidate = point[:i] + (value,) + point[i + 1 :]
                if formulas.fails(candidate):
                    point, improved = candidate, True
                    break
    return point


# Values next to the target tried one by one when shrinking: formulas with floor often fail only
# at every s-th value, so one step at a time would stop at a needlessly large counterexample.
NEAR_TARGET = 8


def _moves_towards(value: int, target: int) -> list[int]:
    """Values to try instead of `value`, boldest first: the target and the values just above it,
    halfway there, one step."""
    distance = value - target
    if distance == 0:
        return []
    step = 1 if distance > 0 else -1
    half = step * (abs(distance) // 2)
    near = [step * i for i in range(min(abs(distance), NEAR_TARGET))]
    return [target + d for d in dict.fromkeys((*near, half, distance - step)) if d != distance]


# ---------------------------------------------------------------- symbolic proof


def _prove(given: Node, expected: Node, seconds: float) -> tuple[bool, str]:
    """Whether given - expected is identically 0 as a rational function; a note if it timed out.

    Polynomials and quotients are settled by exact algebra; formulas with roots by sympy's
    cancel() (imported only then). floor, ceiling, max, min and abs are not rational functions,
    so they are never proved, only sampled.
    """
    if tree.has_calls(given) or tree.has_calls(expected):
        return False, ""
    try:
        return run_with_time_limit(lambda: _is_zero(given, expected), seconds), ""
    except TimeLimitExceeded:
        return False, f"the symbolic check timed out after {seconds:g} s"


def _is_zero(given: Node, expected: Node) -> bool:
    try:
        return same_rational_function(given, expected)
    except NoNormalForm:
        return _sympy_is_zero(given, expected)  # roots, symbolic exponents, a long expansion


def _sympy_is_zero(given: Node, expected: Node) -> bool:
    import sympy
    from sympy.polys.polyerrors import BasePolynomialError

    difference = to_sympy(given) - to_sympy(expected)
    try:
        # expand() settles polynomials cheaply; cancel(together()) is needed for fractions.
        return bool(sympy.expand(difference) == 0 or sympy.cancel(sympy.together(difference)) == 0)
    except BasePolynomialError:
        return False  # cancel() rejects some generators: no proof either way
