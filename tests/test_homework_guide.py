"""docs/writing-a-homework.md works as written: its package is built from the guide's own files and graded."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from grader.authoring.keys import build_key, render_key
from grader.plugins.homeworks import load_homework

from .deployments import REPO

GUIDE = REPO / "docs" / "writing-a-homework.md"


def guide_files() -> dict[str, str]:
    """Every `File NAME:` of the guide and the code block that follows it."""
    text = GUIDE.read_text(encoding="utf-8")
    return {name: body for name, body in re.findall(r"File `([^`]+)`:\n\n```[a-z]*\n(.*?)```", text, re.S)}


@pytest.fixture
def hw_pool(tmp_path, monkeypatch, register_homework):
    """The guide's package written to a folder, importable, registered under its entry point, its key computed."""
    project = tmp_path / "my-homeworks"
    for name, body in guide_files().items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(body, encoding="utf-8")
    metadata = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    (name, value), = metadata["project"]["entry-points"]["grader.homeworks"].items()
    monkeypatch.syspath_prepend(str(project))
    register_homework(name, value)  # what `pip install` does with the entry point
    homework = load_homework(name)
    (project / "hw_pool" / homework.key_file).write_text(render_key(build_key(homework)), encoding="utf-8")
    yield project, homework
    for module in [m for m in sys.modules if m == "hw_pool" or m.startswith("hw_pool.")]:
        del sys.modules[module]


def test_the_guide_lists_every_file_of_its_package():
    """The guide gives pyproject.toml, the homework module and a submission, each whole."""
    assert set(guide_files()) == {"pyproject.toml", "hw_pool/__init__.py", "submission.yaml"}


def test_the_guides_homework_registers_and_its_key_is_computed(hw_pool):
    """The homework loads through its entry point (validated), with the points and key the guide states."""
    _, homework = hw_pool
    assert (homework.id, homework.max_score, len(homework.items)) == ("hw-pool", 4, 3)
    # Independently: floor((9 - 3)/2) + 1 and (3·3·2 + 1)·4, the layers the prompts describe.
    assert build_key(homework).answers == {"p1.output": "4", "p1.params": "76", "p1.formula": "floor((H - k)/s) + 1"}


def test_the_guides_submission_scores_every_point(hw_pool, monkeypatch):
    """`grader check` of the guide's submission.yaml reads the key from the package data: 4 / 4."""
    import grader.api
    from grader.core.key import load_key

    project, homework = hw_pool
    monkeypatch.setattr(grader.api, "committed_key", lambda homework_id: load_key(homework))
    result = grader.api.check_file(project / "submission.yaml")
    assert (result.score, result.max_score) == (4, 4)


def test_the_guides_self_tests_hold(hw_pool):
    """Every self-test of the guide's homework gets its status."""
    from grader.core.models import RawAnswer
    from grader.grading.grade import grade_item
    from tests.runtimes import INLINE

    _, homework = hw_pool
    key = build_key(homework)
    cases = [case for problem in homework.problems for case in problem.self_tests]
    assert len(cases) == 6
    for case in cases:
        item = homework.item(case.item)
        graded = grade_item(item, RawAnswer(text=case.answer), key.answers[item.id], homework, INLINE)
        assert graded.status.value == case.status, (case, graded.feedback)


def test_gradescope_zip_carries_the_guides_package(hw_pool, tmp_path):
    """build_zip.py --with puts the package into extra/, and setup.sh installs what is there."""
    project, _ = hw_pool
    out = tmp_path / "hw-pool.zip"
    done = subprocess.run([sys.executable, str(REPO / "gradescope" / "build_zip.py"), str(out), "--homework", "hw2-cnn",
                           "--with", str(project)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    names = set(zipfile.ZipFile(out).namelist())
    assert {"extra/my-homeworks/pyproject.toml", "extra/my-homeworks/hw_pool/__init__.py",
            "extra/my-homeworks/hw_pool/hw-pool.yaml"} <= names
    assert "/autograder/source/extra/*/" in (REPO / "gradescope" / "setup.sh").read_text(encoding="utf-8")


def test_guide_points_at_files_that_exist():
    """Paths of this repository the guide names exist."""
    for path in re.findall(r"`((?:problems|tests|grader|gradescope)/[\w/.-]+)`", GUIDE.read_text(encoding="utf-8")):
        assert (REPO / path).exists(), path
    assert Path(REPO / "tests" / "test_self_tests.py").exists()
