"""Every registered homework: its self-tests cover each kind, its key is current and full marks, its template blank.

(tests/test_self_tests.py runs the self-test cases themselves.)
"""

from __future__ import annotations

import pytest

from grader.authoring.keys import build_key, stale_items
from grader.core.key import load_key
from grader.core.models import RawAnswer, Student, Submission
from grader.grading.grade import grade
from grader.io.submission import load_submission_text
from grader.plugins.homeworks import available_homeworks, load_homework
from grader.render.template import render_template
from tests.runtimes import BOUNDED

HOMEWORKS = list(available_homeworks())
# Statuses a kind can produce; each must appear among a problem's self-tests for that kind.
REQUIRED = {
    "number": {"correct", "incorrect", "invalid"},
    "shape": {"correct", "partial", "incorrect", "invalid"},
    "expression": {"correct", "incorrect", "invalid"},
    "equation": {"correct", "incorrect", "invalid"},
    "choice": {"correct", "incorrect", "invalid"},
    "text": {"correct", "partial", "incorrect"},
}


@pytest.mark.parametrize("name", HOMEWORKS)
def test_self_tests_cover_every_kind_of_every_problem(name):
    """Each problem tests a correct, a partial, a wrong and an invalid answer for each kind it uses (where possible)."""
    homework = load_homework(name)
    for problem in homework.problems:
        kinds = {item.kind for item in problem.items}
        for kind in kinds:
            statuses = {c.status for c in problem.self_tests if homework.item(c.item).kind == kind}
            assert REQUIRED[kind] <= statuses, f"{problem.id} {kind}: only {sorted(statuses)}"


@pytest.mark.parametrize("name", HOMEWORKS)
def test_committed_key_is_the_computed_one(name):
    """Rebuilding the key with torch and sympy reproduces the committed reference file."""
    homework = load_homework(name)
    assert stale_items(load_key(homework), build_key(homework)) == []


@pytest.mark.parametrize("name", HOMEWORKS)
def test_the_key_grades_full_marks(name):
    """The answer key, graded as a submission, earns every point with every item correct."""
    homework = load_homework(name)
    key = load_key(homework)
    answers = {i: RawAnswer(text=t) for i, t in key.answers.items()}
    result = grade(Submission(homework=name, student=Student(id="key"), answers=answers), homework, key, BOUNDED)
    assert result.score == result.max_score == homework.max_score
    assert {item.status.value for item in result.items} == {"correct"}


@pytest.mark.parametrize("name", HOMEWORKS)
def test_the_blank_template_grades_zero_all_missing(name):
    """The template loads without warnings, lists every item, and grades 0 with every item missing."""
    homework = load_homework(name)
    submission = load_submission_text(render_template(homework), source="template.yaml",
                                      known_ids=homework.item_ids)
    assert submission.warnings == [] and submission.answers == {}
    result = grade(submission, homework, load_key(homework), BOUNDED)
    assert result.score == 0
    assert [i.id for i in result.items] == list(homework.item_ids)
    assert {i.status.value for i in result.items} == {"missing"}
