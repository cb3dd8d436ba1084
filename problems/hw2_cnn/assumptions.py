"""Problem 4's mistake rules: each a named wrong assumption, as a change to the layer table."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from grader.homework import MistakeRule
from problems.hw2_cnn.architecture import LayerSpec

# Share of an item's points for an answer that follows from one of these misconceptions.
MISCONCEPTION_CREDIT = 0.5


def _same(layer: LayerSpec) -> LayerSpec:
    return layer


@dataclass(frozen=True)
class Assumption:
    """A wrong assumption, as the network analysis applies it.

    `respec` changes a layer of the table (the network is then built and analysed as usual);
    `jump_left_out` analyses each layer as if the jump were 1; `macs_as_flops` and
    `params_with_buffers` read torch's FLOP count and buffer count instead. `quantities` are
    the items it explains (output, params, macs, rf; totals follow params and macs).
    """

    rule: MistakeRule
    quantities: tuple[str, ...]
    respec: Callable[[LayerSpec], LayerSpec] = _same
    jump_left_out: bool = False
    macs_as_flops: bool = False
    params_with_buffers: bool = False


def _replace(types: tuple[str, ...], **changes) -> Callable[[LayerSpec], LayerSpec]:
    """Change the layers of these types only: the others stay the very same spec, so their analyses are shared
    with the key's (a BatchNorm has no bias to forget, a stride-1 convolution nothing to round)."""
    return lambda layer: dataclasses.replace(layer, **changes) if layer.type in types else layer


def _rounding_up(layer: LayerSpec) -> LayerSpec:
    strided = layer.type == "maxpool" or (layer.type == "conv" and layer.stride > 1)
    return dataclasses.replace(layer, ceil_mode=True) if strided else layer


def _without_same_padding(layer: LayerSpec) -> LayerSpec:
    return dataclasses.replace(layer, padding=0) if layer.same_padding else layer


def _rule(rule_id: str, feedback: str) -> MistakeRule:
    return MistakeRule(rule_id, feedback, MISCONCEPTION_CREDIT)


ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption(_rule("no_bias", "This count leaves out the biases: each filter of a convolution (each output "
                                "feature of a linear layer) also has one bias."),
               ("params",), respec=_replace(("conv", "linear"), bias=False)),
    Assumption(_rule("no_dilation", "This ignores the dilation: a dilated kernel of k taps spans d(k − 1) + 1 "
                                    "input positions, which changes the output size and the receptive field."),
               ("output", "params", "macs", "rf"), respec=_replace(("conv",), dilation=1)),
    Assumption(_rule("same_padding_zero", 'This takes padding "same" as no padding: "same" pads '
                                          "d(k − 1)/2 on each side so that a stride-1 layer keeps the size."),
               ("output", "params", "macs"), respec=_without_same_padding),
    Assumption(_rule("ceil", "This rounds up: the number of window positions rounds down (floor), since a "
                             "window must fit entirely inside the (padded) input."),
               ("output", "params", "macs"), respec=_rounding_up),
    Assumption(_rule("no_jump", "This leaves out the jump: after strided layers, one kernel step spans the "
                                "product of the earlier strides in input pixels, so the field grows by "
                                "(k − 1)·d·j."),
               ("rf",), jump_left_out=True),
    Assumption(_rule("flops", "That counts FLOPs (a multiply and an add, 2 per multiply–accumulate); "
                              "the item asks for MACs."),
               ("macs",), macs_as_flops=True),
    Assumption(_rule("bn_running_stats", "This counts BatchNorm's running mean and variance: they are buffers, "
                                         "not learnable parameters; BatchNorm learns γ and β, 2 per channel."),
               ("params",), params_with_buffers=True),
)

# The formula items' wrong formulas have one more rule: the division left unrounded.
NO_FLOOR = _rule("no_floor", "This leaves the division unrounded: the number of window positions is a whole "
                             "number, the floor of (size − span)/stride, plus one.")

RULES: tuple[MistakeRule, ...] = (*(a.rule for a in ASSUMPTIONS), NO_FLOOR)
