"""One submission, one result: `grader check`, the GitHub action, Gradescope and `grader grade` agree on the sample class."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import yaml

from grader.core.models import Result
from grader.render.gradescope import render_gradescope

from ..deployments import GRADER, REPO, run_action, run_autograder, run_check

SAMPLES = REPO / "submissions" / "hw2-cnn"
STUDENTS = sorted(path.stem for path in SAMPLES.glob("*.yaml") if path.stem != "template")
pytestmark = pytest.mark.slow
TORCH_PIN = re.search(r"torch==([0-9.]+)", (REPO / "Makefile").read_text(encoding="utf-8")).group(1)


# Presentation only: a batch prints formulas as MathML for its HTML reports, `check` does so only with --html.
_MATHML = ("read_as_mathml", "expected_mathml")


def _comparable(result: dict) -> dict:
    """A result without what names the place it was graded from (the path it was given as), and without MathML."""
    items = [{key: value for key, value in item.items() if key not in _MATHML} for item in result["items"]]
    return {**{key: value for key, value in result.items() if key != "source"}, "items": items}


@pytest.fixture(scope="module")
def by_check() -> dict[str, dict | None]:
    """`grader check --format json` of each sample submission (None when it cannot be graded)."""
    found = {}
    for name in STUDENTS:
        completed = run_check(SAMPLES / f"{name}.yaml", "--homework", "hw2-cnn", "--format", "json")
        assert completed.returncode in (0, 2), completed.stderr
        found[name] = json.loads(completed.stdout) if completed.returncode == 0 else None
    assert sum(result is not None for result in found.values()) >= 10  # the sample class's one broken file aside
    return found


@pytest.fixture(scope="module")
def by_grade(tmp_path_factory) -> dict[str, dict]:
    """`grader grade` of the sample class: its results.jsonl lines by student."""
    out = tmp_path_factory.mktemp("parity") / "out"
    completed = subprocess.run([GRADER, "grade", str(SAMPLES), "-o", str(out), "--jobs", "2"],
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    return {line["student"]["id"]: line for line in lines}


@pytest.mark.parametrize("name", STUDENTS)
def test_the_batch_gives_the_same_result_as_check(by_check, by_grade, name):
    """results.jsonl's line of a student equals `grader check`'s JSON of the same file (or both refuse it)."""
    if by_check[name] is None:
        assert "error" in by_grade[name]
    else:
        assert _comparable(by_grade[name]) == _comparable(by_check[name])


@pytest.mark.parametrize("name", STUDENTS)
def test_the_action_gives_the_same_result_as_check(by_check, tmp_path, name):
    """The action's grading step, run as a runner runs it, prints the same result JSON and sets the same score."""
    shutil.copy(SAMPLES / f"{name}.yaml", tmp_path / "submission.yaml")
    completed, outputs = run_action(tmp_path, homework="hw2-cnn", format="json", **{"hide-expected": "false"})
    if by_check[name] is None:
        assert completed.returncode == 2
        return
    assert completed.returncode == 0, completed.stderr
    assert _comparable(json.loads(completed.stdout)) == _comparable(by_check[name])
    assert float(outputs["score"]) == by_check[name]["score"]
    assert "Traceback" not in completed.stdout + completed.stderr


@pytest.mark.parametrize("name", STUDENTS)
def test_gradescope_gives_the_same_result_as_check(by_check, tmp_path, name):
    """run_autograder's results.json is the Gradescope rendering of the very result `grader check` gives."""
    folder = tmp_path / "autograder" / "submission"
    folder.mkdir(parents=True)
    shutil.copy(SAMPLES / f"{name}.yaml", folder / "submission.yaml")
    completed, document = run_autograder(tmp_path / "autograder", HIDE_EXPECTED="0")
    if by_check[name] is None:
        assert document["score"] == 0 and document["tests"] == []
        return
    expected = json.loads(render_gradescope(Result.model_validate(by_check[name]), execution_time=0))
    document["execution_time"] = expected["execution_time"] = 0
    assert document == expected
    assert "Traceback" not in completed.stdout + completed.stderr


def test_the_action_and_gradescope_install_torch_for_error_carried_forward():
    """Where students' submissions are graded, torch's CPU build (the Makefile's pin) is installed, as in `grader grade`."""
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert action["inputs"]["torch-version"]["default"] == TORCH_PIN
    install = next(step for step in action["runs"]["steps"] if step.get("name") == "Install the grader")
    assert 'torch==$TORCH_VERSION' in install["run"] and "download.pytorch.org/whl/cpu" in install["run"]
    assert install["run"].index("torch==") < install["run"].index("GRADER_SPEC")  # torch first: no CUDA build
    setup = (REPO / "gradescope" / "setup.sh").read_text(encoding="utf-8")
    assert f'TORCH_VERSION="${{TORCH_VERSION:-{TORCH_PIN}}}"' in setup
    assert setup.index('"torch==$TORCH_VERSION"') < setup.index("/autograder/source\n")


def test_without_torch_no_traceback_reaches_the_student(tmp_path):
    """Where torch is missing, answers needing error carried forward are flagged for review; stderr holds no traceback."""
    stub = tmp_path / "stub" / "torch"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text("raise ImportError('No module named torch')\n", encoding="utf-8")
    completed = run_check(SAMPLES / "chen.yaml", "--format", "json", env={"PYTHONPATH": str(tmp_path / "stub")})
    assert completed.returncode == 0 and completed.stderr == ""
    flagged = [item for item in json.loads(completed.stdout)["items"] if "could not check here" in item["feedback"]]
    assert flagged and all(item["needs_review"] for item in flagged)
