"""A student gets the same variant, and the same points, from `grader grade`, `grader check`, the GitHub action and
Gradescope (real processes; the service has its own test in tests/service/test_variants.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from grader.api import homework_for
from grader.core.variant import Assignment

from ..deployments import GRADER, REPO, run_action, run_autograder, run_check
from .conftest import HOMEWORK, SECRET

pytestmark = pytest.mark.slow

ADA = REPO / "submissions" / "hw2-cnn" / "ada.yaml"


@pytest.fixture
def shared_cache(tmp_path, monkeypatch):
    """One key cache for every process the test starts (GRADER_KEY_CACHE), so each variant is computed once."""
    monkeypatch.setenv("GRADER_KEY_CACHE", str(tmp_path / "keys"))
    return tmp_path / "keys"


def test_every_deployment_grades_ada_on_her_variant(tmp_path, secret_file, shared_cache):
    ada = homework_for(HOMEWORK.id, Assignment(secret=SECRET.encode()), "ada").variant
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(ADA, folder / "ada.yaml")
    graded = subprocess.run([GRADER, "grade", str(folder), "-o", str(tmp_path / "out"), "--secret-file",
                             str(secret_file), "--jobs", "1"], capture_output=True, text=True, timeout=300,
                            env={**os.environ})
    assert graded.returncode == 0, graded.stderr
    batch = json.loads((tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8"))
    assert batch["variant"]["digest"] == ada.digest and batch["score"] < HOMEWORK.max_score

    checked = run_check(ADA, "--format", "json", "--student", "ada", "--secret-file", secret_file,
                        env={"GRADER_KEY_CACHE": str(shared_cache)})
    assert checked.returncode == 0, checked.stderr
    assert (json.loads(checked.stdout)["variant"], json.loads(checked.stdout)["score"]) == \
        (batch["variant"], batch["score"])

    workspace = tmp_path / "repository"
    workspace.mkdir()
    shutil.copy(ADA, workspace / "submission.yaml")
    completed, outputs = run_action(workspace, homework="hw2-cnn", variant=ada.seed, format="json")
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["variant"]["digest"] == ada.digest
    assert float(outputs["score"]) == batch["score"]

    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "source").mkdir()
    shutil.copy(ADA, root / "submission" / "submission.yaml")
    shutil.copy(secret_file, root / "source" / "variant.secret")
    (root / "submission_metadata.json").write_text(json.dumps(
        {"users": [{"email": "ada@example.edu", "id": 1, "name": "Ada Lovelace", "sid": "ada"}]}), encoding="utf-8")
    completed, document = run_autograder(root)
    assert completed.returncode == 0, completed.stderr
    assert document["score"] == batch["score"] and f"Variant {ada.short}" in document["output"]
    assert SECRET not in completed.stdout + completed.stderr + json.dumps(document)


def test_gradescope_without_the_students_id_gives_zero_and_says_why(tmp_path, secret_file, shared_cache):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "source").mkdir()
    shutil.copy(ADA, root / "submission" / "submission.yaml")
    shutil.copy(secret_file, root / "source" / "variant.secret")
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"email": "ada@example.edu", "sid": ""}]}),
                                                   encoding="utf-8")
    completed, document = run_autograder(root)
    assert completed.returncode == 0 and document["score"] == 0 and "has no sid" in document["output"]
    completed, document = run_autograder(root, IDENTITY="email")
    assert completed.returncode == 0 and document["score"] > 0  # named by e-mail instead


def test_the_gradescope_zip_carries_the_secret_only_when_asked(tmp_path, secret_file):
    import sys
    import zipfile

    sys.path.insert(0, str(REPO / "gradescope"))
    try:
        import build_zip
    finally:
        sys.path.remove(str(REPO / "gradescope"))
    plain = zipfile.ZipFile(build_zip.build(tmp_path / "plain.zip", "hw2-cnn"))
    assert "variant.secret" not in plain.namelist() and plain.read("autograder.env") == b"HOMEWORK=hw2-cnn\n"
    varied = zipfile.ZipFile(build_zip.build(tmp_path / "varied.zip", "hw2-cnn", secret_file=secret_file,
                                             identity="email"))
    assert varied.read("variant.secret").decode().strip() == SECRET
    assert varied.read("autograder.env") == b"HOMEWORK=hw2-cnn\nIDENTITY=email\n"
