"""Words of an answer: normalisation, the field's abbreviations, and the sentence, clause and span of each word."""

from __future__ import annotations

import pytest

from grader.text.words import stem, tokens


def _raw(text: str) -> list[str]:
    return [t.raw for t in tokens(text)]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("far fewer params than FC", ["far", "fewer", "parameters", "than", "fully", "connected"]),
        ("vanishing/exploding grads", ["vanishing", "exploding", "gradients"]),
        ("spatial res. lost", ["spatial", "resolution", "lost"]),
        ("#params indep. of input size", ["number", "parameters", "independent", "of", "input", "size"]),
        ("data aug. w/ rotations", ["data", "augmentation", "with", "rotations"]),
        ("it doesn't slide; it can't; it cannot; dont", ["it", "does", "not", "slide", "it", "can", "not", "it",
                                                          "can", "not", "do", "not"]),
        ("1 × 1 conv, 3x3 convs", ["1x1", "convolution", "3x3", "convolutions"]),
        ("keeps H × W", ["keeps", "hxw"]),
        ("e.g. pose, i.e. joints", ["pose", "joints"]),
        ("↓ res, ∀ pos", ["reduce", "resolution", "for", "all", "position"]),
        ("maxpool, transl. equivar.", ["max", "pooling", "translation", "equivariance"]),
        ("in every orientation as well, the layer", ["in", "every", "orientation", "too", "the", "layer"]),
        ("DA: rand. rot.; HPE, face lmk det., kpts", ["data", "augmentation", "random", "rotation", "human", "pose",
                                                      "estimation", "face", "landmark", "detection", "keypoints"]),
        ("does just as well as a dense one", ["does", "just", "as", "well", "as", "a", "dense", "one"]),
    ],
    ids=["fc-params", "grads", "res-dot", "hash-params-indep", "aug-with", "contractions", "times-sign", "h-times-w",
         "eg-ie",
         "arrows-and-for-all", "maxpool-equivar", "as-well-is-too", "just-as-well-compares", "augmentation-and-points"],
)
def test_abbreviations_and_contractions_are_spelled_out(text, words):
    """The field's shorthand and contractions are read as the words they stand for."""
    assert _raw(text) == words


def test_an_abbreviation_keeps_how_it_was_written():
    """"NN" is read as "neural network", but a rubric may still name it as written (nearest neighbour)."""
    first, second = tokens("NN upsampling")[:2]
    assert (first.raw, first.written, second.raw, second.written) == ("neural", "nn", "network", "network")


@pytest.mark.parametrize(
    ("text", "unit", "same"),
    [
        ("weights shared. Fewer params", "sentence", False),
        ("transl. invariant", "sentence", True),
        ("shared; fewer", "clause", False),
        ("shared, fewer", "clause", True),
        ("shared, fewer", "span", False),
        ("shared but fewer", "clause", False),
        ("methods: nearest", "clause", True),
        ("shared because fewer", "span", False),
        ("equivariant or invariant", "span", True),
        ("line one\n- item", "sentence", False),
        ("the RF. Pooling", "sentence", False),
        ("unlike FC, conv", "clause", False),
        ("like FC, conv", "clause", True),
    ],
    ids=["full-stop", "abbreviation-dot", "semicolon", "comma-same-clause", "comma-ends-span", "but",
         "colon-same-clause", "because-ends-span", "or-keeps-span", "bullet", "abbreviation-dot-then-capital",
         "comparison-comma", "no-comparison"],
)
def test_units_of_the_first_and_last_word(text, unit, same):
    """Sentences end at . ! ? (an abbreviation's dot only before a capital) and bullets; clauses also at ; ( ) but
    and at the comma after "unlike X"; spans also at commas and clause words."""
    words = tokens(text)
    assert (getattr(words[0], unit) == getattr(words[-1], unit)) is same


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [("weights", "weight"), ("shared", "shar"), ("sharing", "shar"), ("normalise", "normaliz"),
     ("normalized", "normaliz"), ("mapping", "map"), ("copies", "copy"), ("pass", "pass")],
)
def test_stem(word, stemmed):
    """Plurals, -ed/-ing and British -ise are cut to one stem."""
    assert stem(word) == stemmed


@pytest.mark.parametrize(
    ("text", "clauses", "asides"),
    [
        ("conv (learnable) layer", [0, 0, 0], [False, False, False]),
        ("kernel (k by k by c) reused", [0, 1, 1, 1, 1, 1, 0], [False, True, True, True, True, True, False]),
        ("a (b (c) d e) f", [0, 0, 0, 0, 0, 0], [False] * 6),
    ],
    ids=["short-brackets-join-the-clause", "long-brackets-are-an-aside", "nested-short-brackets"],
)
def test_words_in_brackets(text, clauses, asides):
    """Up to three words in brackets belong to the clause around them; longer asides are a clause of their own,
    after which the clause around them goes on."""
    words = tokens(text)
    assert ([w.clause for w in words], [w.aside for w in words]) == (clauses, asides)
