"""The database's tables: the roster, token digests, sign-ins, and the append-only record of submissions and gradings.

A submission row is never changed; its grading is a separate row (revision 0 when it arrived; later regrades and
review decisions append rows of their own that point at the submission); nothing is updated in place.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out; stored without zone (SQLite has none), always as UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class Member(Base):
    """A person of the roster; `on_roster` goes false when the course file drops them (their tokens stop working)."""

    __tablename__ = "members"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(200))
    repository: Mapped[str | None] = mapped_column(String(200))
    on_roster: Mapped[bool] = mapped_column(Boolean, default=True)


class Token(Base):
    """An issued token, by its SHA-256 digest only."""

    __tablename__ = "tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignIn(Base):
    """A browser session: the cookie's digest, the token it was opened with, and its CSRF secret."""

    __tablename__ = "sign_ins"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("tokens.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Submission(Base):
    """What arrived, exactly: bytes, digest, size, time, sender and client. Never changed."""

    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    via: Mapped[str] = mapped_column(String(16))
    client: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(255))
    pinned_homework: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    raw: Mapped[bytes] = mapped_column(LargeBinary)

    # (member, id): a student's history newest first reads only their rows (migration 0003).
    __table_args__ = (Index("ix_submissions_member_received", "member_id", "received_at"),
                      Index("ix_submissions_member_id", "member_id", "id"))


class Grading(Base):
    """One grading of a submission: revision 0 when it arrived; later revisions are regrades."""

    __tablename__ = "gradings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    graded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16))  # "graded" or "unusable"
    homework: Mapped[str | None] = mapped_column(String(64))
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    late_seconds: Mapped[int | None] = mapped_column(Integer)
    penalty_percent: Mapped[float | None] = mapped_column(Float)
    expected_withheld: Mapped[bool] = mapped_column(Boolean)
    result: Mapped[str | None] = mapped_column(Text)  # the result JSON (docs/formats.md)
    error: Mapped[str | None] = mapped_column(Text)
    grader_version: Mapped[str] = mapped_column(String(64))
    key_digest: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("submission_id", "revision", name="uq_gradings_submission_revision"),
        Index("ix_gradings_homework", "homework"),
    )
