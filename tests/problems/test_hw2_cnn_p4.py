"""Problem 4 of hw2-cnn: items and points per HOMEWORK.md, and reference formulas checked against torch."""

import random

import pytest
import sympy

from problems.hw2_cnn import HOMEWORK
from problems.hw2_cnn import formulas as f

LAYERS = ["layer1", "bn1", "layer2", "bn2", "layer3", "layer4", "bn4", "layer5", "bn5",
          "layer6", "layer7", "bn7", "layer8", "fc1", "fc2", "fc3"]


def test_items_and_points_follow_homework_md():
    """HOMEWORK.md: 56 per-layer items of 0.5, 7 formulas of 1.5, 2 totals of 0.75: 40 points."""
    p4 = {item.id: item for item in next(p for p in HOMEWORK.problems if p.id == "p4").items}
    per_layer = [f"p4.{layer}.{q}" for layer in LAYERS for q in ("output", "params", "macs")]
    per_layer += [f"p4.layer{i}.rf" for i in range(1, 9)]
    formulas = [f"p4.formula.{name}" for name in
                ("conv_out", "pool_out", "conv_params", "bn_params", "macs", "rf_step", "jump_step")]
    assert sorted(p4) == sorted(per_layer + formulas + ["p4.total_params", "p4.total_macs"])
    assert all(p4[i].points == 0.5 for i in per_layer)
    assert all(p4[i].points == 1.5 and p4[i].kind == "expression" for i in formulas)
    assert p4["p4.total_params"].points == p4["p4.total_macs"].points == 0.75
    assert next(p for p in HOMEWORK.problems if p.id == "p4").max_score == 40


def _value(formula: sympy.Expr, **values: int) -> int:
    return int(formula.subs({sympy.Symbol(name): v for name, v in values.items()}))


def _random_convs(count: int, seed: int = 7):
    rng = random.Random(seed)
    while count:
        k, s, p, d = rng.randint(1, 7), rng.randint(1, 4), rng.randint(0, 4), rng.randint(1, 3)
        h = rng.randint(d * (k - 1) + 1, 64)
        yield h, k, s, p, d
        count -= 1


@pytest.mark.parametrize("h, k, s, p, d", list(_random_convs(40)))
def test_conv_out_formula_matches_torch(h, k, s, p, d):
    """The sympy output-size formula gives torch's Conv2d output height on random layers."""
    import torch
    from torch import nn
    conv = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d, device="meta")
    torch_height = conv(torch.empty(1, 1, h, h, device="meta")).shape[2]
    assert _value(f.CONV_OUT, H=h, k=k, s=s, p=p, d=d) == torch_height


@pytest.mark.parametrize("h, k, s", [(h, k, s) for h in (7, 8, 31, 64) for k in (1, 2, 3) for s in (1, 2, 3)])
def test_pool_out_formula_matches_torch(h, k, s):
    """The sympy pooling formula gives torch's MaxPool2d output height."""
    import torch
    from torch import nn
    pool = nn.MaxPool2d(k, stride=s)
    assert _value(f.POOL_OUT, H=h, k=k, s=s) == pool(torch.empty(1, 1, h, h, device="meta")).shape[2]


@pytest.mark.parametrize("kh, kw, cin, cout", [(7, 7, 3, 32), (5, 5, 32, 64), (3, 1, 8, 5), (1, 1, 256, 10)])
def test_param_and_mac_formulas_match_torch(kh, kw, cin, cout):
    """Parameter and MAC formulas agree with parameters() and torch's flop counter."""
    import torch
    from torch import nn
    from torch.utils.flop_counter import FlopCounterMode
    conv = nn.Conv2d(cin, cout, (kh, kw), device="meta")
    assert _value(f.CONV_PARAMS, k_h=kh, k_w=kw, C_in=cin, C_out=cout) == sum(t.numel() for t in conv.parameters())
    x = torch.empty(1, cin, 20, 20, device="meta")
    with FlopCounterMode(display=False) as counter:
        y = conv(x)
    _, _, hout, wout = y.shape
    macs = _value(f.CONV_MACS, H_out=hout, W_out=wout, C_out=cout, k_h=kh, k_w=kw, C_in=cin)
    assert macs == counter.get_total_flops() // 2
    assert _value(f.BN_PARAMS, C=cout) == sum(t.numel() for t in nn.BatchNorm2d(cout).parameters())


@pytest.mark.parametrize("rf, jump, k, s, d", [(1, 1, 7, 1, 1), (11, 2, 2, 2, 1), (13, 4, 3, 1, 2), (57, 8, 2, 2, 1)])
def test_rf_formulas_match_the_network_analysis(rf, jump, k, s, d):
    """The sympy receptive-field and jump steps agree with the recurrence torch analysis uses."""
    from grader.analysis.nets import receptive_field_step
    assert (_value(f.RF_STEP, R_prev=rf, k=k, d=d, j_prev=jump), _value(f.JUMP_STEP, j_prev=jump, s=s)) == \
        receptive_field_step(rf, jump, kernel=k, stride=s, dilation=d)


def test_key_formulas_reproduce_the_network():
    """Chaining the sympy formulas through the layer table reproduces torch's shapes and fields."""
    from grader.analysis.nets import analyze
    from problems.hw2_cnn.architecture import LAYERS as SPECS
    from problems.hw2_cnn.network import INPUT_SHAPE, build_network

    reports = {r.name: r for r in analyze(build_network(), INPUT_SHAPE)}
    size, rf, jump = INPUT_SHAPE[1], 1, 1
    for spec in SPECS:
        if spec.type == "conv":
            size = _value(f.CONV_OUT, H=size, k=spec.kernel, s=spec.stride, p=spec.padding, d=spec.dilation)
        elif spec.type == "maxpool":
            size = _value(f.POOL_OUT, H=size, k=spec.kernel, s=spec.stride)
        if spec.has_rf_item:
            rf, jump = (_value(f.RF_STEP, R_prev=rf, k=spec.kernel, d=spec.dilation, j_prev=jump),
                        _value(f.JUMP_STEP, j_prev=jump, s=spec.stride))
            assert (reports[spec.name].output_shape[1], reports[spec.name].rf) == (size, rf), spec.name
