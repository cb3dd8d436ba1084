"""The `grader` command line: outputs, exit codes and messages (CONTRACT §3)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.core.errors import ExitCode
from grader.homework import Homework, Item, MistakeRule, Problem
from tests.cli_runs import run_cli as run

ROOT = Path(__file__).resolve().parent.parent
KEY = ROOT / "reference" / "hw2-cnn.yaml"
BEN = ROOT / "submissions" / "hw2-cnn" / "ben.yaml"


def test_check_json_of_the_key_is_all_correct(capsys):
    """The committed key grades as every item correct, with the contract's fields."""
    code, out, _ = run(capsys, "check", str(KEY), "--format", "json")
    result = json.loads(out)
    assert code == ExitCode.OK
    assert list(result) == ["homework", "student", "source", "score", "max_score", "problems", "items",
                            "warnings", "grader_version", "variant"]
    assert result["variant"] is None  # graded without variants: the homework as registered
    assert {item["status"] for item in result["items"]} == {"correct"}
    assert result["score"] == result["max_score"]


def test_check_text_shows_a_table(capsys, write_submission, tmp_path):
    """The text view names the problem, each item's points and the total."""
    path = write_submission(tmp_path, "homework: hw2-cnn\nanswers:\n  p4.layer1.rf: 9\n")
    code, out, _ = run(capsys, "check", str(path))
    assert code == ExitCode.OK
    assert "P4" in out and "p4.layer1.rf" in out and "0/0.5" in out and "Total: 0 / " in out
    assert "not answered (64)" in out


@pytest.mark.parametrize(
    "content, words",
    [
        (None, "file not found"),
        ("homework: hw9\nanswers: {}\n", "unknown homework 'hw9'"),
        ("just text\n", "mapping"),
        ("homework: hw2-cnn\nanswers:\n  p4.layer1.rf: [1\n", "line"),
    ],
    ids=["missing-file", "unknown-homework", "not-a-mapping", "broken-yaml"],
)
def test_unusable_submission_exits_2_with_a_message(capsys, write_submission, tmp_path, content, words):
    """A submission that cannot be used exits 2 with a message naming the file and the problem."""
    path = tmp_path / "ghost.yaml" if content is None else write_submission(tmp_path, content)
    code, out, err = run(capsys, "check", str(path))
    assert code == ExitCode.USAGE
    assert out == ""
    assert str(path) in err and words in err


@pytest.mark.parametrize("path, threshold, code", [(KEY, 100, ExitCode.OK), (BEN, 50, ExitCode.BELOW_THRESHOLD)],
                         ids=["at-threshold", "below-threshold"])
def test_fail_under(capsys, path, threshold, code):
    """--fail-under exits 1 only when the score is below the threshold (the key scores 100, ben 47.35)."""
    assert run(capsys, "check", str(path), "--fail-under", str(threshold))[0] == code


def test_hide_expected_withholds_the_key(capsys, write_submission, tmp_path):
    """--hide-expected leaves `expected` null for every item."""
    path = write_submission(tmp_path, "homework: hw2-cnn\nanswers:\n  p4.layer1.rf: 9\n")
    result = json.loads(run(capsys, "check", str(path), "--format", "json", "--hide-expected")[1])
    assert all(item["expected"] is None for item in result["items"])


def test_bad_option_exits_2(capsys):
    """An unknown output format is a usage error (exit 2)."""
    assert run(capsys, "check", str(KEY), "--format", "yaml")[0] == ExitCode.USAGE


def test_list(capsys):
    """`grader list` names the installed homework; with an id it lists items with kinds and points."""
    code, out, _ = run(capsys, "list")
    assert code == 0 and out.startswith("hw2-cnn")
    code, out, _ = run(capsys, "list", "hw2-cnn")
    assert "p4.formula.conv_out" in out and "expression" in out and "1.5" in out


def test_key_check_passes_on_the_committed_key(capsys):
    """`grader key --check` recomputes the key with torch and finds the committed one up to date."""
    code, out, _ = run(capsys, "key", "hw2-cnn", "--check")
    assert code == 0 and "up to date" in out


def test_key_check_fails_on_a_stale_key(capsys, tmp_path):
    """A key whose answer differs from the computation is reported stale (exit 1), naming the item."""
    stale = tmp_path / "key.yaml"
    stale.write_text(KEY.read_text(encoding="utf-8").replace("p4.layer1.rf: '7'", "p4.layer1.rf: '9'"),
                     encoding="utf-8")
    code, _, err = run(capsys, "key", "hw2-cnn", "--check", "--output", str(stale))
    assert code == ExitCode.BELOW_THRESHOLD and "p4.layer1.rf" in err


def test_key_written_equals_committed(capsys, tmp_path):
    """`grader key --output` writes exactly the committed key file."""
    out = tmp_path / "key.yaml"
    assert run(capsys, "key", "hw2-cnn", "--output", str(out))[0] == 0
    assert out.read_text(encoding="utf-8") == KEY.read_text(encoding="utf-8")


def computing(answer: str, mistake: str = "3") -> Homework:
    """A homework `hw-test` whose reference computes `answer` for its number item, and `mistake` under a rule."""
    rule = MistakeRule("off_by_one", "Off by one.", 0.5)
    problem = Problem("p1", "A problem", (Item("p1.a", "number", 1, "A count."),), reference=lambda: {"p1.a": answer},
                      rules=(rule,), mistake_values=lambda: {"p1.a": [("off_by_one", mistake)]})
    return Homework("hw-test", "Test", (problem,), key_package="reference", key_file="hw-test.yaml")


UNREADABLE_ANSWER = computing("about 4")
UNREADABLE_MISTAKE = computing("4", mistake="4 or 5")


@pytest.mark.parametrize("plugin, words", [
    ("UNREADABLE_ANSWER", "item p1.a: the computed answer 'about 4' does not read as a number ("),
    ("UNREADABLE_MISTAKE", "item p1.a: the value '4 or 5' computed under mistake rule 'off_by_one' "
                           "does not read as a number ("),
], ids=["answer", "mistake"])
def test_key_refuses_to_write_what_its_checker_cannot_read(register_homework, capsys, tmp_path, plugin, words):
    """A computed answer or mistake value the item's checker cannot read: exit 2, one line naming the item and why,
    nothing written (with --check too)."""
    register_homework("hw-test", f"{__name__}:{plugin}")
    out = tmp_path / "key.yaml"
    for check in ([], ["--check"]):
        code, stdout, err = run(capsys, "key", "hw-test", "--output", str(out), *check)
        assert (code, stdout) == (ExitCode.USAGE, "")
        assert err.startswith("error: hw-test: ") and words in err and err.count("\n") == 1
        assert list(tmp_path.iterdir()) == []


def test_key_writes_what_its_checker_reads(register_homework, capsys, tmp_path):
    """The same homework computing readable values writes its key."""
    register_homework("hw-test", f"{__name__}:READABLE")
    out = tmp_path / "key.yaml"
    assert run(capsys, "key", "hw-test", "--output", str(out))[0] == ExitCode.OK
    assert "p1.a: '4'" in out.read_text(encoding="utf-8")


READABLE = computing("4")


def test_check_path_imports_neither_torch_nor_sympy():
    """`grader check` reads the committed key and its own formula trees: torch and sympy (slow to
    import) are never imported on that path, formulas and equations included."""
    probe = ("import sys; from grader.cli import main\n"
             "try:\n    main(['check', sys.argv[1], '--format', 'json'])\nexcept SystemExit:\n    pass\n"
             "print('torch' in sys.modules, 'sympy' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe, str(KEY)], capture_output=True, text=True, check=True)
    assert done.stderr.strip().splitlines()[-1] == "False False"
    result = json.loads(done.stdout)
    assert result["score"] == 100
    assert {"expression", "equation"} <= {item["kind"] for item in result["items"]}
