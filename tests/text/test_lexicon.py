"""A rubric's words read in an answer: by stem, dictionary form, prefix, or as a typo of a longer word."""

from __future__ import annotations

import pytest

from grader.text.lexicon import Lexicon, max_edits, nearest

LEXICON = Lexicon(["weight", "share", "shrink", "translat*", "invarian*", "parallel", "gradient", "rotation",
                   "pooling", "layer", "fully_connected", "fullyconnected"])


def _reads(word: str) -> set[str]:
    ids, _ = LEXICON.ids(word)
    return {LEXICON.words[i] for i in ids}


@pytest.mark.parametrize(
    ("word", "reads_as", "typo"),
    [
        ("weights", {"weight"}, False),
        ("sharing", {"share"}, False),
        ("shrank", {"shrink"}, False),
        ("translational", {"translat*"}, False),
        ("weigths", {"weight"}, True),
        ("paralel", {"parallel"}, True),
        ("invarience", {"invarian*"}, True),
        ("gradiant", {"gradient"}, True),
        ("shaped", set(), False),
        ("notation", set(), False),
        ("layr", set(), False),
        ("fullyconnected", {"fullyconnected"}, False),
    ],
    ids=["plural", "ing-form", "irregular-past", "prefix", "transposed-letters", "missing-letter",
         "typo-in-prefix", "vowel-typo", "english-word-not-corrected", "english-word-near-rotation",
         "too-short-for-a-typo", "glued"],
)
def test_words_are_read_as_rubric_words(word, reads_as, typo):
    """Inflections, dictionary forms and prefixes match; a typo of a word of five letters or more is read as it,
    never an English word or a short one."""
    assert _reads(word) == reads_as
    assert LEXICON.ids(word)[1] is typo


def test_a_typo_is_read_as_the_word_and_its_prefixes():
    """"weigths" is "weight", so it is also the rubric's "weight*" (a rubric may write the word either way)."""
    lexicon = Lexicon(["weight", "weight*", "parameter"])
    ids, typo = lexicon.ids("weigths")
    assert ({lexicon.words[i] for i in ids}, typo) == ({"weight", "weight*"}, True)


def test_an_unknown_word_that_only_starts_like_a_rubric_word_is_also_read_as_a_typo():
    """"detecter" starts like detect* but is no English word: it is also the rubric's "detector", with a note."""
    lexicon = Lexicon(["detect*", "detector", "none"])
    ids, typo = lexicon.ids("detecter")
    assert ({lexicon.words[i] for i in ids}, typo) == ({"detect*", "detector"}, True)
    assert lexicon.ids("non") == (frozenset(), False)  # "none" cut to "non" would be read in "non-learnable"


@pytest.mark.parametrize(("length", "edits"), [(4, 0), (5, 1), (8, 1), (9, 2), (14, 2)])
def test_typos_allowed_grow_with_length(length, edits):
    """No typo in a word under five letters, one up to eight, two beyond."""
    assert max_edits("x" * length) == edits


def test_nearest_refuses_a_tie():
    """A word as near to two choices is none of them; both are given as the candidates."""
    assert nearest("partialy", ("partial", "partially"), 1) == (None, ("partial", "partially"))
    assert nearest("sutable", ("suitable", "unsuitable"), 1) == ("suitable", ())
