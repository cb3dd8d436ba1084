"""Problem 4: shapes, parameters, MACs and receptive fields of a CNN, keyed by torch and sympy."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from grader.homework import Carried, ExpressionOptions, Item, Problem, SelfTest, Table, Variable
from problems.hw2_cnn.architecture import NET, LayerSpec, Net
from problems.hw2_cnn.assumptions import RULES

LAYER_POINTS = 0.5
FORMULA_POINTS = 1.5
TOTAL_POINTS = 0.75
# The totals add up one quantity over all layers.
TOTALS = {"p4.total_params": "params", "p4.total_macs": "macs"}


def total(values) -> str:
    """A whole-network total: the layers' values (item texts) added up."""
    return str(sum(int(text) for text in values))


def item_id(layer: LayerSpec, quantity: str) -> str:
    return f"p4.{layer.name}.{quantity}"


def depends_on(layer: LayerSpec, quantity: str, net: Net = NET) -> tuple[str, ...]:
    """The items a layer's item is computed from: what the layer reads, as the homework asks for it.

    Its output, parameters (channels, or the flattened size) and MACs follow the previous
    layer's output, MACs also this layer's own output size; its receptive field follows the
    previous receptive field (the jump comes from the strides of the table, not from answers).
    """
    index = net.index(layer)
    previous = (item_id(net.layers[index - 1], "output"),) if index else ()
    if quantity == "output":
        return previous
    if quantity == "params":
        return previous if layer.type in ("conv", "bn", "linear") else ()
    if quantity == "macs":
        own = (item_id(layer, "output"),) if layer.type == "conv" else ()
        return (*own, *previous) if layer.type in ("conv", "linear") else ()
    earlier = [spec for spec in net.layers[:index] if spec.has_rf_item]
    return (item_id(earlier[-1], "rf"),) if earlier else ()


def _layer_items(layer: LayerSpec, net: Net) -> list[Item]:
    where = f"{layer.name} ({layer.describe()})"
    output_prompt = (
        f"Number of output features of {where}."
        if layer.type == "linear"
        else f"Output shape H × W × C of {where}."
    )
    prompts = {
        "output": ("shape", output_prompt),
        "params": ("number", f"Learnable parameters of {where} (biases included; BatchNorm: γ and β only)."),
        "macs": ("number", f"Multiply–accumulate operations of {where} for one input image "
                           "(BatchNorm, pooling and bias additions count 0)."),
        "rf": ("number", f"Receptive field (side length in input pixels) of one output unit of {where}."),
    }
    return [Item(item_id(layer, quantity), kind, LAYER_POINTS, prompt, depends_on=depends_on(layer, quantity, net))
            for quantity, (kind, prompt) in prompts.items() if quantity != "rf" or layer.has_rf_item]


# The names students use for each quantity; sampling ranges cover typical layers.
_H = Variable("H", ("H_in", "W", "W_in", "h", "h_in", "n", "n_in", "input_size"), 1, 300, "input height")
_K = Variable("k", ("K", "kernel_size", "kernel", "f", "F"), 1, 11, "kernel size")
_S = Variable("s", ("S", "stride"), 1, 6, "stride")
_P = Variable("p", ("P", "pad", "padding"), 0, 6, "padding")
_D = Variable("d", ("D", "r", "dilation", "dilation_rate"), 1, 5, "dilation")
_KH = Variable("k_h", ("K_h", "kh", "k_H", "kernel_height"), 1, 11, "kernel height")
_KW = Variable("k_w", ("K_w", "kw", "k_W", "kernel_width"), 1, 11, "kernel width")
_CIN = Variable("C_in", ("c_in", "Cin", "in_channels", "C_i", "D_in"), 1, 512, "input channels")
_COUT = Variable("C_out", ("c_out", "Cout", "out_channels", "C_o", "D_out"), 1, 512, "output channels")
_HOUT = Variable("H_out", ("h_out", "Hout"), 1, 300, "output height")
_WOUT = Variable("W_out", ("w_out", "Wout"), 1, 300, "output width")
_C = Variable("C", ("c", "channels", "num_features", "C_in"), 1, 512, "channels")
_RPREV = Variable("R_prev", ("R_{i-1}", "R_{l-1}", "r_{i-1}", "r_{l-1}", "RF_prev", "R_in", "r_prev", "RF_{i-1}"),
                  1, 300, "previous receptive field")
_JPREV = Variable("j_prev", ("j_{i-1}", "j_{l-1}", "J_prev", "J_{i-1}", "j_in", "jump_prev"), 1, 64, "previous jump")

_FORMULAS: tuple[tuple[str, str, ExpressionOptions], ...] = (
    ("conv_out", "Output height of a convolution: input height H, kernel k, stride s, padding p, dilation d.",
     ExpressionOptions((_H, _K, _S, _P, _D), nonnegative=("H + 2p - d(k-1) - 1",))),
    ("pool_out", "Output height of a pooling layer: input height H, window k, stride s, no padding.",
     ExpressionOptions((_H, _K, _S), nonnegative=("H - k",))),
    ("conv_params", "Parameters of a convolution with bias: kernel k_h × k_w, C_in input and C_out output channels.",
     ExpressionOptions((_KH, _KW, _CIN, _COUT))),
    ("bn_params", "Learnable parameters of BatchNorm2d over C channels.",
     ExpressionOptions((_C,))),
    ("macs", "MACs of a convolution with output H_out × W_out × C_out, kernel k_h × k_w, C_in input channels.",
     ExpressionOptions((_HOUT, _WOUT, _COUT, _KH, _KW, _CIN))),
    ("rf_step", "Receptive field after a layer, from the previous receptive field R_prev, kernel k, "
                "dilation d and the jump j_prev (product of the earlier strides).",
     ExpressionOptions((_RPREV, _K, _D, _JPREV))),
    ("jump_step", "Jump after a layer of stride s, from the previous jump j_prev.",
     ExpressionOptions((_JPREV, _S))),
)


def _items(net: Net) -> tuple[Item, ...]:
    items = [item for layer in net.layers for item in _layer_items(layer, net)]
    items += [Item(f"p4.formula.{name}", "expression", FORMULA_POINTS, prompt, options)
              for name, prompt, options in _FORMULAS]
    prompts = {"p4.total_params": "Learnable parameters of the whole network.",
               "p4.total_macs": "MACs of the whole network for one input image."}
    items += [Item(total, "number", TOTAL_POINTS, prompts[total],
                   depends_on=tuple(item_id(layer, quantity) for layer in net.layers))
              for total, quantity in TOTALS.items()]
    return tuple(items)


def reference(net: Net = NET) -> dict[str, str]:
    """The key of Problem 4: every number from torch, every formula from sympy."""
    from problems.hw2_cnn.reference_p4 import compute_key

    return compute_key(net)


def mistake_values(net: Net = NET) -> dict[str, list[tuple[str, str]]]:
    """Each item's answers under the mistake rules, computed by torch and sympy (for the key file)."""
    from problems.hw2_cnn.reference_p4 import compute_mistakes

    return compute_mistakes(net)


def carry_forward(item: str, upstream: Mapping[str, str], net: Net = NET) -> Carried | None:
    """An item recomputed by torch from a student's own answers to the items it depends on."""
    from problems.hw2_cnn.carry_p4 import carry_forward as recompute  # a layer's recomputation imports torch

    return recompute(item, upstream, net)


_TYPES = {"conv": "Conv2d", "bn": "BatchNorm2d", "maxpool": "MaxPool2d", "linear": "Linear"}


def network_table(net: Net) -> Table:
    """The layer table of the statement, from the same specs torch builds."""
    rows, width = [], None
    for layer in net.layers:
        if layer.type == "conv":
            configuration = layer.describe().removeprefix("Conv2d, ")
        elif layer.type == "maxpool":
            configuration = layer.describe().removeprefix("MaxPool2d ")
        elif layer.type == "linear":
            configuration = f"{'flatten' if width is None else width} → {layer.width}"
            width = layer.width
        else:
            configuration = ""
        rows.append((layer.name, _TYPES[layer.type], configuration))
    return Table(("layer", "type", "configuration"), tuple(rows))


def intro(net: Net) -> tuple[str | Table, ...]:
    """What the statement says before the items: the input, the network, the conventions of the key."""
    h, w, c = net.input_hwc
    image = {1: "grayscale", 3: "RGB"}.get(c, f"{c}-channel")
    return (
        f"Input: a {h}×{w} {image} image (H×W×C = {h}×{w}×{c}). Shapes are written H×W×C.",
        network_table(net),
        "ReLU after each BatchNorm and after every hidden linear layer: no parameters, no MACs counted.",
        "Convolution and linear parameters include the bias; BatchNorm parameters are the learnable γ and β "
        "(running statistics are buffers, not parameters); MACs are multiply–accumulates of convolutions and "
        "linear layers only; a receptive field is a side length in input pixels.",
    )


def problem(net: Net) -> Problem:
    """Problem 4 on the network `net`: the same items for every variant, with its numbers in prompts and keys."""
    default = net == NET
    return Problem(
        id="p4",
        title=f"Shapes, parameters, MACs and receptive fields of a CNN on a {'×'.join(map(str, net.input_hwc))} input",
        items=_items(net),
        reference=reference if default else partial(reference, net),
        # The self-tests' answers are the homework's own numbers: a variant has other ones.
        self_tests=SELF_TESTS if default else (),
        rules=RULES,
        mistake_values=mistake_values if default else partial(mistake_values, net),
        carry_forward=carry_forward if default else partial(_carry_forward_in, net),
        intro=intro(net),
    )


def _carry_forward_in(net: Net, item: str, upstream: Mapping[str, str]) -> Carried | None:
    return carry_forward(item, upstream, net)


# One correct, partially right, wrong and unreadable answer per kind (statuses per CONTRACT §2).
SELF_TESTS = (
    SelfTest("p4.layer2.output", "(126, 126, 64)", "correct"),
    SelfTest("p4.layer2.output", "64 x 126 x 126", "correct"),
    SelfTest("p4.layer2.output", "126 x 126 x 32", "partial"),
    SelfTest("p4.layer2.output", "125 x 125 x 32", "incorrect"),
    SelfTest("p4.layer2.output", "126 x 126 x C", "invalid"),
    SelfTest("p4.layer1.params", "(7*7*3 + 1) * 32", "correct"),
    SelfTest("p4.total_macs", "2.1G", "correct"),
    SelfTest("p4.layer1.params", "7*7*3*32", "partial"),  # the bias forgotten: a mistake rule's share
    SelfTest("p4.layer1.params", "7*7*3*33", "incorrect"),
    SelfTest("p4.layer1.params", "a lot", "invalid"),
    SelfTest("p4.formula.conv_out", "ceil((H + 2p - d(k-1))/s)", "correct"),
    SelfTest("p4.formula.conv_out", "floor((H + 2p - k)/s) + 1", "partial"),  # dilation ignored
    SelfTest("p4.formula.conv_out", "floor((H + 2p - k)/s)", "incorrect"),
    SelfTest("p4.formula.conv_out", "floor((H + 2q - k)/s) + 1", "invalid"),
)

PROBLEM = problem(NET)
