"""Arguments and folders that used to be taken silently: --fail-under, --jobs, the template, file modes."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess

import pytest
from typer.testing import CliRunner

from grader.batch import run as batch_run
from grader.cli import app

from ..deployments import GRADER, REPO, run_check

SAMPLES = REPO / "submissions" / "hw2-cnn"


@pytest.mark.parametrize(
    "value, says",
    [
        pytest.param("200", "--fail-under 200 is more than the 100 points of hw2-cnn: no submission could pass", id="above-the-maximum"),
        pytest.param("-5", "--fail-under must be a number of points, 0 or more, not -5", id="negative"),
        pytest.param("nan", "--fail-under must be a number of points, 0 or more, not nan", id="nan"),
        pytest.param("inf", "--fail-under must be a number of points, 0 or more, not inf", id="infinite"),
    ],
)
def test_fail_under_outside_the_points_is_a_usage_error(value, says):
    """A threshold no submission could meet (or not a threshold at all) exits 2 saying why."""
    completed = run_check(SAMPLES / "ada.yaml", "--fail-under", value)
    assert (completed.returncode, completed.stdout) == (2, "")
    assert completed.stderr.strip().splitlines() == [f"error: {says}"]


def test_failing_the_threshold_says_why():
    """Below --fail-under: exit 1 and a line with the score and the threshold."""
    completed = run_check(SAMPLES / "ben.yaml", "--fail-under", "99")
    assert completed.returncode == 1
    assert "is below --fail-under 99 (of 100)" in completed.stderr


def test_jobs_are_capped_with_a_message(tmp_path, monkeypatch):
    """--jobs 300 starts at most twice the cores' worker processes, and says so."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    asked = []
    monkeypatch.setattr(batch_run, "run_pool", lambda entries, options, *, jobs, progress: asked.append(jobs) or iter(()))
    result = CliRunner().invoke(app, ["grade", str(tmp_path), "-o", str(tmp_path / "out"), "--jobs", "300"])
    assert result.exit_code == 0, result.output
    assert asked == [4]
    assert "--jobs 300: using 4 worker processes" in result.output


def test_only_the_blank_template_at_the_top_is_skipped_and_it_is_listed(tmp_path):
    """template.yaml at the top is left out and listed; a student folder or file named Template is graded."""
    folder = tmp_path / "class"
    (folder / "template").mkdir(parents=True)
    shutil.copy(SAMPLES / "template.yaml", folder / "template.yaml")
    shutil.copy(SAMPLES / "ada.yaml", folder / "template" / "submission.yaml")
    shutil.copy(SAMPLES / "ben.yaml", folder / "Template.yml")
    completed = subprocess.run([GRADER, "grade", str(folder), "-o", str(tmp_path / "out"), "--jobs", "1"],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert "Graded 2 of 2 submissions" in completed.stdout
    assert "template.yaml not graded: the blank template" in completed.stdout
    assert sorted(p.name for p in (tmp_path / "out" / "reports").iterdir()) == ["Template.html", "template-2.html"]


@pytest.mark.slow
@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_output_files_respect_the_umask(tmp_path, umask):
    """Reports, CSV and JSONL get the mode open() would give under the caller's umask (not a forced 0644)."""
    out = tmp_path / "out"
    completed = subprocess.run(
        ["sh", "-c", f'umask {umask:03o} && exec "$0" grade "$1" -o "$2" --jobs 1', GRADER,
         str(REPO / "tests" / "data" / "class"), str(out)],
        capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    for path in (out / "grades.csv", out / "results.jsonl", out / "index.html", out / "reports" / "ada.html"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path
