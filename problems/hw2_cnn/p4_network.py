"""Problem 4: shapes, parameters, MACs and receptive fields of a CNN, keyed by torch and sympy."""

from __future__ import annotations

from grader.homework import ExpressionOptions, Item, Problem, SelfTest, Variable
from problems.hw2_cnn.architecture import INPUT_HWC, LAYERS, LayerSpec

LAYER_POINTS = 0.5
FORMULA_POINTS = 1.5
TOTAL_POINTS = 0.75


def _layer_items(layer: LayerSpec) -> list[Item]:
    where = f"{layer.name} ({layer.describe()})"
    output_prompt = (
        f"Number of output features of {where}."
        if layer.type == "linear"
        else f"Output shape H × W × C of {where}."
    )
    items = [
        Item(f"p4.{layer.name}.output", "shape", LAYER_POINTS, output_prompt),
        Item(f"p4.{layer.name}.params", "number", LAYER_POINTS,
             f"Learnable parameters of {where} (biases included; BatchNorm: γ and β only)."),
        Item(f"p4.{layer.name}.macs", "number", LAYER_POINTS,
             f"Multiply–accumulate operations of {where} for one input image (BatchNorm, pooling and bias additions count 0)."),
    ]
    if layer.has_rf_item:
        items.append(Item(f"p4.{layer.name}.rf", "number", LAYER_POINTS,
                          f"Receptive field (side length in input pixels) of one output unit of {where}."))
    return items


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


def _items() -> tuple[Item, ...]:
    items = [item for layer in LAYERS for item in _layer_items(layer)]
    items += [Item(f"p4.formula.{name}", "expression", FORMULA_POINTS, prompt, options)
              for name, prompt, options in _FORMULAS]
    items += [
        Item("p4.total_params", "number", TOTAL_POINTS, "Learnable parameters of the whole network."),
        Item("p4.total_macs", "number", TOTAL_POINTS, "MACs of the whole network for one input image."),
    ]
    return tuple(items)


def reference() -> dict[str, str]:
    """The key of Problem 4: every number from torch, every formula from sympy."""
    from problems.hw2_cnn.reference_p4 import compute_key

    return compute_key()


# One correct, partially right, wrong and unreadable answer per kind (statuses per CONTRACT §2).
SELF_TESTS = (
    SelfTest("p4.layer2.output", "(126, 126, 64)", "correct"),
    SelfTest("p4.layer2.output", "64 x 126 x 126", "correct"),
    SelfTest("p4.layer2.output", "126 x 126 x 32", "partial"),
    SelfTest("p4.layer2.output", "125 x 125 x 32", "incorrect"),
    SelfTest("p4.layer2.output", "126 x 126 x C", "invalid"),
    SelfTest("p4.layer1.params", "(7*7*3 + 1) * 32", "correct"),
    SelfTest("p4.total_macs", "2.1G", "correct"),
    SelfTest("p4.layer1.params", "7*7*3*32", "incorrect"),
    SelfTest("p4.layer1.params", "a lot", "invalid"),
    SelfTest("p4.formula.conv_out", "ceil((H + 2p - d(k-1))/s)", "correct"),
    SelfTest("p4.formula.conv_out", "floor((H + 2p - k)/s) + 1", "incorrect"),
    SelfTest("p4.formula.conv_out", "floor((H + 2q - k)/s) + 1", "invalid"),
)

PROBLEM = Problem(
    id="p4",
    title=f"Shapes, parameters, MACs and receptive fields of a CNN on a {'×'.join(map(str, INPUT_HWC))} input",
    items=_items(),
    reference=reference,
    self_tests=SELF_TESTS,
)
