"""Inside GitHub Actions: outputs, job summary and annotations written where the runner reads them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli import app
from grader.core.errors import UsageError
from grader.render import github_actions as ci

from .conftest import PARTIAL_CHANGES, make_submission, wrong_answers

ANNOTATION = re.compile(r"^::(?P<command>\w+)(?: (?P<props>[^:]*))?::(?P<message>.*)$")


def actions_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The variables a runner sets for a step, pointing at fresh files under tmp_path."""
    for name in ("github_output", "step_summary"):
        (tmp_path / name).write_text("", encoding="utf-8")
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(tmp_path / "github_output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step_summary"),
        "GITHUB_WORKSPACE": str(tmp_path),
        **extra,
    }


def outputs(path: str) -> dict[str, str]:
    """Parse a $GITHUB_OUTPUT file (both `name=value` and `name<<DELIMITER` forms)."""
    found, lines = {}, Path(path).read_text(encoding="utf-8").splitlines()
    while lines:
        line = lines.pop(0)
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter)
            found[name], lines = "\n".join(lines[:end]), lines[end + 1:]
        else:
            name, value = line.split("=", 1)
            found[name] = value
    return found


def commands(stderr: str) -> list[dict]:
    """Workflow commands in a step's output, with properties and message unescaped."""
    def unescape(text: str) -> str:
        return text.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")

    parsed = []
    for line in stderr.splitlines():
        match = ANNOTATION.match(line)
        if match:
            props = dict(pair.split("=", 1) for pair in (match["props"] or "").split(",") if pair)
            parsed.append({"command": match["command"], **{k: unescape(v) for k, v in props.items()},
                           "message": unescape(match["message"])})
    return parsed


def run_check(path: Path, env: dict[str, str], *options: str):
    return CliRunner().invoke(app, ["check", str(path), *options], env=env)


def test_step_outputs_summary_and_annotations(tmp_path):
    """A graded submission leaves outputs, a Markdown summary and one warning per answer that lost points."""
    path = make_submission(tmp_path, PARTIAL_CHANGES)
    env = actions_env(tmp_path)
    run = run_check(path, env, "--format", "classroom")
    assert run.exit_code == 0, run.output
    assert run.stdout.splitlines() == ["Points 96.75/100"]  # the result went to $GITHUB_OUTPUT instead
    found = outputs(env["GITHUB_OUTPUT"])
    assert (found["score"], found["max-score"]) == ("96.75", "100") and found["result"]
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert summary.startswith("## hw2-cnn · ada") and "| 🟡 | <code>p4.layer2.output</code>" in summary
    warnings = [c for c in commands(run.stderr) if c["command"] == "warning"]
    by_title = {c["title"].split(":")[0]: c for c in warnings}
    assert set(by_title) == {"p4.layer1.params", "p4.layer2.output", "p4.layer4.params", "p4.formula.conv_out",
                             "1 item unanswered"}
    lines = _answer_lines(path)
    for item_id in ("p4.layer1.params", "p4.layer2.output", "p4.layer4.params", "p4.formula.conv_out"):
        assert by_title[item_id]["file"] == "ada.yaml"  # relative to the workspace
        assert by_title[item_id]["line"] == str(lines[item_id])
    assert by_title["p4.layer2.output"]["title"] == "p4.layer2.output: partial, 0.25/0.5 points"
    assert "spatial size" in by_title["p4.layer2.output"]["message"]
    assert "  7e3x\n     ^" in by_title["p4.layer4.params"]["message"]  # caret diagram survives escaping
    assert "line" not in by_title["1 item unanswered"] and "p4.layer3.rf" in by_title["1 item unanswered"]["message"]
    assert [c["message"] for c in commands(run.stderr) if c["command"] == "notice"] == ["Points 96.75/100"]


def test_annotations_stay_within_the_warning_limit(tmp_path):
    """90 wrong answers and a missing one: 8 annotated, one warning lists the other 82, one the gap; the summary has all."""
    path = make_submission(tmp_path, {"p4.layer1.rf": None}, answers=wrong_answers())
    env = actions_env(tmp_path)
    run = run_check(path, env)
    warnings = [c for c in commands(run.stderr) if c["command"] == "warning"]
    assert len(warnings) == ci.WARNING_LIMIT
    assert all("line" in c for c in warnings[:8])
    assert warnings[8]["title"] == "82 more answers lost points" and "and 70 more" in warnings[8]["message"]
    assert warnings[9]["title"] == "1 item unanswered"
    assert Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8").count("| ❌ |") == 90


def test_unusable_submission_gets_an_error_annotation_at_its_line(tmp_path):
    """A file that cannot be read is reported at the offending line, in the summary, and exits 2."""
    path = tmp_path / "submission.yaml"
    path.write_text("homework: hw2-cnn\nanswers:\n  p4.layer1.output: 1 x 1\n  p4: [\n", encoding="utf-8")
    env = actions_env(tmp_path)
    run = run_check(path, env, "--format", "classroom")
    assert isinstance(run.exception, UsageError)
    [error] = [c for c in commands(run.stderr) if c["command"] == "error"]
    assert (error["file"], error["line"]) == ("submission.yaml", "5")
    assert "could not be graded" in Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert outputs(env["GITHUB_OUTPUT"])["result"]


def test_nothing_happens_outside_actions(tmp_path):
    """Without GITHUB_ACTIONS=true there are no annotations and no files are touched."""
    path = make_submission(tmp_path, PARTIAL_CHANGES)
    env = actions_env(tmp_path, GITHUB_ACTIONS="")
    del env["GITHUB_OUTPUT"]
    run = run_check(path, env, "--format", "json")
    assert run.exit_code == 0 and run.stderr == ""
    assert Path(env["GITHUB_STEP_SUMMARY"]).read_text() == ""


def test_classroom_result_goes_to_stdout_without_github_output(tmp_path):
    """Outside Actions the Classroom result is printed as the `result=…` line it would have appended."""
    run = run_check(make_submission(tmp_path), {"GITHUB_OUTPUT": ""}, "--format", "classroom")
    points, result = run.stdout.splitlines()
    assert points == "Points 100/100" and result.startswith("result=") and len(result) > 1000


def test_multiline_output_uses_a_delimiter(tmp_path):
    """A value with line breaks is written in the `name<<DELIMITER` form and reads back intact."""
    env = actions_env(tmp_path)
    assert ci.set_output("report", "line 1\nline 2", env) and ci.set_output("score", "3", env)
    assert outputs(env["GITHUB_OUTPUT"]) == {"report": "line 1\nline 2", "score": "3"}
    assert not ci.set_output("score", "3", {})


@pytest.mark.parametrize(
    "message, properties, line",
    [
        pytest.param("plain", {}, "::warning::plain", id="plain"),
        pytest.param("100% done\nnext", {}, "::warning::100%25 done%0Anext", id="data-escapes"),
        pytest.param("m", {"file": "a,b:c.yaml", "line": 3}, "::warning file=a%2Cb%3Ac.yaml,line=3::m", id="property-escapes"),
        pytest.param("m", {"file": None, "line": None}, "::warning::m", id="absent-properties"),
    ],
)
def test_workflow_command_escaping(message, properties, line):
    """Commands are escaped like the actions toolkit does (% CR LF everywhere; : and , in properties)."""
    assert ci.workflow_command("warning", message, **properties) == line


@pytest.mark.parametrize(
    "source, workspace, expected",
    [
        pytest.param("/w/repo/hw/ada.yaml", "/w/repo", "hw/ada.yaml", id="inside-workspace"),
        pytest.param("submission.yaml", "/w/repo", "submission.yaml", id="already-relative"),
        pytest.param("/elsewhere/ada.yaml", "/w/repo", "/elsewhere/ada.yaml", id="outside-workspace"),
        pytest.param(None, "/w/repo", None, id="no-source"),
    ],
)
def test_annotation_paths_are_workspace_relative(source, workspace, expected):
    """Annotations name the file relative to the repository, as the pull request view needs."""
    assert ci.annotation_path(source, workspace) == expected


def _answer_lines(path: Path) -> dict[str, int]:
    return {line.split(":")[0].strip(): number for number, line in
            enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if line.startswith("  p4.")}
