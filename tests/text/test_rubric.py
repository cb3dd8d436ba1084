"""Claims, not keywords: a concept is credited only when the answer asserts it."""

from __future__ import annotations

import pytest

from grader.homework import Concept, TextOptions
from grader.text.rubric import judge

SAME = Concept("same weights at every position", 0.5, ("same weight|kernel|filter", "slid* over"),
               contrary=("layer* shar* weight*",))
FEWER = Concept("fewer parameters", 0.5, ("fewer|less parameter",), partial=("smaller model",))
RUBRIC = TextOptions((SAME, FEWER),
                     misconceptions=(Concept("sharing makes a CNN rotation invariant", 0.25, ("rotation invarian*",)),),
                     context="Explain parameter sharing.")


def _credited(text: str) -> dict[str, float]:
    return {c.name: credit for c, credit in judge(text, RUBRIC).credited}


@pytest.mark.parametrize(
    ("text", "credited"),
    [
        ("The same weights are used and there are fewer parameters.", {"same weights at every position": 1.0,
                                                                        "fewer parameters": 1.0}),
        ("It does not mean that the same kernel weights are reused.", {}),
        ("The filter does not slide over the input.", {}),
        ("Not the same kernel or fewer parameters.", {}),
        ("Neither the same filter nor fewer parameters.", {}),
        ("Separate weights instead of the same weights.", {}),
        ("Fewer parameters rather than the same kernel.", {"fewer parameters": 1.0}),
        ("Not only the same weights but also fewer parameters.", {"same weights at every position": 1.0,
                                                                   "fewer parameters": 1.0}),
        ("Not bigger, but the same weights.", {"same weights at every position": 1.0}),
        ("Fewer parameters are not needed, and the same weights are used.", {"same weights at every position": 1.0}),
        ("The same weights do not help.", {}),
        ("A smaller model.", {"fewer parameters": 0.5}),
    ],
    ids=["asserted", "clause-negation", "verb-negation", "not-a-or-b", "neither-nor", "instead-of", "rather-than",
         "not-only-affirms", "not-but-affirms", "and-ends-negation", "negated-predicate", "partial-phrasing"],
)
def test_negation_scope(text, credited):
    """A negation reaches the rest of its span, across or/nor, not past "but", "and" or a comma; a negated
    verb right after a phrase denies it."""
    assert _credited(text) == credited


def test_contrary_phrasing_cancels_the_concept_and_is_quoted():
    """Sharing across layers is not sharing across positions: the concept is not credited, the words are quoted."""
    judgement = judge("The layers share their weights, so the same weights are used twice.", RUBRIC)
    assert [c.name for c, _ in judgement.contradicted] == ["same weights at every position"]
    assert "layers share their weights" in judgement.contradicted[0][1]
    assert judgement.score == 0.0 and judgement.confidence == "low"


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("The same weights are used. Actually no, they are not the same weights.", 0.0),
        ("Maybe the same weights, but actually not the same weights.", 0.0),
        ("Not the same weights. Actually the same weights are used.", 0.5),
        ("The same weights; we do not need the same weights for every layer.", 0.5),
    ],
    ids=["later-denial-after-turn", "in-one-sentence", "later-assertion-wins", "denial-without-turn"],
)
def test_retractions(text, score):
    """"maybe X, but actually not X": a denial after a turn that comes after every assertion wins."""
    assert judge(text, RUBRIC).score == score


def test_misconception_costs_its_share_after_the_cap():
    """A wrong claim is taken off the (capped) score, once, and named in the judgement."""
    judgement = judge("Same weights, fewer parameters; it is rotation invariant and rotation invariant.", RUBRIC)
    assert judgement.score == 0.75
    assert [c.name for c, _ in judgement.wrong] == ["sharing makes a CNN rotation invariant"]


def test_two_weaker_phrasings_stated_apart_earn_the_whole_share():
    """Two different partial phrasings, apart, state the idea in full; one of them alone is half."""
    options = TextOptions((Concept("methods", 1.0, ("nearest bilinear",), partial=("nearest", "bilinear")),))
    assert judge("nearest", options).score == 0.5
    assert judge("nearest. And bilinear.", options).score == 1.0


def test_words_copied_from_the_question_earn_nothing():
    """Three content words in a row as the question has them are a copy, not an answer."""
    options = TextOptions((Concept("anywhere", 1.0, ("anywhere",)),))
    question = "Detecting a wolf anywhere in aerial drone images: is a CNN suitable?"
    assert judge("Yes: detecting wolves anywhere in drone images.", options, question).score == 0.0
    assert judge("The wolf can appear anywhere.", options, question).score == 1.0


@pytest.mark.parametrize(
    ("text", "confidence", "reason"),
    [
        ("The same weights, fewer parameters.", "high", ""),
        ("The same weights, not fewer parameters.", "medium", "a negation near “fewer parameters”"),
        ("A smaller model and the same weights.", "medium", "an idea only partly stated"),
        ("It is about the GPU.", "low", "nothing in the answer matches the rubric's phrasings"),
        ("The same wieghts.", "medium", "words read as typos of the rubric's (wieghts)"),
    ],
    ids=["plain", "negation-near", "partial", "nothing-recognisable", "typo"],
)
def test_confidence(text, confidence, reason):
    """high when every concept is asserted plainly; medium with a negation, a partial idea or a typo; low for
    nothing recognisable or a contradiction."""
    judgement = judge(text, RUBRIC)
    assert (judgement.confidence, judgement.reason) == (confidence, reason)
