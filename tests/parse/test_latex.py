"""latex_to_text: the LaTeX subset students type, rewritten to plain text, and its use by parse_math."""

from __future__ import annotations

import pytest
import sympy
from sympy import Integer, Max, Rational, ceiling, floor

from grader.math.errors import FormatError
from grader.math.latex import latex_to_text
from tests.sympy_bridge import parse_math

H, k, s, p, d, x, C_in, alpha, R_prev = sympy.symbols("H k s p d x C_in alpha R_prev")
VARS = {"H": H, "k": k, "s": s, "p": p, "d": d, "x": x, "C_in": C_in, "alpha": alpha, "R_i-1": R_prev}


def table(rows):
    """pytest.param rows with the first column as id."""
    return [pytest.param(*row[1:], id=row[0]) for row in rows]


REWRITES = [
    ("inline-dollars", r"$(7 \times 7 \times 3 + 1) \times 32$", "(7 * 7 * 3 + 1) * 32"),
    ("display-dollars", "$$H$$", "H"),
    ("paren-delimiters", r"\(H + k\)", "H + k"),
    ("bracket-delimiters", r"\[H + k\]", "H + k"),
    ("times", r"a \times b", "a * b"),
    ("cdot", r"a \cdot b", "a * b"),
    ("ast", r"a \ast b", "a * b"),
    ("div", r"a \div b", "a / b"),
    ("frac", r"\frac{a}{b}", "((a)/(b))"),
    ("dfrac", r"\dfrac{a}{b}", "((a)/(b))"),
    ("tfrac", r"\tfrac{a}{b}", "((a)/(b))"),
    ("frac-nested", r"\frac{\frac{a}{b}}{c}", "((((a)/(b)))/(c))"),
    ("frac-nested-braces", r"\frac{a + {b + c}}{2}", "((a + (b + c))/(2))"),
    ("frac-single-characters", r"\frac12", "((1)/(2))"),
    ("frac-spaced-arguments", r"\frac {a} {b}", "((a)/(b))"),
    ("superscript-braces", "k^{2}", "k^(2)"),
    ("superscript-expression", "H^{k-1}", "H^(k-1)"),
    ("subscript-kept", "C_{in}", "C_{in}"),
    ("subscript-mathrm", r"C_{\mathrm{in}}", "C_{in}"),
    ("floor", r"\lfloor x \rfloor", "⌊ x ⌋"),
    ("ceil", r"\lceil x \rceil", "⌈ x ⌉"),
    ("left-right-parens", r"\left( a \right)", "( a )"),
    ("left-right-floor", r"\left\lfloor a \right\rfloor", "⌊ a ⌋"),
    ("left-right-brackets", r"\left[ a \right]", "[ a ]"),
    ("left-right-invisible", r"\left. a \right.", " a "),
    ("left-right-braces", r"\left\{ a \right\}", "( a )"),
    ("text", r"\text{floor}(x)", "floor(x)"),
    ("mathrm", r"\mathrm{max}(a, b)", "max(a, b)"),
    ("operatorname", r"\operatorname{ceil}(x)", "ceil(x)"),
    ("mathit", r"\mathit{pad}", "pad"),
    ("max", r"\max(a, b)", "max(a, b)"),
    ("min", r"\min(a, b)", "min(a, b)"),
    ("log", r"\log(x)", "log(x)"),
    ("thin-space", r"a\,b", "a b"),
    ("medium-space", r"a\:b", "a b"),
    ("thick-space", r"a\;b", "a b"),
    ("negative-space", r"a\!b", "a b"),
    ("control-space", r"a\ b", "a b"),
    ("quad", r"a\quad b", "a  b"),
    ("grouping-braces", "{a + b}c", "(a + b)c"),
    ("greek", r"\alpha", "alpha"),
    ("greek-after-digit", r"2\alpha", "2 alpha"),
    ("greek-pair", r"\alpha\beta", "alpha beta"),
    ("sqrt", r"\sqrt{x}", "sqrt((x))"),
    ("comparison-kept-for-rejection", r"x \le 3", "x ≤ 3"),
]


@pytest.mark.parametrize("text, expected", table(REWRITES))
def test_rewrite(text, expected):
    """Each supported piece of LaTeX becomes the plain notation the tokenizer reads."""
    assert latex_to_text(text) == expected


LATEX_ERRORS = [
    ("unknown-command", r"\foo", "unknown LaTeX command '\\foo'", 0),
    ("unknown-command-later", r"a + \bar{x}", "unknown LaTeX command '\\bar'", 4),
    ("frac-one-argument", r"\frac{a}", "\\frac is missing an argument in braces", 8),
    ("frac-no-arguments", r"\frac", "\\frac is missing an argument in braces", 5),
    ("unclosed-brace", "{a", "this '{' is never closed", 0),
    ("unopened-brace", "a}", "this '}' has no matching '{'", 1),
    ("nth-root", r"\sqrt[3]{x}", "only square roots are supported", 0),
    ("trailing-backslash", "a\\", "unknown LaTeX command '\\'", 1),
]


@pytest.mark.parametrize("text, fragment, position", table(LATEX_ERRORS))
def test_rewrite_error(text, fragment, position):
    """Unreadable LaTeX raises FormatError naming the problem, positioned in the original text."""
    with pytest.raises(FormatError) as info:
        latex_to_text(text)
    assert fragment in info.value.message
    assert info.value.position == position
    assert info.value.text == text
    assert info.value.hint


PARSED = [
    ("times-in-dollars", r"$(7 \times 7 \times 3 + 1) \times 32$", Integer(4736)),
    ("frac-formula", r"\frac{H + 2p - k}{s} + 1", (H + 2 * p - k) / s + 1),
    ("conv-out", r"\left\lfloor \frac{H+2p-d(k-1)-1}{s} \right\rfloor + 1",
     floor((H + 2 * p - d * (k - 1) - 1) / s) + 1),
    ("subscript-name", "C_{in}", C_in),
    ("subscript-expression-name", "R_{i-1}", R_prev),
    ("braced-power", "k^{2}", k**2),
    ("text-function", r"\text{floor}(x)", floor(x)),
    ("frac-numbers", r"\frac{1}{2}", Rational(1, 2)),
    ("sqrt", r"\sqrt{16}", Integer(4)),
    ("max", r"\max(H, k)", Max(H, k)),
    ("ceil-frac", r"\lceil \frac{H}{s} \rceil", ceiling(H / s)),
    ("operatorname-call", r"\operatorname{ceil}\left(\frac{H}{s}\right)", ceiling(H / s)),
    ("greek", r"2\alpha", 2 * alpha),
    ("cdot", r"H \cdot k", H * k),
    ("left-right-power", r"\left( H + 1 \right)^{2}", (H + 1) ** 2),
]


@pytest.mark.parametrize("text, expected", table(PARSED))
def test_parse_math_reads_latex(text, expected):
    """parse_math applies the LaTeX pass first, giving the expression built by hand."""
    assert parse_math(text, variables=VARS) == expected


def test_parse_math_number_mode_reads_latex():
    """LaTeX also works for number answers."""
    assert parse_math(r"$(7 \times 7 \times 3 + 1) \times 32$", number_mode=True) == 4736


def test_parse_math_reports_latex_errors_in_original_text():
    """An unknown command is reported by parse_math with the original text and its position."""
    with pytest.raises(FormatError) as info:
        parse_math(r"H + \foo", variables=VARS)
    assert info.value.text == r"H + \foo"
    assert info.value.position == 4


def test_parse_math_rejects_latex_comparison():
    """A LaTeX comparison reaches the tokenizer's comparison rejection, pointed into the rewritten text."""
    with pytest.raises(FormatError) as info:
        parse_math(r"x \le 3", variables=VARS)
    assert "a comparison is not expected here" in info.value.message
    assert info.value.text == "x ≤ 3"
    assert info.value.position == 2
