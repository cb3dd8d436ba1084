"""Grading a submission against the key: statuses, points, order, and crashes contained."""

from dataclasses import replace

import pytest

from grader.core.key import load_key
from grader.core.limits import DEFAULT_WORK_LIMITS, Bound
from grader.core.models import RawAnswer, Status, Student, Submission
from grader.grading.checking import Request, too_complex
from grader.grading.grade import grade
from grader.grading.runtime import CheckMemo, Runtime, check_inline
from grader.plugins.kinds import kinds
from grader.runtime.sandbox import Sandbox
from problems.hw2_cnn import HOMEWORK
from tests.runtimes import BOUNDED, bounded

KEY = load_key(HOMEWORK)


def make_submission(**answers: str) -> Submission:
    """A submission of hw2-cnn; keyword `p4__layer1__rf="7"` stands for item p4.layer1.rf."""
    return Submission(
        homework="hw2-cnn",
        student=Student(id="ada"),
        answers={k.replace("__", "."): RawAnswer(text=v, line=i + 3) for i, (k, v) in enumerate(answers.items())},
        source="ada.yaml",
    )


def by_id(result):
    return {item.id: item for item in result.items}


def test_every_item_once_in_homework_order():
    """The result lists every item of the homework exactly once, in the homework's order."""
    result = grade(make_submission(), HOMEWORK, KEY, BOUNDED)
    assert [item.id for item in result.items] == list(HOMEWORK.item_ids)
    assert {item.status for item in result.items} == {Status.MISSING}
    assert result.score == 0 and result.max_score == HOMEWORK.max_score


def test_key_as_submission_scores_full_marks():
    """The key, graded as a submission, gets every point."""
    submission = make_submission(**{k.replace(".", "__"): v for k, v in KEY.answers.items()})
    result = grade(submission, HOMEWORK, KEY, BOUNDED)
    assert result.score == result.max_score
    assert all(p.score == p.max_score for p in result.problems)


def test_points_and_statuses():
    """Scores are verdict × points; statuses, given text, line and read-as are reported."""
    # layer2: floor((256 - 5)/2) + 1 = 126 rows/cols, 64 filters (layer table of HOMEWORK.md).
    size = (256 - 5) // 2 + 1
    result = by_id(grade(make_submission(
        p4__layer2__output=f"{size} x {size} x 32",
        p4__layer2__params="(5*5*32 + 1) * 64",
        p4__layer1__rf="9",
        p4__layer1__params="4,736 parameters",
        p4__layer3__output="63 x 63 x sixty-four",
    ), HOMEWORK, KEY, BOUNDED))
    assert (result["p4.layer2.output"].status, result["p4.layer2.output"].score) == (Status.PARTIAL, 0.25)
    assert (result["p4.layer2.params"].status, result["p4.layer2.params"].score) == (Status.CORRECT, 0.5)
    assert result["p4.layer2.params"].read_as == "51,264"
    assert result["p4.layer1.rf"].status is Status.INCORRECT
    assert result["p4.layer1.rf"].line == 5 and result["p4.layer1.rf"].given == "9"
    assert result["p4.layer3.output"].status is Status.INVALID
    assert "^" in result["p4.layer3.output"].feedback


def test_problem_and_total_scores_add_up():
    """Per-problem scores add up the items' points, and the total adds up the problems."""
    result = grade(make_submission(p4__layer1__rf="7", p4__bn1__params="64", p4__total_params="45937034"),
                   HOMEWORK, KEY, BOUNDED)
    assert next(p for p in result.problems if p.id == "p4").score == 0.5 + 0.5 + 0.75
    assert result.score == sum(p.score for p in result.problems)


def test_a_crashing_checker_is_contained(monkeypatch):
    """A checker that crashes gives an `invalid` item flagged for review; grading goes on."""
    def explode(*_):
        raise RuntimeError("boom")

    number = kinds()["number"]
    monkeypatch.setitem(kinds(), "number", replace(number, compare=explode))
    result = by_id(grade(make_submission(p4__layer1__rf="7", p4__layer1__output="256x256x32"), HOMEWORK, KEY,
                         bounded()))  # forked now: it sees the patched checker
    crashed = result["p4.layer1.rf"]
    assert crashed.status is Status.INVALID and crashed.needs_review and "internal error" in crashed.feedback
    assert "boom" not in crashed.feedback
    assert result["p4.layer1.output"].status is Status.CORRECT


@pytest.mark.parametrize("hide, shown", [(False, True), (True, False)], ids=["shown", "hidden"])
def test_hide_expected(hide, shown):
    """Expected answers are reported unless hidden."""
    result = grade(make_submission(p4__layer1__rf="9"), HOMEWORK, KEY, BOUNDED, hide_expected=hide)
    assert all((item.expected is not None) == shown for item in result.items)


@pytest.mark.parametrize("mathml", [False, True], ids=["plain", "with-mathml"])
def test_mathml_only_when_asked(mathml):
    """MathML of formulas is printed only when a report asks for it (it costs time on every check)."""
    result = by_id(grade(make_submission(p4__formula__bn_params="2C"), HOMEWORK, KEY, BOUNDED, mathml=mathml))
    item = result["p4.formula.bn_params"]
    assert (item.read_as_mathml is not None, item.expected_mathml is not None) == (mathml, mathml)
    if mathml:
        assert item.read_as_mathml.startswith("<math") and "<mi>C</mi>" in item.read_as_mathml


@pytest.mark.parametrize(
    "item_id, text, needs_bounds",
    [("p4.formula.conv_out", "floor((H - k)/s) + 1", True),
     ("p4.layer1.params", "(7*7*3 + 1) * 32", True),
     ("p4.layer1.params", "4,736 parameters", False),
     ("p4.layer1.params", "1" * 500, False),
     ("p4.layer1.output", "256 x 256 x 32", False),
     ("p2.a.invariance", "f(T(x)) = f(x)", True),
     ("p2.b", "max pooling", False),
     ("p1.a", "the same filter weights are reused at every position", False)],
    ids=["formula", "arithmetic", "literal", "over-long-literal", "shape", "equation", "choice", "text"],
)
def test_only_math_goes_to_the_sandbox(item_id, text, needs_bounds):
    """Answers that evaluate math are checked in the sandbox; literals, shapes, choices and text in this process."""
    spy = _SpySandbox()
    grade(make_submission(**{item_id.replace(".", "__"): text}), HOMEWORK, KEY, Runtime(sandbox=spy, memo=None))
    assert (spy.seen == [text]) is needs_bounds


@pytest.mark.parametrize("item_id, text", [("p4.layer1.params", "4,736"), ("p4.layer1.output", "256 x 250 x 32"),
                                           ("p2.b", "convolution"), ("p4.layer1.params", "1" * 500),
                                           ("p4.formula.conv_out", "floor((H - k)/s) + 1")],
                         ids=["literal", "shape", "choice", "over-long-literal", "formula"])
def test_inline_and_sandboxed_checks_agree(item_id, text):
    """An answer checked in this process gets exactly the Checked (typed, not JSON) a checking process gives it."""
    request = Request(HOMEWORK.item(item_id), text, KEY.answers[item_id])
    assert check_inline(request) == Sandbox()([request])[0]


class _SpySandbox:
    """A sandbox that records the answer texts it is asked to check, and checks them in this process."""

    def __init__(self, bound: Bound | None = None) -> None:
        self.seen: list[str] = []
        self.bound = bound

    def __call__(self, requests):
        self.seen.extend(request.text for request in requests)
        if self.bound is not None:
            return [too_complex(self.bound, DEFAULT_WORK_LIMITS) for _ in requests]
        return [check_inline(request) for request in requests]


def test_a_repeated_answer_is_checked_once_per_runtime():
    """A second student with the same answers gets the same verdicts without any check running again
    (free text excepted: every student writes their own)."""
    spy = _SpySandbox()
    runtime = Runtime(sandbox=spy)
    answers = {"p4__formula__conv_out": "floor((H + 2p - k)/s) + 1", "p4__layer1__params": "(7*7*3 + 1) * 32",
               "p2__a__invariance": "f(x) = f(T(x))"}
    first = grade(make_submission(**answers), HOMEWORK, KEY, runtime, mathml=True)
    assert len(spy.seen) == len(answers)
    spy.seen.clear()
    assert grade(make_submission(**answers), HOMEWORK, KEY, runtime, mathml=True) == first
    assert spy.seen == []
    grade(make_submission(**answers), HOMEWORK, KEY, runtime, mathml=False)  # no MathML asked: another check
    assert len(spy.seen) == len(answers)


def test_a_bound_hit_is_not_remembered():
    """An answer whose check hit a bound (which depends on the machine's load) is checked again next time."""
    text = "(7*7*3 + 1) * 32"
    memo = CheckMemo()
    result = by_id(grade(make_submission(p4__layer1__params=text), HOMEWORK, KEY,
                         Runtime(sandbox=_SpySandbox(Bound.TIME), memo=memo)))
    assert result["p4.layer1.params"].status is Status.INVALID and result["p4.layer1.params"].needs_review
    spy = _SpySandbox()
    result = by_id(grade(make_submission(p4__layer1__params=text), HOMEWORK, KEY, Runtime(sandbox=spy, memo=memo)))
    assert spy.seen == [text] and result["p4.layer1.params"].status is Status.CORRECT


def test_remembered_checks_are_bounded():
    """At most `size` answers are remembered; the least recently used go first, so an answer the class
    keeps giving stays while one-off values pass through."""
    memo = CheckMemo(size=5)
    runtime = Runtime(sandbox=_SpySandbox(), memo=memo)
    for value in range(12):
        grade(make_submission(p4__layer1__params="(7*7*3 + 1) * 32", p4__layer2__params=f"4000 + {value}"), HOMEWORK,
              KEY, runtime)
    remembered = {request.text for request in memo._entries}
    assert remembered == {"(7*7*3 + 1) * 32", *(f"4000 + {value}" for value in range(8, 12))}


def test_remembered_checks_are_shared_safely_between_threads():
    """Threads grading at once (as a service does) get the verdicts of one thread, even while the
    remembered checks are evicted under them."""
    from concurrent.futures import ThreadPoolExecutor

    memo = CheckMemo(size=3)
    runtime = Runtime(sandbox=Sandbox(), memo=memo)
    submissions = [make_submission(p4__layer1__params=f"4730 + {n % 9}", p4__layer1__output=f"{250 + n % 7} x 256 x 32",
                                   p2__b="max pooling") for n in range(24)]
    alone = [grade(submission, HOMEWORK, KEY, runtime) for submission in submissions]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda submission: grade(submission, HOMEWORK, KEY, runtime), submissions))
    assert together == alone and len(memo) <= 3
