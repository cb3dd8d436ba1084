"""The course file's checks and late policy, and the storage's latest-result query, in-process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from grader.core.errors import UsageError
from grader.service import migrate
from grader.service.course import Offering, lateness, load_course, refusal
from grader.service.storage import Store, make_engine
from grader.service.tables import Grading, Submission, now
from tests.service.conftest import ROOT, write_course


def test_the_shipped_course_file_loads():
    course = load_course(ROOT / "course.yaml", installed=("hw2-cnn",))
    assert course.role_of("ada") == "student" and course.role_of("prof") == "instructor" and len(course.students) == 11


@pytest.mark.parametrize("text, says", [
    ("homeworks: {hw2-cnn: {deadline: 2026-12-01T23:59:00}}\n", "give the time zone"),
    ("homeworks: {hw9: {}}\n", "hw9 not installed"),
    ("homeworks: {hw2-cnn: {}}\nstudents: [{id: a}, {id: a}]\n", "appears twice"),
    ("homeworks: {hw2-cnn: {}}\nstudents: [{id: '../x'}]\n", "students.0.id"),
    ("homeworks: {hw2-cnn: {}}\nroster: []\n", "roster: Extra inputs are not permitted"),
    ("homeworks: [1\n", "not valid YAML"),
])
def test_a_wrong_course_file_is_one_clear_error(tmp_path, text, says):
    path = tmp_path / "course.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match="course.yaml") as error:
        load_course(path, installed=("hw2-cnn",))
    assert says in str(error.value)


def test_lateness_counts_started_days_and_the_window_closes():
    deadline = datetime(2026, 12, 1, tzinfo=UTC)
    offering = Offering(deadline=deadline, late={"penalty_per_day": 30, "until": deadline + timedelta(days=5)})
    assert lateness(offering, deadline) is None
    late = lateness(offering, deadline + timedelta(hours=25))
    assert (late.days, late.penalty_percent) == (2, 60)
    assert lateness(offering, deadline + timedelta(days=4)).penalty_percent == 100
    assert refusal(offering, deadline + timedelta(days=5, seconds=1)).startswith("this homework closed")


def test_latest_is_each_students_newest_graded_submission_per_homework(tmp_path):
    """Unusable and older submissions do not count; a newer graded one replaces the older."""
    course = load_course(write_course(tmp_path), installed=("hw2-cnn",))
    store = Store(make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    migrate.upgrade(store.engine)
    store.sync_roster(course)

    def add(member: str, outcome: str, score: float | None) -> str:
        submission = arrived(member)
        store.add_graded(submission, Grading(revision=0, graded_at=now(), outcome=outcome,
                                             homework="hw2-cnn" if outcome == "graded" else None, score=score,
                                             max_score=100.0, expected_withheld=True, grader_version="t"))
        return submission.public_id

    add("ada", "graded", 40.0)
    newest = add("ada", "graded", 70.0)
    add("ada", "unusable", None)
    ben = add("ben", "graded", 55.0)
    latest = {s.member_id: (s.public_id, g.score) for s, g in store.latest()}
    assert latest == {"ada": (newest, 70.0), "ben": (ben, 55.0)}
    assert store.counts() == {"stored": 4, "graded": 4, "pending": 0}


def test_a_submission_is_stored_with_its_grading_in_one_synced_commit(tmp_path):
    """A graded submission and its grading are one transaction, synced to disk (SQLite's synchronous FULL); a
    submission stored alone (its grading failed) does not wait for the disk (NORMAL), the next synced commit syncs it."""
    from sqlalchemy import event

    store = Store(make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    migrate.upgrade(store.engine)
    store.sync_roster(load_course(write_course(tmp_path), installed=("hw2-cnn",)))
    modes: list[int] = []
    event.listen(store.engine, "commit", lambda c: modes.append(c.exec_driver_sql("PRAGMA synchronous").scalar()))
    graded = arrived("ada")
    store.add_graded(graded, Grading(revision=0, graded_at=now(), outcome="unusable", expected_withheld=True,
                                     grader_version="t"))
    store.add_submission(arrived("ada"))
    assert modes == [2, 1]  # FULL, NORMAL
    found = store.get(graded.public_id)
    assert found is not None and found.grading is not None and found.grading.submission_id == found.submission.id
    assert store.counts() == {"stored": 2, "graded": 1, "pending": 1}


def arrived(member: str) -> Submission:
    return Store.new_submission(member_id=member, raw=b"x", digest="d", filename="s.yaml", via="api", client="test",
                                pinned_homework=None, received_at=now())
