"""Problem 4's mistake rules: each recognised, and only it; carried values from the same torch path as the key.

A submission "made of" a mistake is computed here independently: torch.nn modules configured
with the wrong assumption, torch's FLOP counter, BatchNorm's buffers, the receptive-field
recurrence of Araujo et al. (Distill, 2019), PyTorch's documented output-size formula, and the
layer table of HOMEWORK.md, never the plugin's own code.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

import pytest

from grader.core.key import key_mistakes, load_key
from grader.core.models import RawAnswer, Status, Student, Submission
from grader.grading.checking import Request
from grader.grading.grade import grade
from problems.hw2_cnn import HOMEWORK
from problems.hw2_cnn.assumptions import RULES
from tests.runtimes import BOUNDED

if TYPE_CHECKING:  # torch is imported by the tests that use it, not at collection
    from torch import nn

KEY = load_key(HOMEWORK)
P4 = next(p for p in HOMEWORK.problems if p.id == "p4")
FEEDBACK = {rule.id: rule.feedback for rule in RULES}


def _params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _flops(module: nn.Module, chw: tuple[int, ...]) -> int:
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(display=False) as counter:
        module.to("meta")(torch.empty(1, *chw, device="meta"))
    return counter.get_total_flops()


def _out(module: nn.Module, chw: tuple[int, ...]) -> tuple[int, ...]:
    import torch
    return tuple(module.to("meta")(torch.empty(1, *chw, device="meta")).shape[1:])


def _hwc(chw: tuple[int, ...]) -> str:
    return f"{chw[1]} × {chw[2]} × {chw[0]}"


# HOMEWORK.md: output channels (features) of each layer with a bias.
BIASES = [32, 64, 128, 128, 256, 1024, 1024, 10]
BN_CHANNELS = {"bn1": 32, "bn2": 64, "bn4": 128, "bn5": 128, "bn7": 256}


def made_of(rule: str) -> dict[str, str]:
    """Answers computed under one wrong assumption, item → text (only the items it changes)."""
    from torch import nn
    if rule == "no_bias":
        return {"p4.layer1.params": str(_params(nn.Conv2d(3, 32, 7, bias=False))),
                "p4.layer4.params": str(_params(nn.Conv2d(64, 128, 3, dilation=2, bias=False))),
                "p4.fc3.params": str(_params(nn.Linear(1024, 10, bias=False))),
                "p4.total_params": str(int(KEY.answers["p4.total_params"]) - sum(BIASES)),
                "p4.formula.conv_params": "k_h k_w C_in C_out"}
    if rule == "no_dilation":
        return {"p4.layer4.output": _hwc(_out(nn.Conv2d(64, 128, 3), (64, 63, 63))),
                "p4.layer4.rf": str(13 + (3 - 1) * 1 * 4),  # r3 = 13, j3 = 4, dilation taken as 1
                "p4.formula.conv_out": "floor((H + 2p - k)/s) + 1", "p4.formula.rf_step": "R_prev + (k-1) j_prev"}
    if rule == "same_padding_zero":
        return {"p4.layer1.output": _hwc(_out(nn.Conv2d(3, 32, 7), (3, 256, 256))),
                "p4.formula.conv_out": "floor((H - d(k-1) - 1)/s) + 1"}
    if rule == "ceil":
        return {"p4.layer2.output": f"{math.ceil((256 - 5) / 2) + 1} × {math.ceil((256 - 5) / 2) + 1} × 64",
                "p4.layer6.output": _hwc(_out(nn.MaxPool2d(2, 2, ceil_mode=True), (128, 57, 57))),
                "p4.formula.conv_out": "ceil((H + 2p - d(k-1) - 1)/s) + 1",
                "p4.formula.pool_out": "ceil((H - k)/s) + 1"}
    if rule == "no_floor":
        return {"p4.formula.conv_out": "(H + 2p - d(k-1) - 1)/s + 1", "p4.formula.pool_out": "(H - k)/s + 1"}
    if rule == "no_jump":  # the recurrence with every jump taken as 1, from the key's earlier fields
        return {"p4.layer3.rf": str(11 + (2 - 1)), "p4.layer5.rf": str(29 + (3 - 1)),
                "p4.formula.rf_step": "R_prev + (k-1) d"}
    if rule == "flops":
        return {"p4.layer1.macs": str(_flops(nn.Conv2d(3, 32, 7, padding=3), (3, 256, 256))),
                "p4.fc2.macs": str(_flops(nn.Linear(1024, 1024), (1024,))),
                "p4.formula.macs": "2 H_out W_out C_out k_h k_w C_in"}
    if rule == "bn_running_stats":
        bn = nn.BatchNorm2d(32)
        return {"p4.bn1.params": str(_params(bn) + bn.running_mean.numel() + bn.running_var.numel()),
                "p4.formula.bn_params": "4C"}
    raise AssertionError(rule)


def submission_of(answers: dict[str, str]) -> Submission:
    return Submission(homework="hw2-cnn", student=Student(id="pat"),
                      answers={item_id: RawAnswer(text=text) for item_id, text in answers.items()})


@pytest.mark.parametrize("rule", [rule.id for rule in RULES])
def test_each_misconception_is_recognised_on_a_submission_made_of_it(rule):
    """Every item answered under the wrong assumption names the rule and earns its share, with its feedback."""
    wrong = made_of(rule)
    result = grade(submission_of(wrong), HOMEWORK, KEY, BOUNDED)
    by_id = {item.id: item for item in result.items}
    for item_id in wrong:
        item = by_id[item_id]
        assert wrong[item_id] != KEY.answers[item_id]
        assert (item.misconception, item.status) == (rule, Status.PARTIAL), (item_id, item.feedback)
        assert item.score == item.max_score / 2 and FEEDBACK[rule] in item.feedback


def test_every_rule_of_homework_md_is_covered():
    """HOMEWORK.md's list: bias, dilation, jump, "same" as 0, ceil, FLOPs, 4C (plus the formulas' missing floor)."""
    assert {rule.id for rule in RULES} == {"no_bias", "no_dilation", "no_jump", "same_padding_zero", "ceil", "flops",
                                           "bn_running_stats", "no_floor"}


def _near_misses(key: int, rng: random.Random) -> list[int]:
    """Wrong values a student might write: small offsets, small ratios, anything up to twice the key."""
    values = [key + rng.choice([-1, 1]) * rng.randint(1, 50) for _ in range(40)]
    values += [key * rng.randint(1, 9) // rng.randint(1, 9) for _ in range(20)]
    values += [rng.randint(0, 2 * key + 10) for _ in range(40)]
    return [v for v in values if v >= 0]


def test_random_wrong_values_trigger_no_misconception():
    """Near misses of every P4 number and shape (about 4,800), other than a rule's exact value, match no rule."""
    rng = random.Random(2024)
    mistakes = key_mistakes(HOMEWORK, KEY)
    batch, drawn_rule_values = [], 0
    for item in P4.items:
        key = KEY.answers[item.id]
        rule_values = {m.answer for m in mistakes.get(item.id, ())}
        if item.kind == "number":
            candidates = [str(v) for v in _near_misses(int(key), rng)]
        elif item.kind == "shape" and "×" in key:
            h, w, c = (int(part) for part in key.split(" × "))
            channels = rng.choices([c, c // 2, 2 * c], k=100)
            candidates = [f"{a} × {a} × {b}" for a, b in zip(_near_misses(h, rng), channels)]
        else:
            continue
        for text in candidates:
            drawn_rule_values += text in rule_values
            if text != key and text not in rule_values:
                batch.append(Request(item, text, key, mistakes=mistakes.get(item.id, ())))
    checked = BOUNDED.check(batch)
    fired = [(request.item.id, request.text, done.verdict.misconception) for request, done in zip(batch, checked)
             if done.verdict.misconception is not None]
    assert len(batch) > 4500 and fired == []
    assert drawn_rule_values < len(batch) / 100  # a rule's exact value is rarely drawn by chance (24 here)


WRONG_FORMULAS = [
    ("conv_out", "floor((H + 2p - d(k-1))/s) + 1"), ("conv_out", "floor((H + p - d(k-1) - 1)/s) + 1"),
    ("conv_out", "floor((H + 2p - d k - 1)/s) + 1"), ("conv_out", "floor((H + 2p - d(k-1) - 1)/s)"),
    ("pool_out", "floor((H - k)/s)"), ("pool_out", "floor(H/s) + 1"), ("pool_out", "floor((H - k + 1)/s) + 1"),
    ("conv_params", "(k_h k_w + 1) C_in C_out"), ("conv_params", "k_h k_w C_out + C_in"), ("bn_params", "C"),
    ("bn_params", "3C"), ("macs", "H_out W_out C_out k_h k_w"), ("macs", "H_out W_out C_in C_out"),
    ("rf_step", "R_prev + k d j_prev"), ("rf_step", "R_prev + (k-1) d j_prev s"), ("rf_step", "R_prev k"),
    ("jump_step", "j_prev + s"), ("jump_step", "s"),
]


@pytest.mark.parametrize(("name", "text"), WRONG_FORMULAS, ids=[f"{n}:{t}" for n, t in WRONG_FORMULAS])
def test_other_wrong_formulas_match_no_rule(name, text):
    """A wrong formula that is none of the rules' formulas gets no misconception (and no credit)."""
    item = HOMEWORK.item(f"p4.formula.{name}")
    (checked,) = BOUNDED.check([Request(item, text, KEY.answers[item.id],
                                        mistakes=key_mistakes(HOMEWORK, KEY).get(item.id, ()))])
    verdict = checked.verdict
    assert (verdict.misconception, verdict.score) == (None, 0.0), verdict.feedback


def test_carried_from_the_keys_own_values_is_the_key():
    """Every item that depends on others, recomputed from the key's own answers to them, is the key's answer."""
    dependent = [item for item in P4.items if item.depends_on]
    # outputs but layer1 (15), params of convs, BatchNorms and linears but layer1 (12), MACs of convs and linears (8),
    # fields but layer1 (7), the two totals
    assert len(dependent) == 15 + 12 + 8 + 7 + 2
    for item in dependent:
        carried = P4.carry_forward(item.id, {d: KEY.answers[d] for d in item.depends_on})
        assert carried is not None and carried.answer == KEY.answers[item.id], item.id


def test_carry_forward_and_mistakes_run_the_network_analysis(monkeypatch):
    """Carried and mistake values are built by build_network and measured by grader.analysis.nets.analyze, like the key."""
    from torch import nn

    from problems.hw2_cnn import layer_values
    calls = {"analyze": 0, "build_network": 0}

    def spy(name, function):
        from problems.hw2_cnn import layer_values
        def wrapped(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)
        monkeypatch.setattr(layer_values, name, wrapped)

    spy("analyze", layer_values.analyze)
    spy("build_network", layer_values.build_network)
    # Layer analyses and built layers are remembered across networks (variants share layers): start afresh.
    caches = (layer_values.layer_value, layer_values.key_reports, layer_values._side_giving, layer_values._report,
              layer_values._model)
    for cached in caches:
        cached.cache_clear()
    carried = P4.carry_forward("p4.layer3.output", {"p4.bn2.output": "120 × 120 × 64"})
    assert carried.answer == _hwc(_out(nn.MaxPool2d(2, 2), (64, 120, 120)))
    assert calls["analyze"] > 0 and calls["build_network"] > 0
    calls.update(analyze=0, build_network=0)
    assert P4.mistake_values() == {item: list(values) for item, values in KEY.mistakes.items()}
    assert calls["analyze"] > 0 and calls["build_network"] > 0
    for cached in caches:
        cached.cache_clear()  # later tests must not see the spies' results


def test_carry_forward_refuses_layers_that_cannot_exist():
    """An earlier answer from which the layer cannot be built (the window does not fit, a 2-D shape) carries nothing."""
    assert P4.carry_forward("p4.layer4.output", {"p4.layer3.output": "3 × 3 × 64"}) is None
    assert P4.carry_forward("p4.layer3.output", {"p4.bn2.output": "126 × 126"}) is None
    assert P4.carry_forward("p4.layer2.rf", {"p4.layer1.rf": "0"}) is None
    assert P4.carry_forward("p4.total_params", {"p4.layer1.params": "4.7K"}) is None
