"""Instructor overrides: student → item → points (and a comment), applied to results after grading.

grader.io.overrides reads them from a YAML file; the service keeps them as review decisions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from grader.core.models import ItemResult, Override, ProblemResult, Result
from grader.core.verdict import status_for


@dataclass(frozen=True)
class ItemOverride:
    """The points an instructor gives one item, and why."""

    points: float
    comment: str = ""
    line: int | None = None
    reviewer: str | None = None  # a service review decision's reviewer (reports then say "reviewed")


# student id → item id → override
Overrides = dict[str, dict[str, ItemOverride]]


def apply_overrides(result: Result, overrides: Mapping[str, ItemOverride]) -> Result:
    """The result with the instructor's points for the given items, and totals recomputed.

    The item keeps the grader's feedback; `override` records the comment and what the
    grader had given, so the report can show the item as adjusted by the instructor.
    """
    if not overrides:
        return result
    items: list[ItemResult] = []
    for item in result.items:
        change = overrides.get(item.id)
        if change is None:
            items.append(item)
            continue
        score = min(max(change.points, 0.0), item.max_score)
        items.append(item.model_copy(update={
            "score": score,
            "status": status_for(score / item.max_score if item.max_score else 1.0),
            "override": Override(score=score, comment=change.comment, original_score=item.score,
                                 original_status=item.status, reviewer=change.reviewer),
        }))
    by_problem: dict[str, float] = {}
    for item in items:
        by_problem[item.problem] = by_problem.get(item.problem, 0.0) + item.score
    problems = [ProblemResult(id=p.id, title=p.title, score=round(by_problem.get(p.id, 0.0), 4), max_score=p.max_score)
                for p in result.problems]
    return result.model_copy(update={
        "items": items,
        "problems": problems,
        "score": round(sum(item.score for item in items), 4),
    })
