"""Whose grade it is: in a batch the layout's name decides, never the student id a file declares."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from grader.batch import grade_folder
from grader.io.overrides import load_overrides
from grader.plugins.homeworks import load_homework

SAMPLES = Path(__file__).resolve().parents[2] / "submissions" / "hw2-cnn"
HOMEWORK = load_homework("hw2-cnn")
PRIVATE = "Private note for bob: talk to me about the exam."


def _as(text: str, declared: str, name: str = "Mallory") -> str:
    """A sample submission whose student: block declares `declared` (and `name`) instead."""
    lines = text.splitlines()
    start = lines.index("student:")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(" "))
    return "\n".join([*lines[:start], f"student: {{id: {declared}, name: {name}}}", *lines[end:]]) + "\n"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """bob's real submission beside mallory's, which declares it is bob's (and one declaring BOB); overrides for bob."""
    root = tmp_path_factory.mktemp("identity")
    folder = root / "class"
    (folder / "bob").mkdir(parents=True)
    (folder / "bob" / "submission.yaml").write_text(_as((SAMPLES / "ben.yaml").read_text(encoding="utf-8"), "bob",
                                                        "Bob"), encoding="utf-8")
    strong = (SAMPLES / "ada.yaml").read_text(encoding="utf-8")
    (folder / "mallory.yaml").write_text(_as(strong, "bob"), encoding="utf-8")
    (folder / "trudy.yaml").write_text(_as(strong, "BOB"), encoding="utf-8")
    overrides = root / "overrides.yaml"
    overrides.write_text(f'bob:\n  p1.a: {{points: 5, comment: "{PRIVATE}"}}\n', encoding="utf-8")
    summary = grade_folder(folder, root / "out", jobs=1, overrides=load_overrides(overrides, [HOMEWORK]))
    return root / "out", summary


def test_one_row_per_layout_name_whatever_the_files_declare(graded):
    """grades.csv has one bob row, from bob's folder; the others are under their own names, flagged."""
    out, _ = graded
    rows = list(csv.DictReader((out / "grades.csv").open(encoding="utf-8")))
    assert [row["student_id"] for row in rows] == ["bob", "mallory", "trudy"]
    by_id = {row["student_id"]: row for row in rows}
    assert by_id["bob"]["source"].endswith("bob/submission.yaml") and by_id["bob"]["declared_id"] == ""
    assert (by_id["mallory"]["declared_id"], by_id["trudy"]["declared_id"]) == ("bob", "BOB")
    assert by_id["mallory"]["source"].endswith("mallory.yaml")


def test_overrides_and_private_comments_reach_only_the_real_student(graded):
    """bob's override and its private comment are in bob's report and result only."""
    out, _ = graded
    assert PRIVATE in (out / "reports" / "bob.html").read_text(encoding="utf-8")
    for name in ("mallory", "trudy"):
        assert PRIVATE not in (out / "reports" / f"{name}.html").read_text(encoding="utf-8")
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    adjusted = {line["student"]["id"]: any(item["override"] for item in line["items"]) for line in lines}
    assert adjusted == {"bob": True, "mallory": False, "trudy": False}


def test_a_differing_declared_id_is_flagged_everywhere(graded):
    """The summary warns, the result carries declared_id, the report and index show the flag."""
    out, summary = graded
    assert any("mallory.yaml says it is student 'bob'; graded as 'mallory'" in w for w in summary.warnings)
    lines = {json.loads(line)["student"]["id"]: json.loads(line)["student"]
             for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()}
    assert lines["mallory"]["declared_id"] == "bob" and lines["bob"]["declared_id"] is None
    report = (out / "reports" / "trudy.html").read_text(encoding="utf-8")
    assert "The file says it belongs to student id &#39;BOB&#39;" in report
    assert "says BOB" in (out / "index.html").read_text(encoding="utf-8")
