"""A free-text verdict's confidence reaches the result JSON and every report, so a reviewer can start with the unsure."""

from __future__ import annotations

import json

import pytest

from grader.core.key import load_key
from grader.core.models import RawAnswer
from grader.grading.grade import grade_item
from grader.render._common import item_notes
from grader.render.html import item_row
from problems.hw2_cnn import HOMEWORK
from tests.runtimes import BOUNDED

KEY = load_key(HOMEWORK)


def _graded(item_id: str, answer: str):
    item = HOMEWORK.item(item_id)
    return grade_item(item, RawAnswer(text=answer), KEY.answers[item_id], HOMEWORK, BOUNDED)


@pytest.mark.parametrize(
    ("item_id", "answer", "confidence", "note"),
    [
        ("p3.a.iii", "Vanishing gradients and degradation.", "high", None),
        ("p3.a.iii", "Gradients vanish; there is no degradation.", "medium", "a negation near “degradation”"),
        ("p1.a", "The layers share their weights with each other.", "low",
         "“layers share their weights” contradicts the same kernel/filter weights are reused at every spatial "
         "position"),
        ("p2.e", "It is about the GPU.", "low", "nothing in the answer matches the rubric's phrasings"),
        ("p2.b", "pooling", None, None),
    ],
    ids=["plain", "negation", "contradiction", "nothing", "not-text"],
)
def test_result_carries_confidence(item_id, answer, confidence, note):
    """The result (and its JSON) says how sure the text verdict is and why; other kinds say nothing."""
    result = _graded(item_id, answer)
    assert (result.confidence, result.confidence_note) == (confidence, note)
    document = json.loads(result.model_dump_json())
    assert (document["confidence"], document["confidence_note"]) == (confidence, note)


def test_reports_show_confidence_beside_the_review_flag():
    """Text, Markdown, JUnit, Gradescope and Classroom notes and the HTML badge name the confidence and its reason."""
    result = _graded("p1.a", "The layers share their weights with each other.")
    assert item_notes(result)[-1].startswith("(flagged for review by your instructor; confidence: low — “layers share")
    row = str(item_row(result))
    assert 'class="badge confidence low"' in row and "confidence: low" in row
