"""The `grader grade` and `grader check --html` commands: outputs and exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli import app, main

DATA = Path(__file__).resolve().parent / "data"
CLASS = DATA / "class"


def run(args: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    """Run the console entry point (so UsageError maps to exit 2) and return (code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["grader", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    captured = capsys.readouterr()
    return exited.value.code or 0, captured.out, captured.err


def test_grade_writes_the_class_outputs_and_exits_0(tmp_path):
    """A class with broken submissions still exits 0, prints a summary and writes every output."""
    result = CliRunner().invoke(app, ["grade", str(CLASS), "-o", str(tmp_path / "out"), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert "Graded 3 of 5 submissions" in result.output and "not graded (broken):" in result.output
    assert "mean" in result.output and "index.html" in result.output
    assert (tmp_path / "out" / "index.html").exists() and (tmp_path / "out" / "reports" / "ada.html").exists()


def test_grade_applies_overrides(tmp_path):
    """--overrides changes the adjusted student's total in grades.csv and marks the report."""
    result = CliRunner().invoke(app, ["grade", str(CLASS), "-o", str(tmp_path), "-j", "1",
                                      "--overrides", str(DATA / "overrides.yaml")])
    assert result.exit_code == 0, result.output
    import csv

    rows = {row["student_id"]: row for row in csv.DictReader((tmp_path / "grades.csv").open(encoding="utf-8"))}
    assert rows["bob"]["p4"] == "11.75"  # 10.75 graded + 0.25 + 0.75 from the instructor
    assert "adjusted by instructor" in (tmp_path / "reports" / "bob.html").read_text()


def test_grade_hide_expected_withholds_answers(tmp_path):
    """--hide-expected: no expected answer (nor its MathML) in the student reports."""
    result = CliRunner().invoke(app, ["grade", str(CLASS), "-o", str(tmp_path), "-j", "1", "--hide-expected"])
    assert result.exit_code == 0, result.output
    report = (tmp_path / "reports" / "ada.html").read_text()
    assert "not shown" in report and "308,281,344" in report  # ada's own answer is still there
    assert "812851200" in report and "812,851,200" not in report  # her answer, never the key's rendering
    assert report.count("<math") == 7  # her seven formulas as read; no expected formula


@pytest.mark.parametrize(
    "args, message",
    [
        (["grade", str(CLASS / "ada.yaml"), "-o", "OUT"], "not a folder"),
        (["grade", "/no/such/folder", "-o", "OUT"], "not a folder"),
        (["grade", str(CLASS), "-o", "OUT", "--overrides", "/no/such.yaml"], "overrides file not found"),
    ],
    ids=["file-not-folder", "missing-folder", "missing-overrides"],
)
def test_grade_usage_errors_exit_2(tmp_path, monkeypatch, capsys, args, message):
    """Unusable arguments exit 2 with one clear line naming the path."""
    args = [a.replace("OUT", str(tmp_path / "out")) for a in args]
    code, _, err = run(args, monkeypatch, capsys)
    assert code == 2 and message in err


def test_grade_bad_overrides_exit_2_before_grading(tmp_path, monkeypatch, capsys):
    """An overrides typo fails with its line before anything is graded or written."""
    bad = tmp_path / "o.yaml"
    bad.write_text("bob:\n  p4.layer99.rf: 1\n")
    code, _, err = run(["grade", str(CLASS), "-o", str(tmp_path / "out"), "--overrides", str(bad)], monkeypatch, capsys)
    assert code == 2 and "o.yaml:2" in err and "unknown item" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("jobs", ["0", "-1", "many"], ids=["zero", "negative", "word"])
def test_grade_rejects_bad_jobs(tmp_path, jobs):
    """--jobs must be a positive integer (click's usage error, exit 2)."""
    result = CliRunner().invoke(app, ["grade", str(CLASS), "-o", str(tmp_path), "--jobs", jobs])
    assert result.exit_code == 2


def test_check_html_writes_a_report(tmp_path):
    """`grader check --html FILE` prints the text result and writes the report."""
    page = tmp_path / "ada.html"
    result = CliRunner().invoke(app, ["check", str(CLASS / "ada.yaml"), "--html", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Ada Lovelace" in html and "<math" in html


def test_check_html_into_a_missing_folder_exits_2(tmp_path, monkeypatch, capsys):
    """An HTML path that cannot be written is a usage error."""
    target = tmp_path / "file"
    target.write_text("")
    code, _, err = run(["check", str(CLASS / "ada.yaml"), "--html", str(target / "x.html")], monkeypatch, capsys)
    assert code == 2 and "cannot write the HTML report" in err


def test_check_without_html_does_not_import_jinja2():
    """The check path stays light: jinja2 is imported only when --html is used."""
    import subprocess

    code = ("import sys; from grader.cli import main; sys.argv = ['grader', 'check', {!r}, '--format', 'json']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('jinja2' in sys.modules, 'torch' in sys.modules, file=sys.stderr)").format(str(CLASS / "ada.yaml"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stderr.strip().splitlines()[-1] == "False False"
