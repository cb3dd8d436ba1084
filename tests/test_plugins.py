"""Homework plugins: found through entry points, validated eagerly with messages naming the fault."""

from dataclasses import replace

import pytest

from grader.errors import UsageError
from grader.homework import ExpressionOptions, Homework, Item, Problem, SelfTest, Variable
from grader.plugins import PluginError, available_homeworks, load_homework, validate_homework
from problems.hw2_cnn import HOMEWORK


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
