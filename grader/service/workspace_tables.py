"""The instructor's workspace tables: review decisions (an audit log), split answers, releases and regrades.

Like submissions and gradings, rows are appended and never changed, except a regrade run's state
(draft → published or discarded). The newest decision on a submission's item is the one in force.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grader.service.tables import Base, UTCDateTime


class Decision(Base):
    """A reviewer's points for one item of one submission, with the points it had before (None: back to the grader's)."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    homework: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[str] = mapped_column(String(200))
    points: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    points_before: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(16))  # "review" (a page or the API) or "import" (an overrides file)

    __table_args__ = (Index("ix_decisions_homework_item", "homework", "item_id"),
                      Index("ix_decisions_submission", "submission_id"))


class Split(Base):
    """An answer a reviewer took out of its group: it is reviewed on its own from then on."""

    __tablename__ = "review_splits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    item_id: Mapped[str] = mapped_column(String(200))
    reviewer: Mapped[str] = mapped_column(String(64))
    split_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Release(Base):
    """An instructor released a homework's expected answers to students before the course file's time."""

    __tablename__ = "releases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    homework: Mapped[str] = mapped_column(String(64), index=True)
    released_by: Mapped[str] = mapped_column(String(64))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RegradeRun(Base):
    """One regrade of every latest submission of a homework: a draft until an instructor publishes it."""

    __tablename__ = "regrade_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    homework: Mapped[str] = mapped_column(String(64))
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16))  # "draft", "published" or "discarded"
    grader_version: Mapped[str] = mapped_column(String(64))
    key_digest: Mapped[str | None] = mapped_column(String(64))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RegradeResult(Base):
    """A submission's new result in a regrade run, and the points it had before (decisions applied to both)."""

    __tablename__ = "regrade_results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("regrade_runs.id"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    grading_id: Mapped[int] = mapped_column(ForeignKey("gradings.id"))  # the grading it would replace
    score_before: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(16))
    result: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[str] = mapped_column(Text)  # JSON: [[item id, points before, points after], ...]
