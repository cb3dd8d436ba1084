"""Class statistics of a homework, accumulated one outcome at a time, and the class summary with its warnings."""

from __future__ import annotations

import difflib
import heapq
import statistics
from collections import Counter
from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from grader.core.homework import Homework
from grader.core.models import Status
from grader.core.overrides import Overrides
from grader.core.summary import ClassSummary, HomeworkSummary, ItemStats, Misconception, Mistake, Outcome
from grader.io.submission import MAX_SUGGESTIONS

# The most frequent wrong answers shown, and the bands of the score histogram.
MAX_MISTAKES = 15
HISTOGRAM_BINS = 10


class Tally:
    """Class statistics of one homework, accumulated one outcome at a time."""

    def __init__(self, homework: Homework) -> None:
        self.homework = homework
        self.counts = [{status.value: 0 for status in Status} for _ in homework.items]
        self.fractions = [0.0] * len(homework.items)
        self.review = [0] * len(homework.items)
        self.scores: list[float] = []
        # Wrong answers by item, variant (None for an item every variant asks alike) and answer.
        self.wrong: Counter[tuple[int, str | None, str]] = Counter()
        # The feedback each wrong answer first got, and counts per feedback only for the answers
        # that got differing feedback: a large class has hundreds of thousands of distinct wrong
        # answers, nearly all with one feedback, and a Counter each would take most of the memory.
        self.feedback: dict[tuple[int, str | None, str], str] = {}
        self.feedback_variants: dict[tuple[int, str | None, str], Counter[str]] = {}
        self.status_of: dict[tuple[int, str | None, str], str] = {}
        # One copy of each distinct feedback and status text: every outcome arrives unpickled with
        # its own copies, and a class's wrong answers share a few thousand feedback texts.
        self.texts: dict[str, str] = {}
        self.rule_of: dict[tuple[int, str | None, str], str] = {}
        self.variants: set[str] = set()
        self.rules: Counter[str] = Counter()
        self.rule_students: Counter[str] = Counter()
        self.rule_items: dict[str, Counter[int]] = {}
        self.carried = self.carried_students = 0

    def add(self, outcome: Outcome) -> None:
        self.scores.append(outcome.score or 0.0)
        if outcome.variant is not None:
            self.variants.add(outcome.variant)
        rules, carried = set(), 0
        for index, (status, fraction, review, answer, feedback, rule, follows, variant) in \
                enumerate(outcome.digest or ()):
            self.counts[index][status] += 1
            self.fractions[index] += fraction
            self.review[index] += review
            if answer is not None:
                key = (index, variant, answer)
                self.wrong[key] += 1
                text = self.texts.setdefault(feedback or "", feedback or "")
                status = self.texts.setdefault(status, status)
                first = self.feedback.setdefault(key, text)
                if text != first or key in self.feedback_variants:
                    variants = self.feedback_variants.setdefault(key, Counter({first: self.wrong[key] - 1}))
                    variants[text] += 1
                self.status_of[key] = status
                if rule is not None:
                    self.rule_of[key] = rule
            if rule is not None:
                self.rules[rule] += 1
                self.rule_items.setdefault(rule, Counter())[index] += 1
                rules.add(rule)
            carried += follows is not None and rule is None
        self.rule_students.update(rules)
        self.carried += carried
        self.carried_students += carried > 0

    def _most_common_feedback(self, key: tuple[int, str | None, str]) -> str:
        variants = self.feedback_variants.get(key)
        return variants.most_common(1)[0][0] if variants is not None else self.feedback[key]

    def summary(self) -> HomeworkSummary:
        homework, scores, graded = self.homework, self.scores, len(self.scores)
        histogram = [0] * HISTOGRAM_BINS
        for score in scores:
            fraction = score / homework.max_score if homework.max_score else 0.0
            histogram[min(HISTOGRAM_BINS - 1, max(0, int(fraction * HISTOGRAM_BINS)))] += 1
        items = [
            ItemStats(item.id, homework.problem_of(item.id).id, item.points,
                      self.fractions[i] / graded if graded else 0.0, self.counts[i], self.review[i])
            for i, item in enumerate(homework.items)
        ]
        # The first few only: a class of 10,000 has over 100,000 distinct wrong answers.
        ranked = heapq.nsmallest(MAX_MISTAKES, self.wrong.items(),
                                 key=lambda kv: (-kv[1], kv[0][0], kv[0][1] or "", kv[0][2]))
        mistakes = [Mistake(homework.items[key[0]].id, key[2], count, self.status_of[key],
                            self._most_common_feedback(key), self.rule_of.get(key), key[1])
                    for key, count in ranked if count > 1]
        misconceptions = [
            Misconception(rule, count, self.rule_students[rule],
                          [(homework.items[index].id, n) for index, n in self.rule_items[rule].most_common(3)])
            for rule, count in sorted(self.rules.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        return HomeworkSummary(
            id=homework.id, title=homework.title, max_score=homework.max_score,
            problems=[(p.id, p.title, p.max_score) for p in homework.problems],
            graded=graded,
            mean=statistics.fmean(scores) if scores else None,
            median=statistics.median(scores) if scores else None,
            low=min(scores, default=None), high=max(scores, default=None),
            histogram=histogram, items=items, mistakes=mistakes, misconceptions=misconceptions,
            carried=self.carried, carried_students=self.carried_students, variants=len(self.variants),
        )


def summarize(
    folder: str, outcomes: list[Outcome], tallies: dict[str, Tally], overrides: Overrides, *, grader_version: str,
    skipped: Sequence[str] = (),
) -> ClassSummary:
    """Statistics per homework, and warnings about the class as a whole."""
    warnings: list[str] = []
    # Names from the layout are distinct as written; the same name in another case (Ada.yaml, ada/)
    # or as both a file and a folder is likely one student twice, and a gradebook cannot tell them apart.
    by_name: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_name.setdefault(outcome.student_id.casefold(), []).append(outcome)
    for same in by_name.values():
        if len(same) > 1:
            files = ", ".join(o.source for o in same)
            warnings.append(f"student {same[0].student_id!r} has {len(same)} submissions ({files}); "
                            "each is graded, keep one")
    for outcome in outcomes:
        if outcome.declared_id is not None:
            warnings.append(f"{outcome.source} says it is student {outcome.declared_id!r}; "
                            f"graded as {outcome.student_id!r}, the name it was found under")
    ids = {o.student_id for o in outcomes}
    unused = sorted(set(overrides) - ids)
    if unused:
        # Did-you-mean for the first few only: each is a look through the whole class.
        named = [_with_closest(student, ids) if n < MAX_SUGGESTIONS else student for n, student in enumerate(unused)]
        warnings.append(f"overrides for students without a submission: {', '.join(named)}")
    warnings.extend(f"{name} not graded: the blank template, not a student's submission" for name in skipped)
    return ClassSummary(
        folder=folder, outcomes=outcomes, homeworks=[tally.summary() for tally in tallies.values()],
        warnings=warnings, generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        grader_version=grader_version,
    )


def _with_closest(student: str, ids: Collection[str]) -> str:
    close = difflib.get_close_matches(student, ids, n=1)
    return f"{student} (did you mean {close[0]}?)" if close else student


# --- outputs -----------------------------------------------------------------------------------
