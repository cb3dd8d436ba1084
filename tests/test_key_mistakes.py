"""The key file's `mistakes` section: written and read back, checked against the plugin's rules, part of staleness."""

from __future__ import annotations

import dataclasses

import pytest

from grader.authoring.keys import render_key, stale_items
from grader.core.errors import UsageError
from grader.core.key import key_mistakes, load_key
from problems.hw2_cnn import HOMEWORK

KEY = load_key(HOMEWORK)


def test_mistakes_survive_a_round_trip(tmp_path):
    """render_key then load_key gives back the same answers and mistake values."""
    path = tmp_path / "key.yaml"
    path.write_text(render_key(KEY), encoding="utf-8")
    again = load_key(HOMEWORK, path)
    assert (again.answers, again.mistakes) == (KEY.answers, KEY.mistakes)
    assert KEY.mistakes["p4.layer1.params"] == (("no_bias", "4704"),)  # (7·7·3)·32 weights, no biases


def test_a_rule_the_plugin_does_not_have_makes_the_key_stale(tmp_path):
    """A mistake under an unknown rule id (renamed or removed) is a usage error asking to recompute the key."""
    renamed = dataclasses.replace(KEY, mistakes={**KEY.mistakes, "p4.layer1.params": (("forgot_bias", "4704"),)})
    path = tmp_path / "key.yaml"
    path.write_text(render_key(renamed), encoding="utf-8")
    with pytest.raises(UsageError, match="stale: unknown mistake rule 'forgot_bias'"):
        load_key(HOMEWORK, path)


def test_a_changed_mistake_value_is_stale():
    """stale_items lists an item whose computed mistake values changed, even when its answer did not."""
    changed = dataclasses.replace(KEY, mistakes={**KEY.mistakes, "p4.layer1.params": (("no_bias", "4705"),)})
    assert stale_items(KEY, changed) == ["p4.layer1.params"]


def test_key_mistakes_carry_the_rules_credit_and_feedback():
    """Each stored value becomes a Mistake with its rule id, the rule's share of points and its feedback."""
    (mistake,) = key_mistakes(HOMEWORK, KEY)["p4.bn1.params"]
    assert (mistake.rule, mistake.answer, mistake.credit) == ("bn_running_stats", "128", 0.5)
    assert "running mean and variance" in mistake.feedback


def test_an_item_can_set_its_own_share_for_misconceptions():
    """An item's mistake_credit replaces the rule's share; grading gives that share of the item's points."""
    from grader.core.models import RawAnswer, Student, Submission
    from grader.grading.grade import grade
    from tests.runtimes import BOUNDED

    item = HOMEWORK.item("p4.bn1.params")
    stingy = dataclasses.replace(item, mistake_credit=0.2)
    problems = tuple(dataclasses.replace(p, items=tuple(stingy if i.id == item.id else i for i in p.items))
                     for p in HOMEWORK.problems)
    homework = dataclasses.replace(HOMEWORK, problems=problems)
    (mistake,) = key_mistakes(homework, KEY)["p4.bn1.params"]
    assert mistake.credit == 0.2
    submission = Submission(homework="hw2-cnn", student=Student(id="s"),
                            answers={item.id: RawAnswer(text="128")})  # γ, β and both running statistics
    (graded,) = [i for i in grade(submission, homework, KEY, BOUNDED).items if i.id == item.id]
    assert (graded.misconception, graded.score) == ("bn_running_stats", 0.2 * item.points)
