"""The text checker: a concept rubric with inflections, spelling variants, gaps and negation."""

from __future__ import annotations

import pytest

from grader.checks import text
from grader.homework import Concept, Item, TextOptions

SHARING = Concept("same weights everywhere", 0.5, ("same weight|kernel|filter", "weight|kernel shar*"))
FEWER = Concept("fewer parameters", 0.5, ("fewer|less parameter",))
ITEM = Item("q.text", "text", 4, "Explain parameter sharing.", TextOptions((SHARING, FEWER)))


@pytest.mark.parametrize(
    ("phrasing", "answer", "found"),
    [
        ("same weight", "the same weights", True),
        ("weight shar*", "weights are shared", True),
        ("share weight", "sharing the weights", True),
        ("normalization", "batch normalisation", True),
        ("fully_connected", "a fully-connected layer", True),
        ("fully_connected", "a fullyconnected layer", True),
        ("downsampl*", "down-sampling the input", True),
        ("downsampl*", "down sampling the input", True),
        ("same weight", "the same set of filter weights", True),
        ("same weight", "the same image is used with many weights", False),
        ("1x1 conv*", "1 × 1 convolutions", True),
        ("pool", "spooling", False),
        ("same weight", "the same. Weights", False),
        ("translation invarian*", "it is not translation invariant", False),
        ("translation invarian*", "it is translation invariant", True),
        ("weight shar*", "the weights are not shared", False),
        ("weight shar*", "not only are weights shared", True),
        ("weight shar*", "They don't differ: weights are shared", True),
        ("translation invarian*", "it isn't translation invariant", False),
    ],
    ids=["plural", "passive-inflection", "ing-and-plural", "british-american", "hyphen", "joined",
         "hyphen-in-text-for-one-word", "space-in-text-for-one-word", "gap-of-three", "gap-too-long",
         "times-sign", "word-boundary", "clause-boundary", "negation-before", "no-negation", "negation-in-gap",
         "not-only-affirms", "negation-in-other-clause", "contraction"],
)
def test_find(phrasing, answer, found):
    """Phrasings match inflections and spelling variants within a clause, and not when negated."""
    assert text.find(phrasing, text.tokens(answer)) is found


def test_non_negatable_concepts_ignore_negation():
    """A concept about a limitation ("cannot capture motion") counts even when negated."""
    tokens = text.tokens("a 2D CNN cannot capture motion")
    assert text.find("motion", tokens, negatable=False)
    assert not text.find("motion", tokens, negatable=True)


@pytest.mark.parametrize(
    ("answer", "score", "found", "missing"),
    [
        ("The same filter weights are used everywhere, so there are far fewer parameters.", 1.0,
         ["same weights everywhere", "fewer parameters"], []),
        ("Kernels are shared over the image.", 0.5, ["same weights everywhere"], ["fewer parameters"]),
        ("It is faster.", 0.0, [], ["same weights everywhere", "fewer parameters"]),
    ],
    ids=["both-concepts", "one-concept", "none"],
)
def test_compare_scores_shares_and_lists_concepts(answer, score, found, missing):
    """The score is the sum of the shares found; feedback names found and missing concepts; always reviewed."""
    verdict = text.compare(answer, "model answer", ITEM)
    assert verdict.score == score and verdict.needs_review
    for name in found:
        assert name in verdict.feedback.split("Missing:")[0]
    for name in missing:
        assert name in verdict.feedback.split("Missing:")[1]


def test_shares_are_capped_at_full_marks():
    """"Any two of these" rubrics (shares adding up past 1) never score above 1."""
    item = Item("q.apps", "text", 4, "Applications?", TextOptions(tuple(
        Concept(name, 0.5, (name,)) for name in ("pose", "landmark", "localisation"))))
    assert text.compare("pose, landmark and localisation", "", item).score == 1.0
