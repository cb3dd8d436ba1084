"""Registration checks for choice, equation and text items, anticipated mistakes and dependencies."""

from __future__ import annotations

from dataclasses import replace

import pytest

from grader.homework import (
    Choice,
    ChoiceOptions,
    Concept,
    EquationOptions,
    FunctionName,
    Homework,
    Item,
    Mistake,
    MistakeRule,
    Problem,
    TextOptions,
    Variable,
)
from grader.plugins.homeworks import PluginError, validate_homework


def homework_of(item: Item) -> Homework:
    """A one-item homework `hw-test`."""
    return Homework("hw-test", "Test", (Problem("p1", "P", (item,), reference=dict),), "reference", "x.yaml")


TWO = ChoiceOptions((Choice("yes"), Choice("no")))


@pytest.mark.parametrize(
    ("item", "words"),
    [
        (Item("p1.a", "choice", 1, "?", ChoiceOptions((Choice("only"),))), "at least two choices"),
        (Item("p1.a", "choice", 1, "?", ChoiceOptions((Choice("max pooling"), Choice("pooling", ("Max-Pooling",))))),
         "option spelling 'Max-Pooling' is used by both 'max pooling' and 'pooling'"),
        (Item("p1.a", "choice", 1, "?", TextOptions((Concept("c", 1, ("x",)),))), "needs options of type ChoiceOptions"),
        (Item("p1.a", "text", 1, "?", TextOptions(())), "at least one concept"),
        (Item("p1.a", "text", 1, "?", TextOptions((Concept("c", 0.5, ("x",)),))), "add up to less than 1"),
        (Item("p1.a", "text", 1, "?", TextOptions((Concept("c", 1, ()),))), "at least one phrasing"),
        (Item("p1.a", "equation", 1, "?", EquationOptions((FunctionName("f", ("x",)),), (Variable("x"),))),
         "the name 'x' is used by both 'x' and 'f'"),
        (Item("p1.a", "choice", 1, "?", TWO, mistakes=(Mistake("no", 1.5, "why"),)), "credit in [0, 1]"),
        (Item("p1.a", "choice", 1, "?", TWO, mistakes=(Mistake("no", 0.5, ""),)), "and feedback"),
        (Item("p1.a", "choice", 1, "?", TWO, depends_on=("p1.b",)), "depends on 'p1.b', which is not an earlier item"),
        (Item("p1.a", "choice", 1, "?", TWO, depends_on=("p1.a",)), "depends on 'p1.a', which is not an earlier item"),
    ],
    ids=["one-choice", "choice-alias-clash", "wrong-options-type", "no-concepts", "shares-below-one",
         "no-phrasing", "function-variable-clash", "mistake-credit", "mistake-feedback", "depends-on-later",
         "depends-on-itself"],
)
def test_malformed_items_are_refused_naming_the_fault(item, words):
    """A malformed choice, text or equation item, or mistake rule, is a PluginError naming plugin, item and fault."""
    with pytest.raises(PluginError) as caught:
        validate_homework(homework_of(item))
    assert "plugin 'hw-test', item 'p1.a'" in str(caught.value) and words in str(caught.value)


def test_dependencies_need_a_carry_forward_and_rules_a_share():
    """Items depending on others need their problem's carry_forward; a mistake rule needs a credit in [0, 1]."""
    first, second = Item("p1.a", "choice", 1, "?", TWO), Item("p1.b", "choice", 1, "?", TWO, depends_on=("p1.a",))
    problem = Problem("p1", "P", (first, second), reference=dict)
    with pytest.raises(PluginError, match="item 'p1.b': depends on other items, so its problem needs carry_forward"):
        validate_homework(Homework("hw-test", "Test", (problem,), "reference", "x.yaml"))
    validate_homework(Homework("hw-test", "Test", (replace(problem, carry_forward=lambda i, u: None),),
                               "reference", "x.yaml"))
    bad_rule = replace(problem, items=(first,), rules=(MistakeRule("r", "why", 2.0),))
    with pytest.raises(PluginError, match="mistake rule 'r' needs a credit in"):
        validate_homework(Homework("hw-test", "Test", (bad_rule,), "reference", "x.yaml"))
