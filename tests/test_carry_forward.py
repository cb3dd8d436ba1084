"""Error carried forward: a later answer right for the student's own wrong earlier answer earns its points.

Expected values are computed here with torch.nn modules applied directly to the student's sizes
(meta tensors), and receptive fields with the recurrence of Araujo et al., "Computing Receptive
Fields of Convolutional Neural Networks" (Distill, 2019): r = r_prev + (k − 1)·d·j_prev,
j = j_prev·s. Nothing here goes through the plugin's own network code.
"""

from __future__ import annotations

import dataclasses
import random
from typing import TYPE_CHECKING

from grader.core.key import load_key
from grader.core.models import RawAnswer, Status, Student, Submission
from grader.grading.grade import grade
from problems.hw2_cnn import HOMEWORK
from tests.runtimes import BOUNDED

if TYPE_CHECKING:  # torch is imported by the tests that use it, not at collection
    from torch import nn

KEY = load_key(HOMEWORK)


def submission_of(answers: dict[str, str], student: str = "pat") -> Submission:
    return Submission(homework="hw2-cnn", student=Student(id=student),
                      answers={item_id: RawAnswer(text=text) for item_id, text in answers.items()})


def _forward(module: nn.Module, chw: tuple[int, ...]) -> tuple[tuple[int, ...], int]:
    """Output (C, H, W) or (features,) and MACs (torch's FLOP count / 2) of one module on a meta input."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    with torch.device("meta"):
        module = module.to("meta")
        with FlopCounterMode(display=False) as counter:
            out = module(torch.empty(1, *chw))
    return tuple(out.shape[1:]), counter.get_total_flops() // 2


def _hwc(chw: tuple[int, ...]) -> str:
    return f"{chw[1]} × {chw[2]} × {chw[0]}" if len(chw) == 3 else str(chw[0])


def sizes_from_layer2(side: int) -> dict[str, str]:
    """Every size, MAC count and parameter count after layer2, from a layer2 output of side × side × 64.

    The homework's table (HOMEWORK.md, Problem 4) as torch modules, applied to the student's size.
    """
    from torch import nn
    answers: dict[str, str] = {}
    chw = (64, side, side)
    answers["p4.bn2.output"] = _hwc(chw)
    table = [
        ("layer3", nn.MaxPool2d(2, 2), None), ("layer4", nn.Conv2d(64, 128, 3, dilation=2), "bn4"),
        ("layer5", nn.Conv2d(128, 128, 3), "bn5"), ("layer6", nn.MaxPool2d(2, 2), None),
        ("layer7", nn.Conv2d(128, 256, 3), "bn7"), ("layer8", nn.MaxPool2d(2, 2), None),
    ]
    for name, module, bn in table:
        chw, macs = _forward(module, chw)
        answers[f"p4.{name}.output"] = _hwc(chw)
        if isinstance(module, nn.Conv2d):
            answers[f"p4.{name}.macs"] = str(macs)
            answers[f"p4.{bn}.output"] = _hwc(chw)
    flat = chw[0] * chw[1] * chw[2]
    fc1 = nn.Linear(flat, 1024, device="meta")
    answers["p4.fc1.params"] = str(sum(p.numel() for p in fc1.parameters()))
    answers["p4.fc1.macs"] = str(_forward(fc1, (flat,))[1])
    return answers


def key_answers(**changes: str | None) -> dict[str, str]:
    answers = dict(KEY.answers)
    for item_id, text in changes.items():
        if text is None:
            answers.pop(item_id)
        else:
            answers[item_id] = text
    return answers


def _following_layer2(side: int) -> dict[str, str]:
    """A submission whose layer2 output is side × side × 64 (wrong) and everything after it follows from it."""
    from torch import nn
    later = sizes_from_layer2(side)
    _, layer2_macs = _forward(nn.Conv2d(32, 64, 5, stride=2), (32, 2 * side + 3, 2 * side + 3))  # gives side × side
    answers = key_answers(**{"p4.layer2.output": f"{side} × {side} × 64", "p4.layer2.macs": str(layer2_macs), **later})
    params = [int(answers[f"p4.{layer}.params"]) for layer in _LAYERS]
    macs = [int(answers[f"p4.{layer}.macs"]) for layer in _LAYERS]
    answers["p4.total_params"], answers["p4.total_macs"] = str(sum(params)), str(sum(macs))
    return answers


_LAYERS = ["layer1", "bn1", "layer2", "bn2", "layer3", "layer4", "bn4", "layer5", "bn5", "layer6", "layer7", "bn7",
           "layer8", "fc1", "fc2", "fc3"]


def test_one_wrong_early_size_costs_only_that_item():
    """layer2's output wrong (120 instead of 126), every later size, MAC and total from it: only layer2.output loses points."""
    answers = _following_layer2(120)
    result = grade(submission_of(answers), HOMEWORK, KEY, BOUNDED)
    lost = {item.id: item.score for item in result.items if item.score < item.max_score}
    assert lost == {"p4.layer2.output": 0.25}  # the shape checker's half for the right channel count
    assert result.score == result.max_score - 0.25
    by_id = {item.id: item for item in result.items}
    followers = [item_id for item_id in answers if answers[item_id] != KEY.answers[item_id]
                 and item_id != "p4.layer2.output"]
    assert len(followers) == 18  # 10 sizes, layer2/4/5/7 and fc1 MACs, fc1 params, both totals
    for item_id in followers:
        item = by_id[item_id]
        assert item.status is Status.CORRECT and item.follows_from is not None, item_id
        assert item.follows_from in item.feedback and "error carried forward" in item.feedback
    # each names the earlier item it builds on
    assert by_id["p4.bn2.output"].follows_from == "p4.layer2.output"
    assert by_id["p4.layer3.output"].follows_from == "p4.bn2.output"
    assert by_id["p4.layer4.macs"].follows_from == "p4.layer4.output"
    assert by_id["p4.fc1.params"].follows_from == "p4.layer8.output"
    assert by_id["p4.total_macs"].follows_from == "p4.layer2.macs"
    assert by_id["p4.layer2.output"].follows_from is None


def test_receptive_fields_follow_a_wrong_earlier_field():
    """layer2.rf wrong (10), later fields right for 10 by the recurrence (jumps from the strides): only layer2.rf loses."""
    strides = {"layer1": 1, "layer2": 2, "layer3": 2, "layer4": 1, "layer5": 1, "layer6": 2, "layer7": 1, "layer8": 2}
    windows = {"layer3": (2, 1), "layer4": (3, 2), "layer5": (3, 1), "layer6": (2, 1), "layer7": (3, 1), "layer8": (2, 1)}
    rf, jump = 10, strides["layer1"] * strides["layer2"]
    changes = {"p4.layer2.rf": "10"}
    for name, (k, d) in windows.items():
        rf, jump = rf + (k - 1) * d * jump, jump * strides[name]
        changes[f"p4.{name}.rf"] = str(rf)
    result = grade(submission_of(key_answers(**changes)), HOMEWORK, KEY, BOUNDED)
    assert {i.id for i in result.items if i.score < i.max_score} == {"p4.layer2.rf"}
    assert [i.follows_from for i in result.items if i.id.endswith(".rf") and i.follows_from] == \
        [f"p4.layer{n}.rf" for n in range(2, 8)]


def test_a_chain_passes_through_unanswered_items():
    """bn2.output unanswered: layer3.output still follows from layer2.output, which its feedback names."""
    answers = _following_layer2(120)
    answers.pop("p4.bn2.output")
    result = grade(submission_of(answers), HOMEWORK, KEY, BOUNDED)
    layer3 = next(item for item in result.items if item.id == "p4.layer3.output")
    assert layer3.status is Status.CORRECT and layer3.follows_from == "p4.layer2.output"
    assert "p4.layer2.output (120 × 120 × 64)" in layer3.feedback


def test_carry_credit_is_configurable():
    """An item declaring carry_credit 0.5 gives half its points for an answer that follows."""
    p4 = HOMEWORK.problems[-1]
    items = tuple(dataclasses.replace(i, carry_credit=0.5) if i.id == "p4.layer4.macs" else i for i in p4.items)
    homework = dataclasses.replace(HOMEWORK, problems=(*HOMEWORK.problems[:-1], dataclasses.replace(p4, items=items)))
    result = grade(submission_of(_following_layer2(120)), homework, KEY, BOUNDED)
    macs = next(item for item in result.items if item.id == "p4.layer4.macs")
    assert (macs.score, macs.status, macs.follows_from) == (0.25, Status.PARTIAL, "p4.layer4.output")
    assert "50% of the points" in macs.feedback


def test_random_wrong_later_values_do_not_follow():
    """After a wrong layer2 size, random wrong later sizes neither follow nor match a mistake rule (200 values)."""
    rng = random.Random(4)
    answers = _following_layer2(120)
    right = answers["p4.layer3.output"]  # 60 × 60 × 64
    tried = 0
    for _ in range(200):
        side, channels = rng.randint(1, 300), rng.choice([32, 64, 128, 62])
        text = f"{side} × {side} × {channels}"
        if text == right:
            continue
        tried += 1
        result = grade(submission_of({**answers, "p4.layer3.output": text}), HOMEWORK, KEY, BOUNDED)
        item = next(item for item in result.items if item.id == "p4.layer3.output")
        assert item.follows_from is None and item.misconception is None, text
    assert tried >= 195


def test_no_carry_forward_without_a_wrong_earlier_answer():
    """A wrong later answer after right earlier ones is plainly wrong (no item to follow from)."""
    result = grade(submission_of(key_answers(**{"p4.layer3.output": "62 × 62 × 64"})), HOMEWORK, KEY, BOUNDED)
    layer3 = next(item for item in result.items if item.id == "p4.layer3.output")
    assert (layer3.score, layer3.follows_from) == (0.25, None)  # the channel count is right
    assert "Hint: the spatial size is one less than the expected value" in layer3.feedback


def test_hidden_expected_keeps_carried_feedback_free_of_the_key():
    """With expected answers hidden, the carried-forward feedback quotes only the student's own answers."""
    result = grade(submission_of(_following_layer2(120)), HOMEWORK, KEY, BOUNDED, hide_expected=True)
    for item in result.items:
        if item.follows_from:
            assert KEY.answers[item.id] not in item.feedback, item.id
            assert item.expected is None


def test_without_the_recomputation_installed_the_item_is_flagged_for_review():
    """Where torch is not installed, an answer that may follow from an earlier one keeps its points, flagged for review."""
    def not_installed(item, upstream):
        raise ImportError("No module named 'torch'")

    p4 = HOMEWORK.problems[-1]
    homework = dataclasses.replace(HOMEWORK, problems=(*HOMEWORK.problems[:-1],
                                                       dataclasses.replace(p4, carry_forward=not_installed)))
    result = grade(submission_of(_following_layer2(120)), homework, KEY, BOUNDED)
    macs = next(item for item in result.items if item.id == "p4.layer4.macs")
    assert (macs.score, macs.needs_review, macs.follows_from) == (0.0, True, None)
    assert "could not check here whether this answer follows from your answer to p4.layer4.output" in macs.feedback


def test_totals_follow_without_torch():
    """A total that adds up the student's own wrong counts follows without the network analysis (no torch import)."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys; from grader.api import check_file; "
            f"r = check_file({str(Path(__file__).parents[1] / 'submissions' / 'hw2-cnn' / 'ben.yaml')!r}); "
            "total = next(i for i in r.items if i.id == 'p4.total_params'); "
            "print(total.follows_from, 'torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["p4.layer1.params", "False"]
