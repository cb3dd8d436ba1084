"""The class as the instructor's workspace sees it: each student's latest submission of a homework, its grading in
force, the review decisions on it, and the result with those decisions applied.

A grading's result never changes once stored, so its parsed form is kept in memory by grading id
(every replica may do so; nothing here can go stale).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, replace
from threading import Lock

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from grader.core.models import Result
from grader.core.overrides import ItemOverride, apply_overrides
from grader.service.storage import Line, Store, newest_revision
from grader.service.tables import Grading, Member, Submission
from grader.service.workspace_tables import Decision

# Parsed results kept (about 100 kB each in memory): a few classes' worth.
MAX_PARSED = 4096
_parsed: OrderedDict[int, Result] = OrderedDict()
_parsed_lock = Lock()


@dataclass
class Entry:
    """One student's latest graded submission of a homework, with the decisions in force on its items."""

    submission: Submission
    grading: Grading
    name: str | None
    machine: Result
    decisions: dict[str, Decision] = field(default_factory=dict)
    submissions: int = 1  # how many this student sent for the homework

    @property
    def result(self) -> Result:
        """The result the student gets: the grader's, with the reviewers' points where they decided."""
        return effective(self.machine, self.decisions)


def effective(machine: Result, decisions: dict[str, Decision]) -> Result:
    """`machine` with each decision in force applied as an override (a decision with no points withdraws one)."""
    overrides = {item: ItemOverride(d.points, d.comment, reviewer=d.reviewer)
                 for item, d in decisions.items() if d.points is not None}
    return apply_overrides(machine, overrides)


def parsed(session: Session, grading_ids: list[int]) -> dict[int, Result]:
    """The results of these gradings, parsed once per process."""
    found: dict[int, Result] = {}
    with _parsed_lock:
        for grading_id in grading_ids:
            if grading_id in _parsed:
                _parsed.move_to_end(grading_id)
                found[grading_id] = _parsed[grading_id]
    missing = [g for g in grading_ids if g not in found]
    for start in range(0, len(missing), 500):
        rows = session.execute(select(Grading.id, Grading.result).where(Grading.id.in_(missing[start:start + 500])))
        for grading_id, text in rows:
            found[grading_id] = Result.model_validate_json(text)
    with _parsed_lock:
        for grading_id in missing:
            _parsed[grading_id] = found[grading_id]
        while len(_parsed) > MAX_PARSED:
            _parsed.popitem(last=False)
    return found


def decisions_in_force(session: Session, homework: str, submission_ids: list[int] | None = None
                       ) -> dict[int, dict[str, Decision]]:
    """submission id → item id → the newest decision on it (the audit log's last word)."""
    query = select(Decision).where(Decision.homework == homework).order_by(Decision.id)
    if submission_ids is not None:
        query = query.where(Decision.submission_id.in_(submission_ids))
    in_force: dict[int, dict[str, Decision]] = {}
    for decision in session.scalars(query):
        in_force.setdefault(decision.submission_id, {})[decision.item_id] = decision
    return in_force


def load_class(store: Store, homework: str, *, student: str | None = None) -> list[Entry]:
    """Every student's latest graded submission of `homework` (or one student's), in student order."""
    with Session(store.engine, expire_on_commit=False) as session:
        newest = (select(func.max(Submission.id)).join(Grading, (Grading.submission_id == Submission.id)
                                                        & (Grading.revision == newest_revision()))
                  .where(Grading.outcome == "graded", Grading.homework == homework).group_by(Submission.member_id))
        counts = dict(session.execute(
            select(Submission.member_id, func.count()).join(Grading, (Grading.submission_id == Submission.id)
                                                            & (Grading.revision == 0))
            .where(Grading.homework == homework).group_by(Submission.member_id)).all())
        query = (select(Submission, Grading, Member.name).select_from(Submission)
                 .join(Grading, (Grading.submission_id == Submission.id) & (Grading.revision == newest_revision()))
                 .join(Member, Member.id == Submission.member_id)
                 .where(Submission.id.in_(newest.scalar_subquery()))
                 .options(defer(Submission.raw), defer(Grading.result)).order_by(Submission.member_id))
        if student is not None:
            query = query.where(Submission.member_id == student)
        rows = session.execute(query).all()
        results = parsed(session, [row.Grading.id for row in rows])
        decided = decisions_in_force(session, homework, [row.Submission.id for row in rows] if student else None)
    return [Entry(row.Submission, row.Grading, row.name, results[row.Grading.id], decided.get(row.Submission.id, {}),
                  counts.get(row.Submission.member_id, 1)) for row in rows]


def decisions_for(store: Store, homework: str, submission_id: int) -> dict[str, Decision]:
    """The decisions in force on one submission."""
    with Session(store.engine, expire_on_commit=False) as session:
        return decisions_in_force(session, homework, [submission_id]).get(submission_id, {})


def decided_scores(store: Store, graded: list[tuple[int, int]]) -> dict[int, float]:
    """The points with the decisions in force applied, by grading id, of those (submission id, grading id) pairs
    whose submission has decisions; the others keep their grading's points."""
    if not graded:
        return {}
    with Session(store.engine) as session:
        in_force: dict[int, dict[str, Decision]] = {}
        for decision in session.scalars(select(Decision).where(Decision.submission_id.in_(
                [submission for submission, _ in graded])).order_by(Decision.id)):
            in_force.setdefault(decision.submission_id, {})[decision.item_id] = decision
        decided = {grading: submission for submission, grading in graded if submission in in_force}
        results = parsed(session, list(decided)) if decided else {}
    return {grading: effective(result, in_force[decided[grading]]).score for grading, result in results.items()}


def reviewed(store: Store, lines: list[Line]) -> list[Line]:
    """History lines with the points as the student has them, decisions applied (nothing is written)."""
    scores = decided_scores(store, [(line.submission_id, line.grading_id) for line in lines
                                    if line.outcome == "graded" and line.submission_id and line.grading_id
                                    and line.decided is not False])
    return [replace(line, score=scores[line.grading_id]) if line.grading_id in scores else line for line in lines]


def reviewed_history(store: Store, *, member_id: str | None = None, homework: str | None = None,
                     limit: int = 50) -> list[Line]:
    """`Store.history` with the points as the students have them (call it from a thread)."""
    return reviewed(store, store.history(member_id=member_id, homework=homework, limit=limit))


def reviewed_latest(store: Store, rows: list[tuple[Submission, Grading]]) -> list[tuple[Submission, Grading]]:
    """Latest submissions with their gradings' points as the students have them, decisions applied (a copy of the
    grading where they differ; nothing is written)."""
    scores = decided_scores(store, [(s.id, g.id) for s, g in rows if g.result is not None])
    return [(s, Grading(**{**{c.key: getattr(g, c.key) for c in Grading.__table__.columns}, "score": scores[g.id]})
             if g.id in scores else g) for s, g in rows]
