"""Review decisions: a reviewer's points (and comment) for one item of chosen submissions, stored as an audit log.

A decision is an instructor override with who made it, when, and the points the answer had just
before; the newest one on a submission's item is in force, and it stays in force through regrades
(a regrade grades the same submission again). Decisions export as the overrides YAML of
`grader grade --overrides`, and such a file imports as decisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from grader import api
from grader.core.errors import UsageError
from grader.io.overrides import read_overrides
from grader.service.classdata import Entry, load_class
from grader.service.storage import Store
from grader.service.tables import now
from grader.service.workspace_tables import Decision, Split


@dataclass(frozen=True)
class Decided:
    """What a decision request did: how many answers it set, and to how many points."""

    count: int
    points: float | None


def points_for(homework: str, item_id: str, concepts: Sequence[str]) -> float:
    """The points of a text item's rubric concepts ticked by a reviewer: their shares (at most all) of its points."""
    item = _item(homework, item_id)
    shares = {c.name: c.share for c in getattr(item.options, "concepts", ())}
    unknown = [name for name in concepts if name not in shares]
    if unknown:
        raise UsageError(f"{item_id} has no concept {unknown[0]!r}")
    return round(min(1.0, sum(shares[name] for name in set(concepts))) * item.points, 4)


def decide(store: Store, homework: str, item_id: str, submissions: Sequence[str], *, points: float | None,
           comment: str, reviewer: str, source: str = "review", entries: list[Entry] | None = None) -> Decided:
    """Set `points` (None: back to the grader's) on `item_id` of these submissions (public ids), which must be
    students' latest graded submissions of the homework; one audit row each."""
    item = _item(homework, item_id)
    if points is not None and not 0 <= points <= item.points:
        raise UsageError(f"{item_id}: {points:g} points is outside 0 … {item.points:g}")
    by_id = {e.submission.public_id: e for e in (entries if entries is not None else load_class(store, homework))}
    stale = [s for s in submissions if s not in by_id]
    if stale:
        raise UsageError(f"submission {stale[0]} is not a student's latest graded submission of {homework}")
    moment, rows = now(), []
    for public_id in dict.fromkeys(submissions):
        entry = by_id[public_id]
        rows.append(Decision(submission_id=entry.submission.id, homework=homework, member_id=entry.submission.member_id,
                             item_id=item_id, points=points, comment=comment.strip()[:2000], reviewer=reviewer,
                             decided_at=moment, points_before=_points_now(entry, item_id), source=source))
    with Session(store.engine) as session, session.begin():
        session.add_all(rows)
    return Decided(len(rows), points)


def split(store: Store, item_id: str, submission_id: int, reviewer: str) -> None:
    """Take one answer out of its group: it is reviewed alone from now on."""
    with Session(store.engine) as session, session.begin():
        session.add(Split(submission_id=submission_id, item_id=item_id, reviewer=reviewer, split_at=now()))


def splits(store: Store, item_id: str) -> set[int]:
    """Submissions whose answer to `item_id` was split out of its group."""
    with Session(store.engine) as session:
        return set(session.scalars(select(Split.submission_id).where(Split.item_id == item_id)))


def audit_log(store: Store, homework: str, limit: int = 500) -> list[dict]:
    """The newest decisions first: who set which item of whose submission to what, when, from what."""
    with Session(store.engine) as session:
        rows = session.scalars(select(Decision).where(Decision.homework == homework)
                               .order_by(Decision.id.desc()).limit(limit)).all()
    return [{"student": d.member_id, "item": d.item_id, "points": d.points, "points_before": d.points_before,
             "comment": d.comment, "reviewer": d.reviewer, "decided_at": d.decided_at.isoformat(),
             "source": d.source, "submission_id": d.submission_id} for d in rows]


def export_overrides(entries: Sequence[Entry]) -> str:
    """The decisions in force as an overrides file for `grader grade --overrides` (student → item → points, comment)."""
    document: dict[str, dict[str, dict]] = {}
    for entry in entries:
        for item_id, decision in sorted(entry.decisions.items()):
            if decision.points is not None:
                change = {"points": decision.points}
                if decision.comment:
                    change["comment"] = decision.comment
                document.setdefault(entry.submission.member_id, {})[item_id] = change
    header = "# Review decisions exported by grader serve: grader grade FOLDER --overrides THIS_FILE\n"
    return header + (yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000) if document else "{}\n")


def import_overrides(store: Store, homework: str, text: str, reviewer: str) -> tuple[int, list[str]]:
    """An overrides file's points as decisions on each named student's latest submission; (decisions made,
    students named who have no graded submission). UsageError, and nothing stored, if the file is unusable."""
    overrides = read_overrides(text, "overrides.yaml", [api.homework(homework)])
    entries = load_class(store, homework)
    latest = {e.submission.member_id: e for e in entries}
    absent = sorted(student for student in overrides if student not in latest)
    made = 0
    for student, items in overrides.items():
        if student in latest:
            for item_id, change in items.items():
                made += decide(store, homework, item_id, [latest[student].submission.public_id], points=change.points,
                               comment=change.comment, reviewer=reviewer, source="import", entries=entries).count
    return made, absent


def _item(homework: str, item_id: str):
    try:
        return api.homework(homework).item(item_id)
    except KeyError:
        raise UsageError(f"{homework} has no item {item_id!r}") from None


def _points_now(entry: Entry, item_id: str) -> float:
    decision = entry.decisions.get(item_id)
    if decision is not None and decision.points is not None:
        return decision.points
    return next(i.score for i in entry.machine.items if i.id == item_id)
