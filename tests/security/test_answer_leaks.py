"""Security corpus, answer leaks: no example the grader shows (template, schema, format hints) is worth points.

For every registered homework, the text a student sees before answering (the blank template,
the JSON Schema) and the hints of every unreadable answer are grepped for the homework's key
answers and mistake values, read the way the checkers read them: every stretch of text that
reads as a number or a shape is graded as the answer to every number, shape and formula item,
and must earn nothing; no formula or equation of the key may appear in them.
"""

from __future__ import annotations

import json
import re

import pytest

from grader.core import examples
from grader.core.key import key_mistakes, load_key
from grader.core.models import RawAnswer
from grader.grading.grade import grade_item
from grader.math.errors import FormatError
from grader.plugins.homeworks import available_homeworks, load_homework
from grader.plugins.kinds import kind_of
from grader.render import template
from grader.render.schema import build_schema
from tests.runtimes import INLINE

HOMEWORKS = list(available_homeworks())
# Kinds whose answers may be a number or a shape that a stretch of text reads as.
NUMERIC_KINDS = ("number", "shape", "expression")
# Answers no checker can read, to collect the hint of each way of failing.
UNREADABLE = [
    "", "abc", "5%", "4!", "x.", "_a", "9" * 60, "(((", "1,2", "3 x", "0 x 5 x 5", "12 x 0 x 4", "f(x)", "a = b = c",
    "= 1", "1 =", "H_out = H", "H < 2", "'H'", "\\frac{1}", "\\sqrt[3]{8}", "\\unknown{1}", "floor(1, 2)", "max(1)",
    "2G", "zz(1)", "1 2 3 4 5 6 7 8 9", "1e999999", "((((((((((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))))))))))",
]
# A stretch that could be an answer: digits with the signs of arithmetic and shapes between them
# (and e-notation or a K/M/G suffix), not part of a word or an id such as p4.layer1.
_STRETCH = re.compile(r"(?<![\w.])[(\[$]*\d[\d\s.,()*/+\-^×·=]*(?:[xX]\s*[\d(][\d\s.,()*/+\-^×·=xX]*)*"
                      r"(?:[eE][+-]?\d+|[KMG](?![A-Za-z]))?")


def stretches(text: str) -> set[str]:
    """Every stretch of `text` that may be read as an answer, and its parts between ', ' and '='."""
    found = set()
    for match in _STRETCH.finditer(text):
        stretch = match.group().strip(" ,.=")
        found.add(stretch)
        found.update(part.strip(" .") for part in re.split(r",\s|=", stretch))
    return {part for part in found if re.search(r"\d", part)}


def credited(homework, text: str) -> list[str]:
    """The items (of a numeric kind) where `text` as the answer earns points: by the key or a mistake."""
    key = load_key(homework)
    mistakes = key_mistakes(homework, key)
    return [item.id for item in homework.items if item.kind in NUMERIC_KINDS
            if grade_item(item, RawAnswer(text=text), key.answers[item.id], homework, INLINE,
                          mistakes=mistakes.get(item.id, ())).score > 0]


def without_own_words(homework, text: str) -> str:
    """`text` without what the homework itself says (prompts, titles, options) or weighs (points)."""
    for words in [homework.title, *(p.title for p in homework.problems), *(i.prompt for i in homework.items),
                  *(c.name for i in homework.items for c in getattr(i.options, "choices", ()))]:
        text = text.replace(words, " ")
    return re.sub(r"\b\d+(?:\.\d+)? points?\b", " ", text)


def template_text(homework) -> str:
    """The blank template with its comments unwrapped, so that each prompt is whole again."""
    lines = template.render_template(homework).splitlines()
    return " ".join(line.strip().removeprefix("# ") for line in lines)


def schema_text(homework) -> str:
    return json.dumps(build_schema(homework), ensure_ascii=False)


def hint_text(homework) -> str:
    """What an unreadable answer to any item is told (what it quoted back left out), and what a number
    or shape that is read but cannot be graded is told (too coarse, not whole)."""
    key = load_key(homework)
    texts = []
    for item in homework.items:
        for answer in UNREADABLE:
            try:
                kind_of(item).read(answer, item)
            except FormatError as error:
                texts += [re.sub(r"'[^']*'|\"[^\"]*\"", " ", error.message), error.hint]
                continue
            if item.kind in ("number", "shape"):
                texts.append(grade_item(item, RawAnswer(text=answer), key.answers[item.id], homework,
                                        INLINE, hide_expected=True).feedback)
    # Counts in messages are limits or what was found, not answers: "at most 40 digits", "got 2".
    return re.sub(r"\b(?:at most|at least|exactly|got|Expected) \d+", " ", "\n".join(texts))


SHOWN = {"template": template_text, "schema": schema_text, "format hints": hint_text}


@pytest.mark.parametrize("where", list(SHOWN))
@pytest.mark.parametrize("name", HOMEWORKS)
def test_no_number_or_shape_shown_is_worth_points(name, where):
    """Every number, arithmetic or shape in what the grader shows earns nothing as the answer to any item."""
    homework = load_homework(name)
    shown = without_own_words(homework, SHOWN[where](homework))
    leaks = {stretch: items for stretch in sorted(stretches(shown)) if (items := credited(homework, stretch))}
    assert leaks == {}


def _spaceless(text: str) -> str:
    return re.sub(r"[\s*]", "", text).replace("^", "**")


@pytest.mark.parametrize("where", list(SHOWN))
@pytest.mark.parametrize("name", HOMEWORKS)
def test_no_formula_or_equation_of_the_key_is_shown(name, where):
    """No formula or equation the key holds (as answer or mistake) appears, spaces and * aside, in what is shown."""
    homework = load_homework(name)
    key = load_key(homework)
    shown = _spaceless(without_own_words(homework, SHOWN[where](homework)))
    formulas = [(item.id, key.answers[item.id]) for item in homework.items if item.kind in ("expression", "equation")]
    formulas += [(item_id, answer) for item_id, values in key.mistakes.items()
                 if homework.item(item_id).kind in ("expression", "equation") for _, answer in values]
    assert [(item_id, answer) for item_id, answer in formulas if _spaceless(answer) in shown] == []


EXAMPLE_IDS = [f"{kind}:{text}" for kind, text in examples.ALL]


@pytest.mark.parametrize("kind, example", examples.ALL, ids=EXAMPLE_IDS)
def test_every_example_reads_as_its_kind(kind, example):
    """Each example shows how to write an answer: it reads as one (of some item whose names it uses)."""
    items = [item for name in HOMEWORKS for item in load_homework(name).items if item.kind == kind]
    errors = []
    for item in items:
        try:
            kind_of(item).read(example, item)
            return
        except FormatError as error:
            errors.append(error.explain())
    pytest.fail(f"{example!r} reads as no {kind} answer: {errors[:1]}")


@pytest.mark.parametrize("name", HOMEWORKS)
@pytest.mark.parametrize("kind, example", examples.ALL, ids=EXAMPLE_IDS)
def test_every_example_is_worth_nothing(kind, example, name):
    """Each example, as the answer to any item of any kind it may read as, earns no points: not the key, no mistake."""
    homework = load_homework(name)
    key = load_key(homework)
    mistakes = key_mistakes(homework, key)
    assert [item.id for item in homework.items if item.kind in (*NUMERIC_KINDS, "equation")
            and grade_item(item, RawAnswer(text=example), key.answers[item.id], homework, INLINE,
                           mistakes=mistakes.get(item.id, ())).score > 0] == []
