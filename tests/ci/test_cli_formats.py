"""`grader check --format …`: every format from the command line, exit codes included."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from grader import cli
from grader.cli import app

from .conftest import PARTIAL_CHANGES, make_submission


def parse_classroom(stdout: str) -> dict:
    points, result = stdout.splitlines()
    assert points == "Points 96.75/100"
    return json.loads(base64.b64decode(result.removeprefix("result=")))


PARSERS = {
    "text": lambda out: out,
    "json": json.loads,
    "markdown": lambda out: out,
    "gradescope": json.loads,
    "junit": ET.fromstring,
    "classroom": parse_classroom,
}
TOTALS = {
    "text": lambda doc: "Total: 96.75 / 100" in doc,
    "json": lambda doc: doc["score"] == 96.75 and doc["max_score"] == 100,
    "markdown": lambda doc: "**Score: 96.75 / 100" in doc,
    "gradescope": lambda doc: doc["score"] == 96.75,
    "junit": lambda doc: sum(float(p.get("value")) for p in doc.findall("testsuite/properties/property[@name='score']"))
    == 96.75,
    "classroom": lambda doc: sum(test["score"] for test in doc["tests"]) == 96.75,
}


@pytest.mark.parametrize("fmt", list(PARSERS))
def test_every_format_from_the_command_line(tmp_path, fmt):
    """Each format prints a parseable document with the grade, and exits 0 outside CI."""
    path = make_submission(tmp_path, PARTIAL_CHANGES)
    run = CliRunner().invoke(app, ["check", str(path), "--format", fmt], env={"GITHUB_ACTIONS": "", "GITHUB_OUTPUT": ""})
    assert run.exit_code == 0, run.output
    assert TOTALS[fmt](PARSERS[fmt](run.stdout))
    assert run.stderr == ""


@pytest.mark.parametrize("threshold, code", [("96.75", 0), ("97", 1)])
def test_fail_under_works_with_ci_formats(tmp_path, threshold, code):
    """--fail-under sets the exit code after the document is printed."""
    path = make_submission(tmp_path, PARTIAL_CHANGES)
    run = CliRunner().invoke(app, ["check", str(path), "--format", "junit", "--fail-under", threshold],
                             env={"GITHUB_ACTIONS": ""})
    assert run.exit_code == code
    ET.fromstring(run.stdout)


@pytest.mark.parametrize("fmt", ["gradescope", "classroom", "junit"])
def test_unusable_submission_exits_2_with_one_message(tmp_path, monkeypatch, capsys, fmt):
    """Through the console script an unreadable file exits 2 and names the file and line on stderr."""
    path = tmp_path / "submission.yaml"
    path.write_text("homework: hw2-cnn\nanswers:\n  p4: [\n", encoding="utf-8")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    with pytest.raises(SystemExit) as exited:
        cli.main(["check", str(path), "--format", fmt])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"error: {path}:4:")
    if fmt == "gradescope":
        assert json.loads(captured.out)["score"] == 0
    elif fmt == "classroom":
        assert captured.out.splitlines()[0] == "Points 0/100"
    else:
        assert captured.out == ""
