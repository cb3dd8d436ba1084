"""Computes Problem 3's key: torch analyses the stacked and dilated layers, the formulas are built from the configurations."""

from __future__ import annotations

from torch import nn

from grader.analysis.nets import analyze
from grader.math import tree
from problems.hw2_cnn.p3_receptive_fields import (
    DEFAULT,
    ConvConfig,
    Setting,
    conv_params,
    effective_kernel_size,
    stack_params,
)

# Channels and input size of the probe networks: any values work, the analysis only reads shapes.
_PROBE_CHANNELS = 4
_PROBE_SIZE = 32


def build_stack(configs: tuple[ConvConfig, ...], channels: int = _PROBE_CHANNELS, *, bias: bool = False) -> nn.Sequential:
    """The stack of C→C convolutions as torch modules (stride 1, no padding)."""
    return nn.Sequential(*(nn.Conv2d(channels, channels, c.kernel, dilation=c.dilation, bias=bias) for c in configs))


def receptive_field(configs: tuple[ConvConfig, ...]) -> int:
    """Side length of the receptive field of the last layer, from the torch network analysis."""
    reports = analyze(build_stack(configs), (_PROBE_CHANNELS, _PROBE_SIZE, _PROBE_SIZE))
    return reports[-1].rf


def dilation_extra_params(kernel: int = 3, dilation: int = 2, channels: int = _PROBE_CHANNELS) -> int:
    """Parameters of a dilated convolution minus those of the same convolution undilated (torch counts)."""
    def count(d: int) -> int:
        return sum(p.numel() for p in nn.Conv2d(channels, channels, kernel, dilation=d).parameters())

    return count(dilation) - count(1)


def compute_key(setting: Setting = DEFAULT) -> dict[str, str]:
    """Item id → key text for the computed Problem 3 items, with `setting`'s numbers (a variant's)."""
    rf = receptive_field(setting.stack)
    size = effective_kernel_size()
    k, r = setting.dilated_kernel, setting.dilation
    return {
        "p3.a.ii.params_15x15": tree.show(stack_params(setting.single)),
        "p3.a.ii.rf_three_3x3": str(rf),
        "p3.a.ii.params_three_3x3": tree.show(stack_params(setting.stack)),
        "p3.a.ii.params_single_same_rf": tree.show(conv_params(ConvConfig(rf))),
        "p3.b.ii.effective_size": tree.show(size),
        "p3.b.ii.effective_size_k3_r2": tree.show(tree.substitute(size, {"k": k, "r": r})),
        "p3.b.ii.extra_params": str(dilation_extra_params(k, r)),
    }
