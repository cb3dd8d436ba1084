"""Every query the service makes: the roster and tokens, sign-ins, and storing and reading submissions and gradings.

A submission row is never changed; its grading is a separate row (revision 0). Both are written in one
transaction once grading is done, so a submission is either stored with its result or not at all (the
student got no answer and sends it again). A submission whose grading failed unexpectedly is stored
without one (`pending`), and the next start grades it again. A published regrade appends
a grading of the next revision (the newest revision is the one in force) and review decisions are rows
of their own (grader.service.workspace_tables); nothing is updated in place.

Durability: the commit of a submission with its grading is synced to disk before the student gets an
answer; a commit that need not wait for the disk (a pending submission's) still survives a killed server
at once (see `make_engine`). The queries a request makes on its way are plain SQL (SQLAlchemy Core): loading
ORM objects cost more CPU than the rest of the request.
"""

from __future__ import annotations

import json
import secrets
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, create_engine, event, exists, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, defer, sessionmaker

from grader.service import tokens
from grader.service.course import Course
from grader.service.tables import Grading, Member, SignIn, Submission, Token, now
from grader.service.workspace_tables import Decision
from grader.service.writes import UNSYNCED, GroupWriter

SIGN_IN_HOURS = 8


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
class Line:
    """One submission of a history: whose, when, and how its grading in force went (neither bytes nor result)."""

    public_id: str
    member_id: str
    received_at: datetime
    outcome: str  # "graded", "unusable", or "pending" (the grader failed on it; the next start grades it)
    homework: str | None = None
    score: float | None = None
    max_score: float | None = None
    late_seconds: int | None = None
    penalty_percent: float | None = None
    submission_id: int | None = None
    grading_id: int | None = None
    decided: bool | None = None  # whether reviewers decided on any of its items (None: not asked)

    @classmethod
    def of(cls, submission: Submission, grading: Grading | None) -> Line:
        if grading is None:
            return cls(submission.public_id, submission.member_id, submission.received_at, "pending",
                       submission_id=submission.id)
        return cls(submission.public_id, submission.member_id, submission.received_at, grading.outcome,
                   grading.homework, grading.score, grading.max_score, grading.late_seconds, grading.penalty_percent,
                   submission.id, grading.id)


@dataclass(frozen=True)
class Stored:
    """A submission with its first grading (None while pending)."""

    submission: Submission
    grading: Grading | None


def make_engine(url: str) -> Engine:
    """An engine for `url`: every commit synced to disk before it returns, except on `engine.execution_options(
    grader_unsynced=True)`, whose commits are written (a killed server keeps them) but synced only by the next
    synced commit: the write-ahead log is synced in order, up to that commit (SQLite: WAL with synchronous
    FULL, or NORMAL when unsynced; PostgreSQL: synchronous_commit off for that transaction). SQLite also gets
    foreign keys and waits for the writer's lock."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=8,
                               max_overflow=8)

        @event.listens_for(engine, "connect")
        def _pragmas(connection, record):  # noqa: ANN001 - SQLAlchemy's callback signature
            cursor = connection.cursor()
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()
            record.info["synchronous"] = "FULL"

        @event.listens_for(engine, "begin")
        def _sqlite_sync(connection):  # noqa: ANN001
            # Before the driver's BEGIN (it starts a transaction at the first write), so the pragma takes effect.
            wanted = "NORMAL" if connection.get_execution_options().get(UNSYNCED) else "FULL"
            if connection.connection.info.get("synchronous") != wanted:
                connection.exec_driver_sql(f"PRAGMA synchronous={wanted}")
                connection.connection.info["synchronous"] = wanted

        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=8)

    @event.listens_for(engine, "begin")
    def _postgres_sync(connection):  # noqa: ANN001
        if connection.get_execution_options().get(UNSYNCED):
            connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")

    return engine


class Store:
    """Every query the service makes, each in its own short transaction (call them from threads, not the event loop)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)
        self._writer = GroupWriter(engine)

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
        with self.engine.connect() as connection:
            row = connection.execute(_TOKEN, {"digest": tokens.digest(token)}).first()
        if row is None or not tokens.matches(row.digest, token):
            return None
        return _principal_if_valid(row)

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
        with self.engine.connect() as connection:
            row = connection.execute(_SIGN_IN, {"digest": tokens.digest(cookie)}).first()
        if row is None or row.sign_in_expires_at <= now():
            return None
        principal = _principal_if_valid(row)
        return (principal, row.csrf) if principal is not None else None

    def close_sign_in(self, cookie: str) -> None:
        with self._session.begin() as session:
            found = session.get(SignIn, tokens.digest(cookie))
            if found is not None:
                session.delete(found)

    # --- submissions and gradings ----------------------------------------------------------------

    def recent_count(self, member_id: str, seconds: float) -> int:
        """Submissions a member sent in the last `seconds` (all replicas: the rate limit counts here)."""
        with self.engine.connect() as connection:
            return connection.execute(_RECENT, {"member": member_id, "since": now() - timedelta(seconds=seconds)}
                                      ).scalar() or 0

    @staticmethod
    def new_submission(*, member_id: str, raw: bytes, digest: str, filename: str, via: str, client: str,
                       pinned_homework: str | None, received_at: datetime) -> Submission:
        """A submission as it arrived, not stored yet (it has its public id, not its row id)."""
        return Submission(public_id=secrets.token_hex(16), member_id=member_id, received_at=received_at, via=via,
                          client=client[:300], filename=filename[:255], pinned_homework=pinned_homework,
                          size=len(raw), digest=digest, raw=raw)

    def add_submission(self, submission: Submission) -> Submission:
        """Store a submission without a grading (synced with the next synced commit): `pending` until graded."""
        self._writer.insert(submission, synced=False)
        return submission

    def add_graded(self, submission: Submission, grading: Grading) -> None:
        """Store a new submission and its first grading in one transaction, synced to disk before this returns."""
        self._writer.insert(submission, synced=True, grading=grading)

    def add_grading(self, grading: Grading) -> Grading:
        """Record a submission's first grading; if another process recorded it first, theirs (the same) is returned."""
        try:
            self._writer.insert(grading, synced=True)
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

    def history(self, *, member_id: str | None = None, homework: str | None = None, limit: int = 50) -> list[Line]:
        """Submissions, newest first, with how their grading in force went: a member's, or everyone's."""
        with self.engine.connect() as connection:
            return [Line(*row) for row in connection.execute(
                _history(member_id is not None, homework is not None),
                {"limit": limit, "member": member_id, "homework": homework})]

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


@cache
def _history(by_member: bool, by_homework: bool) -> Select:
    """The history query, built once per shape (building it cost more than running it)."""
    # Whether reviewers decided on a line rides along, so a history without decisions (most) needs no other query.
    decided = exists().where(Decision.submission_id == Submission.id)
    query = (select(Submission.public_id, Submission.member_id, Submission.received_at,
                    func.coalesce(Grading.outcome, "pending"), Grading.homework, Grading.score, Grading.max_score,
                    Grading.late_seconds, Grading.penalty_percent, Submission.id, Grading.id, decided)
             .outerjoin(Grading, (Grading.submission_id == Submission.id) & (Grading.revision == newest_revision()))
             .order_by(Submission.id.desc()).limit(bindparam("limit")))
    if by_member:
        query = query.where(Submission.member_id == bindparam("member"))
    if by_homework:
        query = query.where(Grading.homework == bindparam("homework"))
    return query


def _variant_of(grading: Grading) -> str | None:
    """The digest of the variant a grading graded (recorded in its result), None for the homework as registered."""
    if grading.result is None or '"variant":{' not in grading.result:  # most results: no variant, no parse
        return None
    variant = json.loads(grading.result).get("variant")
    return variant.get("digest") if isinstance(variant, dict) else None


def _principal_if_valid(row: Any) -> Principal | None:
    """The principal of a row of _TOKEN or _SIGN_IN, unless the token is revoked or expired or its owner off the roster."""
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now()):
        return None
    if not row.on_roster:
        return None
    return Principal(member_id=row.member_id, role=row.role, name=row.name, token_id=row.token_id)


_TOKEN_AND_MEMBER = (Token.id.label("token_id"), Token.digest, Token.revoked_at, Token.expires_at,
                     Member.id.label("member_id"), Member.role, Member.name, Member.on_roster)
_TOKEN = (select(*_TOKEN_AND_MEMBER).join(Member, Member.id == Token.member_id)
          .where(Token.digest == bindparam("digest")))
_SIGN_IN = (select(*_TOKEN_AND_MEMBER, SignIn.csrf, SignIn.expires_at.label("sign_in_expires_at"))
            .join(Token, Token.id == SignIn.token_id).join(Member, Member.id == Token.member_id)
            .where(SignIn.digest == bindparam("digest")))
_RECENT = (select(func.count()).select_from(Submission)
           .where(Submission.member_id == bindparam("member"), Submission.received_at > bindparam("since")))


def _without_raw():
    """Load a submission's columns but its bytes (lists never need them)."""
    return defer(Submission.raw)
