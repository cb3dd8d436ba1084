"""The database: the roster, token digests, sign-ins, and the append-only record of submissions and gradings.

A submission row is written (and committed) before it is graded and is never changed; its grading
is a separate row, added once grading is done (revision 0), so a crash in between leaves a
submission without a grading, which the next start grades (`pending`). A published regrade appends
a grading of the next revision (the newest revision is the one in force) and review decisions are rows
of their own (grader.service.workspace_tables); nothing is updated in place.
"""

from __future__ import annotations

import json
import secrets
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
    create_engine,
    event,
    func,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, aliased, defer, mapped_column, sessionmaker

from grader.service import tokens
from grader.service.course import Course

SIGN_IN_HOURS = 8


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

    __table_args__ = (Index("ix_submissions_member_received", "member_id", "received_at"),)


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


@dataclass(frozen=True)
class Principal:
    """Who is asking, as the token (or the sign-in it opened) says; never what a file declares."""

    member_id: str
    role: str
    name: str | None
    token_id: int

    @property
    def is_instructor(self) -> bool:
        return self.role == "instructor"


@dataclass(frozen=True)
class Stored:
    """A submission with its first grading (None while it is being graded)."""

    submission: Submission
    grading: Grading | None


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, full sync (a commit survives a crash) and foreign keys."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=8,
                               max_overflow=8)

        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record):  # noqa: ANN001 - SQLAlchemy's callback signature
            cursor = connection.cursor()
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=8)


class Store:
    """Every query the service makes, each in its own short transaction (call them from threads, not the event loop)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)

    # --- the roster and tokens -------------------------------------------------------------------

    def sync_roster(self, course: Course) -> None:
        """Make the members table the course file's roster (people dropped from it stay, off the roster)."""
        wanted = {m.id: ("student", m) for m in course.students} | {m.id: ("instructor", m) for m in course.instructors}
        with self._session.begin() as session:
            existing = {member.id: member for member in session.scalars(select(Member))}
            for member_id, (role, entry) in wanted.items():
                row = existing.get(member_id) or Member(id=member_id)
                row.role, row.name, row.repository, row.on_roster = role, entry.name, entry.repository, True
                session.add(row)
            for member_id, row in existing.items():
                if member_id not in wanted:
                    row.on_roster = False

    def members_with_tokens(self) -> set[str]:
        """Ids of members holding a token that still works."""
        moment = now()
        with self._session() as session:
            return set(session.scalars(select(Token.member_id).where(
                Token.revoked_at.is_(None), (Token.expires_at.is_(None)) | (Token.expires_at > moment))))

    def issue(self, member_ids: Iterable[str], *, expires_at: datetime | None = None) -> dict[str, str]:
        """A new token for each member (their earlier tokens stay valid): member id → token."""
        issued = {member_id: tokens.new_token() for member_id in member_ids}
        with self._session.begin() as session:
            for member_id, token in issued.items():
                session.add(Token(member_id=member_id, digest=tokens.digest(token), issued_at=now(),
                                  expires_at=expires_at))
        return issued

    def revoke(self, member_ids: Iterable[str]) -> int:
        """Revoke every token of these members (their sign-ins end with them); how many were revoked."""
        with self._session.begin() as session:
            done = session.execute(update(Token).where(Token.member_id.in_(list(member_ids)),
                                                       Token.revoked_at.is_(None)).values(revoked_at=now()))
            return done.rowcount or 0

    def principal(self, token: str) -> Principal | None:
        """The member a token belongs to, if it is well formed, known, unrevoked, unexpired and its owner on the roster."""
        if not tokens.well_formed(token):
            return None
        with self._session() as session:
            row = session.execute(
                select(Token, Member).join(Member, Member.id == Token.member_id).where(Token.digest == tokens.digest(token))
            ).first()
        if row is None or not tokens.matches(row.Token.digest, token):
            return None
        return _principal_if_valid(row.Token, row.Member)

    # --- browser sign-ins ------------------------------------------------------------------------

    def open_sign_in(self, principal: Principal) -> tuple[str, str]:
        """A new sign-in for a principal: (cookie value, CSRF secret); only the cookie's digest is stored."""
        cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self._session.begin() as session:
            session.add(SignIn(digest=tokens.digest(cookie), token_id=principal.token_id, csrf=csrf,
                               created_at=now(), expires_at=now() + timedelta(hours=SIGN_IN_HOURS)))
        return cookie, csrf

    def signed_in(self, cookie: str) -> tuple[Principal, str] | None:
        """The principal and CSRF secret of a sign-in cookie, while the sign-in and its token are valid."""
        if not tokens.well_formed_secret(cookie):
            return None
        with self._session() as session:
            row = session.execute(
                select(SignIn, Token, Member).join(Token, Token.id == SignIn.token_id)
                .join(Member, Member.id == Token.member_id).where(SignIn.digest == tokens.digest(cookie))
            ).first()
        if row is None or row.SignIn.expires_at <= now():
            return None
        principal = _principal_if_valid(row.Token, row.Member)
        return (principal, row.SignIn.csrf) if principal is not None else None

    def close_sign_in(self, cookie: str) -> None:
        with self._session.begin() as session:
            found = session.get(SignIn, tokens.digest(cookie))
            if found is not None:
                session.delete(found)

    # --- submissions and gradings ----------------------------------------------------------------

    def recent_count(self, member_id: str, seconds: float) -> int:
        """Submissions a member sent in the last `seconds` (all replicas: the rate limit counts here)."""
        since = now() - timedelta(seconds=seconds)
        with self._session() as session:
            return session.scalar(select(func.count()).select_from(Submission).where(
                Submission.member_id == member_id, Submission.received_at > since)) or 0

    def add_submission(self, *, member_id: str, raw: bytes, digest: str, filename: str, via: str, client: str,
                       pinned_homework: str | None, received_at: datetime) -> Submission:
        """Store what arrived, committed before anything else happens to it."""
        row = Submission(public_id=secrets.token_hex(16), member_id=member_id, received_at=received_at, via=via,
                         client=client[:300], filename=filename[:255], pinned_homework=pinned_homework,
                         size=len(raw), digest=digest, raw=raw)
        with self._session.begin() as session:
            session.add(row)
        return row

    def add_grading(self, grading: Grading) -> Grading:
        """Record a submission's first grading; if another process recorded it first, theirs (the same) is returned."""
        try:
            with self._session.begin() as session:
                session.add(grading)
            return grading
        except IntegrityError:
            with self._session() as session:
                return session.scalars(select(Grading).where(Grading.submission_id == grading.submission_id,
                                                             Grading.revision == grading.revision)).one()

    def pending(self) -> list[Submission]:
        """Submissions stored without a grading (the server stopped while grading them)."""
        with self._session() as session:
            graded = select(Grading.submission_id)
            return list(session.scalars(select(Submission).where(Submission.id.not_in(graded)).order_by(Submission.id)))

    def get(self, public_id: str, *, member_id: str | None = None) -> Stored | None:
        """A submission by its public id with its first grading; with `member_id`, only if it is theirs."""
        with self._session() as session:
            query = select(Submission).where(Submission.public_id == public_id)
            if member_id is not None:
                query = query.where(Submission.member_id == member_id)
            submission = session.scalars(query).first()
            if submission is None:
                return None
            grading = session.scalars(select(Grading).where(Grading.submission_id == submission.id)
                                      .order_by(Grading.revision.desc())).first()
            return Stored(submission, grading)

    def history(self, *, member_id: str | None = None, homework: str | None = None, limit: int = 50
                ) -> list[tuple[Submission, Grading | None]]:
        """Submissions, newest first, with their grading in force (without raw bytes): a member's, or everyone's."""
        with self._session() as session:
            query = (select(Submission, Grading).outerjoin(Grading, (Grading.submission_id == Submission.id)
                                                           & (Grading.revision == newest_revision()))
                     .options(_without_raw()).order_by(Submission.id.desc()).limit(limit))
            if member_id is not None:
                query = query.where(Submission.member_id == member_id)
            if homework is not None:
                query = query.where(Grading.homework == homework)
            return [(row.Submission, row.Grading) for row in session.execute(query)]

    def latest(self, homework: str | None = None) -> list[tuple[Submission, Grading]]:
        """The latest graded submission of each student for each homework (what a gradebook takes)."""
        with self._session() as session:
            newest = (select(func.max(Submission.id).label("id"))
                      .join(Grading, (Grading.submission_id == Submission.id) & (Grading.revision == newest_revision()))
                      .where(Grading.outcome == "graded")
                      .group_by(Submission.member_id, Grading.homework))
            if homework is not None:
                newest = newest.where(Grading.homework == homework)
            query = (select(Submission, Grading).join(Grading, (Grading.submission_id == Submission.id)
                                                      & (Grading.revision == newest_revision()))
                     .where(Submission.id.in_(newest.scalar_subquery())).options(_without_raw())
                     .order_by(Grading.homework, Submission.member_id))
            return [(row.Submission, row.Grading) for row in session.execute(query)]

    def counts(self) -> dict[str, int]:
        """Submissions stored, and of those, graded (any outcome) and pending."""
        with self._session() as session:
            stored = session.scalar(select(func.count()).select_from(Submission)) or 0
            graded = session.scalar(select(func.count(func.distinct(Grading.submission_id)))) or 0
        return {"stored": stored, "graded": graded, "pending": stored - graded}


def summarise(latest: Sequence[tuple[Submission, Grading]]) -> dict[str, Any]:
    """The class summary of `Store.latest`: per homework, the students' latest scores and their statistics."""
    by_homework: dict[str, list[tuple[Submission, Grading]]] = {}
    for submission, grading in latest:
        by_homework.setdefault(grading.homework or "", []).append((submission, grading))
    homeworks = []
    for homework, rows in sorted(by_homework.items()):
        scores = [g.score for _, g in rows if g.score is not None]
        homeworks.append({
            "homework": homework, "students": len(rows),
            "max_score": rows[0][1].max_score,
            "mean": round(statistics.fmean(scores), 4) if scores else None,
            "median": round(statistics.median(scores), 4) if scores else None,
            "low": min(scores, default=None), "high": max(scores, default=None),
            "latest": [{"student": s.member_id, "submission": s.public_id, "score": g.score,
                        "received_at": s.received_at.isoformat(), "late_seconds": g.late_seconds,
                        "penalty_percent": g.penalty_percent, "variant": _variant_of(g)} for s, g in rows],
        })
    return {"homeworks": homeworks}


def newest_revision():
    """The revision of a submission's grading in force (its newest), as a subquery correlated with `submissions`."""
    other = aliased(Grading)
    return select(func.max(other.revision)).where(other.submission_id == Submission.id).scalar_subquery()


def _variant_of(grading: Grading) -> str | None:
    """The digest of the variant a grading graded (recorded in its result), None for the homework as registered."""
    if grading.result is None or '"variant":{' not in grading.result:  # most results: no variant, no parse
        return None
    variant = json.loads(grading.result).get("variant")
    return variant.get("digest") if isinstance(variant, dict) else None


def _principal_if_valid(token: Token, member: Member) -> Principal | None:
    moment = now()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= moment):
        return None
    if not member.on_roster:
        return None
    return Principal(member_id=member.id, role=member.role, name=member.name, token_id=token.id)


def _without_raw():
    """Load a submission's columns but its bytes (lists never need them)."""
    return defer(Submission.raw)
