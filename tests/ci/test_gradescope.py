"""Gradescope: results.json checked field by field against the autograder specification."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from grader.cli import app
from grader.render.gradescope import error_results, gradescope_results

from .conftest import HOMEWORK

# The specification (gradescope-autograders.readthedocs.io/en/latest/specs/, "Output format").
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
OUTPUT_FORMATS = {"text", "html", "simple_format", "md", "ansi"}
TOP_LEVEL = {
    "score": (int, float), "execution_time": (int, float), "output": str, "output_format": str,
    "test_output_format": str, "test_name_format": str, "visibility": str, "stdout_visibility": str,
    "extra_data": dict, "tests": list, "leaderboard": list,
}
PER_TEST = {
    "score": (int, float), "max_score": (int, float), "status": str, "name": str, "name_format": str,
    "number": str, "output": str, "output_format": str, "tags": list, "visibility": str, "extra_data": dict,
}


def spec_violations(document: dict) -> list[str]:
    """Everything in a results.json that the specification does not allow (empty when valid)."""
    problems = [f"unknown top-level field {key!r}" for key in document if key not in TOP_LEVEL]
    problems += [f"{key} is {type(value).__name__}" for key, value in document.items()
                 if key in TOP_LEVEL and (not isinstance(value, TOP_LEVEL[key]) or isinstance(value, bool))]
    if "score" not in document and not all("score" in test for test in document.get("tests", [])):
        problems.append("a score is required at the top level or on every test")
    for key in ("visibility", "stdout_visibility"):
        if key in document and document[key] not in VISIBILITY:
            problems.append(f"{key} {document[key]!r}")
    for key in ("output_format", "test_output_format", "test_name_format"):
        if key in document and document[key] not in OUTPUT_FORMATS:
            problems.append(f"{key} {document[key]!r}")
    if "execution_time" in document and document["execution_time"] < 0:
        problems.append("negative execution_time")
    for index, test in enumerate(document.get("tests", [])):
        where = f"tests[{index}]"
        problems += [f"{where}: unknown field {key!r}" for key in test if key not in PER_TEST]
        problems += [f"{where}: {key} is {type(value).__name__}" for key, value in test.items()
                     if key in PER_TEST and (not isinstance(value, PER_TEST[key]) or isinstance(value, bool))]
        if test.get("status") not in (None, "passed", "failed"):
            problems.append(f"{where}: status {test['status']!r}")
        if test.get("visibility", "visible") not in VISIBILITY:
            problems.append(f"{where}: visibility {test['visibility']!r}")
        for key in ("output_format", "name_format"):
            if test.get(key, "text") not in OUTPUT_FORMATS:
                problems.append(f"{where}: {key} {test[key]!r}")
        if not all(isinstance(tag, str) for tag in test.get("tags", [])):
            problems.append(f"{where}: tags must be strings")
        if "max_score" in test and not 0 <= test.get("score", 0) <= test["max_score"]:
            problems.append(f"{where}: score outside [0, max_score]")
    return problems


@pytest.mark.parametrize("name, passed", [("correct", 91), ("partial", 86), ("wrong", 0)])
def test_results_follow_the_specification(graded, name, passed):
    """results.json has only specified fields, with specified types and values, and adds up."""
    result = graded(name)
    document = json.loads(json.dumps(gradescope_results(result, execution_time=1.4)))
    assert spec_violations(document) == []
    assert document["score"] == result.score
    assert sum(test["score"] for test in document["tests"]) == pytest.approx(result.score)
    assert sum(test["max_score"] for test in document["tests"]) == pytest.approx(HOMEWORK.max_score)
    assert sum(test["status"] == "passed" for test in document["tests"]) == passed
    assert document["execution_time"] == 1
    assert (document["output_format"], document["stdout_visibility"]) == ("md", "hidden")


def test_one_test_per_item_numbered_by_problem(graded):
    """Tests follow the homework's items: name = item id, number = problem.item, tags = problem and kind."""
    tests = gradescope_results(graded("partial"))["tests"]
    assert [test["name"] for test in tests] == [item.id for item in HOMEWORK.items]
    assert [test["number"] for test in tests[:3]] == ["1.1", "1.2", "1.3"]
    assert len({test["number"] for test in tests}) == len(tests)
    by_name = {test["name"]: test for test in tests}
    shape = by_name["p4.layer2.output"]
    assert (shape["score"], shape["max_score"], shape["status"]) == (0.25, 0.5, "failed")
    assert shape["tags"] == ["p4", "shape"] and shape["output_format"] == "text"
    assert "your answer: 126 x 126 x 32" in shape["output"] and "spatial size" in shape["output"]
    assert by_name["p4.layer3.rf"]["extra_data"]["status"] == "missing"


@pytest.mark.parametrize("visibility", sorted(VISIBILITY))
def test_visibility_applies_to_submission_and_tests(graded, visibility):
    """The chosen visibility is set at the top level and on every test."""
    document = gradescope_results(graded("correct"), visibility=visibility)
    assert document["visibility"] == visibility
    assert {test["visibility"] for test in document["tests"]} == {visibility}


def test_unknown_visibility_is_refused(graded):
    """A visibility Gradescope does not know is a ValueError, not a silently ignored setting."""
    with pytest.raises(ValueError, match="after_due_date"):
        gradescope_results(graded("correct"), visibility="later")


def test_error_results_follow_the_specification():
    """The results.json of an unusable submission is valid: score 0 and the reason in the output."""
    document = error_results("ada.yaml:4: could not read the YAML", execution_time=0.2)
    assert spec_violations(document) == []
    assert document["score"] == 0 and "ada.yaml:4" in document["output"]


def test_cli_writes_results_json_for_a_broken_file(tmp_path):
    """`--format gradescope` on an unreadable file still prints a valid results.json (and fails with exit 2)."""
    path = tmp_path / "submission.yaml"
    path.write_text("homework: hw2-cnn\nanswers:\n  p4: [\n", encoding="utf-8")
    run = CliRunner().invoke(app, ["check", str(path), "--format", "gradescope"])
    assert type(run.exception).__name__ == "UsageError"
    assert spec_violations(json.loads(run.stdout)) == []
