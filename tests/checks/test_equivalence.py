"""Tests for grader.math.equivalence: integer-domain equivalence of formulas, written as sympy expressions."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.math import equivalence
from grader.math.equivalence import Domain, Equivalence, IntegerVariable
from grader.math.symbolic import to_sympy
from grader.math.timelimit import TimeLimitExceeded, run_with_time_limit
from tests.sympy_bridge import from_sympy


def check_equivalence(given: sympy.Expr, expected: sympy.Expr, domain: Domain, **kwargs) -> Equivalence:
    """The decision on two formulas written in sympy (converted to the trees the parser builds)."""
    return equivalence.check_equivalence(from_sympy(given), from_sympy(expected), domain, **kwargs)

H, k, s, p, d = sympy.symbols("H k s p d")
# Output size of a convolution, as documented for torch.nn.Conv2d
# (https://pytorch.org/docs/stable/generated/torch.nn.Conv2d.html):
#   H_out = floor((H_in + 2*padding - dilation*(kernel_size - 1) - 1)/stride + 1)
FITS = H + 2 * p - d * (k - 1) - 1  # >= 0 exactly when the dilated window fits the padded input
CONV = Domain(
    (
        IntegerVariable(H.name, 1, 256),
        IntegerVariable(k.name, 1, 11),
        IntegerVariable(s.name, 1, 5),
        IntegerVariable(p.name, 0, 5),
        IntegerVariable(d.name, 1, 4),
    ),
    (from_sympy(FITS),),
)
# evaluate=False keeps torch's "/s + 1" inside the floor; sympy would otherwise pull the 1 out.
TORCH_DOC = sympy.floor(FITS / s + 1, evaluate=False)
CONV_OUT = sympy.floor(FITS / s) + 1

k_h, k_w, C_in, C_out, C, R, j = sympy.symbols("k_h k_w C_in C_out C R j")
LAYERS = Domain(
    (
        IntegerVariable(k_h.name, 1, 7),
        IntegerVariable(k_w.name, 1, 7),
        IntegerVariable(C_in.name, 1, 512),
        IntegerVariable(C_out.name, 1, 512),
        IntegerVariable(C.name, 1, 512),
        IntegerVariable(R.name, 1, 64),
        IntegerVariable(k.name, 1, 11),
        IntegerVariable(d.name, 1, 4),
        IntegerVariable(j.name, 1, 16),
    )
)
PARAMS = (k_h * k_w * C_in + 1) * C_out


@dataclass(frozen=True)
class Case:
    """One row of the decision table."""

    given: sympy.Expr
    expected: sympy.Expr
    domain: Domain
    decision: bool | None
    method: str | None = None  # checked when set
    where: Callable[[dict[str, int]], bool] = lambda point: True  # what a counterexample must satisfy


CASES = {
    "torch-doc-form": Case(TORCH_DOC, CONV_OUT, CONV, True, "sampling"),
    "ceiling-form": Case(sympy.ceiling((H + 2 * p - d * (k - 1)) / s), CONV_OUT, CONV, True, "sampling"),
    "forgets-dilation": Case(
        sympy.floor((H + 2 * p - k) / s) + 1, CONV_OUT, CONV, False, "sampling", lambda pt: pt["d"] >= 2
    ),
    "no-floor": Case(FITS / s + 1, CONV_OUT, CONV, False, "sampling", lambda pt: pt["s"] >= 2),
    "rewritten": Case(sympy.floor((H - d * k + d + 2 * p - 1) / s) + 1, CONV_OUT, CONV, True, "sampling"),
    "ceiling-plus-one": Case(sympy.ceiling(FITS / s) + 1, CONV_OUT, CONV, False, "sampling"),
    "params-expanded": Case(k_h * k_w * C_in * C_out + C_out, PARAMS, LAYERS, True, "symbolic"),
    "params-no-bias": Case(k_h * k_w * C_in * C_out, PARAMS, LAYERS, False, "sampling"),
    "twice-not-four-times": Case(2 * C, 4 * C, LAYERS, False, "sampling"),
    "receptive-field-no-dilation": Case(
        R + (k - 1) * j,
        R + (k - 1) * d * j,
        LAYERS,
        False,
        "sampling",
        lambda pt: pt["d"] >= 2 and pt["j"] >= 1 and pt["k"] >= 2,
    ),
    "undeclared-function": Case(sympy.Function("f")(k), k, CONV, None, "unsupported"),
    "unknown-symbol": Case(H + sympy.Symbol("x"), H, CONV, None, "unknown-symbols"),
    # Constructs of the exact evaluator beyond the conv formulas.
    "max-as-abs": Case(sympy.Max(H, k), (H + k + sympy.Abs(H - k)) / 2, CONV, True, "sampling"),
    "min-vs-max": Case(sympy.Min(H, k), sympy.Max(H, k), CONV, False, "sampling"),
    "floor-as-ceiling": Case(sympy.floor(H / s), sympy.ceiling((H - s + 1) / s), CONV, True, "sampling"),
    "sqrt-perfect-square": Case(sympy.sqrt(H**2 * k**2), H * k, CONV, True, "sampling"),
    "sqrt-irrational": Case(sympy.sqrt(H) * sympy.sqrt(k), sympy.sqrt(H * k), CONV, True, "sampling"),
    "sqrt-differs": Case(sympy.sqrt(H + 1), sympy.sqrt(H), CONV, False, "sampling"),
    "undefined-on-one-side": Case(
        1 / (k - 1), sympy.Integer(0), CONV, False, "sampling", lambda pt: pt["k"] == 1
    ),
    "rational-function": Case((k**2 - 1) / (k + 1), k - 1, CONV, True, "symbolic"),
}


def _in_domain(point: dict[str, int], domain: Domain) -> bool:
    values = {sympy.Symbol(v.name): point[v.name] for v in domain.variables}
    within = all(v.low <= point[v.name] <= v.high for v in domain.variables)
    return within and all(to_sympy(c).subs(values) >= 0 for c in domain.nonnegative)


def _value_text(expr: sympy.Expr, point: dict[str, int]) -> str | None:
    value = expr.subs({sympy.Symbol(name): x for name, x in point.items()})
    return str(value) if value.is_finite else None


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_decision_table(case: Case) -> None:
    """Each pair gets the expected decision and method; counterexamples are real and in the domain."""
    result = check_equivalence(case.given, case.expected, case.domain)
    assert result.decision is case.decision, result
    if case.method is not None:
        assert result.method == case.method, result
    if case.decision is False:
        example = result.counterexample
        assert example is not None and _in_domain(example.point, case.domain)
        assert case.where(example.point), example
        if example.given is None or "." not in example.given:  # exact values are checked exactly
            assert example.given == _value_text(case.given, example.point)
            assert example.expected == _value_text(case.expected, example.point)
    else:
        assert result.counterexample is None
    if case.decision is None:
        assert result.note


def test_forgotten_dilation_counterexample_by_integer_arithmetic() -> None:
    """The reported values match plain // arithmetic at the reported point."""
    result = check_equivalence(sympy.floor((H + 2 * p - k) / s) + 1, CONV_OUT, CONV)
    pt = result.counterexample.point
    assert pt["d"] >= 2
    given_value = (pt["H"] + 2 * pt["p"] - pt["k"]) // pt["s"] + 1
    expected_value = (pt["H"] + 2 * pt["p"] - pt["d"] * (pt["k"] - 1) - 1) // pt["s"] + 1
    assert given_value != expected_value
    assert result.counterexample.given == str(given_value)
    assert result.counterexample.expected == str(expected_value)


def test_counterexample_is_shrunk_to_small_values() -> None:
    """Students see a small failing point, not a random one: no coordinate can step towards its
    lower bound and still fail (checked with plain // arithmetic)."""

    def fails(pt: dict[str, int]) -> bool:
        if not all(v.low <= pt[v.name] <= v.high for v in CONV.variables):
            return False
        fits = pt["H"] + 2 * pt["p"] - pt["d"] * (pt["k"] - 1) - 1 >= 0
        given = (pt["H"] + 2 * pt["p"] - pt["k"]) // pt["s"] + 1
        expected = (pt["H"] + 2 * pt["p"] - pt["d"] * (pt["k"] - 1) - 1) // pt["s"] + 1
        return fits and given != expected

    result = check_equivalence(sympy.floor((H + 2 * p - k) / s) + 1, CONV_OUT, CONV)
    point = result.counterexample.point
    assert fails(point) and sum(point.values()) <= 10, point
    for name in point:
        assert not fails({**point, name: point[name] - 1}), (name, point)


def test_sympy_alone_cannot_prove_the_ceiling_form() -> None:
    """simplify() leaves ceiling - floor - 1 unsimplified, which is why sampling decides that pair."""
    assert sympy.simplify(sympy.ceiling((H + 2 * p - d * (k - 1)) / s) - CONV_OUT) != 0


def test_symbolic_timeout_falls_through_to_sampling(monkeypatch: pytest.MonkeyPatch) -> None:
    """A symbolic step that times out is not an answer; sampling still decides."""

    def always_times_out(fn: Callable[[], object], seconds: float) -> object:
        raise TimeLimitExceeded("simulated")

    monkeypatch.setattr(equivalence, "run_with_time_limit", always_times_out)
    result = check_equivalence(k_h * k_w * C_in * C_out + C_out, PARAMS, LAYERS)
    assert (result.decision, result.method) == (True, "sampling")
    assert "timed out" in result.note and result.points_checked == 200


def test_slow_symbolic_step_is_cut_off_by_the_real_alarm(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proof that would take a second is abandoned after symbolic_seconds and sampling decides."""
    monkeypatch.setattr(equivalence, "same_rational_function", lambda given, expected: time.sleep(1.0) or True)
    started = time.monotonic()
    result = check_equivalence(k_h * k_w * C_in * C_out + C_out, PARAMS, LAYERS, symbolic_seconds=0.05)
    assert (result.decision, result.method) == (True, "sampling")
    assert time.monotonic() - started < 0.5


PAIRS = {name: CASES[name] for name in ("ceiling-form", "no-floor")}


@pytest.mark.parametrize("case", PAIRS.values(), ids=PAIRS.keys())
def test_deterministic_and_seed_independent_decision(case: Case) -> None:
    """Same call twice gives identical results; other seeds agree on the decision."""
    pair = (case.given, case.expected, case.domain)
    assert check_equivalence(*pair) == check_equivalence(*pair)
    decisions = {check_equivalence(*pair, seed=seed).decision for seed in range(5)}
    assert decisions == {case.decision}


def test_both_undefined_everywhere_is_undecided() -> None:
    """Points where neither formula has a value are skipped, leaving nothing to compare."""
    only_k_1 = Domain((IntegerVariable(k.name, 1, 1),))
    result = check_equivalence(sympy.floor(1 / (k - 1)), sympy.ceiling(1 / (k - 1)), only_k_1)
    assert (result.decision, result.method, result.points_checked) == (None, "undefined", 0)


def test_unsatisfiable_constraints_are_undecided() -> None:
    """No admitted point means no evidence; the note says so."""
    impossible = Domain(CONV.variables, (from_sympy(-H),))
    result = check_equivalence(H + 1, H, impossible, samples=20)
    assert (result.decision, result.method) == (None, "no-points")
    assert "satisfy the constraints" in result.note


def test_small_domain_is_enumerated() -> None:
    """A box with fewer points than `samples` is checked completely, once per point."""
    small = Domain((IntegerVariable(k.name, 1, 4), IntegerVariable(s.name, 1, 3)))
    result = check_equivalence(sympy.floor(k / s), sympy.ceiling((k - s + 1) / s), small)
    assert (result.decision, result.points_checked, result.note) == (True, 12, "")


def test_run_with_time_limit() -> None:
    """Returns the value in time, raises when the limit passes, and restores the alarm afterwards."""
    assert run_with_time_limit(lambda: 42, 1.0) == 42
    with pytest.raises(TimeLimitExceeded):
        run_with_time_limit(lambda: time.sleep(1.0), 0.05)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_run_with_time_limit_off_main_thread_runs_unlimited() -> None:
    """Outside the main thread no alarm can be set, so the call simply runs to completion."""
    results: list[str] = []

    def slow() -> str:
        time.sleep(0.05)
        return "done"

    worker = threading.Thread(target=lambda: results.append(run_with_time_limit(slow, 0.01)))
    worker.start()
    worker.join()
    assert results == ["done"]


_SMALL = Domain((IntegerVariable(k.name, 1, 11), IntegerVariable(s.name, 1, 5)))
_terms = st.tuples(st.integers(-5, 5), st.integers(0, 3), st.integers(0, 3)).map(
    lambda t: t[0] * k ** t[1] * s ** t[2]
)
_factors = st.lists(_terms, min_size=1, max_size=4).map(lambda terms: sympy.Add(*terms))
_polynomials = st.lists(_factors, min_size=1, max_size=3).map(lambda factors: sympy.Mul(*factors))


@settings(max_examples=40, deadline=None, database=None)
@given(_polynomials)
def test_polynomial_equals_its_expansion(polynomial: sympy.Expr) -> None:
    """A product of small polynomials equals its expansion, and never the expansion plus 1."""
    expanded = sympy.expand(polynomial)
    assert check_equivalence(polynomial, expanded, _SMALL).decision is True
    assert check_equivalence(polynomial, expanded + 1, _SMALL).decision is False


def test_shrinking_jumps_over_values_that_pass() -> None:
    """Without the floor, the pooling formula fails only where s does not divide H - k; shrinking
    still reaches a point where no coordinate can take any smaller value and fail (brute force)."""
    pool = Domain((IntegerVariable("H", 1, 300), IntegerVariable("k", 1, 11), IntegerVariable("s", 1, 6)),
                  (from_sympy(H - k),))

    def fails(pt: dict[str, int]) -> bool:
        if pt["H"] - pt["k"] < 0:
            return False
        return sympy.Rational(pt["H"] - pt["k"], pt["s"]) + 1 != (pt["H"] - pt["k"]) // pt["s"] + 1

    result = check_equivalence((H - k) / s + 1, sympy.floor((H - k) / s) + 1, pool)
    point = result.counterexample.point
    assert fails(point), point
    for variable in pool.variables:
        for smaller in range(variable.low, point[variable.name]):
            assert not fails({**point, variable.name: smaller}), (variable.name, smaller, point)
