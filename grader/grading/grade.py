"""Submission × Homework × Key → Result: read each answer, check it, score it."""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from types import ModuleType
from typing import Any

from grader import __version__
from grader.runtime.bounded import DEFAULT_WORK_LIMITS, TooComplex, WorkerError, WorkLimits, map_bounded
from grader.grading.carry import follow_up
from grader.checks import choice, equation, expression, number, shape, text
from grader.core.homework import Homework, Item, Mistake
from grader.core.key import Key, key_mistakes
from grader.core.models import ItemResult, ProblemResult, RawAnswer, Result, Status, Submission
from grader.math.chains import split_members
from grader.math.errors import FormatError
from grader.core.verdict import Verdict, invalid

log = logging.getLogger(__name__)

# One checker module per kind: read(text, item), compare(given, expected, item), show(value),
# and optionally mathml(value) → presentation MathML of a formula, for HTML reports.
# A module with ALLOWS_CHAINS = True also reads `a = b = c` chains (graded on the last member);
# one with REMEMBER_CHECKS = False has its checked answers never remembered (see _remember).
CHECKERS: dict[str, ModuleType] = {
    "number": number,
    "shape": shape,
    "expression": expression,
    "equation": equation,
    "choice": choice,
    "text": text,
}

# Answers longer than this are refused before any parser sees them (free text may be longer).
MAX_ANSWER_LENGTH = 1000
# Free text: about 800 words; the rubric matcher takes ~0.4 s on 5,000 characters of repeated phrases.
MAX_ANSWER_LENGTH_BY_KIND: dict[str, int] = {"text": 5_000}

_INTERNAL_ERROR = (
    "The grader could not check this answer because of an internal error; "
    "your instructor has been told and will grade it by hand."
)


def checker_for(item: Item) -> ModuleType:
    """The checker module of an item's kind."""
    try:
        return CHECKERS[item.kind]
    except KeyError:
        raise NotImplementedError(f"no checker for kind {item.kind!r} (item {item.id})") from None


@lru_cache(maxsize=4096)
def read_expected(item: Item, text: str) -> Any:
    """The key's answer read by the item's checker (cached: the same for every student)."""
    try:
        return checker_for(item).read(text, item)
    except FormatError as error:
        raise ValueError(f"the answer key of {item.id} cannot be read: {error.explain()}") from error


@lru_cache(maxsize=4096)
def show_expected(item: Item, text: str) -> str:
    """The key's answer as shown in results (cached: printing a formula with sympy is slow)."""
    return checker_for(item).show(read_expected(item, text))


@lru_cache(maxsize=4096)
def expected_mathml(item: Item, text: str) -> str | None:
    """The key's answer as MathML, for checkers that print formulas (cached like show_expected)."""
    return _mathml(checker_for(item), read_expected(item, text))


@lru_cache(maxsize=16384)
def _read_cached(item: Item, text: str) -> tuple[Any, str, str | None]:
    """An answer read (chains too), its chain note and how it is shown back (FormatError if unreadable).

    Cached (in the bounded worker, which lives on between submissions): reading is a pure
    function of the text, and a class writes the same texts again and again.
    """
    checker = checker_for(item)
    value, chain_note = read_answer(checker, text, item)
    shown = checker.show(value)
    read_as = None if shown == text.strip() else shown  # free text is "read as" itself
    return value, chain_note, read_as


@lru_cache(maxsize=16384)
def _given_mathml(item: Item, text: str) -> str | None:
    """MathML of an answer as read, for HTML reports (cached like _read_cached)."""
    return _mathml(checker_for(item), _read_cached(item, text)[0])


def grade(
    submission: Submission,
    homework: Homework,
    key: Key,
    *,
    hide_expected: bool = False,
    mathml: bool = False,
    limits: WorkLimits = DEFAULT_WORK_LIMITS,
) -> Result:
    """Grade every item of the homework, in its order, and add up the points.

    `mathml` adds MathML of formulas (as read and as expected) for HTML reports; printing it
    costs time, so only reports ask for it.

    All answers are checked in one round trip to the bounded worker, each within `limits` (see
    grader.runtime.bounded); the result depends only on the submission, homework and key, so the same
    input always gives the same JSON.
    """
    return finish(check_submission(submission, homework, key, hide_expected=hide_expected, mathml=mathml,
                                   limits=limits))


@dataclass(frozen=True)
class Checking:
    """A submission whose answers are checked on their own: what `finish` needs to grade it."""

    submission: Submission
    homework: Homework
    key: Key
    checked: dict[str, Checked]
    hide_expected: bool
    mathml: bool
    limits: WorkLimits


def check_submission(
    submission: Submission,
    homework: Homework,
    key: Key,
    *,
    hide_expected: bool = False,
    mathml: bool = False,
    limits: WorkLimits = DEFAULT_WORK_LIMITS,
) -> Checking:
    """The first half of `grade`: every answer checked against the key, without error carried forward."""
    for item in homework.items:
        # Read the whole key first, and print its MathML if asked (which imports sympy): the
        # bounded worker, forked at the first answer, then inherits both.
        read_expected(item, key.answers[item.id])
        if mathml:
            expected_mathml(item, key.answers[item.id])
    answered = [item for item in homework.items if item.id in submission.answers]
    mistakes = key_mistakes(homework, key)
    checked = dict(zip(
        (item.id for item in answered),
        check_answers([(item, submission.answers[item.id].text, key.answers[item.id]) for item in answered],
                      mathml=mathml, limits=limits, mistakes=mistakes),
    ))
    return Checking(submission, homework, key, checked, hide_expected, mathml, limits)


def finish(checking: Checking) -> Result:
    """The second half of `grade`: error carried forward and hints, then the items' points and the totals.

    It may be called again on the same `Checking` (a batch worker does when the carry-forward
    service was not ready: grader.grading.carry.CarryDeferred) and gives the same result.
    """
    submission, homework, key, mathml = checking.submission, checking.homework, checking.key, checking.mathml
    checked = follow_up(homework, key, submission, checking.checked, hide_expected=checking.hide_expected,
                        check=partial(check_answers, mathml=mathml, limits=checking.limits))
    items = [
        _item_result(item, submission.answers.get(item.id), checked.get(item.id), key.answers[item.id], homework,
                     checking.hide_expected, mathml)
        for item in homework.items
    ]
    by_problem: dict[str, float] = {}
    for result in items:
        by_problem[result.problem] = by_problem.get(result.problem, 0.0) + result.score
    problems = [
        ProblemResult(id=p.id, title=p.title, score=_points(by_problem.get(p.id, 0.0)), max_score=p.max_score)
        for p in homework.problems
    ]
    return Result(
        homework=homework.id,
        student=submission.student,
        source=submission.source,
        score=_points(sum(r.score for r in items)),
        max_score=homework.max_score,
        problems=problems,
        items=items,
        warnings=submission.warnings,
        grader_version=__version__,
    )


def grade_item(
    item: Item,
    answer: RawAnswer | None,
    key_text: str,
    homework: Homework,
    *,
    hide_expected: bool = False,
    mathml: bool = False,
    limits: WorkLimits = DEFAULT_WORK_LIMITS,
    mistakes: tuple[Mistake, ...] = (),
) -> ItemResult:
    """Grade one answer on its own; an unreadable answer is `invalid`, a checker crash or a bound hit never escapes.

    `mistakes` are the key's computed mistakes of the item (grader.core.key.key_mistakes); error carried
    forward needs the other answers, so only `grade` applies it.
    """
    checked = check_answer(item, answer.text, key_text, mathml=mathml, limits=limits,
                           mistakes=mistakes) if answer is not None else None
    return _item_result(item, answer, checked, key_text, homework, hide_expected, mathml)


def _item_result(
    item: Item,
    answer: RawAnswer | None,
    checked: Checked | None,
    key_text: str,
    homework: Homework,
    hide_expected: bool,
    mathml: bool,
) -> ItemResult:
    common = {
        "id": item.id,
        "problem": homework.problem_of(item.id).id,
        "kind": item.kind,
        "max_score": item.points,
        "expected": None if hide_expected else show_expected(item, key_text),
        "expected_mathml": expected_mathml(item, key_text) if mathml and not hide_expected else None,
    }
    if answer is None or checked is None:
        return ItemResult(**common, status=Status.MISSING, score=0.0, feedback="No answer given.")
    read_as, verdict, read_as_mathml = checked
    return ItemResult(
        **common,
        status=verdict.status,
        score=_points(verdict.score * item.points),
        given=answer.text,
        read_as=read_as,
        read_as_mathml=read_as_mathml,
        feedback=verdict.feedback,
        needs_review=verdict.needs_review,
        line=answer.line,
        misconception=verdict.misconception,
        follows_from=verdict.follows_from,
        confidence=verdict.confidence,
        confidence_note=verdict.confidence_note or None,
    )


# How an answer was read (None if it was not), its verdict, and MathML of the reading (formulas).
Checked = tuple[str | None, Verdict, str | None]


def check_answer(
    item: Item, text: str, key_text: str, *, mathml: bool = False, limits: WorkLimits = DEFAULT_WORK_LIMITS,
    mistakes: tuple[Mistake, ...] = (),
) -> Checked:
    """How the answer was read (None if it was not), its verdict and its MathML, computed within `limits`."""
    return check_answers([(item, text, key_text)], mathml=mathml, limits=limits, mistakes={item.id: mistakes})[0]


def check_answers(
    answers: Sequence[tuple[Item, str, str]], *, mathml: bool = False, limits: WorkLimits = DEFAULT_WORK_LIMITS,
    mistakes: Mapping[str, tuple[Mistake, ...]] | None = None,
) -> list[Checked]:
    """(read as, verdict, MathML) for each (item, answer text, key text), in order.

    `mistakes` adds anticipated mistakes per item id to the item's own (computed ones from the key).

    Over-long text is refused before any parsing. Answers whose checker says they need bounds
    (formulas, arithmetic: anything that evaluates math) are parsed and compared in the bounded
    worker (grader.runtime.bounded), where a bound hit is an `invalid` verdict flagged for review; the
    others (literals, shapes, choices, free text: regular expressions over length-limited text)
    run inline through the same function, which saves the round trip.
    """
    outcomes: list[Checked | None] = [None] * len(answers)
    extra = [(mistakes or {}).get(item.id, ()) for item, _, _ in answers]
    memo_keys: list[tuple | None] = [None] * len(answers)
    to_check = []
    for index, (item, text, key_text) in enumerate(answers):
        longest = MAX_ANSWER_LENGTH_BY_KIND.get(item.kind, MAX_ANSWER_LENGTH)
        if len(text) > longest:
            outcomes[index] = None, invalid(
                f"The answer is too long ({len(text):,} characters; {_article(item.kind)} {item.kind} answer may "
                f"have at most {longest:,}). Shorten it: give only the {item.kind}, without explanations."
            ), None
            continue
        if getattr(checker_for(item), "REMEMBER_CHECKS", True):
            memo_keys[index] = (item, text, key_text, mathml, extra[index], limits)
            outcomes[index] = _recall(memo_keys[index])
        if outcomes[index] is None:
            to_check.append(index)
    bounded = [index for index in to_check if _needs_bounds(*answers[index][:2])]
    results = map_bounded(_check_in_worker, [(*answers[index], mathml, extra[index]) for index in bounded],
                          limits=limits)
    for index, result in zip(bounded, results):
        outcomes[index] = _outcome(answers[index][0], result, limits)
        if isinstance(result, str):
            _remember(memo_keys[index], outcomes[index])
    for index in to_check:
        if outcomes[index] is None:
            result = _check_inline(*answers[index], mathml, extra[index])
            outcomes[index] = _outcome(answers[index][0], result, limits)
            if isinstance(result, str):
                _remember(memo_keys[index], outcomes[index])
    return outcomes  # type: ignore[return-value]


# Checked answers this process remembers: a class writes the same answers again and again, and
# a check is a pure function of (item, text, key text, MathML wanted, extra mistakes, limits), so
# a repeated answer skips reading, comparing and the round trip to the bounded worker. Bound hits
# are not remembered (they depend on the machine's load), nor are answers of a checker that sets
# REMEMBER_CHECKS = False (free text: every student writes their own). The least recently used
# go first: a class's common answers stay, its one-off wrong values (most of a large class's
# distinct answers) pass through. A few thousand hold the common answers of a whole homework.
MAX_REMEMBERED_CHECKS = 4096
_memo: OrderedDict[tuple, Checked] = OrderedDict()
_memo_lock = threading.Lock()  # grading may run in several threads (see grader.runtime.bounded)


def _recall(memo_key: tuple) -> Checked | None:
    with _memo_lock:
        checked = _memo.get(memo_key)
        if checked is not None:
            _memo.move_to_end(memo_key)
        return checked


def _remember(memo_key: tuple | None, checked: Checked) -> None:
    if memo_key is None:
        return
    with _memo_lock:
        _memo[memo_key] = checked
        if len(_memo) > MAX_REMEMBERED_CHECKS:
            _memo.popitem(last=False)


def forget_checked() -> None:
    """Drop the remembered checks (tests that patch a checker call this, as they restart the bounded workers)."""
    with _memo_lock:
        _memo.clear()


def _needs_bounds(item: Item, text: str) -> bool:
    """Whether checking this answer may evaluate math (then it runs in the bounded worker)."""
    needs = getattr(checker_for(item), "needs_bounds", None)
    return True if needs is None else needs(text)


def _check_inline(item: Item, text: str, key_text: str, mathml: bool, mistakes: tuple[Mistake, ...] = ()
                  ) -> str | TooComplex:
    """_check_in_worker in this process, with the worker's treatment of memory and nesting errors."""
    try:
        return _check_in_worker(item, text, key_text, mathml, mistakes)
    except MemoryError:
        return TooComplex("memory", "needed more memory than available")
    except RecursionError:
        return TooComplex("nesting", "nested too deeply to evaluate")


def _outcome(item: Item, result: str | TooComplex | WorkerError, limits: WorkLimits) -> Checked:
    if isinstance(result, TooComplex):
        return None, _too_complex(result, limits), None
    if isinstance(result, WorkerError):
        log.error("checking item %s failed:\n%s", item.id, result)
        return None, Verdict(0.0, _INTERNAL_ERROR, Status.INVALID, needs_review=True), None
    payload = json.loads(result)
    verdict = Verdict(payload["score"], payload["feedback"], Status(payload["status"]), payload["needs_review"],
                      payload["misconception"], confidence=payload["confidence"],
                      confidence_note=payload["confidence_note"])
    return payload["read_as"], verdict, payload["read_as_mathml"]


def _check_in_worker(item: Item, text: str, key_text: str, mathml: bool, mistakes: tuple[Mistake, ...] = ()) -> str:
    """Read and compare one answer (this runs in the bounded worker); the outcome as JSON."""
    checker = checker_for(item)
    read_as = read_as_mathml = None
    try:
        expected_value = read_expected(item, key_text)
        given_value, chain_note, read_as = _read_cached(item, text)
        read_as_mathml = _given_mathml(item, text) if mathml else None
        verdict = checker.compare(given_value, expected_value, item)
        if verdict.score < 1.0 and (item.mistakes or mistakes):
            verdict = _anticipated(checker, item, given_value, mistakes) or verdict
        if chain_note:
            verdict = replace(verdict, feedback=_sentences(verdict.feedback, chain_note))
    except FormatError as error:
        verdict = invalid(error.explain())
    except (MemoryError, RecursionError):
        raise  # bound hits: the caller turns them into "too complex to check"
    except Exception:  # a crash is a result: the student gets a safe message, the log the traceback
        log.exception("checker crashed on item %s", item.id)
        verdict = Verdict(0.0, _INTERNAL_ERROR, Status.INVALID, needs_review=True)
    return json.dumps({
        "read_as": read_as, "read_as_mathml": read_as_mathml, "score": verdict.score, "feedback": verdict.feedback,
        "status": verdict.status.value, "needs_review": verdict.needs_review, "misconception": verdict.misconception,
        "confidence": verdict.confidence, "confidence_note": verdict.confidence_note,
    })


def _mathml(checker: ModuleType, value: Any) -> str | None:
    """MathML of a value from checkers that print formulas; None for the others."""
    printer = getattr(checker, "mathml", None)
    return printer(value) if printer is not None else None


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _too_complex(bound: TooComplex, limits: WorkLimits) -> Verdict:
    """The verdict for an answer whose check hit a time, CPU, memory or nesting bound."""
    limit = bound.limit
    which = {
        "time": f"it took longer than the {limits.seconds:g} s allowed per answer",
        "cpu": f"it used more than the {limits.seconds:g} s of CPU time allowed per answer",
        "memory": f"it needed more than the {limits.memory_mb:,} MB of memory allowed per answer",
        "nesting": "it is nested too deeply",
        "budget": f"checking this submission's answers took longer than the {limits.batch_seconds:g} s allowed "
                  "in total, so this answer was not checked",
    }[limit]
    return Verdict(
        0.0,
        f"Too complex to check: {which}. Simplify the answer (smaller numbers, fewer nested powers "
        "or functions) or write out its value; your instructor will review it.",
        Status.INVALID,
        needs_review=True,
    )


def read_answer(checker: ModuleType, text: str, item: Item) -> tuple[Any, str]:
    """Read an answer; a chain `a = b = c` of a kind that allows it is read on its last member.

    Returns the value and a note: empty, or saying which members disagree with the last one.
    Members before the last that cannot be read (a label such as `H_out =`) are skipped.
    """
    if not getattr(checker, "ALLOWS_CHAINS", False):
        return checker.read(text, item), ""
    members = [m for m in split_members(text) if m]
    if len(members) <= 1:
        return checker.read(members[0] if members else text, item), ""
    final = checker.read(members[-1], item)
    disagree = []
    for member in members[:-1]:
        try:
            value = checker.read(member, item)
        except FormatError:
            continue
        if checker.compare(value, final, item).score < 1.0:
            disagree.append(member)
    if not disagree:
        return final, ""
    listed = ", ".join(f"'{m}'" for m in disagree)
    return final, (f"The members of your chain are not all equal ({listed} differs from the last, "
                   f"'{members[-1]}'); the last one is graded.")


def _anticipated(checker: ModuleType, item: Item, given: Any, mistakes: tuple[Mistake, ...] = ()) -> Verdict | None:
    """The verdict of the first anticipated mistake (the item's own, then `mistakes`) the answer equals, if any."""
    for mistake in (*item.mistakes, *mistakes):
        if checker.compare(given, read_expected(item, mistake.answer), item).score >= 1.0:
            return Verdict(mistake.credit, mistake.feedback, misconception=mistake.rule)
    return None


def _sentences(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _points(value: float) -> float:
    """Points rounded to 4 decimals, so sums of halves and quarters print cleanly."""
    return round(value + 0.0, 4)
