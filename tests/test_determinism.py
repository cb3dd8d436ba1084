"""Determinism: the same submission gives byte-identical JSON, run after run, in and across processes.

`grader_version` is part of the result, so results compare equal only within one version. That a
batch gives the same outputs whatever its number of workers is tests/test_batch.py's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader import __version__
from grader.api import check_file
from grader.core.key import load_key
from grader.grading.grade import grade
from grader.grading.runtime import Runtime
from grader.io.submission import load_submission
from grader.plugins.homeworks import load_homework
from grader.render.json_result import render_json
from tests.runtimes import BOUNDED, INLINE, bounded

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = """homework: hw2-cnn
student: {id: eve, name: "<script>alert(1)</script>"}
answers:
  p4.layer1.rf: __import__('os').system('true')
  p4.formula.conv_out: floor(floor(floor(floor(H^16)^16)^16)^16)^16
  p4.formula.pool_out: (H - k)/s
  p4.layer1.output: 256 x 256 x 3
  p4.layer9.output: 1
"""


def sample_paths(tmp_path: Path) -> dict[str, Path]:
    hostile = tmp_path / "eve.yaml"
    hostile.write_text(HOSTILE, encoding="utf-8")
    return {"lin": ROOT / "submissions" / "hw2-cnn" / "lin.yaml",
            "okafor": ROOT / "submissions" / "hw2-cnn" / "okafor.yaml",
            "key": ROOT / "reference" / "hw2-cnn.yaml", "hostile": hostile}


@pytest.fixture(params=["lin", "okafor", "key", "hostile"])
def submission_path(request, tmp_path):
    return sample_paths(tmp_path)[request.param]


def json_in_process(path: Path, runtime: Runtime = BOUNDED) -> str:
    submission = load_submission(path, known_ids=lambda name: load_homework(name).item_ids)
    homework = load_homework(submission.homework)
    return render_json(grade(submission, homework, load_key(homework), runtime))


def test_repeated_runs_in_one_process_are_byte_identical(submission_path):
    """Grading the same file repeatedly (warm checking process, remembered checks, a fresh runtime, inline) gives
    the same bytes."""
    runtime = bounded()
    first = json_in_process(submission_path, runtime)
    assert json_in_process(submission_path, runtime) == first
    assert json_in_process(submission_path, bounded()) == first
    assert json_in_process(submission_path, INLINE) == first
    assert render_json(check_file(submission_path)) == first


GRADE_ALL = (
    "import sys\n"
    "from grader.api import check_file\n"
    "from grader.render.json_result import render_json\n"
    "print('\\0'.join(render_json(check_file(path)) for path in sys.argv[1:]), end='')\n"
)


@pytest.mark.slow
def test_separate_processes_with_different_hash_seeds_are_byte_identical(tmp_path):
    """Fresh processes with different hash seeds, and `grader check --format json`, give the in-process bytes."""
    paths = list(sample_paths(tmp_path).values())
    expected = "\0".join(json_in_process(path) for path in paths)
    for seed in ("0", "4242"):
        done = subprocess.run([sys.executable, "-c", GRADE_ALL, *map(str, paths)], capture_output=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout.decode("utf-8") == expected
    grader = Path(sys.executable).with_name("grader")
    done = subprocess.run([str(grader), "check", str(paths[-1]), "--format", "json"], capture_output=True, timeout=60)
    assert done.stdout.decode("utf-8") == json_in_process(paths[-1]) + "\n"


def test_the_result_names_the_grader_version():
    """Results carry grader_version, the scope within which identical input gives identical output."""
    assert f'"grader_version": "{__version__}"' in json_in_process(ROOT / "reference" / "hw2-cnn.yaml")
