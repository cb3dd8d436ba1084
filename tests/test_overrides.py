"""Instructor overrides: reading and checking the file, and applying a regrade to a result."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.api import check_file
from grader.core.errors import UsageError
from grader.core.models import Status
from grader.core.overrides import ItemOverride, apply_overrides
from grader.io.overrides import load_overrides
from grader.plugins.homeworks import load_homework

CLASS = Path(__file__).resolve().parent / "data" / "class"


@pytest.fixture
def write_overrides(tmp_path):
    """Builder: an overrides file with the given text."""

    def write(text: str) -> Path:
        path = tmp_path / "overrides.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", {}),
        ("bob:\n  p4.layer1.rf: 0.5\n", {"bob": {"p4.layer1.rf": ItemOverride(0.5, "", 2)}}),
        ("bob:\n  p4.layer1.rf: {points: 0.25, comment: ok}\n",
         {"bob": {"p4.layer1.rf": ItemOverride(0.25, "ok", 2)}}),
    ],
    ids=["empty", "short-form", "with-comment"],
)
def test_load_overrides_reads_points_and_comments(write_overrides, text, expected):
    """Short (points) and long ({points, comment}) forms are read, with the line of each item."""
    assert load_overrides(write_overrides(text), [load_homework("hw2-cnn")]) == expected


@pytest.mark.parametrize(
    "text, message, line",
    [
        ("bob:\n  p4.layer9.rf: 0.5\n", "unknown item 'p4.layer9.rf'", 2),
        ("bob:\n  p4.layer1.rf: 2\n", "2 points is outside 0 … 0.5", 2),
        ("bob:\n  p4.layer1.rf: -1\n", "outside", 2),
        ("bob:\n  p4.layer1.rf: lots\n", "points must be a number", 2),
        ("bob:\n  p4.layer1.rf: nan\n", "finite", 2),
        ("bob:\n  p4.layer1.rf: {comment: hi}\n", "needs points", 2),
        ("- bob\n", "student ids mapped to items", 1),
        ("bob: 3\n", "item ids of student 'bob'", 1),
        ("bob: [\n", "not valid YAML", None),
    ],
    ids=["unknown-item", "above-max", "negative", "not-a-number", "nan", "no-points", "list", "not-a-mapping",
         "bad-yaml"],
)
def test_bad_overrides_fail_fast_with_file_and_line(write_overrides, text, message, line):
    """Mistakes in the file are usage errors naming the file, the line and what is wrong."""
    with pytest.raises(UsageError, match=message) as caught:
        load_overrides(write_overrides(text), [load_homework("hw2-cnn")])
    assert caught.value.path.endswith("overrides.yaml")
    if line is not None:
        assert caught.value.line == line


def test_missing_overrides_file_is_a_usage_error(tmp_path):
    """A path that does not exist is a usage error."""
    with pytest.raises(UsageError, match="not found"):
        load_overrides(tmp_path / "nope.yaml")


def test_apply_overrides_changes_points_status_and_totals():
    """The item gets the instructor's points and status, keeps its feedback, and totals follow."""
    result = check_file(CLASS / "bob" / "submission.yaml")
    before = next(i for i in result.items if i.id == "p4.layer3.output")
    adjusted = apply_overrides(result, {"p4.layer3.output": ItemOverride(0.25, "channels missing")})
    item = next(i for i in adjusted.items if i.id == "p4.layer3.output")
    assert (item.score, item.status, item.feedback) == (0.25, Status.PARTIAL, before.feedback)
    assert item.override.original_score == 0 and item.override.original_status is Status.INCORRECT
    assert item.override.comment == "channels missing"
    p4_before, p4_after = (next(p.score for p in r.problems if p.id == "p4") for r in (result, adjusted))
    assert adjusted.score == result.score + 0.25 and p4_after == p4_before + 0.25
    assert apply_overrides(result, {}) is result


@pytest.mark.parametrize("item_id, suggestion", [("p4.layr1.rf", " (did you mean p4.layer1.rf?)"),
                                                 ("p4.layer1.receptive_field", " (did you mean p4.layer1.rf?)"),
                                                 ("zzz", "")],
                         ids=["typo", "spelled-out", "nothing-close"])
def test_unknown_item_suggests_the_closest_id(write_overrides, item_id, suggestion):
    """An unknown item id names the closest item id of the homeworks, as a submission's unknown ids do."""
    with pytest.raises(UsageError) as caught:
        load_overrides(write_overrides(f"bob:\n  {item_id}: 0.5\n"), [load_homework("hw2-cnn")])
    assert caught.value.message == f"student 'bob': unknown item {item_id!r}{suggestion}"


def test_overrides_for_a_student_not_in_the_class_suggest_the_closest_id(write_overrides, tmp_path):
    """After grading, overrides for students without a submission are a warning naming the closest student id."""
    from grader.batch import grade_folder

    overrides = load_overrides(write_overrides("bbo:\n  p4.layer1.rf: 0.5\nzed:\n  p4.layer1.rf: 0.5\n"),
                               [load_homework("hw2-cnn")])
    summary = grade_folder(CLASS, tmp_path / "out", jobs=1, overrides=overrides)
    assert "overrides for students without a submission: bbo (did you mean bob?), zed" in summary.warnings
