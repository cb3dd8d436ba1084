"""The text checker: a verdict from the concept rubric, its feedback and confidence, always for review."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from grader.checks import text
from grader.homework import Concept, Item, TextOptions
from problems.hw2_cnn import HOMEWORK

SHARING = Concept("same weights everywhere", 0.5, ("same weight|kernel|filter",), contrary=("layer* shar* weight*",))
FEWER = Concept("fewer parameters", 0.5, ("fewer|less parameter",), partial=("smaller model",))
ITEM = Item("q.text", "text", 4, "Explain parameter sharing.", TextOptions(
    (SHARING, FEWER), misconceptions=(Concept("sharing gives no rotation invariance", 0.25, ("rotation invarian*",)),)))


@pytest.mark.parametrize(
    ("answer", "score", "phrases", "confidence"),
    [
        ("The same filter weights are used everywhere, so there are far fewer parameters.", 1.0,
         ["Found: same weights everywhere; fewer parameters."], "high"),
        ("Kernels: the same kernel everywhere.", 0.5, ["Found: same weights everywhere.", "Missing: fewer parameters."],
         "high"),
        ("The same weights and a smaller model.", 0.75, ["Only partly: fewer parameters."], "medium"),
        ("The layers share their weights: the same weights twice.", 0.0,
         ["Not credited: same weights everywhere — the answer also says “layers share their weights”"], "low"),
        ("The same weights. Actually no, it is not the same weights.", 0.0,
         ["Not credited: same weights everywhere — the answer later takes it back"], "low"),
        ("Same weights and fewer parameters make it rotation invariant.", 0.75,
         ["Not right: sharing gives no rotation invariance (“rotation invariant”)."], "low"),
        ("It is faster.", 0.0, ["Missing: same weights everywhere; fewer parameters."], "low"),
    ],
    ids=["both-concepts", "one-concept", "partial", "contrary", "retracted", "misconception", "none"],
)
def test_compare_scores_and_explains(answer, score, phrases, confidence):
    """The score is the shares asserted less misconceptions; feedback says what was found, partly found,
    contradicted, taken back, wrong and missing; the confidence comes with it; always reviewed."""
    verdict = text.compare(answer, "model answer", ITEM)
    assert verdict.score == score and verdict.needs_review
    assert verdict.confidence == confidence
    for phrase in phrases:
        assert phrase in verdict.feedback


@pytest.mark.parametrize(
    ("needs", "fault"),
    [("fewer parameters", None), ("rotation", "needs 'rotation', which is no other concept of the item"),
     ("same weights everywhere", "needs 'same weights everywhere', which is no other concept of the item")],
    ids=["another-concept", "unknown", "itself"],
)
def test_a_contrast_names_another_concept(needs, fault):
    """`needs` must name another concept of the same item."""
    item = Item("q.text", "text", 1, "?", TextOptions((replace(SHARING, needs=needs), FEWER)))
    assert text.validate(item) == (fault and f"concept 'same weights everywhere' {fault}")


def test_shares_are_capped_at_full_marks():
    """"Any two of these" rubrics (shares adding up past 1) never score above 1."""
    item = Item("q.apps", "text", 4, "Applications?", TextOptions(tuple(
        Concept(name, 0.5, (name,)) for name in ("pose", "landmark", "localisation"))))
    assert text.compare("pose, landmark and localisation", "", item).score == 1.0


TEXT_ITEMS = [item for item in HOMEWORK.items if item.kind == "text"]


@pytest.mark.parametrize("item", TEXT_ITEMS, ids=lambda item: item.id)
def test_the_longest_answer_allowed_is_checked_quickly(item):
    """5,000 characters of rubric words, negations and typos take well under a second (no quadratic blow-up)."""
    words = " ".join(p.replace("*", "ing").replace("|", " ").replace("_", " ")
                     for c in item.options.concepts for p in c.phrasings)
    answer = (f"{words} not paralel weigths, actually no. " * 200)[:5_000]
    started = time.process_time()
    verdict = text.compare(answer, "", item)
    assert time.process_time() - started < 0.5
    assert 0.0 <= verdict.score <= 1.0


# The course's own model solution writes the gradient concept this way (issue 16).
@pytest.mark.parametrize(
    ("item_id", "answer"),
    [
        ("p3.a.iii", "As gradients are backpropagated through many layers, they can diminish, and deeper plain "
                     "networks get a higher training error (degradation)."),
        ("p2.c.remedy", "Show the model many copies of each picture turned by random angles."),
        ("p1.c.methods", "The encoder shrinks the image, and segmentation needs the input size back. Fixed rules: copy "
                         "each value into a 2×2 block, or blend neighbouring values linearly; or a trainable "
                         "enlarging layer."),
        ("p3.a.iii", "grads blow up or shrink to nothing, and accuracy drops with depth"),
        ("p1.a", "same kernel at every position, it slides over the img; far fewer params than FC, and a feature is "
                 "found anywhere"),
    ],
    ids=["model-solution-gradients", "paraphrased-augmentation", "paraphrased-methods", "terse-gradients",
         "abbreviations"],
)
def test_paraphrases_and_abbreviations_earn_full_points(item_id, answer):
    """Plain words and the field's shorthand for every idea earn the whole item."""
    assert text.compare(answer, "", HOMEWORK.item(item_id)).score == 1.0


@pytest.mark.parametrize(
    ("item_id", "answer"),
    [
        ("p1.a", "It does not mean that the same kernel weights are reused, the filter does not slide, and there "
                 "are not fewer parameters."),
        ("p3.b.i", "The 1×1, 3×3 and 5×5 convolutions run one after another, not in parallel, and nothing is "
                   "concatenated."),
        ("p2.e", "In pose estimation and keypoint detection translation invariance is desirable."),
        ("p1.a", "The layers share their weights with each other."),
        ("p2.c.remedy", "Flipping and cropping the training images makes it rotation robust."),
        ("p2.e", "Landmark detection, pose estimation and keypoints are all cases where translation invariance is "
                 "helpful."),
        ("p3.a.iii", "Maybe vanishing gradients, but actually no: batch norm already solves them, so nothing goes "
                     "wrong."),
        ("p3.a.i", "Pooling only shrinks the maps and does not change what a unit sees; only larger kernels grow it."),
        ("p1.b.i.why", "A dense network would need fewer weights than a CNN here."),
        ("p2.c.remedy", "Collect a bigger and more varied data set."),
        ("p1.c.methods", "The encoder keeps the full resolution, so upsampling is optional."),
        ("p2.d", "What matters is where a pattern is, so one detector firing anywhere loses information: translation "
                 "invariance is not desirable in general."),
        ("p1.b.iii.why", "A CNN sees each frame, and stacking the frames it already captures the motion as well."),
        ("p2.e", "Pose estimation maybe, but actually no, pose estimation works fine: invariance is no problem there."),
    ],
    ids=["denied-keywords", "not-in-parallel", "invariance-desirable", "cross-layer-sharing", "flips-and-crops",
         "list-said-desirable", "retracted-and-solved", "only-larger-kernels", "dense-needs-fewer", "more-data",
         "resolution-kept", "position-matters", "motion-captured", "said-again-as-no-problem"],
)
def test_the_rubric_words_denied_earn_nothing(item_id, answer):
    """The rubric's words with the claim reversed or confused (issue 16's examples) earn no points."""
    assert text.compare(answer, "", HOMEWORK.item(item_id)).score == 0.0


@pytest.mark.parametrize(
    ("item_id", "answer"),
    [
        ("p3.a.i", "The receptive field of three stacked 3×3 convolutions is 7×7."),
        ("p3.a.i", "ResNet adds skip connections so that deeper networks can be trained."),
        ("p3.a.i", "Max pooling gives translation invariance and reduces computation."),
        ("p1.b.ii.why", "A wolf can be anywhere in the drone picture, so translation invariance helps."),
        ("p1.b.iii.why", "The keyword can be spoken at any time, so a 1-D CNN over the spectrogram works."),
        ("p2.c.remedy", "Data augmentation with random crops and horizontal flips improves generalisation."),
    ],
    ids=["the-sheet-copied", "skip-connections", "pooling-for-invariance", "wolf-for-audio", "audio-for-video",
         "augmentation-without-rotation"],
)
def test_an_answer_to_another_question_earns_nothing(item_id, answer):
    """Off-target answers: the homework sheet copied, or claims about another question's subject."""
    assert text.compare(answer, "", HOMEWORK.item(item_id)).score == 0.0


@pytest.mark.parametrize(
    ("item_id", "answer", "score"),
    [
        ("p1.a", "It uses the same weights.", 0.125),
        ("p1.c.methods", "The decoder enlarges the maps for segmentation.", 0.125),
        ("p2.d", "Objects can be in various places.", 0.25),
        ("p2.e", "Medical imaging.", 0.25),
        ("p1.b.iii.why", "Frames, video, motion, spatial.", 0.5),
        ("p1.b.ii.why", "Audio, time, dense network, windows.", 0.2),
        ("p1.b.iii.why", "A CNN can extract features from each frame.", 0.25),
    ],
    ids=["same-weights-without-where", "task-named-without-resolution", "anywhere-without-presence",
         "medical-without-localisation", "terms-listed", "dense-over-windows-named", "per-frame-without-the-motion"],
)
def test_a_generic_phrasing_earns_half_a_share_and_medium_confidence(item_id, answer, score):
    """Words that only name the topic of a concept earn half its share, and the verdict says it is unsure."""
    verdict = text.compare(answer, "", HOMEWORK.item(item_id))
    assert (verdict.score, verdict.confidence) == (score, "medium")


@pytest.mark.parametrize(
    ("item_id", "answer", "score"),
    [
        ("p1.c.methods", "Learnable: max-unpooling and transposed convolution; fixed: nearest neighbour, bilinear.",
         0.25),
        ("p3.a.iii", "Vanishing gradients, and deeper nets do worse, but that is just overfitting.", 0.5),
        ("p2.d", "Only whether it is present matters, not where; one detector fires anywhere. It also tells exactly "
                 "where the object is.", 0.5),
        ("p3.a.i", "Pooling just reduces the size and the receptive field stays the same. So only by stacking more "
                   "layers.", 0.5),
        ("p3.b.i", "Parallel 1×1, 3×3 and 5×5 branches see several scales; the 1×1 convolutions are used to shrink the "
                   "height and width first.", 0.4),
        ("p1.c.methods", "Transposed convolution, the inverse of convolution, learns its weights; nearest neighbour and "
                         "bilinear are fixed.", 0.4375),
        ("p2.d", "Only whether it is present matters, not where; so CNNs need no data augmentation.", 0.25),
    ],
    ids=["unpooling-said-learnable", "degradation-said-overfitting", "exactly-where-contradicts-presence-only",
         "unchanged-field-said-of-pooling", "1x1-said-to-shrink-height-and-width", "transposed-said-inverse",
         "no-augmentation-needed"],
)
def test_a_wrong_claim_cancels_the_concept_it_contradicts(item_id, answer, score):
    """HOMEWORK.md's marking: a clearly wrong claim contradicting a concept cancels that concept, not the others."""
    assert text.compare(answer, "", HOMEWORK.item(item_id)).score == score
