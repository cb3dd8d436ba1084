"""Problem 4's reference formulas in sympy; tests check each one against torch on many layers."""

# Each formula is built by a function whose keywords state the assumptions: the key takes the
# defaults, a mistake rule calls the same function with one assumption changed (assumptions.py),
# so a wrong formula is never typed by hand.

from __future__ import annotations

from collections.abc import Callable

import sympy

H, k, s, p, d = sympy.symbols("H k s p d")
k_h, k_w, C_in, C_out, H_out, W_out, C = sympy.symbols("k_h k_w C_in C_out H_out W_out C")
R_prev, j_prev = sympy.symbols("R_prev j_prev")

Rounding = Callable[[sympy.Expr], sympy.Expr]


def _unrounded(value: sympy.Expr) -> sympy.Expr:
    return value


def conv_out(*, padding: bool = True, dilation: bool = True, rounding: Rounding = sympy.floor) -> sympy.Expr:
    """Output size, as in PyTorch's Conv2d documentation (floor of the window positions, +1)."""
    pad, dil = (p if padding else 0), (d if dilation else 1)
    return rounding((H + 2 * pad - dil * (k - 1) - 1) / s) + 1


def pool_out(*, rounding: Rounding = sympy.floor) -> sympy.Expr:
    """Pooling without padding or dilation: the same count of window positions."""
    return rounding((H - k) / s) + 1


def conv_params(*, bias: bool = True) -> sympy.Expr:
    """One weight per kernel tap and input channel, plus a bias, per filter."""
    return (k_h * k_w * C_in + (1 if bias else 0)) * C_out


def bn_params(*, running_stats: bool = False) -> sympy.Expr:
    """BatchNorm's learnable affine pair γ, β per channel (running mean and variance are buffers)."""
    return (4 if running_stats else 2) * C


def conv_macs(*, per_mac: int = 1) -> sympy.Expr:
    """One multiply–accumulate per kernel tap and input channel, per output element (FLOPs count 2)."""
    return per_mac * H_out * W_out * C_out * k_h * k_w * C_in


def rf_step(*, dilation: bool = True, jump: bool = True) -> sympy.Expr:
    """Receptive-field recurrence: each layer widens the field by (k-1)·d input steps of size j."""
    return R_prev + (k - 1) * (d if dilation else 1) * (j_prev if jump else 1)


def jump_step() -> sympy.Expr:
    """The distance in input pixels between neighbouring outputs: the product of the strides."""
    return j_prev * s


CONV_OUT = conv_out()
POOL_OUT = pool_out()
CONV_PARAMS = conv_params()
BN_PARAMS = bn_params()
CONV_MACS = conv_macs()
RF_STEP = rf_step()
JUMP_STEP = jump_step()

FORMULAS: dict[str, sympy.Expr] = {
    "conv_out": CONV_OUT,
    "pool_out": POOL_OUT,
    "conv_params": CONV_PARAMS,
    "bn_params": BN_PARAMS,
    "macs": CONV_MACS,
    "rf_step": RF_STEP,
    "jump_step": JUMP_STEP,
}

# The formulas under each mistake rule's wrong assumption (rule id → formula name → formula).
WRONG_FORMULAS: dict[str, dict[str, sympy.Expr]] = {
    "no_bias": {"conv_params": conv_params(bias=False)},
    "bn_running_stats": {"bn_params": bn_params(running_stats=True)},
    "no_dilation": {"conv_out": conv_out(dilation=False), "rf_step": rf_step(dilation=False)},
    "same_padding_zero": {"conv_out": conv_out(padding=False)},
    "ceil": {"conv_out": conv_out(rounding=sympy.ceiling), "pool_out": pool_out(rounding=sympy.ceiling)},
    "no_floor": {"conv_out": conv_out(rounding=_unrounded), "pool_out": pool_out(rounding=_unrounded)},
    "no_jump": {"rf_step": rf_step(jump=False)},
    "flops": {"macs": conv_macs(per_mac=2)},
}
