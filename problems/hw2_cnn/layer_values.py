"""One layer's item values, measured by build_network and grader.analysis.nets.analyze from given inputs."""

# The key, the mistake values (`grader key`) and the error carried forward (grading) all come
# from here: from the key's inputs, a student's own earlier answers, or under a mistake rule.

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import torch
from torch import nn

from grader.analysis.nets import LayerReport, analyze
from problems.hw2_cnn.architecture import LAYERS, NET, LayerSpec, Net
from problems.hw2_cnn.assumptions import Assumption
from problems.hw2_cnn.network import INPUT_SHAPE, build_network

__all__ = ["INPUT_SHAPE", "LAYERS", "NET", "Inputs", "analyse", "chain", "key_inputs", "key_reports", "layer_value",
           "value"]

# Sizes beyond this are not a layer of this homework (and would overflow torch's element counts).
MAX_SIDE = 100_000
QUANTITIES = ("output", "params", "macs", "rf")
# Layer analyses remembered: a class's variants share most of their layers (the same layer on the same input).
MAX_REPORTS = 16_384


@dataclass(frozen=True)
class Inputs:
    """What one layer's items depend on.

    `shape` is the per-sample input in torch's order (C, H, W) or (features,); `rf` and `jump`
    describe one input position in image pixels; `output` is the spatial size H × W of this
    layer's output when it is given (a student's own answer), which the MACs follow.
    """

    shape: tuple[int, ...]
    rf: int
    jump: int
    output: tuple[int, int] | None = None


def analyse(layers: tuple[LayerSpec, ...], input_shape: tuple[int, ...],
            field: tuple[int, int] = (1, 1)) -> dict[str, LayerReport]:
    """grader.analysis.nets.analyze of the network built from `layers`, by layer name (meta tensors: no weights)."""
    with torch.device("meta"):
        model = build_network(layers, input_shape).eval()  # built here for this call: analyze need not copy it
    return {report.name: report for report in analyze(model, input_shape, field=field)}


def chain(layers: tuple[LayerSpec, ...], input_shape: tuple[int, ...]) -> dict[str, LayerReport]:
    """The network of `layers` analysed one layer at a time, each on the previous one's output, field and jump.

    What analysing the whole network measures (grader.analysis.nets.analyze goes child by child the
    same way), but each layer's analysis is remembered, so networks that share layers (a rule's
    network, another student's variant) measure them once. A layer that cannot be built on its
    input is a ValueError naming it.
    """
    reports: dict[str, LayerReport] = {}
    shape, field = input_shape, (1, 1)
    for layer in layers:
        report = _report(layer, shape, field)
        if report is None:
            raise ValueError(f"{layer.name} ({layer.describe()}) cannot be built on an input of {shape}")
        reports[layer.name] = report
        shape, field = report.output_shape, (report.rf or 1, report.jump or 1)
    return reports


@lru_cache(maxsize=256)
def key_reports(net: Net = NET) -> dict[str, LayerReport]:
    """A variant's network (the homework's by default), analysed once per process."""
    return chain(net.layers, net.input_shape)


def key_inputs(layer: LayerSpec, net: Net = NET) -> Inputs:
    """The inputs of `layer` in the key's network: the previous layer's output, field and jump."""
    index = net.index(layer)
    if index == 0:
        return Inputs(net.input_shape, 1, 1)
    previous = key_reports(net)[net.layers[index - 1].name]
    return Inputs(previous.output_shape, previous.rf or 1, previous.jump or 1)


def hwc(shape: tuple[int, ...]) -> str:
    """torch's per-sample (C, H, W) as the homework's H × W × C; feature vectors as one number."""
    if len(shape) == 3:
        c, h, w = shape
        return f"{h} × {w} × {c}"
    return " × ".join(map(str, shape))


def value(report: LayerReport, quantity: str, assumption: Assumption | None = None) -> str:
    """The text of one item of a layer's report, read as the key does or as the assumption does."""
    if quantity == "output":
        return hwc(report.output_shape)
    if quantity == "params":
        with_buffers = assumption is not None and assumption.params_with_buffers
        return str(report.params + (report.buffers if with_buffers else 0))
    if quantity == "macs":
        return str(report.flops if assumption is not None and assumption.macs_as_flops else report.macs)
    return str(report.rf)


@lru_cache(maxsize=MAX_REPORTS)
def layer_value(layer: LayerSpec, quantity: str, inputs: Inputs, assumption: Assumption | None = None,
                net: Net = NET) -> str | None:
    """One item of `layer` of `net` computed by torch from `inputs`, under the key's or `assumption`'s view.

    None when the inputs make no such layer (a window larger than the input, a shape of the
    wrong rank): there is then nothing to follow from.
    """
    spec = assumption.respec(layer) if assumption is not None else layer
    jump = 1 if assumption is not None and assumption.jump_left_out else inputs.jump
    # The field does not depend on sizes: measured on the key's input, which always fits.
    report = _report(spec, key_inputs(layer, net).shape if quantity == "rf" else inputs.shape, (inputs.rf, jump))
    wanted = inputs.output
    if quantity == "macs" and wanted is not None and spec.type == "conv" and assumption is None and \
            (report is None or report.output_shape[1:] != wanted):
        # The student's output does not follow from their input: their MACs follow their own output.
        # (Under a rule the layer's own output is the rule's, so no search: at most one per layer.)
        shape = _input_giving(spec, inputs.shape[0], wanted)
        report = _report(spec, shape, (inputs.rf, jump)) if shape is not None else None
    return value(report, quantity, assumption) if report is not None else None


@lru_cache(maxsize=MAX_REPORTS)
def _report(layer: LayerSpec, shape: tuple[int, ...], field: tuple[int, int]) -> LayerReport | None:
    """`layer` alone on a per-sample input `shape`; None when torch refuses it (the kernel does not fit).

    Cached: most rules leave most layers as they are, so their analyses repeat.
    """
    if len(shape) not in (1, 3) or min(shape) < 1 or max(shape) > MAX_SIDE:
        return None
    try:
        # Only a linear layer's size depends on its whole input; the others depend on its channels.
        model = _model(layer, shape if layer.type == "linear" else (shape[0], 1, 1))
        return {report.name: report for report in analyze(model, shape, field=field)}[layer.name]
    except (RuntimeError, ValueError):
        return None


@lru_cache(maxsize=MAX_REPORTS)
def _model(layer: LayerSpec, shape: tuple[int, ...]) -> nn.Sequential:
    """`layer` alone as torch modules on the meta device (no weights), built once and measured on any input:
    a meta module in eval mode is left as it was by a forward pass."""
    with torch.device("meta"):
        return build_network((layer,), shape, activations=False).eval()


def _input_giving(layer: LayerSpec, channels: int, output: tuple[int, int]) -> tuple[int, int, int] | None:
    """The smallest input (C, H, W) from which torch's `layer` gives `output` (H × W), if any.

    MACs count output positions: a student's MACs follow their own output size, so the layer
    is measured on an input that torch maps to exactly that size (searched, not inverted by hand).
    """
    sides = [_side_giving(layer, target) for target in output]  # cached: H and W are usually equal
    if None in sides:
        return None
    return (channels, *sides)  # type: ignore[return-value]


@lru_cache(maxsize=1024)
def _side_giving(layer: LayerSpec, target: int) -> int | None:
    if not 1 <= target <= MAX_SIDE:
        return None

    def out(side: int) -> int:
        report = _report(layer, (1, side, side), (1, 1))
        return report.output_shape[1] if report is not None else 0  # 0: the window does not fit yet

    low, high = 1, 1
    while out(high) < target:  # output grows with the input: double, then bisect
        low, high = high + 1, 2 * high
        if high > 4 * MAX_SIDE:
            return None
    while low < high:
        middle = (low + high) // 2
        low, high = (middle + 1, high) if out(middle) < target else (low, middle)
    return low if out(low) == target else None
