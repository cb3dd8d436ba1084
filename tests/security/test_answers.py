"""Security corpus, answers: code injection through every answer kind, and resource bombs.

Each case asserts a clear verdict (never `correct`, never a crash) within a bounded time, no
marker file created and, for checks run in this process, no code compiled, executed or
imported, no process started and no network touched (audit hooks).
"""

from __future__ import annotations

import pytest

from grader.core.models import Status
from tests.runtimes import INLINE
from tests.security.conftest import ITEM_OF_KIND, grade_answer, watch_side_effects, within

# Payloads that would run code if any part of the grader evaluated student text as Python or
# handed it to sympify/parse_expr/lambdify. MARKER is replaced by a path the test watches.
INJECTIONS = [
    ("dunder-import", "__import__('os').system('touch MARKER')"),
    ("import-statement", "import os; os.system('touch MARKER')"),
    ("os-system", "os.system('touch MARKER')"),
    ("subclasses-walk", "().__class__.__bases__[0].__subclasses__()"),
    ("attribute-access", "H.__class__.__init__.__globals__"),
    ("lambda", "(lambda: __import__('os').system('touch MARKER'))()"),
    ("comprehension", "[__import__('os').system('touch MARKER') for _ in (1,)]"),
    ("f-string", "f\"{__import__('os').system('touch MARKER')}\""),
    ("eval-call", "eval(\"__import__('os').system('touch MARKER')\")"),
    ("exec-call", "exec('import os')"),
    ("getattr-call", "getattr(H, '__class__')"),
    ("sympify-call", "sympify('__import__(\"os\").system(\"touch MARKER\")')"),
    ("sympy-symbol-ctor", "Symbol('x') + Function('f')(H)"),
    ("lambdify-name", "lambdify(H, H)"),
    ("builtins", "__builtins__"),
    ("latex-text-smuggle", r"\text{__import__('os').system('touch MARKER')}"),
    ("latex-operatorname", r"\operatorname{eval}(1)"),
    ("subscript-smuggle", "C_{__import__}"),
    ("walrus", "(x := 1)"),
    ("semicolon-chain", "1; __import__('os')"),
]


@pytest.mark.parametrize("kind", sorted(ITEM_OF_KIND))
@pytest.mark.parametrize("payload", [p for _, p in INJECTIONS], ids=[i for i, _ in INJECTIONS])
def test_code_injection_runs_nothing(payload, kind, marker):
    """An injection payload is an invalid (or wrong) answer, never runs code, in and out of the worker."""
    text = payload.replace("MARKER", str(marker))
    with within(2.0), watch_side_effects() as events:
        inline = grade_answer(kind, text, runtime=INLINE)
    assert events == []
    assert inline.status in (Status.INVALID, Status.INCORRECT) and inline.score == 0
    assert inline.given == text and inline.feedback
    with within(10.0):
        isolated = grade_answer(kind, text)
    assert isolated.model_dump() == inline.model_dump()


# Inputs built to take unbounded time or memory. Parser limits stop most at once; the rest are
# stopped by the exact evaluator's size limit or by the bounded worker.
BOMBS = [
    # id, kind, text, a fragment the feedback must contain
    ("power-tower-9", "number", "9**9**9**9", "number too large"),
    ("power-tower-10", "number", "10^10^10", "number too large"),
    ("power-tower-expr", "expression", "9**9**9**9", "number too large"),
    ("power-tower-2s", "number", "2^2^2^2^2^2", "number too large"),
    ("big-base-big-exp", "number", "999999999^999999999", "number too large"),
    ("factorial-call", "number", "factorial(10**8)", "not allowed"),
    ("factorial-bang", "number", "100000000!", "factorials are not supported"),
    ("gamma-call", "expression", "gamma(10^8)", "unknown name"),
    ("huge-literal", "number", "9" * 900, "number too long"),
    ("huge-literal-shape", "shape", "9" * 900 + "x2x2", "too large for a dimension"),
    ("huge-e-exponent", "number", "1e999999", "number too large"),
    ("huge-e-exponent-math", "expression", "H*1e999999", "number too large"),
    ("many-big-factors", "number", "*".join(["10^399"] * 60), "number too large"),
    ("deep-brackets", "expression", "(" * 300 + "H" + ")" * 300, "too deeply nested"),
    ("deep-floors", "expression", "⌊" * 200 + "H" + "⌋" * 200, "too deeply nested"),
    ("deep-latex-frac", "expression", r"\frac{" * 60 + "H" + "}{2}" * 60, "too deeply nested"),
    ("nested-exponent", "expression", "((H+p+k+s+d)^16)^16", "exponent too large"),
    ("floor-power-chain-4", "expression", "floor(floor(floor(H^16)^16)^16)^16", "Too complex to check"),
    ("floor-power-chain-5", "expression", "floor(floor(floor(floor(H^16)^16)^16)^16)^16", "Too complex to check"),
    ("max-power-chain", "expression", "max(max(max(H^16,p)^16,p)^16,p)^16", "Too complex to check"),
    ("too-long", "expression", "H+" * 600 + "H", "too long"),
    ("too-long-spaces", "number", " " * 200_000 + "x", "too long"),
    ("too-long-shape", "shape", "1x" * 5000 + "1", "too long"),
    ("many-dims", "shape", "x".join(["2"] * 50), "too many dimensions"),
    ("max-many-arguments", "expression", "max(" + ",".join(f"{v}*{i}" for i in range(1, 40) for v in "Hpk") + ")",
     "too many values in max/min"),
    ("nested-max-merge", "expression", "max(" + ",".join(f"max(H*{i},p*{i},k*{i},s*{i},d*{i})"
                                                        for i in range(1, 6)) + ")", "too many values in max/min"),
    ("equation-power-tower", "equation", "9**9**9**9 = f(x)", "number too large"),
    ("equation-many-signs", "equation", "f(x) = " * 120 + "f(x)", "exactly one '='"),
    ("text-too-long", "text", "the same weights are shared at every position " * 120, "too long"),
    ("choice-too-long", "choice", "suitable " * 200, "too long"),
    ("root-of-huge", "number", "sqrt(" + "9" * 40 + "^10)", "number too large"),
]


@pytest.mark.parametrize("kind, text, fragment", [b[1:] for b in BOMBS], ids=[b[0] for b in BOMBS])
def test_resource_bomb_is_refused_quickly(kind, text, fragment):
    """A resource bomb gets an `invalid` verdict that names the limit, within seconds."""
    with within(10.0):
        result = grade_answer(kind, text)
    assert result.status is Status.INVALID and result.score == 0
    assert fragment.lower() in result.feedback.lower()


def test_longest_allowed_free_text_is_graded_quickly():
    """Free text at the length limit, built to make the rubric matcher work hard, is graded within seconds."""
    with within(5.0):
        result = grade_answer("text", ("not " * 1250)[:5000])
    assert result.status in (Status.INCORRECT, Status.PARTIAL) and result.needs_review


def test_expansion_bomb_is_graded_not_expanded():
    """A high power of a long sum is compared by sampling, not expanded: graded fast and correctly wrong."""
    with within(5.0):
        result = grade_answer("expression", "(H+p+k+s+d)^16*(H+2p+k)^16 - (H+p+k+s+d+1)^16")
    assert result.status is Status.INCORRECT and "Not equivalent" in result.feedback


def test_a_bomb_does_not_cost_other_answers(tmp_path):
    """After an answer hits a bound, the next answers of the same submission are graded normally."""
    grade_answer("expression", "floor(floor(floor(floor(H^16)^16)^16)^16)^16")
    key_item = ITEM_OF_KIND["expression"]
    from tests.security.conftest import KEY

    assert grade_answer("expression", KEY.answers[key_item.id]).status is Status.CORRECT
    assert grade_answer("shape", KEY.answers[ITEM_OF_KIND["shape"].id]).status is Status.CORRECT
