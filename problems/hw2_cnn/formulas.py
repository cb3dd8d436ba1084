"""Problem 4's reference formulas in sympy; tests check each one against torch on many layers."""

from __future__ import annotations

import sympy

H, k, s, p, d = sympy.symbols("H k s p d")
k_h, k_w, C_in, C_out, H_out, W_out, C = sympy.symbols("k_h k_w C_in C_out H_out W_out C")
R_prev, j_prev = sympy.symbols("R_prev j_prev")

# Output size, as in PyTorch's Conv2d documentation (floor of the window positions, +1).
CONV_OUT = sympy.floor((H + 2 * p - d * (k - 1) - 1) / s) + 1
# Pooling without padding or dilation: the same count of window positions.
POOL_OUT = sympy.floor((H - k) / s) + 1
# One weight per kernel tap and input channel, plus a bias, per filter.
CONV_PARAMS = (k_h * k_w * C_in + 1) * C_out
# BatchNorm's learnable affine pair γ, β per channel (running statistics are buffers).
BN_PARAMS = 2 * C
# One multiply–accumulate per kernel tap and input channel, per output element.
CONV_MACS = H_out * W_out * C_out * k_h * k_w * C_in
# Receptive-field recurrence: each layer widens the field by (k-1)·d input steps of size j.
RF_STEP = R_prev + (k - 1) * d * j_prev
JUMP_STEP = j_prev * s

FORMULAS: dict[str, sympy.Expr] = {
    "conv_out": CONV_OUT,
    "pool_out": POOL_OUT,
    "conv_params": CONV_PARAMS,
    "bn_params": BN_PARAMS,
    "macs": CONV_MACS,
    "rf_step": RF_STEP,
    "jump_step": JUMP_STEP,
}
