"""The choice checker: which option an answer names, however it is written."""

from __future__ import annotations

import pytest

from grader.checks import choice
from grader.homework import Choice, ChoiceOptions, Item
from grader.math.errors import FormatError

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


ROTATION_BY_ELIMINATION = Item("q.rot2", "choice", 2, "Invariant, equivariant or neither?", ChoiceOptions((
    Choice("invariant", ("rotation invariant",)),
    Choice("equivariant", ("rotation equivariant",)),
    Choice("neither"),
), by_elimination=True))
SUITABILITY_BY_ELIMINATION = Item("q.suit2", "choice", 2, "Is a CNN suitable?", ChoiceOptions((
    Choice("suitable", ("fully suitable",)),
    Choice("partially suitable", ("partially", "partial")),
    Choice("not suitable", ("unsuitable",)),
), by_elimination=True))


@pytest.mark.parametrize(
    ("item", "text", "option"),
    [
        (ROTATION_BY_ELIMINATION, "Standard CNNs are not naturally rotation-equivariant or rotation-invariant.",
         "neither"),
        (ROTATION_BY_ELIMINATION, "not invariant and not equivariant", "neither"),
        (SUITABILITY_BY_ELIMINATION, "neither partially suitable nor not suitable", "suitable"),
        (SUITABILITY_BY_ELIMINATION, "It's not entirely unsuitable but not fully suitable either.",
         "partially suitable"),
        (SUITABILITY_BY_ELIMINATION, "This is not a suitable task for a CNN.", "not suitable"),
        (SUITABILITY_BY_ELIMINATION, "suitable, partially", "partially suitable"),
        (SUITABILITY_BY_ELIMINATION, "partialy suitable", "partially suitable"),
        (SUITABILITY_BY_ELIMINATION, "not sutable", "not suitable"),
        (ROTATION_BY_ELIMINATION, "niether", "neither"),
        (SUITABILITY_BY_ELIMINATION, "Neither suitable nor unsuitable, somewhere in between.", "partially suitable"),
    ],
    ids=["not-a-or-b", "not-and-not", "neither-nor-eliminates", "both-others-denied", "negation-spelled-out",
         "words-reordered", "typo-in-longer-option", "typo-after-negation", "transposed-letters",
         "neither-nor-denies-both"],
)
def test_reads_negation_elimination_and_typos(item, text, option):
    """Negation reaches across or/nor, a negated option spelled out is another option (not in a "neither … nor"
    list, which denies both), denying every other option names the one left (where allowed), and a typo is read
    as the option word it is nearest to."""
    assert choice.read(text, item) == option


def test_a_typo_is_noted_in_the_feedback():
    """The feedback says how a misspelled word was read."""
    given = choice.read("partialy suitable", SUITABILITY_BY_ELIMINATION)
    verdict = choice.compare(given, "partially suitable", SUITABILITY_BY_ELIMINATION)
    assert verdict.score == 1.0 and "Read 'partialy' as 'partially'." in verdict.feedback


@pytest.mark.parametrize(
    ("item", "text", "message"),
    [
        (ROTATION, "not invariant", "names none of the options"),
        (SUITABILITY_BY_ELIMINATION, "not fully suitable", "names none of the options"),
        (SUITABILITY_BY_ELIMINATION, "It is not unsuitable.", "names none of the options"),
        (ROTATION, "not invariant and not equivariant", "names none of the options"),
        (Item("q.light", "choice", 1, "Which?", ChoiceOptions((Choice("bright"), Choice("brighter")))), "brightr",
         "did you mean 'bright' or 'brighter' for 'brightr'?"),
    ],
    ids=["one-of-two-denied", "alias-denied", "double-negation", "no-elimination-unless-allowed", "did-you-mean"],
)
def test_what_is_not_read_as_an_option(item, text, message):
    """Denying only some options names none; elimination only where the homework allows it; a word near several
    option words is a did-you-mean, never silently another option."""
    with pytest.raises(FormatError) as caught:
        choice.read(text, item)
    assert message in caught.value.explain()
