"""hw2-cnn's parameters: the numbers of Problem 4's network and Problem 3's filters that differ between students.

Every parameter's default is the homework as written (HOMEWORK.md), so the default variant is the
homework unchanged. The constraint keeps a variant a homework a student can work through by hand:
every window fits, the maps stay at least 2×2, the flattened features stay few, and some layer
rounds down (so the floor in the output-size formula matters, as it does in the homework).
"""

from __future__ import annotations

from collections.abc import Mapping

from grader.homework import Parameter, Problem, Variant
from problems.hw2_cnn import p1_concepts, p2_invariance, p3_receptive_fields, p4_network
from problems.hw2_cnn.architecture import LayerSpec, Net
from problems.hw2_cnn.p3_receptive_fields import Setting

# The smallest map a variant's layers may produce, and the most features fc1 may read: beyond these the
# numbers are no longer worked out by hand in a homework's time.
MIN_SIDE = 2
MAX_FLAT_FEATURES = 65_536

PARAMETERS: tuple[Parameter, ...] = (
    Parameter("p4_input_size", 256, choices=(128, 160, 192, 224, 256, 288, 320), description="input height and width"),
    Parameter("p4_input_channels", 3, choices=(1, 3), description="input channels (grayscale or RGB)"),
    Parameter("p4_layer1_width", 32, choices=(16, 24, 32, 48, 64), description="layer1's filters"),
    Parameter("p4_layer1_kernel", 7, choices=(3, 5, 7), description="layer1's kernel (padding \"same\")"),
    Parameter("p4_layer2_width", 64, choices=(32, 48, 64, 96), description="layer2's filters"),
    Parameter("p4_layer2_kernel", 5, choices=(3, 5), description="layer2's kernel"),
    Parameter("p4_layer2_stride", 2, choices=(2, 3), description="layer2's stride"),
    Parameter("p4_layer2_padding", 0, choices=(0, 1, 2), description="layer2's padding"),
    Parameter("p4_layer3_window", 2, choices=(2, 3), description="layer3's pooling window (stride 2)"),
    Parameter("p4_layer4_width", 128, choices=(64, 96, 128, 192), description="layer4's filters"),
    Parameter("p4_layer4_dilation", 2, choices=(2, 3), description="layer4's dilation"),
    Parameter("p4_layer5_width", 128, choices=(64, 96, 128, 192), description="layer5's filters"),
    Parameter("p4_layer5_padding", 0, choices=(0, 1), description="layer5's padding"),
    Parameter("p4_layer6_window", 2, choices=(2, 3), description="layer6's pooling window (stride 2)"),
    Parameter("p4_layer7_width", 256, choices=(128, 192, 256), description="layer7's filters"),
    Parameter("p4_layer7_kernel", 3, choices=(3, 5), description="layer7's kernel"),
    Parameter("p4_layer8_window", 2, choices=(2, 3), description="layer8's pooling window (stride 2)"),
    Parameter("p4_hidden_width", 1024, choices=(256, 512, 1024), description="features of fc1 and fc2"),
    Parameter("p4_classes", 10, choices=(10, 20, 100), description="features of fc3 (classes)"),
    Parameter("p3_single_kernel", 15, choices=(9, 11, 13, 15, 17), description="the lone large filter"),
    Parameter("p3_single_out", 1, choices=(1, 2, 4), description="its output channels, as a multiple of C"),
    Parameter("p3_stack_kernel", 3, choices=(3, 5), description="the stacked filters"),
    Parameter("p3_stack_depth", 3, choices=(2, 3, 4), description="how many are stacked"),
    Parameter("p3_dilated_kernel", 3, choices=(3, 5, 7), description="k of the dilated kernel's value"),
    Parameter("p3_dilation", 2, choices=(2, 3, 4), description="r of the dilated kernel's value"),
)


def net_of(values: Mapping[str, int]) -> Net:
    """Problem 4's network with these parameter values (the same layers, names and types for every variant)."""
    v = values
    k1 = v["p4_layer1_kernel"]
    return Net((v["p4_input_size"], v["p4_input_size"], v["p4_input_channels"]), (
        LayerSpec("layer1", "conv", v["p4_layer1_width"], kernel=k1, stride=1, padding=(k1 - 1) // 2),
        LayerSpec("bn1", "bn"),
        LayerSpec("layer2", "conv", v["p4_layer2_width"], kernel=v["p4_layer2_kernel"], stride=v["p4_layer2_stride"],
                  padding=v["p4_layer2_padding"]),
        LayerSpec("bn2", "bn"),
        LayerSpec("layer3", "maxpool", kernel=v["p4_layer3_window"], stride=2),
        LayerSpec("layer4", "conv", v["p4_layer4_width"], kernel=3, stride=1, padding=0,
                  dilation=v["p4_layer4_dilation"]),
        LayerSpec("bn4", "bn"),
        LayerSpec("layer5", "conv", v["p4_layer5_width"], kernel=3, stride=1, padding=v["p4_layer5_padding"]),
        LayerSpec("bn5", "bn"),
        LayerSpec("layer6", "maxpool", kernel=v["p4_layer6_window"], stride=2),
        LayerSpec("layer7", "conv", v["p4_layer7_width"], kernel=v["p4_layer7_kernel"], stride=1, padding=0),
        LayerSpec("bn7", "bn"),
        LayerSpec("layer8", "maxpool", kernel=v["p4_layer8_window"], stride=2),
        LayerSpec("fc1", "linear", v["p4_hidden_width"]),
        LayerSpec("fc2", "linear", v["p4_hidden_width"]),
        LayerSpec("fc3", "linear", v["p4_classes"]),
    ))


def setting_of(values: Mapping[str, int]) -> Setting:
    """Problem 3's numbers with these parameter values."""
    return Setting(single_kernel=values["p3_single_kernel"], single_out=values["p3_single_out"],
                   stack_kernel=values["p3_stack_kernel"], stack_depth=values["p3_stack_depth"],
                   dilated_kernel=values["p3_dilated_kernel"], dilation=values["p3_dilation"])


def constraint(values: Mapping[str, int]) -> str | None:
    """Why these values make no homework a student can work by hand, or None.

    Sizes are followed with the output-size rule only to choose numbers; the key itself comes from
    torch, and a test checks on hundreds of variants that torch builds every layer they allow.
    """
    net = net_of(values)
    side, rounds_down = net.input_hwc[0], False
    for layer in net.layers:
        if layer.type not in ("conv", "maxpool"):
            continue
        room = side + 2 * layer.padding - layer.dilation * (layer.kernel - 1) - 1
        if room < 0:
            return f"{layer.name}'s window does not fit its {side}×{side} input"
        rounds_down = rounds_down or room % layer.stride != 0
        side = room // layer.stride + 1
        if side < MIN_SIDE:
            return f"{layer.name}'s output is smaller than {MIN_SIDE}×{MIN_SIDE}"
    features = side * side * values["p4_layer7_width"]
    if features > MAX_FLAT_FEATURES:
        return f"fc1 would read {features} features, more than {MAX_FLAT_FEATURES}"
    if not rounds_down:
        return "no layer rounds down, so the floor in the output size would never matter"
    return None


def vary(variant: Variant) -> tuple[Problem, ...]:
    """The problems of a variant: Problems 1 and 2 as they are, 3 and 4 with the variant's numbers."""
    values = variant.as_dict()
    return (p1_concepts.PROBLEM, p2_invariance.PROBLEM, p3_receptive_fields.problem(setting_of(values)),
            p4_network.problem(net_of(values)))
