"""Regrading every latest submission of a homework after a change of key, rubric or grader: a draft that shows
which students and items moved (decisions applied before and after), published as new grading revisions."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grader import api
from grader.core.models import Result
from grader.service.classdata import Entry, effective
from grader.service.storage import Store
from grader.service.tables import Grading, Submission, now
from grader.service.workspace_tables import RegradeResult, RegradeRun


def start(store: Store, homework: str, by: str) -> int:
    """A new draft run (its results are added by `record`)."""
    with Session(store.engine) as session, session.begin():
        run = RegradeRun(homework=homework, started_by=by, started_at=now(), state="draft",
                         grader_version=api.grader_version(), key_digest=api.key_digest(homework))
        session.add(run)
        session.flush()
        return run.id


def record(store: Store, run_id: int, entry: Entry, grading: Grading) -> None:
    """A submission's regrade in the run: its new grading, and the items whose points moved."""
    before = entry.result
    after = effective(Result.model_validate_json(grading.result), entry.decisions) if grading.result else None
    old = {i.id: i.score for i in before.items}
    changes = [] if after is None else [[i.id, old.get(i.id), i.score] for i in after.items if old.get(i.id) != i.score]
    with Session(store.engine) as session, session.begin():
        session.add(RegradeResult(run_id=run_id, submission_id=entry.submission.id, grading_id=entry.grading.id,
                                  score_before=before.score, score=after.score if after else None,
                                  outcome=grading.outcome, result=grading.result, error=grading.error,
                                  changes=json.dumps(changes)))


def finish(store: Store, run_id: int) -> None:
    with Session(store.engine) as session, session.begin():
        session.get(RegradeRun, run_id).finished_at = now()


def report(store: Store, run_id: int) -> dict[str, Any] | None:
    """The run and what it changes: students whose points moved (by how much, on which items), and the items."""
    with Session(store.engine) as session:
        run = session.get(RegradeRun, run_id)
        if run is None:
            return None
        rows = session.scalars(select(RegradeResult).where(RegradeResult.run_id == run_id)).all()
        members = dict(session.execute(select(Submission.id, Submission.member_id)
                                       .where(Submission.id.in_([r.submission_id for r in rows]))).all())
    students, items = [], {}
    for result in rows:
        changes = json.loads(result.changes)
        for item_id, was, now_points in changes:
            moved = items.setdefault(item_id, {"item": item_id, "students": 0, "delta": 0.0})
            moved["students"] += 1
            moved["delta"] = round(moved["delta"] + (now_points or 0) - (was or 0), 4)
        if changes or result.outcome != "graded" or result.score != result.score_before:
            students.append({"student": members[result.submission_id], "before": result.score_before,
                             "after": result.score, "outcome": result.outcome, "error": result.error,
                             "delta": None if result.score is None else round(result.score - (result.score_before or 0), 4),
                             "items": [{"item": i, "before": b, "after": a} for i, b, a in changes]})
    return {"id": run.id, "homework": run.homework, "state": run.state, "started_by": run.started_by,
            "started_at": run.started_at.isoformat(), "finished": run.finished_at is not None,
            "grader_version": run.grader_version, "key_digest": run.key_digest, "regraded": len(rows),
            "students": sorted(students, key=lambda s: s["student"]),
            "items": sorted(items.values(), key=lambda i: i["item"])}


def publish(store: Store, run_id: int) -> int:
    """Make a finished draft's results the gradings in force (a new revision each, where the grading it replaces is
    still in force); how many were published."""
    published = 0
    with Session(store.engine) as session, session.begin():
        run = session.get(RegradeRun, run_id)
        if run is None or run.state != "draft" or run.finished_at is None:
            return 0
        for result in session.scalars(select(RegradeResult).where(RegradeResult.run_id == run_id)):
            replaced = session.get(Grading, result.grading_id)
            newest = session.scalar(select(func.max(Grading.revision)).where(Grading.submission_id == result.submission_id))
            if replaced is None or replaced.revision != newest:
                continue  # regraded again since this run began
            session.add(Grading(
                submission_id=result.submission_id, revision=newest + 1, graded_at=now(), outcome=result.outcome,
                homework=run.homework if result.outcome == "graded" else None, score=_machine(result),
                max_score=replaced.max_score, late_seconds=replaced.late_seconds,
                penalty_percent=replaced.penalty_percent, expected_withheld=replaced.expected_withheld,
                result=result.result, error=result.error, grader_version=run.grader_version, key_digest=run.key_digest))
            published += 1
        run.state = "published"
    return published


def discard(store: Store, run_id: int) -> None:
    with Session(store.engine) as session, session.begin():
        run = session.get(RegradeRun, run_id)
        if run is not None and run.state == "draft":
            run.state = "discarded"


def _machine(result: RegradeResult) -> float | None:
    """The grader's own points of the new result (a grading stores those; decisions apply on reading)."""
    return Result.model_validate_json(result.result).score if result.result else None
