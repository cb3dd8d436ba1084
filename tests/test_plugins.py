"""Homework plugins: found through entry points, validated eagerly with messages naming the fault."""

from dataclasses import replace

import pytest

from grader.core.errors import UsageError
from grader.homework import ExpressionOptions, Homework, Item, Problem, SelfTest, Variable
from grader.plugins.homeworks import PluginError, available_homeworks, load_homework, validate_homework
from problems.hw2_cnn import HOMEWORK
from tests.cli_runs import run_cli as run


def make_homework(*items: Item, total: float | None = None) -> Homework:
    """A one-problem homework `hw-test` holding `items`."""
    problem = Problem("p1", "A problem", tuple(items), reference=dict)
    return Homework("hw-test", "Test", (problem,), key_package="reference", key_file="hw-test.yaml",
                    total_points=total)


def test_builtin_homework_is_registered_like_a_plugin():
    """hw2-cnn is found through the grader.homeworks entry-point group and loads validated."""
    assert "hw2-cnn" in available_homeworks()
    assert load_homework("hw2-cnn") is HOMEWORK


def test_unknown_homework_lists_the_installed_ones():
    """Asking for an unknown homework is a usage error naming the installed ones."""
    with pytest.raises(UsageError, match="installed homeworks: .*hw2-cnn"):
        load_homework("hw404")


NUMBER = Item("p1.a", "number", 1, "A count.")
VARS = (Variable("H", ("H_in",)), Variable("k", ("kernel",)))


@pytest.mark.parametrize(
    "items, total, words",
    [
        ((NUMBER, NUMBER), None, "duplicate item id 'p1.a'"),
        ((replace(NUMBER, id="p2.a"),), None, "must start with its problem's id"),
        ((replace(NUMBER, points=0),), None, "points must be positive"),
        ((NUMBER,), 2, "add up to 1, but total_points is 2"),
        ((Item("p1.f", "expression", 1, "A formula."),), None, "needs options of type ExpressionOptions"),
        ((Item("p1.f", "expression", 1, "F.", ExpressionOptions((Variable("H", ("k",)), Variable("k")))),),
         None, "the name 'k' is used by both 'H' and 'k'"),
        ((Item("p1.x", "essay", 1, "?"),), None, "unknown kind 'essay'"),
    ],
    ids=["duplicate", "prefix", "zero-points", "total", "options", "alias-clash", "kind"],
)
def test_validation_names_the_fault(items, total, words):
    """Registration rejects a malformed homework with a message naming plugin, item and field."""
    with pytest.raises(PluginError, match="plugin 'hw-test'") as caught:
        validate_homework(make_homework(*items, total=total))
    assert words in str(caught.value)


def test_valid_homework_passes():
    """A well-formed homework validates."""
    validate_homework(make_homework(NUMBER, Item("p1.f", "expression", 2, "F.", ExpressionOptions(VARS)), total=3))


@pytest.mark.parametrize(
    "case, words",
    [(SelfTest("p1.zz", "1", "correct"), "unknown item 'p1.zz'"),
     (SelfTest("p1.a", "1", "right"), "unknown status 'right'")],
    ids=["unknown-item", "unknown-status"],
)
def test_self_tests_are_validated(case, words):
    """A self-test naming an unknown item or status is rejected at registration."""
    homework = make_homework(NUMBER)
    broken = replace(homework, problems=(replace(homework.problems[0], self_tests=(case,)),))
    with pytest.raises(PluginError, match=words):
        validate_homework(broken)


# A plugin as a third party might ship it: registered, but with an item worth 0 points.
BROKEN = make_homework(replace(NUMBER, points=0))


@pytest.mark.parametrize("command", [["template", "hw-test"], ["schema", "hw-test"], ["list", "hw-test"], ["list"]])
def test_broken_plugin_is_one_line_naming_plugin_and_field(register_homework, capsys, command):
    """A plugin failing validation stops any command with exit 2 and one line naming it and the field, no traceback
    (`grader list` has listed the homeworks before it)."""
    register_homework("hw-test", f"{__name__}:BROKEN")
    code, out, err = run(capsys, *command)
    assert code == 2 and "hw-test" not in out
    assert err == "error: plugin 'hw-test', item 'p1.a': points must be positive, got 0\n"


def test_submission_naming_a_broken_plugin_says_where(register_homework, capsys, tmp_path):
    """`grader check` of a file naming the broken plugin: exit 2, the file and line of `homework:`, and the fault."""
    register_homework("hw-test", f"{__name__}:BROKEN")
    path = tmp_path / "ada.yaml"
    path.write_text("student: {id: ada}\nhomework: hw-test\nanswers: {p1.a: 1}\n", encoding="utf-8")
    code, out, err = run(capsys, "check", str(path))
    assert (code, out) == (2, "")
    assert err == f"error: {path}:2: plugin 'hw-test', item 'p1.a': points must be positive, got 0\n"


@pytest.mark.parametrize("value, fault", [
    ("tests.no_such_plugin:HOMEWORK", "ModuleNotFoundError: No module named 'tests.no_such_plugin'"),
    (f"{__name__}:NO_SUCH_NAME", f"AttributeError: module '{__name__}' has no attribute 'NO_SUCH_NAME'"),
    (f"{__name__}:NUMBER", "the entry point must be a grader.homework.Homework, got Item"),
], ids=["missing-module", "missing-name", "not-a-homework"])
def test_plugin_that_cannot_be_loaded_is_one_line(register_homework, capsys, value, fault):
    """An entry point that cannot be imported, or is not a Homework, is one line naming the plugin and why."""
    register_homework("hw-test", value)
    code, out, err = run(capsys, "template", "hw-test")
    assert (code, out) == (2, "")
    assert err.startswith("error: plugin 'hw-test': ") and fault in err and err.count("\n") == 1
