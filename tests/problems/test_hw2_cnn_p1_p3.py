"""Problems 1–3 of hw2-cnn: items and points per HOMEWORK.md, and keys checked against torch."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import sympy

from grader.core.key import load_key
from problems.hw2_cnn import HOMEWORK
from tests.sympy_bridge import parse_math

if TYPE_CHECKING:  # torch is imported by the tests that use it, not at collection
    from torch import nn

# The tables of HOMEWORK.md (id, kind, points).
HOMEWORK_MD = {
    "p1": [("p1.a", "text", 5), ("p1.b.i", "choice", 2), ("p1.b.i.why", "text", 1), ("p1.b.ii", "choice", 2),
           ("p1.b.ii.why", "text", 1), ("p1.b.iii", "choice", 2), ("p1.b.iii.why", "text", 1),
           ("p1.c.methods", "text", 4), ("p1.c.learnable", "choice", 2)],
    "p2": [("p2.a.invariance", "equation", 3), ("p2.a.equivariance", "equation", 3), ("p2.b", "choice", 3),
           ("p2.c.rotation", "choice", 2), ("p2.c.remedy", "text", 2), ("p2.d", "text", 3), ("p2.e", "text", 4)],
    "p3": [("p3.a.i", "text", 3), ("p3.a.ii.params_15x15", "expression", 2), ("p3.a.ii.rf_three_3x3", "number", 2),
           ("p3.a.ii.params_three_3x3", "expression", 2), ("p3.a.ii.params_single_same_rf", "expression", 2),
           ("p3.a.iii", "text", 3), ("p3.b.i", "text", 3), ("p3.b.ii.effective_size", "expression", 1.5),
           ("p3.b.ii.effective_size_k3_r2", "number", 1), ("p3.b.ii.extra_params", "number", 0.5)],
}
KEY = load_key(HOMEWORK)
C, k, r = sympy.symbols("C k r")


@pytest.mark.parametrize("problem_id", ["p1", "p2", "p3"])
def test_items_kinds_and_points_follow_homework_md(problem_id):
    """Each problem has exactly HOMEWORK.md's items, kinds and points, adding up to 20."""
    problem = next(p for p in HOMEWORK.problems if p.id == problem_id)
    assert [(i.id, i.kind, i.points) for i in problem.items] == HOMEWORK_MD[problem_id]
    assert problem.max_score == 20


def test_the_homework_adds_up_to_100():
    """All four problems together are worth the 100 points the homework states."""
    assert HOMEWORK.max_score == HOMEWORK.total_points == 100


@pytest.mark.parametrize(
    ("item_id", "answer"),
    [("p1.b.i", "suitable"), ("p1.b.ii", "suitable"), ("p1.b.iii", "partially suitable"),
     ("p1.c.learnable", "transposed convolution"), ("p2.b", "pooling"), ("p2.c.rotation", "neither"),
     ("p2.a.invariance", "f(T(x)) = f(x)"), ("p2.a.equivariance", "f(T(x)) = T(f(x))")],
    ids=lambda value: value,
)
def test_choice_and_equation_keys_match_homework_md(item_id, answer):
    """The keys of the choice and equation items are the ones HOMEWORK.md states."""
    assert KEY.answers[item_id] == answer


def gradient_receptive_field(model: nn.Module, size: int = 41) -> int:
    """Extent of the input pixels that reach the centre output (REFERENCES: no max-pool, measure max-min+1)."""
    import torch
    torch.manual_seed(0)
    x = torch.randn(1, 1, size, size, requires_grad=True)
    y = model(x)
    y[0, 0, y.shape[2] // 2, y.shape[3] // 2].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(dim=1)).flatten()
    return int(rows.max() - rows.min() + 1)


def key_value(item_id: str, **values: int) -> int:
    expr = parse_math(KEY.answers[item_id], variables={"C": C, "k": k, "r": r})
    return int(expr.subs({sympy.Symbol(n): v for n, v in values.items()}))


def conv_weights(kernel: int, channels: int, dilation: int = 1) -> int:
    from torch import nn
    return sum(p.numel() for p in nn.Conv2d(channels, channels, kernel, dilation=dilation, bias=False).parameters())


def test_three_stacked_3x3_see_7_pixels_by_gradient():
    """The key's receptive field equals the extent of the input gradient of three real 3×3 layers."""
    from torch import nn
    stack = nn.Sequential(*(nn.Conv2d(1, 1, 3) for _ in range(3)))
    assert int(KEY.answers["p3.a.ii.rf_three_3x3"]) == gradient_receptive_field(stack) == 7


@pytest.mark.parametrize("channels", [1, 3, 16, 64])
def test_parameter_expressions_match_torch_counts(channels):
    """225C², 27C² and 49C² agree with torch's bias-free parameter counts at several C."""
    from torch import nn
    rf = gradient_receptive_field(nn.Sequential(*(nn.Conv2d(1, 1, 3) for _ in range(3))))
    assert key_value("p3.a.ii.params_15x15", C=channels) == conv_weights(15, channels)
    assert key_value("p3.a.ii.params_three_3x3", C=channels) == 3 * conv_weights(3, channels)
    assert key_value("p3.a.ii.params_single_same_rf", C=channels) == conv_weights(rf, channels)


@pytest.mark.parametrize(("kernel", "dilation"), [(kk, rr) for kk in (1, 2, 3, 5) for rr in (1, 2, 3)])
def test_effective_size_formula_matches_the_gradient_extent(kernel, dilation):
    """The effective-size formula gives the gradient extent of a real dilated convolution."""
    from torch import nn
    conv = nn.Conv2d(1, 1, kernel, dilation=dilation)
    assert key_value("p3.b.ii.effective_size", k=kernel, r=dilation) == gradient_receptive_field(conv)


def test_effective_size_value_and_extra_params():
    """k = 3, r = 2 spans 5 pixels; dilation adds no parameters (torch counts)."""
    from torch import nn
    assert int(KEY.answers["p3.b.ii.effective_size_k3_r2"]) == gradient_receptive_field(
        nn.Conv2d(1, 1, 3, dilation=2)) == 5
    assert int(KEY.answers["p3.b.ii.extra_params"]) == conv_weights(3, 8, dilation=2) - conv_weights(3, 8) == 0


def test_anticipated_mistakes_are_the_wrong_assumptions():
    """The 9×9 mistake is torch's count for a 9×9 layer; the bias alternative adds C per layer."""
    from torch import nn
    single = HOMEWORK.item("p3.a.ii.params_single_same_rf")
    nine = parse_math(single.mistakes[0].answer, variables={"C": C})
    assert int(nine.subs(C, 5)) == conv_weights(9, 5)
    with_bias = HOMEWORK.item("p3.a.ii.params_three_3x3").mistakes[0]
    count = sum(p.numel() for conv in (nn.Conv2d(5, 5, 3) for _ in range(3)) for p in conv.parameters())
    assert int(parse_math(with_bias.answer, variables={"C": C}).subs(C, 5)) == count
    assert with_bias.credit == 1.0


def test_model_answers_meet_every_concept_of_their_rubric():
    """Each free-text model answer in the key earns full marks under its own rubric."""
    from grader.text.rubric import judge

    for item in HOMEWORK.items:
        if item.kind == "text":
            assert judge(KEY.answers[item.id], item.options, item.prompt).score == 1.0, item.id
