"""The text checker: a concept rubric with inflections, spelling variants, gaps and negation."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.checks import text
from grader.homework import Concept, Item, TextOptions
from problems.hw2_cnn import HOMEWORK
from tests.checks import text_reference

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


# --- Same results as the matcher before the pre-filter of phrasings (tests/checks/text_reference.py) ---

TEXT_ITEMS = [item for item in HOMEWORK.items if item.kind == "text"]
PHRASINGS = [(p, c.negatable) for item in TEXT_ITEMS for c in item.options.concepts for p in c.phrasings]
# Every word of the rubric, and the words of each alternative glued ("fullyconnected").
RUBRIC_WORDS = sorted({w for p, _ in PHRASINGS for slot in text._normalise(p).split() for alt in slot.split("|")
                       for w in (*alt.split("_"), alt.replace("_", ""))})
SUFFIXES = ["", "s", "es", "ies", "y", "e", "ed", "ing", "ings", "er", "ion", "ation", "ations", "ise", "ised",
            "ising", "isation", "ize", "ss", "us", "is", "tting", "lled"]
FILLER = ["the", "a", "of", "so", "it", "is", "very", "and", "in", "to", "x", "s", "d", "only", "that"]
NEGATIONS = ["not", "no", "never", "without", "not only", "not just", "don't", "can't", "cannot", "isn't", "won't"]
JOINS = [" ", "-", "", "_", " - "]
# Clause words and contractions, also glued to other words ("button", "scan not").
TRIGGERS = ["but", "whereas", "however", "can", "won't", "n't"]
BREAKS = [". ", "; ", " but ", " whereas ", "\n\n", "\n- ", "\n2) ", ", ", "\n", " (", ") ", "! "]


def assert_same_as_reference(answer: str, options: TextOptions | None = None) -> int:
    """The checker reads the answer into the same tokens as the reference and finds each phrasing
    of the rubric (of `options`, else of every text item) exactly when the reference does."""
    toks, reference_toks = text.tokens(answer), text_reference.tokens(answer)
    assert [tuple(t) for t in toks] == [(t.raw, t.stem, t.clause) for t in reference_toks], answer
    phrasings = PHRASINGS if options is None else [(p, c.negatable) for c in options.concepts for p in c.phrasings]
    index = text._index(toks)
    for phrasing, negatable in phrasings:
        found = text.find(phrasing, toks, negatable=negatable, text_index=index)
        assert found is text_reference.find(phrasing, reference_toks, negatable=negatable), (phrasing, answer)
    if options is not None:
        assert text.found_concepts(answer, options) == text_reference.found_concepts(answer, options), answer
    return len(phrasings)


def _spell(word: str, rng: random.Random, mess: float) -> str:
    """A way of writing a rubric word: completed, inflected, British or American, cut in two, shouted."""
    if word.endswith("*"):
        word = word[:-1] + rng.choice(SUFFIXES)
    elif rng.random() < mess:
        word = rng.choice([word, text.stem(word), word[:-1]]) + rng.choice(SUFFIXES)
    if rng.random() < mess:
        word = rng.choice([word.replace("z", "s"), word.replace("s", "z"),
                           word.replace("x", rng.choice([" x ", "×", " * "]))])
    if len(word) > 2 and rng.random() < mess / 3:  # "down sampling", "down-sampling"
        cut = rng.randrange(1, len(word))
        word = word[:cut] + rng.choice(JOINS) + word[cut:]
    return word.upper() if rng.random() < 0.05 else word


def _write(phrasing: str, rng: random.Random, mess: float) -> str:
    """The phrasing written out: maybe negated, slots dropped now and then, words or a clause break between slots."""
    parts = [rng.choice(NEGATIONS)] if rng.random() < 0.25 else []
    for slot in text._normalise(phrasing).split():
        if rng.random() < mess / 8:
            continue
        alternative = rng.choice(slot.split("|")).split("_")
        parts.append(rng.choice(JOINS[:4]).join(_spell(w, rng, mess) for w in alternative))
        parts += rng.choices(FILLER + NEGATIONS[:3], k=rng.choice([0, 0, 0, 1, 2, 3, 4]))
        if rng.random() < mess / 8:
            parts.append(rng.choice(BREAKS))
    return " ".join(parts)


def rubric_answers(per_item: int):
    """Answers to each text item written from its rubric's phrasings (1 to 3 of them, with filler
    between), from nearly as written to much mangled."""
    for item in TEXT_ITEMS:
        phrasings = [p for c in item.options.concepts for p in c.phrasings]
        for n in range(per_item):
            rng = random.Random(f"{item.id}/{n}")
            mess = rng.random()
            pieces = [_write(rng.choice(phrasings), rng, mess) for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.3:
                pieces.insert(rng.randrange(len(pieces) + 1), " ".join(rng.choices(FILLER, k=rng.randint(1, 6))))
            yield item, rng.choice(BREAKS + [" "]).join(pieces)


@pytest.mark.parametrize("answer", [
    "weights shared but not everywhere", "a_but_b", "_but", "but_", "button", "abut", "but2", "BUT", "However, no",
    "whereas_x", "it can't", "cannot", "can not", "scan not", "won't", "wont", "isn't", "it’s", "don’t share",
    "1 x 1 conv", "3×3", "5 * 5", "x 1", "one.two;three:four!five?six(seven)eight", "line\nwrapped",
    "list:\n- one\n* two\n• three\n2) four\n\nfive", "naïve ﬁlter Straße", "", " . ; ",
])
def test_tricky_answers_find_what_the_reference_finds(answer):
    """Clause words inside or next to other words, contractions, times signs, bullets, ligatures."""
    assert_same_as_reference(answer)


def test_answers_written_from_the_rubric_find_what_the_reference_finds():
    """2,200 answers built from the real rubric's phrasings (words inflected, glued, split, hyphenated,
    negated, dropped, filler between): same tokens, same phrasings found, same concepts."""
    compared = sum(assert_same_as_reference(answer, item.options) for item, answer in rubric_answers(200))
    assert compared == 200 * len(PHRASINGS)


PIECES = st.one_of(st.sampled_from(RUBRIC_WORDS).map(lambda w: w.rstrip("*")), st.sampled_from(SUFFIXES),
                   st.sampled_from(FILLER + NEGATIONS + BREAKS + TRIGGERS),
                   st.text("abdeinostuxyz19_-'’.:( ×*\n", max_size=5))
TEXTS = st.lists(st.tuples(PIECES, st.sampled_from(["", " ", " ", " ", "-", "_", "\n"])), max_size=40).map(
    lambda pieces: "".join(piece + after for piece, after in pieces))


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_any_text_finds_what_the_reference_finds(answer):
    """Texts of rubric words, suffixes, negations, clause breaks and odd characters, glued or apart:
    same tokens and every phrasing of the rubric found exactly when the reference finds it."""
    assert_same_as_reference(answer)


def test_a_token_matching_a_rubric_word_starts_with_one_of_its_keys():
    """What the pre-filter relies on (`text._keys`): any token, or two tokens glued, that matches a
    rubric word has its first KEY letters among the word's keys. Tried on every rubric word cut
    short by 0 to 4 letters, with every suffix, in British and American spelling (44,000 tokens, 4,500
    of which match)."""
    for word in RUBRIC_WORDS:
        keys, matches, base = text._keys(word), text._matcher(word), word.rstrip("*")
        for cut, suffix in itertools.product(range(5), SUFFIXES):
            token = base[:max(1, len(base) - cut)] + suffix
            for spelling in {token, token.replace("iz", "is")}:
                if keys is not None and matches(spelling, text.stem(spelling)):
                    assert spelling[:text.KEY] in keys, (word, spelling)
