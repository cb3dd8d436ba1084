"""A file sent again unchanged is recalled, not graded again, only while nothing its result depends on differs."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from grader import api
from grader.core.models import Status
from grader.grading.runtime import Runtime
from grader.service import migrate
from grader.service.course import load_course
from grader.service.pipeline import Pipeline
from grader.service.recall import Recall, Remembered
from grader.service.storage import Store, make_engine
from grader.service.tables import now
from tests.service.conftest import sample, write_course

RELEASE = now() + timedelta(days=1)


@pytest.fixture
def pipeline(tmp_path, monkeypatch):
    """A pipeline on a fresh SQLite database (expected answers released tomorrow), counting real gradings."""
    course = load_course(write_course(tmp_path, release=RELEASE.isoformat()), installed=("hw2-cnn",))
    store = Store(make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    migrate.upgrade(store.engine)
    store.sync_roster(course)
    made = Pipeline(store, course, concurrency=1, queue=1)
    made.runtime = Runtime()  # checks in-process: the same verdicts, no checking processes to start
    made.gradings = 0
    grade_bytes = api.grade_bytes

    def counted(*args, **kwargs):
        made.gradings += 1
        return grade_bytes(*args, **kwargs)

    monkeypatch.setattr(api, "grade_bytes", counted)
    return made


def arrive(pipeline, member: str, data: bytes, *, filename: str = "submission.yaml", at=None):
    return pipeline.store.add_submission(Store.new_submission(
        member_id=member, raw=data, digest=hashlib.sha256(data).hexdigest(), filename=filename, via="api",
        client="test", pinned_homework=None, received_at=at or now()))


def test_the_same_file_again_is_recalled_with_the_same_result(pipeline):
    first, result = pipeline.grade(arrive(pipeline, "ada", sample("ada")))
    again, recalled = pipeline.grade(arrive(pipeline, "ada", sample("ada")))
    assert pipeline.gradings == 1
    assert recalled is result and again.result == first.result and again.score == first.score
    assert again.submission_id != first.submission_id


def test_another_student_name_or_file_is_graded_anew(pipeline):
    pipeline.grade(arrive(pipeline, "ada", sample("ada")))
    _, as_ben = pipeline.grade(arrive(pipeline, "ben", sample("ada")))
    _, renamed = pipeline.grade(arrive(pipeline, "ada", sample("ada"), filename="other.yaml"))
    pipeline.grade(arrive(pipeline, "ada", sample("ada") + b"\n"))
    assert pipeline.gradings == 4
    assert as_ben.student.id == "ben" and renamed.source == "other.yaml"


def test_after_the_release_the_expected_answers_are_graded_in(pipeline):
    """Withheld before the release, shown after it: a result remembered from before does not apply after."""
    before, _ = pipeline.grade(arrive(pipeline, "ada", sample("ada")))
    after, shown = pipeline.grade(arrive(pipeline, "ada", sample("ada"), at=RELEASE + timedelta(seconds=1)))
    assert pipeline.gradings == 2
    assert before.expected_withheld and not after.expected_withheld
    assert any(item.expected is not None for item in shown.items)


def test_a_result_with_an_answer_too_complex_to_check_is_not_remembered(pipeline):
    """A bound hit depends on the machine's load: that result is graded again next time."""
    _, result = pipeline.grade(arrive(pipeline, "ada", sample("ada")))
    hit = result.items[0].model_copy(update={"status": Status.INVALID, "needs_review": True})
    recall = Recall()
    recall.put(("d", "f", "ada", None), Remembered(result.model_copy(update={"items": [hit]}), "{}", True))
    recall.put(("e", "f", "ada", None), Remembered(result, "{}", True))
    assert recall.get(("d", "f", "ada", None)) is None and recall.get(("e", "f", "ada", None)) is not None


def test_a_grader_failure_keeps_the_file_pending_and_a_graded_one_is_stored_with_its_grading(pipeline, monkeypatch):
    """Through `Pipeline.submit`: a graded file is stored with its grading; when the grader itself fails (a bug,
    not the file's fault), the error propagates and the file is still kept, pending, for the next start to grade."""
    import asyncio

    from grader.service.pipeline import Received
    from grader.service.storage import Principal

    ada = Principal(member_id="ada", role="student", name=None, token_id=1)
    received = Received(data=sample("ada"), filename="ada.yaml", via="api", client="test", homework=None)
    done = asyncio.run(pipeline.submit(ada, received, history=5))
    assert done.grading.submission_id == done.submission.id and done.result is not None
    assert done.grading.score == done.result.score
    assert done.history is not None and [line.public_id for line in done.history] == [done.submission.public_id]

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the grader")

    monkeypatch.setattr(api, "grade_bytes", broken)
    with pytest.raises(RuntimeError):
        asyncio.run(pipeline.submit(ada, Received(data=b"homework: hw2-cnn\n", filename="x.yaml", via="api",
                                                  client="test", homework=None)))
    assert pipeline.store.counts() == {"stored": 2, "graded": 1, "pending": 1}
    assert [s.filename for s in pipeline.store.pending()] == ["x.yaml"]


def test_warming_grades_each_key_once_on_every_grading_thread(tmp_path, monkeypatch):
    """Before the first student, each grading thread grades the key file once (its checking process starts then),
    and the key gets full marks: what is warmed is what students get."""
    import threading

    course = load_course(write_course(tmp_path), installed=("hw2-cnn",))
    store = Store(make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    warmed = Pipeline(store, course, concurrency=2, queue=1)
    warmed.runtime = Runtime()
    graded: list[tuple[str, float, float]] = []
    grade_bytes = api.grade_bytes

    def recording(*args, **kwargs):
        result = grade_bytes(*args, **kwargs)
        graded.append((threading.current_thread().name, result.score, result.max_score))
        return result

    monkeypatch.setattr(api, "grade_bytes", recording)
    warmed.warm(course.homeworks)
    assert len({thread for thread, _, _ in graded}) == 2 and len(graded) == 2
    assert all(score == maximum for _, score, maximum in graded)
