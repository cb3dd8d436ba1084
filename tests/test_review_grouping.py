"""The review queue's answer groups: identical after normalisation, then alike in the grader's verdict and close in
words; split answers alone; undecided, large and unsure groups first."""

from __future__ import annotations

from types import SimpleNamespace

from grader.core.models import ItemResult, Status
from grader.service.grouping import Answer, group, normalise, signature

FOUND_A = "Found: weights reused at every position. Missing: fewer parameters. Scored automatically."
NOTHING = "Missing: weights reused at every position; fewer parameters. Scored automatically."


def answer(n: int, text: str, feedback: str, score: float, confidence: str = "high", decided: float | None = None
           ) -> Answer:
    item = ItemResult(id="p1.a", problem="p1", kind="text", status=Status.PARTIAL, score=score, max_score=5,
                      given=text, feedback=feedback, needs_review=True, confidence=confidence)
    decision = None if decided is None else SimpleNamespace(points=decided, comment="")
    return Answer(f"sub{n}", n, f"s{n}", item, normalise(text), signature(item), decision)


def test_normalisation_ignores_case_punctuation_and_spacing():
    assert normalise("  The SAME weights, everywhere!\n") == normalise("the same weights everywhere") \
        == "the same weights everywhere"


def test_signature_reads_the_concepts_the_feedback_lists():
    contrary = ("Found: fewer parameters. Not credited: weights reused at every position — the answer also says "
                "“shared across layers”, which contradicts it. Scored automatically.")
    item = ItemResult(id="x", problem="p", kind="text", status=Status.PARTIAL, score=2.5, max_score=5,
                      feedback=contrary)
    assert signature(item) == (2.5, (("Found", "fewer parameters"),),
                               (("credited", "weights reused at every position"),))


def test_identical_then_similar_answers_share_a_group_and_other_verdicts_do_not():
    answers = [
        answer(1, "The same weights are reused at every position.", FOUND_A, 2.5),
        answer(2, "the same weights are reused at every position", FOUND_A, 2.5),
        answer(3, "The same weights get reused at each position of the image.", FOUND_A, 2.5),
        answer(4, "The same weights are reused at every position.", NOTHING, 0),  # another verdict: never merged
        answer(5, "The same weights are used again everywhere.", NOTHING, 0),
        answer(6, "Because of pooling.", NOTHING, 0),  # the same verdict, but no words in common
    ]
    groups = group(answers)
    members = sorted(sorted(a.submission_id for a in g.answers) for g in groups)
    assert members == [[1, 2, 3], [4, 5], [6]]
    assert [g.kind for g in groups] == ["similar", "similar", "identical"]


def test_split_answers_stand_alone_and_the_queue_puts_undecided_large_unsure_groups_first():
    answers = [answer(n, "Pooling makes it smaller.", NOTHING, 0, confidence="high") for n in (1, 2, 3)]
    answers += [answer(n, "The same weights are reused.", FOUND_A, 2.5, confidence="low") for n in (4, 5)]
    answers += [answer(6, "Something decided already.", FOUND_A, 2.5, confidence="low", decided=3)]
    groups = group(answers, split={6, 1})
    order = [(g.kind, sorted(a.submission_id for a in g.answers)) for g in groups]
    # 2 low-confidence answers weigh 6, 2 high-confidence ones 2; the decided group comes last.
    assert order == [("identical", [4, 5]), ("identical", [2, 3]), ("split", [1]), ("split", [6])]
    assert groups[-1].decided and groups[-1].decision.points == 3 and not groups[0].decided
