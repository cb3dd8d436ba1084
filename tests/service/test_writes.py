"""Group commits (grader.service.writes): rows written together by threads at once, each committed, ids distinct;
one row breaking a constraint fails alone."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from grader.service import migrate
from grader.service.course import load_course
from grader.service.storage import Store, make_engine
from grader.service.tables import Grading, Submission, now
from grader.service.writes import GroupWriter
from tests.service.conftest import write_course


@pytest.fixture
def store(tmp_path) -> Store:
    store = Store(make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    migrate.upgrade(store.engine)
    store.sync_roster(load_course(write_course(tmp_path), installed=("hw2-cnn",)))
    return store


def submission(n: int) -> Submission:
    return Submission(public_id=f"p{n}", member_id="ada", received_at=now(), via="api", client="test",
                      filename="s.yaml", pinned_homework=None, size=1, digest=str(n), raw=b"x")


def grading(submission_id: int) -> Grading:
    return Grading(submission_id=submission_id, revision=0, graded_at=now(), outcome="graded", homework="hw2-cnn",
                   score=1.0, max_score=100.0, expected_withheld=True, grader_version="t")


def test_rows_sent_at_once_are_each_committed_with_their_own_id(store):
    """64 threads released together: every row stored once, with the id its thread was given, in fewer
    transactions than rows when they overlapped (counted by SQLAlchemy's commit event)."""
    writer = GroupWriter(store.engine)
    commits = []
    event.listen(store.engine, "commit", lambda connection: commits.append(1))
    start = threading.Barrier(64)

    def write(n: int) -> tuple[str, int]:
        row = submission(n)
        start.wait()
        writer.insert(row, synced=n % 2 == 0)
        return row.public_id, row.id

    with ThreadPoolExecutor(64) as pool:
        given = dict(pool.map(write, range(64)))
    with store.engine.connect() as connection:
        stored = dict(connection.execute(select(Submission.public_id, Submission.id)).all())
    assert stored == given and len(set(given.values())) == 64
    # 64 threads at a barrier cannot each find the writer idle: while the first commits, the others gather.
    assert len(commits) < 64, len(commits)


def test_a_duplicate_fails_alone_and_the_rest_of_its_group_is_stored(store):
    """A second grading of the same revision (another replica recorded it first) raises IntegrityError in its own
    thread only; the rows written with it are committed."""
    first = submission(1)
    GroupWriter(store.engine).insert(first, synced=True)
    writer = GroupWriter(store.engine)
    writer.insert(grading(first.id), synced=True)
    others = [submission(n) for n in range(2, 12)]
    start = threading.Barrier(len(others) + 1)

    def write(row) -> BaseException | None:
        start.wait()
        try:
            writer.insert(row, synced=True)
        except IntegrityError as error:
            return error
        return None

    with ThreadPoolExecutor(len(others) + 1) as pool:
        errors = list(pool.map(write, [grading(first.id), *others]))
    assert isinstance(errors[0], IntegrityError) and errors[1:] == [None] * len(others)
    with store.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Submission)).scalar() == 1 + len(others)
        assert connection.execute(select(func.count()).select_from(Grading)).scalar() == 1
    assert all(row.id is not None for row in others)


def test_submissions_with_their_gradings_each_refer_to_their_own(store):
    """Submissions sent with their gradings by 32 threads at once: each grading stored once, referring to its own
    submission (the digest links them here), the pair committed together."""
    writer = GroupWriter(store.engine)
    start = threading.Barrier(32)

    def write(n: int) -> None:
        row, graded = submission(n), grading(0)
        graded.score = float(n)
        start.wait()
        writer.insert(row, synced=True, grading=graded)
        assert graded.submission_id == row.id and graded.id is not None

    with ThreadPoolExecutor(32) as pool:
        list(pool.map(write, range(32)))
    with store.engine.connect() as connection:
        pairs = connection.execute(select(Submission.digest, Grading.score)
                                   .join(Grading, Grading.submission_id == Submission.id)).all()
    assert sorted((int(digest), score) for digest, score in pairs) == [(n, float(n)) for n in range(32)]
