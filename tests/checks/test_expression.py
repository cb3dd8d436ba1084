"""The expression checker on Problem 4's formula items, from student text to verdict."""

import pytest

from grader.checks import expression
from grader.core.models import Status
from problems.hw2_cnn import HOMEWORK

KEY = {
    # PyTorch's documented Conv2d output size (torch.nn.Conv2d docs, "Shape" section).
    "p4.formula.conv_out": "floor((H_in + 2*padding - dilation*(kernel_size - 1) - 1)/stride + 1)",
    "p4.formula.pool_out": "floor((H - k)/s) + 1",
    # One weight per tap and input channel plus one bias, per filter (torch.nn.Conv2d parameters).
    "p4.formula.conv_params": "(k_h*k_w*C_in + 1)*C_out",
    "p4.formula.bn_params": "2*C",
    "p4.formula.macs": "H_out*W_out*C_out*k_h*k_w*C_in",
    # Araujo et al., "Computing Receptive Fields of CNNs" (Distill, 2019), eq. for r_{l-1}.
    "p4.formula.rf_step": "R_prev + (k - 1)*d*j_prev",
    "p4.formula.jump_step": "j_prev*s",
}


def verdict(item_id: str, text: str):
    item = HOMEWORK.item(item_id)
    return expression.compare(expression.read(text, item), expression.read(KEY[item_id], item), item)


CASES = [
    # (id, item, answer, status, words in feedback)
    ("torch-doc-form", "conv_out", "floor((H_in + 2*padding - dilation*(kernel_size - 1) - 1)/stride + 1)",
     Status.CORRECT, ""),
    ("plus-one-outside", "conv_out", "floor((H + 2p - d(k-1) - 1)/s) + 1", Status.CORRECT, ""),
    ("floor-brackets", "conv_out", "⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1", Status.CORRECT, ""),
    ("latex", "conv_out", r"$\left\lfloor \frac{H + 2p - d(k-1) - 1}{s} \right\rfloor + 1$", Status.CORRECT, ""),
    ("integer-division", "conv_out", "(H + 2p - d(k-1) - 1)//s + 1", Status.CORRECT, ""),
    ("ceil-form", "conv_out", "ceil((H + 2p - d(k-1))/s)", Status.CORRECT, "integer cases"),
    ("r-for-dilation", "conv_out", "floor((H + 2p - r(k-1) - 1)/s) + 1", Status.CORRECT, ""),
    ("forgets-dilation", "conv_out", "floor((H + 2p - k)/s) + 1", Status.INCORRECT, "Not equivalent: for"),
    ("no-floor", "conv_out", "(H + 2p - d(k-1) - 1)/s + 1", Status.INCORRECT, "Not equivalent"),
    ("forgets-padding", "conv_out", "floor((H - d(k-1) - 1)/s) + 1", Status.INCORRECT, "Not equivalent"),
    ("ceil-plus-one", "conv_out", "ceil((H + 2p - d(k-1) - 1)/s) + 1", Status.INCORRECT, "Not equivalent"),
    ("pool", "pool_out", "floor((H_in - kernel_size)/stride) + 1", Status.CORRECT, ""),
    ("params-expanded", "conv_params", "k_h k_w C_in C_out + C_out", Status.CORRECT, ""),
    ("params-braced", "conv_params", "C_{out} (k_h k_w C_{in} + 1)", Status.CORRECT, ""),
    ("params-no-bias", "conv_params", "k_h*k_w*C_in*C_out", Status.INCORRECT, "Not equivalent"),
    ("bn-2c", "bn_params", "2C", Status.CORRECT, ""),
    ("bn-running-stats", "bn_params", "4C", Status.INCORRECT, "Not equivalent"),
    ("macs", "macs", "k_h·k_w·C_in·H_out·W_out·C_out", Status.CORRECT, ""),
    ("rf-index-names", "rf_step", "R_{i-1} + (k-1) d j_{i-1}", Status.CORRECT, ""),
    ("rf-no-jump", "rf_step", "R_prev + (k-1)*d", Status.INCORRECT, "Not equivalent"),
    ("rf-no-dilation", "rf_step", "R_prev + (k-1)*j_prev", Status.INCORRECT, "Not equivalent"),
    ("jump", "jump_step", "s j_prev", Status.CORRECT, ""),
]


@pytest.mark.parametrize("item, text, status, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_formula_table(item, text, status, words):
    """Equivalent notations get full credit; wrong formulas are caught with a counterexample."""
    result = verdict(f"p4.formula.{item}", text)
    assert result.status is status
    assert words in result.feedback


def test_counterexample_is_a_real_one():
    """The counterexample for a formula without dilation has d ≥ 2 and the values integer arithmetic gives."""
    import re

    feedback = verdict("p4.formula.conv_out", "floor((H + 2p - k)/s) + 1").feedback
    point = {name: int(value) for name, value in re.findall(r"(\w+) = (\d+)", feedback)}
    H, k, s, p, d = (point[n] for n in "Hkspd")
    assert d >= 2
    assert f"gives {(H + 2 * p - k) // s + 1}" in feedback
    assert f"should give {(H + 2 * p - d * (k - 1) - 1) // s + 1}" in feedback


@pytest.mark.parametrize(
    "text, words",
    [("floor((H + 2q - d(k-1) - 1)/s) + 1", "unknown name 'q'"),
     ("floor((H + 2p - d(k-1) - 1)/s + 1", "("),
     ("__import__('os').system('true')", "")],
    ids=["unknown-variable", "unbalanced", "code"],
)
def test_unreadable_formulas_are_format_errors(text, words):
    """Unknown names and broken syntax are format errors that say what went wrong."""
    from grader.math.errors import FormatError

    with pytest.raises(FormatError) as caught:
        expression.read(text, HOMEWORK.item("p4.formula.conv_out"))
    assert words in caught.value.explain()
