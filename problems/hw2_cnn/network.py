"""Problem 4's network as real torch modules, built from the plain-data layer table."""

from __future__ import annotations

import copy
from collections import OrderedDict

import torch
from torch import nn

from problems.hw2_cnn.architecture import INPUT_HWC, LAYERS, LayerSpec

# torch's per-sample (C, H, W) of the homework's input.
INPUT_SHAPE = (INPUT_HWC[2], INPUT_HWC[0], INPUT_HWC[1])


def build_network(layers: tuple[LayerSpec, ...] = LAYERS, input_shape: tuple[int, ...] = INPUT_SHAPE, *,
                  activations: bool = True) -> nn.Sequential:
    """The network of the layer table, named as the homework names its layers.

    A ReLU follows each BatchNorm and each hidden linear layer (unless `activations` is false: a
    layer measured on its own needs none, they change no count and no shape); `flatten` precedes the
    first linear layer, whose input size comes from a meta-device forward (never typed).
    """
    modules: OrderedDict[str, nn.Module] = OrderedDict()
    channels = input_shape[0]
    linear = [layer for layer in layers if layer.type == "linear"]
    for layer in layers:
        if layer.type == "conv":
            if layer.ceil_mode and layer.stride > 1:
                # Conv2d always rounds down; s - 1 more rows and columns make floor give the ceiling.
                modules[f"{layer.name}_ceil"] = nn.ZeroPad2d((0, layer.stride - 1, 0, layer.stride - 1))
            modules[layer.name] = nn.Conv2d(channels, layer.width, layer.kernel, stride=layer.stride,
                                            padding=layer.padding, dilation=layer.dilation, bias=layer.bias)
            channels = layer.width
        elif layer.type == "bn":
            modules[layer.name] = nn.BatchNorm2d(channels)
            if activations:
                modules["relu" + layer.name.removeprefix("bn")] = nn.ReLU()
        elif layer.type == "maxpool":
            modules[layer.name] = nn.MaxPool2d(layer.kernel, stride=layer.stride, ceil_mode=layer.ceil_mode)
        else:
            if layer is linear[0]:
                modules["flatten"] = nn.Flatten()
                channels = _flat_size(modules, input_shape)
            modules[layer.name] = nn.Linear(channels, layer.width, bias=layer.bias)
            channels = layer.width
            if activations and layer is not linear[-1]:
                modules[f"relu_{layer.name}"] = nn.ReLU()
    return nn.Sequential(modules)


def _flat_size(modules: OrderedDict[str, nn.Module], input_shape: tuple[int, ...]) -> int:
    """Features after flattening, from a meta-device forward of the layers so far."""
    probe = copy.deepcopy(nn.Sequential(modules)).to("meta").eval()  # the convs so far are small
    return probe(torch.empty(1, *input_shape, device="meta")).shape[1]
