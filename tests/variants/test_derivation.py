"""Who gets which variant: a deterministic function of the homework, the course secret and the identity."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from grader.api import homework_for, key_of
from grader.authoring.keys import build_key, render_key
from grader.core.errors import UsageError
from grader.core.key import key_path
from grader.core.models import RawAnswer, Student, Submission
from grader.core.variant import Assignment, student_seed, variant_with
from grader.grading.grade import grade
from grader.grading.runtime import Runtime
from grader.plugins.homeworks import PluginError, homework_variant, validate_homework
from problems.hw2_cnn.variants import vary

from .conftest import HOMEWORK, SECRET

CLASS = ["ada", "ben", "chen", "dana", "emil", "fatima", "gus", "hana", "ivan", "lin"]
RUNTIME = Runtime(sandbox=None)


def assigned(identity: str, secret: str = SECRET):
    return homework_for(HOMEWORK.id, Assignment(secret=secret.encode()), identity)


def test_the_same_student_always_gets_the_same_variant():
    """Asked again, and in another process with another hash seed, a student's variant is the same."""
    here = [assigned(identity).variant.digest for identity in CLASS]
    assert here == [assigned(identity).variant.digest for identity in CLASS]
    probe = ("import sys; from tests.variants.test_derivation import assigned, CLASS; "
             "print(' '.join(assigned(i).variant.digest for i in CLASS))")
    elsewhere = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                               env={**os.environ, "PYTHONHASHSEED": "12345"}).stdout.split()
    assert elsewhere == here


def test_every_student_of_a_class_gets_another_variant():
    digests = [assigned(identity).variant.digest for identity in CLASS]
    assert len(set(digests)) == len(CLASS)


def test_a_variant_depends_on_the_secret():
    """Another course secret (one character changed) gives the class other variants: the identity alone names none."""
    other = SECRET[:-1] + ("0" if SECRET[-1] != "0" else "1")
    assert all(assigned(i).variant.digest != assigned(i, other).variant.digest for i in CLASS)
    assert student_seed(SECRET.encode(), HOMEWORK.id, "ada") != student_seed(other.encode(), HOMEWORK.id, "ada")


def test_the_seed_is_per_homework():
    """The same student and secret give another seed for another homework id."""
    assert student_seed(SECRET.encode(), "hw2-cnn", "ada") != student_seed(SECRET.encode(), "hw3", "ada")


def test_the_secret_is_not_shown_by_an_assignment():
    assert SECRET not in repr(Assignment(secret=SECRET.encode())) and SECRET not in str(Assignment(secret=b"x" * 20))


def test_a_students_answers_lose_points_on_anothers_variant():
    """The key of one student's variant gets every point on that variant and loses points on each of the others'."""
    homeworks = {identity: assigned(identity) for identity in CLASS[:4]}
    keys = {identity: build_key(homework) for identity, homework in homeworks.items()}
    for owner, key in keys.items():
        answers = Submission(homework=HOMEWORK.id, student=Student(id=owner),
                             answers={item: RawAnswer(text=text) for item, text in key.answers.items()})
        for identity, homework in homeworks.items():
            score = grade(answers, homework, keys[identity], RUNTIME).score
            assert (score == HOMEWORK.max_score) == (identity == owner), (owner, identity, score)


def test_the_default_variant_is_the_homework_as_registered():
    """Its problems are the registered ones; `vary` builds the same items, titles and key for it, and the key
    computed for the default variant is the committed key file byte for byte."""
    default = HOMEWORK.default_variant
    assert HOMEWORK.at(default).problems is HOMEWORK.problems
    built = vary(default)
    assert [p.title for p in built] == [p.title for p in HOMEWORK.problems]
    assert [i for p in built for i in p.items] == list(HOMEWORK.items)
    assert [p.intro for p in built] == [p.intro for p in HOMEWORK.problems]
    rebuilt = HOMEWORK.at(default)
    computed = build_key(rebuilt)
    assert computed.variant is None
    assert render_key(computed) == key_path(HOMEWORK).read_text(encoding="utf-8")
    assert key_of(rebuilt) is key_of(HOMEWORK)  # graded with the committed key


def test_a_variant_differs_from_the_default_only_where_its_numbers_do():
    """Problems 1 and 2 (concepts) are the same in every variant; 3 and 4 ask with the variant's numbers."""
    homework = assigned("ada")
    assert homework.problems[0] is HOMEWORK.problems[0] and homework.problems[1] is HOMEWORK.problems[1]
    values = homework.variant.as_dict()
    size, channels = values["p4_input_size"], values["p4_input_channels"]
    assert homework.problems[3].title.endswith(f"{size}×{size}×{channels} input")
    assert homework.item_ids == HOMEWORK.item_ids


def test_values_outside_a_parameters_range_are_refused():
    values = HOMEWORK.default_variant.as_dict()
    with pytest.raises(UsageError, match="not a value of parameter p4_input_size"):
        variant_with(HOMEWORK.id, HOMEWORK.parameters, HOMEWORK.constraint, {**values, "p4_input_size": 257})
    with pytest.raises(UsageError, match="exactly the parameters"):
        variant_with(HOMEWORK.id, HOMEWORK.parameters, HOMEWORK.constraint, {"p4_input_size": 256})
    with pytest.raises(UsageError, match="not a valid variant"):  # the last pooling has nothing left to pool
        variant_with(HOMEWORK.id, HOMEWORK.parameters, HOMEWORK.constraint,
                     {**values, "p4_input_size": 128, "p4_layer2_stride": 3, "p4_layer2_kernel": 5,
                      "p4_layer3_window": 3, "p4_layer6_window": 3, "p4_layer7_kernel": 5, "p4_layer8_window": 3})


def test_a_seed_for_a_homework_without_parameters_is_refused(register_homework):
    """`--variant` on a homework that is the same for everyone would suggest a variant that does not exist; the
    course secret leaves it as it is."""
    register_homework("tiny", "tests.tiny_homework:TINY")
    with pytest.raises(UsageError, match="has no parameters"):
        homework_for("tiny", Assignment(seed="42"), "ada")
    assert homework_for("tiny", Assignment(secret=SECRET.encode()), "ada").variant is None


def test_a_plugins_parameters_are_vetted():
    """Parameters without `vary`, a default outside its values, or a default the constraint refuses are plugin
    errors; so is a variant that asks other items."""
    import dataclasses

    from grader.homework import Parameter

    with pytest.raises(PluginError, match="needs `vary`"):
        validate_homework(dataclasses.replace(HOMEWORK, vary=None))
    with pytest.raises(PluginError, match="default 5 is not one of its values"):
        validate_homework(dataclasses.replace(HOMEWORK, parameters=(Parameter("x", 5, choices=(1, 2)),)))
    with pytest.raises(PluginError, match="breaks the parameters' constraint"):
        validate_homework(dataclasses.replace(HOMEWORK, constraint=lambda values: "never"))


def test_a_variant_asking_other_items_is_refused(monkeypatch):
    """Results, overrides and class statistics rely on every variant asking the same items for the same points."""
    import dataclasses

    from grader.plugins import homeworks as plugins

    def renamed(variant):
        first, *rest = vary(variant)
        items = (dataclasses.replace(first.items[0], id="p1.renamed"), *first.items[1:])
        return (dataclasses.replace(first, items=items, self_tests=()), *rest)

    monkeypatch.setattr(plugins, "load_homework", lambda name: dataclasses.replace(HOMEWORK, vary=renamed))
    plugins._variant.cache_clear()
    try:
        with pytest.raises(PluginError, match="asks other items"):
            homework_variant(HOMEWORK.id, HOMEWORK.variant_from_seed("other items"))
    finally:
        plugins._variant.cache_clear()

