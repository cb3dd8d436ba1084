"""Submission × Homework × Key → Result: check every answer, carry errors forward, add up the points."""

from __future__ import annotations

from grader import __version__
from grader.core.homework import Homework, Item, Mistake
from grader.core.key import Key, key_mistakes
from grader.core.models import ItemResult, ProblemResult, RawAnswer, Result, ResultVariant, Status, Submission
from grader.grading.carry import follow_up
from grader.grading.checking import Checked, Request, expected_mathml, read_expected, show_expected
from grader.grading.runtime import Runtime


def grade(
    submission: Submission, homework: Homework, key: Key, runtime: Runtime, *,
    hide_expected: bool = False, mathml: bool = False,
) -> Result:
    """Grade every item of the homework, in its order, and add up the points.

    Answers are checked through `runtime` (bounded where they may evaluate math, remembered, and
    errors carried forward as it says); `mathml` adds MathML of formulas (as read and as expected)
    for HTML reports, which costs time, so only reports ask for it. The result depends only on the
    submission, homework and key: the same input always gives the same JSON. A variant's homework
    (`Homework.at`) is graded with its own key, and the result records the variant.
    """
    for item in homework.items:
        # Read the whole key first, and print its MathML if asked (which imports sympy): a bounded
        # checking process, forked at the first answer, then inherits both.
        read_expected(item, key.answers[item.id])
        if mathml:
            expected_mathml(item, key.answers[item.id])
    mistakes = key_mistakes(homework, key)
    answered = [item for item in homework.items if item.id in submission.answers]
    checked = dict(zip(
        (item.id for item in answered),
        runtime.check([Request(item, submission.answers[item.id].text, key.answers[item.id], mathml,
                               mistakes.get(item.id, ())) for item in answered]),
    ))
    checked = follow_up(homework, key, submission, checked, runtime=runtime, mathml=mathml,
                        hide_expected=hide_expected)
    items = [
        item_result(item, submission.answers.get(item.id), checked.get(item.id), key.answers[item.id], homework,
                    hide_expected=hide_expected, mathml=mathml)
        for item in homework.items
    ]
    by_problem: dict[str, float] = {}
    for result in items:
        by_problem[result.problem] = by_problem.get(result.problem, 0.0) + result.score
    return Result(
        homework=homework.id,
        student=submission.student,
        source=submission.source,
        score=points(sum(r.score for r in items)),
        max_score=homework.max_score,
        problems=[ProblemResult(id=p.id, title=p.title, score=points(by_problem.get(p.id, 0.0)), max_score=p.max_score)
                  for p in homework.problems],
        items=items,
        warnings=submission.warnings,
        grader_version=__version__,
        variant=None if homework.variant is None else ResultVariant(
            digest=homework.variant.digest, seed=homework.variant.seed, parameters=homework.variant.as_dict()),
    )


def grade_item(
    item: Item, answer: RawAnswer | None, key_text: str, homework: Homework, runtime: Runtime, *,
    hide_expected: bool = False, mathml: bool = False, mistakes: tuple[Mistake, ...] = (),
) -> ItemResult:
    """Grade one answer on its own (without error carried forward, which needs the other answers).

    `mistakes` are the key's computed mistakes of the item (grader.core.key.key_mistakes). An
    unreadable answer is `invalid`; a checker's crash or a bound hit never escapes.
    """
    checked = runtime.check([Request(item, answer.text, key_text, mathml, mistakes)])[0] \
        if answer is not None else None
    return item_result(item, answer, checked, key_text, homework, hide_expected=hide_expected, mathml=mathml)


def item_result(
    item: Item, answer: RawAnswer | None, checked: Checked | None, key_text: str, homework: Homework, *,
    hide_expected: bool, mathml: bool,
) -> ItemResult:
    """An item's line of the result: the answer as written and read, the verdict, the points, the key unless hidden."""
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
    verdict = checked.verdict
    return ItemResult(
        **common,
        status=verdict.status,
        score=points(verdict.score * item.points),
        given=answer.text,
        read_as=checked.read_as,
        read_as_mathml=checked.mathml,
        feedback=verdict.feedback,
        needs_review=verdict.needs_review,
        line=answer.line,
        misconception=verdict.misconception,
        follows_from=verdict.follows_from,
        confidence=verdict.confidence,
        confidence_note=verdict.confidence_note or None,
    )


def points(value: float) -> float:
    """Points rounded to 4 decimals, so sums of halves and quarters print cleanly."""
    return round(value + 0.0, 4)
