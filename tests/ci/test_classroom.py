"""GitHub Classroom: the runner result, decoded and read the way the grading reporter reads it."""

from __future__ import annotations

import base64
import json
import re

import pytest
from typer.testing import CliRunner

from grader.cli import app
from grader.render.classroom import classroom_payload, encode_payload, error_payload, points_line, render_classroom

from .conftest import HOMEWORK


def js_number(value: float) -> str:
    """How JavaScript prints a number in a template string (40 → "40", 38.5 → "38.5")."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def reporter(env: dict[str, str], runners: str) -> dict:
    """What classroom-resources/autograding-grading-reporter@v1 does with its runners' results.

    It splits `runners` on commas and whitespace, reads `<RUNNER-ID>_RESULTS` (upper-cased)
    as base64 JSON, adds up every test's `score` and the runners' `max_score` (runners without
    a max score are skipped), notifies `Points X/Y` and `{"totalPoints", "maxPoints"}`, and fails
    the job when a runner's status is `fail` or `error`.
    """
    results = [
        json.loads(base64.b64decode(env[f"{runner.strip().upper()}_RESULTS"]).decode("utf-8"))
        for runner in re.split(r"[\s,]", runners) if runner
    ]
    total, maximum = 0, 0
    for runner in results:
        if not runner.get("max_score"):
            continue
        maximum += runner["max_score"]
        for test in runner["tests"]:
            total += test["score"]
    notices = []
    if maximum:
        notices = [f"Points {js_number(total)}/{js_number(maximum)}",
                   json.dumps({"totalPoints": total, "maxPoints": maximum})]
    failed = any(runner["status"] in ("fail", "error") for runner in results)
    return {"total": total, "max": maximum, "notices": notices, "failed": failed, "results": results}


CASES = [
    pytest.param("correct", "pass", 100, False, id="correct"),
    pytest.param("partial", "fail", 96.75, True, id="partial"),
    pytest.param("wrong", "fail", 0, True, id="wrong"),
]


@pytest.mark.parametrize("name, status, total, job_fails", CASES)
def test_reporter_reads_the_grade(graded, name, status, total, job_fails):
    """The reporter decodes our output, sums the items to the grade and fails the job unless all is right."""
    result = graded(name)
    seen = reporter({"GRADER_RESULTS": render_classroom(result)}, "grader")
    assert seen["results"][0]["version"] == 1
    assert seen["results"][0]["status"] == status
    assert seen["total"] == pytest.approx(result.score) == pytest.approx(total)
    assert seen["max"] == result.max_score == HOMEWORK.max_score
    assert seen["notices"][0] == points_line(result) == f"Points {js_number(total)}/100"
    assert seen["failed"] is job_fails


@pytest.mark.parametrize("name", ["correct", "partial", "wrong"])
def test_one_test_per_item_in_homework_order(graded, name):
    """Every item is one test, in the homework's order, with its score, max score and pass/fail status."""
    result = graded(name)
    tests = classroom_payload(result)["tests"]
    assert [test["name"] for test in tests] == [item.id for item in HOMEWORK.items]
    for test, item in zip(tests, result.items):
        assert (test["score"], test["max_score"]) == (item.score, item.max_score)
        assert test["status"] == ("pass" if item.status.value == "correct" else "fail")
        assert 0 <= test["score"] <= test["max_score"]
        assert set(test) >= {"name", "status", "score", "message", "test_code", "filename", "line_no", "duration"}


def test_partial_credit_is_kept(graded):
    """A half-right shape keeps its 0.25 points although its test is marked failed."""
    tests = {test["name"]: test for test in classroom_payload(graded("partial"))["tests"]}
    shape = tests["p4.layer2.output"]
    assert (shape["status"], shape["score"], shape["max_score"]) == ("fail", 0.25, 0.5)
    assert "spatial size" in shape["message"]
    assert shape["line_no"] > 0 and shape["filename"].endswith("partial.yaml")
    assert shape["test_code"] == "126 x 126 x 32"


def test_encoding_is_one_ascii_line_of_utf8_json():
    """The payload is base64 on one line (safe after `result=`), decoding to UTF-8 JSON."""
    payload = {"version": 1, "status": "pass", "max_score": 1, "tests": [{"name": "× ⌊ ⌋", "score": 1}]}
    encoded = encode_payload(payload)
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", encoded)
    assert json.loads(base64.b64decode(encoded).decode("utf-8")) == payload


@pytest.mark.parametrize(
    "text, max_score",
    [
        pytest.param("homework: hw2-cnn\nanswers:\n  p4: [\n", 100, id="broken-yaml-naming-the-homework"),
        pytest.param("answers: {}\n", 0, id="no-homework"),
        pytest.param("homework: hw9-unknown\nanswers: {}\n", 0, id="unknown-homework"),
    ],
)
def test_unusable_submission_reports_an_error(tmp_path, text, max_score):
    """A submission that cannot be read gives an `error` result: 0 points, the reason, and exit 2."""
    path = tmp_path / "submission.yaml"
    path.write_text(text, encoding="utf-8")
    output = tmp_path / "github_output"
    run = CliRunner().invoke(app, ["check", str(path), "--format", "classroom"], env={"GITHUB_OUTPUT": str(output)})
    assert run.exception is not None and type(run.exception).__name__ == "UsageError"
    assert run.stdout.splitlines()[0] == f"Points 0/{max_score:g}"
    encoded = output.read_text().removeprefix("result=").strip()
    seen = reporter({"GRADER_RESULTS": encoded}, "grader")
    assert seen["results"][0]["status"] == "error" and seen["failed"]
    assert seen["total"] == 0 and seen["max"] == max_score
    assert str(path) in seen["results"][0]["tests"][0]["message"]


def test_error_payload_shape():
    """An error result has the fields the reporter prints: a failed test carrying the message."""
    payload = error_payload("file not found", max_score=40, source="submission.yaml")
    assert (payload["version"], payload["status"], payload["max_score"]) == (1, "error", 40)
    assert payload["tests"][0]["message"] == "file not found" and payload["tests"][0]["score"] == 0
