"""The gradescope/ folder: run_autograder against a fake /autograder, and the autograder zip."""

from __future__ import annotations

import shutil
import stat
import sys
import zipfile
from pathlib import Path

import pytest

from ..deployments import REPO
from ..deployments import run_autograder as run_script
from .conftest import PARTIAL_CHANGES, make_submission
from .test_gradescope import spec_violations


def run_autograder(root: Path, **env: str) -> dict:
    """Run gradescope/run_autograder against a fake /autograder and return its results.json."""
    completed, document = run_script(root, **env)
    assert completed.returncode == 0, completed.stderr
    return document


@pytest.mark.parametrize(
    "layout, score",
    [
        pytest.param({"submission.yaml": "partial"}, 96.75, id="submission.yaml"),
        pytest.param({"hw2/ada.yml": "correct"}, 100, id="only-yaml-in-a-folder"),
        pytest.param({"submission.yaml": "correct", "notes/old.yaml": "partial"}, 100, id="submission.yaml-wins"),
        pytest.param({}, 0, id="nothing-submitted"),
        pytest.param({"a.yaml": "correct", "b.yaml": "correct"}, 0, id="ambiguous"),
    ],
)
def test_run_autograder_grades_the_submission_folder(tmp_path, layout, score):
    """run_autograder finds the submission in /autograder/submission and writes a valid results.json."""
    sources = tmp_path / "sources"
    sources.mkdir()
    for target, sample in layout.items():
        path = tmp_path / "autograder" / "submission" / target
        path.parent.mkdir(parents=True, exist_ok=True)
        changes = PARTIAL_CHANGES if sample == "partial" else None
        shutil.copy(make_submission(sources, changes, name=sample), path)
    (tmp_path / "autograder" / "submission").mkdir(parents=True, exist_ok=True)
    document = run_autograder(tmp_path / "autograder")
    assert spec_violations(document) == []
    assert document["score"] == score


@pytest.mark.parametrize("hide, shown", [("1", False), ("0", True)])
def test_run_autograder_withholds_expected_answers_by_default(tmp_path, hide, shown):
    """Expected answers stay out of Gradescope unless HIDE_EXPECTED=0; feedback stays either way."""
    folder = tmp_path / "autograder" / "submission"
    folder.mkdir(parents=True)
    shutil.copy(make_submission(tmp_path, PARTIAL_CHANGES, name="ada"), folder / "submission.yaml")
    document = run_autograder(tmp_path / "autograder", HIDE_EXPECTED=hide)
    outputs = "\n".join(test["output"] for test in document["tests"])
    assert ("expected: 126 × 126 × 64" in outputs) is shown
    assert "spatial size" in outputs


def test_autograder_zip_has_the_scripts_at_its_root(tmp_path):
    """The zip holds setup.sh, an executable run_autograder and the pinned homework at its root, and what pip needs."""
    sys.path.insert(0, str(REPO / "gradescope"))
    try:
        import build_zip
    finally:
        sys.path.remove(str(REPO / "gradescope"))
    archive = zipfile.ZipFile(build_zip.build(tmp_path / "autograder.zip", "hw2-cnn"))
    names = set(archive.namelist())
    assert archive.read("autograder.env").decode() == "HOMEWORK=hw2-cnn\n"  # what run_autograder pins
    assert {"setup.sh", "run_autograder", "pyproject.toml", "README.md", "reference/hw2-cnn.yaml",
            "grader/cli/__init__.py", "problems/hw2_cnn/__init__.py"} <= names
    assert not any("__pycache__" in name for name in names)
    mode = archive.getinfo("run_autograder").external_attr >> 16
    assert mode & stat.S_IXUSR
