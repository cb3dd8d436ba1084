"""Properties of 200 variants of hw2-cnn drawn as students get them: valid layers, keys torch agrees with, mistakes
that are mistakes, and error carried forward that reproduces the key."""

from __future__ import annotations

import os

import pytest

from grader.authoring.key_cache import KeyCache
from grader.core.key import key_mistakes
from grader.core.models import RawAnswer, Student, Submission
from grader.grading.grade import grade, grade_item
from grader.grading.runtime import Runtime
from grader.math import tree
from grader.math.mathtext import parse_formula

from .conftest import HOMEWORK, variant_of

pytestmark = pytest.mark.slow

VARIANTS = 200
CHUNKS = 8
SEEDS = [f"property-{n}" for n in range(VARIANTS)]
# Answers checked in this process: the properties are about keys, not about the sandbox.
RUNTIME = Runtime(sandbox=None)


@pytest.fixture(scope="session")
def shared_keys(tmp_path_factory) -> KeyCache:
    """Keys kept where every test process of the run finds them (each variant computed once per run)."""
    base = tmp_path_factory.getbasetemp()
    return KeyCache((base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "variant-keys")


def chunk(number: int) -> list[str]:
    return SEEDS[number::CHUNKS]


def as_submission(answers: dict[str, str]) -> Submission:
    return Submission(homework=HOMEWORK.id, student=Student(id="key"),
                      answers={item: RawAnswer(text=text) for item, text in answers.items()})


def test_the_seeds_draw_distinct_variants():
    """200 seeds draw 200 different variants (the parameters really vary), none of them the default."""
    digests = {variant_of(seed).variant.digest for seed in SEEDS}
    assert len(digests) == VARIANTS and HOMEWORK.default_variant.digest not in digests


@pytest.mark.parametrize("number", range(CHUNKS))
def test_every_layer_of_every_variant_is_valid_in_torch(number):
    """torch builds each variant's whole network (ReLUs and flatten included) and a meta forward pass gives every
    layer an output of at least 2×2; Problem 3's stacks build too."""
    import torch

    from problems.hw2_cnn.network import build_network
    from problems.hw2_cnn.reference_p3 import build_stack
    from problems.hw2_cnn.variants import net_of, setting_of

    for seed in chunk(number):
        values = variant_of(seed).variant.as_dict()
        net = net_of(values)
        with torch.device("meta"):
            model = build_network(net.layers, net.input_shape).eval()
        x = torch.empty(1, *net.input_shape, device="meta")
        for name, module in model.named_children():
            x = module(x)
            assert min(x.shape[1:]) >= 1 and (x.dim() == 2 or min(x.shape[2:]) >= 2), (seed, name, tuple(x.shape))
        assert tuple(x.shape) == (1, values["p4_classes"]), seed
        setting = setting_of(values)
        assert build_stack(setting.stack)(torch.empty(1, 4, 32, 32, device="meta")).shape[2] > 0, seed


def test_the_constraint_refuses_what_torch_cannot_build():
    """Drawn values the constraint refuses because a window does not fit are refused by torch as well."""
    import torch

    from grader.core.variant import _uniform
    from problems.hw2_cnn.network import build_network
    from problems.hw2_cnn.variants import constraint, net_of

    refused = 0
    for n in range(3000):
        values = {p.name: p.values()[_uniform(HOMEWORK.id, f"raw-{n}", 0, p.name, len(p.values()))]
                  for p in HOMEWORK.parameters}
        why = constraint(values)
        if why is None or "does not fit" not in why:
            continue
        refused += 1
        net = net_of(values)
        with torch.device("meta"):
            model = build_network(net.layers[:-3], net.input_shape).eval()  # the layers before flatten
        with pytest.raises(RuntimeError):
            model(torch.empty(1, *net.input_shape, device="meta"))
    assert refused > 5


@pytest.mark.parametrize("number", range(CHUNKS))
def test_the_key_of_every_variant_scores_full_marks(number, shared_keys):
    """Each variant's key, graded as a submission against that variant, gets every point."""
    for seed in chunk(number):
        homework = variant_of(seed)
        key = shared_keys.get(homework)
        result = grade(as_submission(key.answers), homework, key, RUNTIME)
        short = [(item.id, item.feedback) for item in result.items if item.score < item.max_score]
        assert result.score == result.max_score and not short, (seed, short[:3])


@pytest.mark.parametrize("number", range(CHUNKS))
def test_every_mistake_value_differs_from_the_key_and_is_recognised(number, shared_keys):
    """Every rule gives values in every variant; each differs from the key and, answered, is graded as that rule's
    mistake (less than full points). Problem 3's anticipated answers differ from the key too."""
    rules = {rule.id for problem in HOMEWORK.problems for rule in problem.rules}
    for seed in chunk(number):
        homework = variant_of(seed)
        key = shared_keys.get(homework)
        mistakes = key_mistakes(homework, key)
        assert {rule for values in key.mistakes.values() for rule, _ in values} == rules, seed
        for item_id, values in key.mistakes.items():
            for rule, answer in values:
                assert answer != key.answers[item_id], (seed, item_id, rule)
                graded = grade_item(homework.item(item_id), RawAnswer(text=answer), key.answers[item_id], homework,
                                    RUNTIME, mistakes=mistakes.get(item_id, ()))
                assert graded.misconception == rule and graded.score < graded.max_score, (seed, item_id, rule, answer)
        for item in homework.problems[2].items:
            for anticipated in item.mistakes:
                assert anticipated.answer != key.answers[item.id], (seed, item.id)


@pytest.mark.parametrize("number", range(CHUNKS))
def test_error_carried_forward_from_the_keys_own_answers_is_the_key(number, shared_keys):
    """Every item that depends on others, recomputed (with the variant's network) from the key's own answers to them,
    is the key's answer: carrying forward follows the variant, not the homework as registered."""
    for seed in chunk(number):
        homework = variant_of(seed)
        key = shared_keys.get(homework)
        for item in homework.items:
            if item.depends_on:
                carried = homework.problem_of(item.id).carry_forward(item.id,
                                                                     {d: key.answers[d] for d in item.depends_on})
                assert carried is not None and carried.answer == key.answers[item.id], (seed, item.id)


@pytest.mark.parametrize("number", range(CHUNKS))
def test_torch_modules_agree_with_the_key(number, shared_keys):
    """Problem 4: each layer's output shape by a meta forward pass of the whole network, its parameters by `numel`.
    Problem 3: parameters by `numel` of nn.Conv2d, and the stack's receptive field by the gradient of one output
    unit with respect to a real input (the pixels that reach it)."""
    import torch
    from torch import nn

    from problems.hw2_cnn.network import build_network
    from problems.hw2_cnn.variants import net_of, setting_of

    for seed in chunk(number):
        homework = variant_of(seed)
        key, values = shared_keys.get(homework), homework.variant.as_dict()
        net = net_of(values)
        with torch.device("meta"):
            model = build_network(net.layers, net.input_shape).eval()
        x = torch.empty(1, *net.input_shape, device="meta")
        for name, module in model.named_children():
            x = module(x)
            if f"p4.{name}.output" in key.answers:
                shape = tuple(x.shape[1:])
                expected = f"{shape[1]} × {shape[2]} × {shape[0]}" if len(shape) == 3 else str(shape[0])
                assert key.answers[f"p4.{name}.output"] == expected, (seed, name)
                params = sum(p.numel() for p in module.parameters())
                assert key.answers[f"p4.{name}.params"] == str(params), (seed, name)
        assert key.answers["p4.total_params"] == str(sum(p.numel() for p in model.parameters())), seed

        setting, c = setting_of(values), 5
        single = nn.Conv2d(c, setting.single_out * c, setting.single_kernel, bias=False)
        assert _at(key.answers["p3.a.ii.params_15x15"], c) == single.weight.numel(), seed
        stack = nn.Sequential(*(nn.Conv2d(c, c, setting.stack_kernel, bias=False) for _ in range(setting.stack_depth)))
        assert _at(key.answers["p3.a.ii.params_three_3x3"], c) == sum(p.numel() for p in stack.parameters()), seed
        rf = _field_by_gradient(setting.stack_kernel, setting.stack_depth)
        assert key.answers["p3.a.ii.rf_three_3x3"] == str(rf), seed
        assert _at(key.answers["p3.a.ii.params_single_same_rf"], c) == nn.Conv2d(c, c, rf, bias=False).weight.numel()
        dilated = nn.Conv2d(1, 1, setting.dilated_kernel, dilation=setting.dilation, bias=False)
        assert key.answers["p3.b.ii.effective_size_k3_r2"] == str(_field_by_gradient_of(dilated)), seed


def _at(formula: str, c: int) -> int:
    """A key formula in C at C = c (read by the grader's own parser; numbers only, so it folds to one)."""
    value = tree.substitute(parse_formula(formula, variables={"C": "C"}), {"C": c})
    assert isinstance(value, tree.Num), formula
    return int(value.value)


def _field_by_gradient(kernel: int, depth: int) -> int:
    from torch import nn

    return _field_by_gradient_of(nn.Sequential(*(nn.Conv2d(1, 1, kernel, bias=False) for _ in range(depth))))


def _field_by_gradient_of(model) -> int:
    """The span of input pixels in a row that reach the middle output unit, from the first to the last with a
    nonzero gradient (all weights one): a dilated kernel's taps have gaps between them."""
    import torch

    for parameter in model.parameters():
        parameter.data.fill_(1.0)
    image = torch.zeros(1, 1, 64, 64, requires_grad=True)
    out = model(image)
    out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
    reached = (image.grad[0, 0].abs().sum(dim=0) > 0).nonzero().flatten().tolist()
    return reached[-1] - reached[0] + 1
