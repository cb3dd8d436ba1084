"""Grading a submission against the key (the engine, on the tiny homework): statuses, points, order, crashes
contained, what goes to the sandbox, what is remembered."""

from dataclasses import replace

import pytest

from grader.core.limits import DEFAULT_WORK_LIMITS, Bound
from grader.core.models import RawAnswer, Status, Student, Submission
from grader.grading.checking import Request, too_complex
from grader.grading.grade import grade
from grader.grading.runtime import CheckMemo, Runtime, check_inline
from grader.plugins.kinds import kinds
from grader.runtime.sandbox import Sandbox
from tests.runtimes import BOUNDED, bounded
from tests.tiny_homework import DEPTH, SIDE, TINY, TINY_KEY

CELLS = SIDE * SIDE * DEPTH  # the count item's key, worked out here from the block's sizes


def make_submission(**answers: str) -> Submission:
    """A submission of the tiny homework; keyword `t1__count="128"` stands for item t1.count."""
    return Submission(
        homework="tiny",
        student=Student(id="ada"),
        answers={k.replace("__", "."): RawAnswer(text=v, line=i + 3) for i, (k, v) in enumerate(answers.items())},
        source="ada.yaml",
    )


def by_id(result):
    return {item.id: item for item in result.items}


def test_every_item_once_in_homework_order():
    """The result lists every item of the homework exactly once, in the homework's order."""
    result = grade(make_submission(), TINY, TINY_KEY, BOUNDED)
    assert [item.id for item in result.items] == list(TINY.item_ids)
    assert {item.status for item in result.items} == {Status.MISSING}
    assert result.score == 0 and result.max_score == TINY.max_score == 5


def test_key_as_submission_scores_full_marks():
    """The key, graded as a submission, gets every point."""
    submission = make_submission(**{k.replace(".", "__"): v for k, v in TINY_KEY.answers.items()})
    result = grade(submission, TINY, TINY_KEY, BOUNDED)
    assert result.score == result.max_score
    assert all(p.score == p.max_score for p in result.problems)


def test_points_and_statuses():
    """Scores are verdict × points; statuses, given text, line and read-as are reported."""
    result = by_id(grade(make_submission(
        t1__size=f"{SIDE} x {SIDE} x {DEPTH + 1}",
        t1__count=f"({SIDE}*{SIDE}) * {DEPTH}",
        t1__cells="h w c",
        t2__pick="four",
    ), TINY, TINY_KEY, BOUNDED))
    assert (result["t1.size"].status, result["t1.size"].score) == (Status.PARTIAL, 0.5)
    assert (result["t1.count"].status, result["t1.count"].score) == (Status.CORRECT, 1)
    assert result["t1.count"].read_as == str(CELLS) and result["t1.count"].line == 4
    assert result["t1.cells"].status is Status.CORRECT and result["t1.cells"].given == "h w c"
    assert result["t2.pick"].status is Status.INCORRECT
    invalid = by_id(grade(make_submission(t1__size=f"{SIDE} x {SIDE} x eight"), TINY, TINY_KEY, BOUNDED))["t1.size"]
    assert invalid.status is Status.INVALID and invalid.feedback


def test_problem_and_total_scores_add_up():
    """Per-problem scores add up the items' points, and the total adds up the problems."""
    result = grade(make_submission(t1__count=str(CELLS), t1__size=f"{SIDE}x{SIDE}x{DEPTH}", t2__pick="7"),
                   TINY, TINY_KEY, BOUNDED)
    assert [(p.id, p.score) for p in result.problems] == [("t1", 2), ("t2", 1)]
    assert result.score == sum(p.score for p in result.problems) == 3


def test_a_crashing_checker_is_contained(monkeypatch):
    """A checker that crashes gives an `invalid` item flagged for review; grading goes on."""
    def explode(*_):
        raise RuntimeError("boom")

    monkeypatch.setitem(kinds(), "number", replace(kinds()["number"], compare=explode))
    result = by_id(grade(make_submission(t1__count=str(CELLS), t1__size=f"{SIDE}x{SIDE}x{DEPTH}"), TINY, TINY_KEY,
                         bounded()))  # forked now: it sees the patched checker
    crashed = result["t1.count"]
    assert crashed.status is Status.INVALID and crashed.needs_review and "internal error" in crashed.feedback
    assert "boom" not in crashed.feedback
    assert result["t1.size"].status is Status.CORRECT


@pytest.mark.parametrize("hide, shown", [(False, True), (True, False)], ids=["shown", "hidden"])
def test_hide_expected(hide, shown):
    """Expected answers are reported unless hidden."""
    result = grade(make_submission(t1__count="9"), TINY, TINY_KEY, BOUNDED, hide_expected=hide)
    assert all((item.expected is not None) == shown for item in result.items)


@pytest.mark.parametrize("mathml", [False, True], ids=["plain", "with-mathml"])
def test_mathml_only_when_asked(mathml):
    """MathML of formulas is printed only when a report asks for it (it costs time on every check)."""
    item = by_id(grade(make_submission(t1__cells="c h w"), TINY, TINY_KEY, BOUNDED, mathml=mathml))["t1.cells"]
    assert (item.read_as_mathml is not None, item.expected_mathml is not None) == (mathml, mathml)
    if mathml:
        assert item.read_as_mathml.startswith("<math") and "<mi>c</mi>" in item.read_as_mathml


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


@pytest.mark.parametrize(
    "item_id, text, needs_bounds",
    [("t1.cells", "h*w*c", True), ("t1.count", "(4*4) * 8", True), ("t1.count", "128", False),
     ("t1.count", "1" * 500, False), ("t1.size", "4 x 4 x 8", False), ("t2.pick", "seven", False),
     ("t2.why", "each unit of volume holds a cell", False)],
    ids=["formula", "arithmetic", "literal", "over-long-literal", "shape", "choice", "text"],
)
def test_only_math_goes_to_the_sandbox(item_id, text, needs_bounds):
    """Answers that evaluate math are checked in the sandbox; literals, shapes, choices and text in this process."""
    spy = _SpySandbox()
    grade(make_submission(**{item_id.replace(".", "__"): text}), TINY, TINY_KEY, Runtime(sandbox=spy, memo=None))
    assert (spy.seen == [text]) is needs_bounds


@pytest.mark.parametrize("item_id, text", [("t1.count", "128"), ("t1.size", "4 x 5 x 8"), ("t2.pick", "nine"),
                                           ("t1.count", "1" * 500), ("t1.cells", "h*w*c + 1")],
                         ids=["literal", "shape", "choice", "over-long-literal", "formula"])
def test_inline_and_sandboxed_checks_agree(item_id, text):
    """An answer checked in this process gets exactly the Checked (typed, not JSON) a checking process gives it."""
    request = Request(TINY.item(item_id), text, TINY_KEY.answers[item_id])
    assert check_inline(request) == Sandbox()([request])[0]


def test_a_repeated_answer_is_checked_once_per_runtime():
    """A second student with the same answers gets the same verdicts without any check running again."""
    spy = _SpySandbox()
    runtime = Runtime(sandbox=spy)
    answers = {"t1__cells": "c*h*w", "t1__count": "(4*4) * 8"}
    first = grade(make_submission(**answers), TINY, TINY_KEY, runtime, mathml=True)
    assert len(spy.seen) == len(answers)
    spy.seen.clear()
    assert grade(make_submission(**answers), TINY, TINY_KEY, runtime, mathml=True) == first
    assert spy.seen == []
    grade(make_submission(**answers), TINY, TINY_KEY, runtime, mathml=False)  # no MathML asked: another check
    assert len(spy.seen) == len(answers)


def test_free_text_is_remembered_only_where_answers_are_sent_again(monkeypatch):
    """Free text is not remembered across a batch (`memo`: every student writes their own), but a service's
    `resent` memory gives a text sent again its verdict without judging it again."""
    import grader.grading.runtime as runtime_module

    judged: list[str] = []

    def counting(request):
        judged.append(request.text)
        return check_inline(request)

    monkeypatch.setattr(runtime_module, "check_inline", counting)
    answers = {"t2__why": "each unit of volume holds a cell", "t2__pick": "seven"}
    batch = Runtime(sandbox=_SpySandbox(), memo=CheckMemo())
    first = [grade(make_submission(**answers), TINY, TINY_KEY, batch) for _ in range(2)]
    assert judged.count(answers["t2__why"]) == 2 and judged.count("seven") == 1
    judged.clear()
    service = Runtime(sandbox=_SpySandbox(), memo=CheckMemo(), resent=CheckMemo())
    again = [grade(make_submission(**answers), TINY, TINY_KEY, service) for _ in range(2)]
    assert judged.count(answers["t2__why"]) == 1 and again == first


def test_a_bound_hit_is_not_remembered():
    """An answer whose check hit a bound (which depends on the machine's load) is checked again next time."""
    text = "(4*4) * 8"
    memo = CheckMemo()
    result = by_id(grade(make_submission(t1__count=text), TINY, TINY_KEY,
                         Runtime(sandbox=_SpySandbox(Bound.TIME), memo=memo)))
    assert result["t1.count"].status is Status.INVALID and result["t1.count"].needs_review
    spy = _SpySandbox()
    result = by_id(grade(make_submission(t1__count=text), TINY, TINY_KEY, Runtime(sandbox=spy, memo=memo)))
    assert spy.seen == [text] and result["t1.count"].status is Status.CORRECT


def test_remembered_checks_are_bounded():
    """At most `size` answers are remembered; the least recently used go first, so an answer the class
    keeps giving stays while one-off values pass through."""
    memo = CheckMemo(size=5)
    runtime = Runtime(sandbox=_SpySandbox(), memo=memo)
    for value in range(12):
        grade(make_submission(t1__cells="h*w*c", t1__count=f"100 + {value}"), TINY, TINY_KEY, runtime)
    remembered = {request.text for request in memo._entries}
    assert remembered == {"h*w*c", *(f"100 + {value}" for value in range(8, 12))}


def test_remembered_checks_are_shared_safely_between_threads():
    """Threads grading at once (as a service does) get the verdicts of one thread, even while the
    remembered checks are evicted under them."""
    from concurrent.futures import ThreadPoolExecutor

    memo = CheckMemo(size=3)
    runtime = Runtime(sandbox=Sandbox(), memo=memo)
    submissions = [make_submission(t1__count=f"120 + {n % 9}", t1__size=f"{2 + n % 7} x 4 x 8", t2__pick="seven")
                   for n in range(24)]
    alone = [grade(submission, TINY, TINY_KEY, runtime) for submission in submissions]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda submission: grade(submission, TINY, TINY_KEY, runtime), submissions))
    assert together == alone and len(memo) <= 3
