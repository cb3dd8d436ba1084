"""Where students run the grader (their CI, Gradescope): no link to the key, no homework of their choosing."""

from __future__ import annotations

import os
import shutil

import pytest

from ..deployments import REPO, run_action, run_autograder, run_check

SAMPLES = REPO / "submissions" / "hw2-cnn"
KEY = REPO / "reference" / "hw2-cnn.yaml"


def _other_homework(text: str) -> str:
    return text.replace("homework: hw2-cnn", "homework: hw1-other", 1)


@pytest.mark.parametrize(
    "layout, target",
    [
        pytest.param({"submission.yaml": KEY}, "submission.yaml", id="file-links-to-the-key"),
        pytest.param({"hw": KEY.parent}, "hw/hw2-cnn.yaml", id="folder-links-to-the-keys"),
        pytest.param({"submission.yaml": SAMPLES / "ada.yaml"}, "submission.yaml", id="link-to-a-classmate"),
    ],
)
def test_check_refuses_a_submission_reached_through_a_link(tmp_path, layout, target):
    """A symlinked submission (or folder on the way) is refused with exit 2 and one line; the key is never graded."""
    for name, points_to in layout.items():
        os.symlink(points_to, tmp_path / name)
    completed = run_check(target, "--format", "json", cwd=tmp_path)
    assert completed.returncode == 2, completed.stdout[:300]
    assert completed.stdout == "" and "100" not in completed.stderr
    (message,) = completed.stderr.splitlines()
    assert "symbolic link" in message and message.startswith(f"error: {target}")


def test_check_still_reads_a_plain_file_in_a_linked_parent_given_absolutely(tmp_path):
    """The folders above an absolute path are the caller's (a temp dir, /autograder): only the file is checked."""
    real = tmp_path / "real"
    real.mkdir()
    shutil.copy(SAMPLES / "ada.yaml", real / "submission.yaml")
    os.symlink(real, tmp_path / "linked")
    assert run_check(tmp_path / "linked" / "submission.yaml").returncode == 0


def test_check_refuses_a_file_of_another_homework_when_pinned(tmp_path):
    """--homework pins the homework: a file naming another one is refused at its homework: line."""
    path = tmp_path / "submission.yaml"
    path.write_text(_other_homework((SAMPLES / "ada.yaml").read_text(encoding="utf-8")), encoding="utf-8")
    completed = run_check(path, "--homework", "hw2-cnn", "--format", "json")
    assert completed.returncode == 2 and completed.stdout == ""
    (message,) = completed.stderr.splitlines()
    assert "names homework 'hw1-other', but this grading is for 'hw2-cnn' only" in message


def test_check_refuses_an_unknown_pinned_homework(tmp_path):
    """A --homework that is not installed is the caller's mistake, said before the file is read."""
    completed = run_check(SAMPLES / "ada.yaml", "--homework", "hw9")
    assert completed.returncode == 2 and "unknown homework 'hw9' (installed homeworks: hw2-cnn)" in completed.stderr


def test_the_action_requires_and_passes_the_homework(tmp_path):
    """The action's step refuses to run without a homework input, and grades only that homework."""
    shutil.copy(SAMPLES / "ada.yaml", tmp_path / "submission.yaml")
    completed, _ = run_action(tmp_path, homework="")
    assert completed.returncode == 2 and "Set the action's homework input" in completed.stdout
    (tmp_path / "submission.yaml").write_text(_other_homework((SAMPLES / "ada.yaml").read_text(encoding="utf-8")),
                                              encoding="utf-8")
    completed, outputs = run_action(tmp_path, homework="hw2-cnn")
    assert completed.returncode == 2 and "this grading is for 'hw2-cnn' only" in completed.stderr
    assert outputs.get("score", "0") == "0"


def test_the_action_refuses_a_symlink_to_its_own_key(tmp_path):
    """In a student repository, submission.yaml -> the action's key is refused, not graded 100/100."""
    os.symlink(KEY, tmp_path / "submission.yaml")
    completed, outputs = run_action(tmp_path, homework="hw2-cnn")
    assert completed.returncode == 2 and "symbolic link" in completed.stderr
    assert "Points 100/100" not in completed.stdout + completed.stderr and outputs.get("score", "0") == "0"


@pytest.mark.parametrize("link_to", [KEY, SAMPLES / "ada.yaml"], ids=["the-key", "a-classmate"])
def test_run_autograder_refuses_a_symlinked_upload(tmp_path, link_to):
    """Gradescope: a submission.yaml that links elsewhere gets 0 with the reason, never its target's points."""
    folder = tmp_path / "autograder" / "submission"
    folder.mkdir(parents=True)
    os.symlink(link_to, folder / "submission.yaml")
    completed, document = run_autograder(tmp_path / "autograder")
    assert completed.returncode == 0 and document["score"] == 0
    assert "symbolic link" in document["output"]


def test_run_autograder_pins_the_homework_of_its_zip(tmp_path):
    """Gradescope: the homework comes from autograder.env (build_zip.py), not from the student's file."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "source").mkdir()
    (root / "source" / "autograder.env").write_text("HOMEWORK=hw2-cnn\n", encoding="utf-8")
    (root / "submission" / "submission.yaml").write_text(
        _other_homework((SAMPLES / "ada.yaml").read_text(encoding="utf-8")), encoding="utf-8")
    _, document = run_autograder(root, HOMEWORK="")
    assert document["score"] == 0 and "this grading is for 'hw2-cnn' only" in document["output"]
    shutil.copy(SAMPLES / "ada.yaml", root / "submission" / "submission.yaml")
    assert run_autograder(root, HOMEWORK="")[1]["score"] > 90


def test_run_autograder_without_a_homework_grades_nothing(tmp_path):
    """A zip built without a homework (and no HOMEWORK set) gives 0 and says the autograder is not configured."""
    (tmp_path / "autograder" / "submission").mkdir(parents=True)
    shutil.copy(SAMPLES / "ada.yaml", tmp_path / "autograder" / "submission" / "submission.yaml")
    _, document = run_autograder(tmp_path / "autograder", HOMEWORK="")
    assert document["score"] == 0 and "not configured" in document["output"]
