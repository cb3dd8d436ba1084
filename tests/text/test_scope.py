"""Negations that deny, hedge, question or take back: what a claim's surroundings do to it."""

from __future__ import annotations

import pytest

from grader.homework import Concept, TextOptions
from grader.text.rubric import judge

POOLING = Concept("pooling", 0.5, ("pool*",))
STACKING = Concept("stacking layers", 0.5, ("stack* layer*",))
RUBRIC = TextOptions((POOLING, STACKING), misconceptions=(Concept("overfitting", 0.5, ("overfit*",)),))


def _credited(text: str) -> dict[str, float]:
    return {c.name: credit for c, credit in judge(text, RUBRIC).credited}


@pytest.mark.parametrize(
    ("text", "credited"),
    [
        ("Maybe pooling, but actually no, only stacking layers.", {"stacking layers": 1.0}),
        ("Pooling... but actually no, that is wrong. Stacking layers.", {"stacking layers": 1.0}),
        ("Pooling. No wait, stacking layers.", {"stacking layers": 1.0}),
        ("Stacking layers, or pooling, or maybe not.", {}),
        ("Pooling, but actually no. Pooling again, and stacking layers.", {"pooling": 1.0, "stacking layers": 1.0}),
        ("Pooling — no wait, stacking layers.", {"stacking layers": 1.0}),
        ("Stacking, not pooling — actually no, layers.", {}),
        ("Stacking layers whether pooling is used or not.", {"pooling": 1.0, "stacking layers": 1.0}),
        ("Pooling. No separate weights. Stacking layers.", {"pooling": 1.0, "stacking layers": 1.0}),
    ],
    ids=["but-actually-no", "next-sentence", "no-wait", "or-maybe-not", "said-again-after", "no-wait-after-a-dash",
         "phrase-across-the-negation", "whether-or-not", "no-followed-by-words"],
)
def test_a_lone_negation_after_a_turn_takes_back_what_came_before(text, credited):
    """"Maybe X, but actually no, …", "X. No wait, …", "X, or maybe not": X is taken back, unless said again."""
    assert _credited(text) == credited


def test_what_is_taken_back_is_quoted():
    """The feedback quotes the lone negation that took the concept back."""
    judgement = judge("Maybe pooling, but actually no, stacking layers.", RUBRIC)
    assert [(c.name, words) for c, words in judgement.retracted] == [("pooling", "but actually no")]


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("Pooling is not perfectly what grows it.", 0.25),
        ("I am not sure whether pooling counts.", 0.25),
        ("Stacking layers; I'm not quite sure if that is due to overfitting.", 0.5),
        ("It is overfitting.", 0.0),
        ("Pooling is not what grows it.", 0.0),
        ("Stacking layers; it is not just overfitting: training is harder.", 0.5),
        ("Stacking layers; not only pooling but also dilation.", 1.0),
        ("Stacking layers, not necessarily pooling.", 0.75),
    ],
    ids=["not-perfectly-hedges", "not-sure-whether-questions", "questioned-misconception-costs-nothing",
         "asserted-misconception", "plain-denial", "not-just-without-but-hedges", "not-only-but-also-affirms",
         "not-necessarily-hedges"],
)
def test_hedged_and_questioned_claims(text, score):
    """"not perfectly X", "not just X" (no "but also" after it) and "not sure whether X" state X only in part (half
    its share), and a wrong claim in doubt costs nothing; "not X" denies X."""
    assert judge(text, RUBRIC).score == score


@pytest.mark.parametrize(
    ("text", "credited"),
    [
        ("Pooling in the encoder does not grow it.", {}),
        ("Stacking more layers does not help.", {}),
        ("Pooling, then stacking layers mean we do not need dilation.", {"pooling": 1.0, "stacking layers": 1.0}),
        ("The object is found by pooling or not found at all.", {"pooling": 1.0}),
        ("Stacking layers shrinks it to nothing.", {"stacking layers": 1.0}),
    ],
    ids=["subject-with-a-word-more", "negated-verb", "another-subject", "or-not", "nothing-is-no-verb"],
)
def test_a_negated_verb_denies_its_subject(text, credited):
    """A negated verb denies the phrase that is its subject, a word of the subject more included; not when another
    subject stands between them, not across "or", and "nothing" negates no verb."""
    assert _credited(text) == credited
