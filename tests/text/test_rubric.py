"""Claims, not keywords: a concept is credited only when the answer asserts it."""

from __future__ import annotations

import pytest

from grader.homework import Concept, TextOptions
from grader.text.rubric import ClauseContrary, Piece, judge

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


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("nearest", 0.25),
        ("nearest. And bilinear.", 0.5),
        ("nearest nearest", 0.25),
        ("a smaller model. And less memory.", 0.25),
    ],
    ids=["one-piece", "two-pieces-apart", "one-piece-twice", "two-paraphrases"],
)
def test_two_pieces_stated_apart_earn_the_whole_share(text, score):
    """Two different pieces of a concept make the whole; two weaker paraphrases of one idea stay half of it."""
    options = TextOptions((Concept("methods", 0.5, ("nearest bilinear",),
                                   partial=(Piece("nearest"), Piece("bilinear"))),
                           Concept("fewer", 0.5, ("fewer parameter*",), partial=("smaller model", "less memory"))))
    assert judge(text, options).score == score


@pytest.mark.parametrize(
    ("text", "score"),
    [("nearest. And bilinear.", 0.5), ("nearest. Only the last one learns.", 1.0)],
    ids=["two-phrasings-of-one-piece", "two-pieces"],
)
def test_phrasings_of_one_piece_share_its_name(text, score):
    """Phrasings that name the same piece (any fixed method) do not make the whole; another piece does."""
    options = TextOptions((Concept("fixed methods", 1.0, ("fixed nearest|bilinear",), partial=(
        Piece("nearest", "named"), Piece("bilinear", "named"),
        Piece("only|last one learn*", "the rest learn nothing"))),))
    assert judge(text, options).score == score


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("Nearest neighbour. Transposed convolution is the only one that learns.", 1.0),
        ("Transposed convolution is the only one that learns.", 0.5),
    ],
    ids=["pieces-apart-one-inside-another-statement", "only-the-piece-inside-another-statement"],
)
def test_a_piece_inside_another_concepts_statement_only_completes_its_concept(text, score):
    """"Transposed convolution is the only one that learns" is the learnable method, and also says the others learn
    nothing: with a fixed method named apart it makes that concept whole, alone it earns it nothing."""
    options = TextOptions((Concept("fixed", 0.5, ("fixed nearest",), partial=(
        Piece("nearest", "named"), Piece("only learn*", "the rest learn nothing"))),
                           Concept("learnable", 0.5, ("transposed learn*",))))
    assert judge(text, options).score == score


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("transposed convolution (learnable)", 0.5),
        ("transposed convolution (the one from the lecture) which is learnable", 0.5),
        ("fixed upsampling (nearest neighbour, bilinear or max unpooling)", 0.5),
        ("transposed convolution. Learnable.", 0.0),
    ],
    ids=["short-brackets", "long-aside-passed-over", "next-slot-in-brackets", "another-sentence"],
)
def test_a_phrasing_reads_through_brackets(text, score):
    """A phrasing goes on past words in brackets, or finds its next word among them, but not into another sentence."""
    options = TextOptions((Concept("learnable", 0.5, ("transpos*_conv* learnabl*",)),
                           Concept("fixed", 0.5, ("fixed nearest|bilinear",))))
    assert judge(text, options).score == score


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("Pose estimation.", 0.5),
        ("Pose estimation and landmarks are where invariance is desirable.", 0.0),
        ("Invariance is desirable in classification; pose estimation needs positions.", 0.5),
        ("Landmarks need positions. But for pose estimation invariance is fine.", 0.5),
        ("Pose estimation. Invariance is fine in classification; landmarks too.", 1.0),
    ],
    ids=["named", "reversed-in-its-clause", "other-clause", "last-word-reversed", "fine-said-of-something-else"],
)
def test_a_clause_contrary_reverses_what_its_clause_says(text, score):
    """"A and B are where invariance is desirable" reverses A and B; a task named in another clause keeps its share
    unless the answer's last word on it reverses it."""
    fine = (ClauseContrary("invarian* desirable|fine"),)
    options = TextOptions((Concept("pose", 0.5, ("pose",), contrary=fine),
                           Concept("landmarks", 0.5, ("landmark*",), contrary=fine)))
    assert judge(text, options).score == score


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("It can appear anywhere.", 0.25),
        ("The same detector fires anywhere.", 0.5),
        ("It can appear anywhere. The same detector fires at every spot.", 0.75),
    ],
    ids=["one-phrase-one-concept", "inside-another-concepts-phrasing", "said-twice"],
)
def test_one_statement_earns_one_concept(text, score):
    """A weaker phrasing already credited to one concept, or inside another concept's phrasing, earns no other."""
    options = TextOptions((Concept("presence", 0.5, ("presen*",), partial=("anywhere",)),
                           Concept("one detector", 0.5, ("same detector", "fire* anywhere"), partial=("anywhere",))))
    assert judge(text, options).score == score


def test_the_compared_thing_is_a_clause_of_its_own():
    """"Unlike a dense layer, a CNN needs fewer weights" does not say the dense layer needs fewer."""
    options = TextOptions((Concept("dense too big", 1.0, ("dense huge",),
                                   contrary=("dense need*_fewer",)),))
    assert not judge("Unlike a dense layer, a CNN needs fewer weights; a dense one is huge.", options).contradicted
    assert judge("A dense layer would need fewer weights.", options).contradicted


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("A CNN is suitable for detecting a wolf anywhere in drone images because it detects objects anywhere.", 0.0),
        ("A CNN is suitable for detecting a wolf anywhere in drone images because of local receptive fields.", 0.0),
        ("A CNN is suitable for detecting a wolf anywhere in drone images because dense nets need too many weights.",
         0.5),
        ("The wolf can be anywhere, and CNNs detect things anywhere.", 0.5),
    ],
    ids=["question-words-restated", "term-named-in-a-restatement", "own-claim-in-a-restatement", "no-copied-run"],
)
def test_an_answer_restating_the_question_earns_only_its_own_claims(text, score):
    """An answer that copies the question and is mostly its words earns nothing from phrasings made of the question's
    words ("detection" for "detecting") or from terms named without a claim; a claim in words of its own still counts."""
    options = TextOptions((Concept("anywhere", 0.5, ("detect* anywhere",), partial=("local receptive field",)),
                           Concept("dense too big", 0.5, ("too many weight*",))),
                          context="Detecting a wolf anywhere in aerial drone images: is a CNN suitable?")
    assert judge(text, options, "Justify (i).").score == score


SPATIAL = Concept("per-frame patterns", 0.5, ("each frame",), partial=("spatial",),
                  needs="not the motion")
MOTION = Concept("not the motion", 0.5, ("not motion", "3d conv*"), negatable=False, partial=("temporal",),
                 contrary=("cnn captur* motion",))


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("The CNN sees each frame but not the motion.", 1.0),
        ("The CNN sees each frame.", 0.25),
        ("The CNN sees each frame; temporal.", 0.5),
        ("The CNN sees each frame, and the CNN captures the motion too.", 0.0),
        ("Spatial, and 3D convolutions.", 0.75),
    ],
    ids=["both-sides", "one-side-alone", "other-side-half", "other-side-contradicted", "half-side-with-whole-other"],
)
def test_one_side_of_a_contrast_is_whole_only_with_the_other(text, score):
    """A concept that `needs` another is whole only with that one whole, half without it or with it half, and
    nothing when the other is contradicted (the contrast reversed)."""
    judgement = judge(text, TextOptions((SPATIAL, MOTION)))
    assert judgement.score == score


def test_a_reversed_contrast_is_quoted():
    """The side that loses its credit with the other says which words reversed the contrast."""
    judgement = judge("Each frame, and the CNN captures the motion.", TextOptions((SPATIAL, MOTION)))
    assert [(c.name, words) for c, words in judgement.contradicted] == [
        ("not the motion", "cnn captures the motion"), ("per-frame patterns", "cnn captures the motion")]


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("The keyword can occur anywhere, so translation invariance.", 1.0),
        ("A wolf can be anywhere in the drone picture, so translation invariance helps.", 0.0),
        ("As with a wolf in a picture, the keyword can occur anywhere.", 0.5),
        ("The wolf can be anywhere; the keyword can occur anywhere too.", 0.5),
    ],
    ids=["own-subject", "another-questions-subject", "both-subjects-compared", "another-clause"],
)
def test_a_clause_about_another_questions_subject_states_nothing_here(text, score):
    """What a clause naming another question's subject (and not this one's) says answers that other question."""
    options = TextOptions((Concept("anywhere", 0.5, ("anywhere",)), Concept("invariance", 0.5, ("translation invarian*",))),
                          about=("keyword|audio",), elsewhere=("wolf|drone|picture",))
    assert judge(text, options).score == score


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
        ("The same weights; not sure whether there are fewer parameters.", "medium",
         "said only in part or in doubt: “fewer parameters”"),
    ],
    ids=["plain", "negation-near", "partial", "nothing-recognisable", "typo", "in-doubt"],
)
def test_confidence(text, confidence, reason):
    """high when every concept is asserted plainly; medium with a negation, a doubt, a partial idea or a typo; low
    for nothing recognisable or a contradiction."""
    judgement = judge(text, RUBRIC)
    assert (judgement.confidence, judgement.reason) == (confidence, reason)
