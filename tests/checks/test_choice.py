"""The choice checker: which option an answer names, however it is written."""

from __future__ import annotations

import pytest

from grader.checks import choice
from grader.homework import Choice, ChoiceOptions, Item
from grader.parse.errors import FormatError

SUITABILITY = Item("q.suit", "choice", 2, "Is a CNN suitable?", ChoiceOptions((
    Choice("suitable", ("yes",)),
    Choice("partially suitable", ("partially", "partly")),
    Choice("not suitable", ("no", "unsuitable")),
)))
LAYERS = Item("q.layer", "choice", 3, "Which layer?", ChoiceOptions((
    Choice("convolution", ("conv", "convolutional layer"), "Convolution is equivariant."),
    Choice("pooling", ("max pooling", "max-pool", "pooling layer")),
    Choice("fully connected", ("dense", "fc")),
)))
ROTATION = Item("q.rot", "choice", 2, "Invariant, equivariant or neither?", ChoiceOptions((
    Choice("invariant"),
    Choice("equivariant"),
    Choice("neither", ("neither invariant nor equivariant", "none")),
)))


@pytest.mark.parametrize(
    ("item", "text", "option"),
    [
        (SUITABILITY, "suitable", "suitable"),
        (SUITABILITY, "SUITABLE", "suitable"),
        (SUITABILITY, "  Partially-Suitable ", "partially suitable"),
        (SUITABILITY, "partially suitable", "partially suitable"),  # not also "suitable"
        (SUITABILITY, "Not suitable.", "not suitable"),
        (SUITABILITY, "partly", "partially suitable"),
        (SUITABILITY, "Yes!", "suitable"),
        (LAYERS, "the pooling layer (especially max pooling)", "pooling"),
        (LAYERS, "MaxPool", "pooling"),
        (LAYERS, "max_pool", "pooling"),
        (LAYERS, "Fully-Connected", "fully connected"),
        (LAYERS, "fullyconnected", "fully connected"),
        (LAYERS, "pooling, not convolution", "pooling"),
        (ROTATION, "Neither invariant nor equivariant", "neither"),
        (ROTATION, "equivariant, not invariant", "equivariant"),
    ],
    ids=["plain", "upper-case", "hyphen-and-spaces", "longest-spelling-wins", "negation-is-part-of-option",
         "alias", "alias-with-punctuation", "filler-words", "no-space", "underscore", "hyphenated-option",
         "joined-words", "negated-mention-dropped", "neither-nor-phrase", "negated-other-option"],
)
def test_reads_the_named_option(item, text, option):
    """Case, spaces, hyphens, filler words and negated mentions do not change which option is named."""
    assert choice.read(text, item) == option


@pytest.mark.parametrize(
    ("item", "text", "message"),
    [
        (SUITABILITY, "it depends", "names none of the options (suitable; partially suitable; not suitable)"),
        (SUITABILITY, "suitable or partially suitable", "names several options (suitable, partially suitable)"),
        (LAYERS, "pooling and convolution", "names several options (pooling, convolution)"),
        (LAYERS, "pools", "names none of the options"),
    ],
    ids=["none", "hedged", "two-layers", "no-whole-word"],
)
def test_none_or_several_options_is_a_format_error_listing_them(item, text, message):
    """An answer naming no option or several cannot be read; the message lists the options."""
    with pytest.raises(FormatError) as caught:
        choice.read(text, item)
    assert message in caught.value.explain()
    assert "choose one of" in caught.value.explain() or "none of the options" in caught.value.explain()


@pytest.mark.parametrize(
    ("given", "score", "feedback"),
    [("pooling", 1.0, ""), ("convolution", 0.0, "Convolution is equivariant."),
     ("fully connected", 0.0, "'fully connected' is not the right choice.")],
    ids=["right", "wrong-with-own-feedback", "wrong-generic"],
)
def test_compare(given, score, feedback):
    """The key's option scores 1; a wrong one scores 0 with that option's explanation if it has one."""
    verdict = choice.compare(given, "pooling", LAYERS)
    assert (verdict.score, verdict.feedback) == (score, feedback)
