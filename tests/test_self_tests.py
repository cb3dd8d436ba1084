"""Every registered homework's own self-test answers get the statuses their problems declare."""

import pytest

from grader.core.key import key_mistakes, load_key
from grader.core.models import RawAnswer
from grader.grading.grade import grade_item
from grader.plugins.homeworks import available_homeworks, load_homework
from tests.runtimes import BOUNDED

CASES = [
    (name, problem.id, case)
    for name in available_homeworks()
    for problem in load_homework(name).problems
    for case in problem.self_tests
]


def test_every_homework_has_self_tests():
    """Each registered homework ships self-test cases for each of its problems."""
    for name in available_homeworks():
        assert all(problem.self_tests for problem in load_homework(name).problems), name


@pytest.mark.parametrize("name, problem, case", CASES,
                         ids=[f"{n}:{c.item}:{c.status}:{c.answer}" for n, _, c in CASES])
def test_self_test(name, problem, case):
    """The self-test answer gets exactly the declared status."""
    homework = load_homework(name)
    key = load_key(homework)
    result = grade_item(homework.item(case.item), RawAnswer(text=case.answer), key.answers[case.item], homework, BOUNDED,
                        mistakes=key_mistakes(homework, key).get(case.item, ()))
    assert result.status.value == case.status, result.feedback
