"""The example answers the grader shows (templates, format hints): placeholders that no key gives points to.

An example of a real answer would give it away to every student who reads the hint (the
template once showed hw2-cnn's `256 x 256 x 32` and `(7*7*3 + 1)*32`). Every example lives
here; tests/security/test_answer_leaks.py grades each as the answer to every item of every
registered homework (key and mistakes), and greps templates, schemas and hints for key answers.
"""

from __future__ import annotations

NUMBER = "42"
ARITHMETIC = "(2*3*4 + 1)*5"
# One number in each way digits may be written, and rounded at three digits.
DIGITS = ("1234567", "1,234,567", "1 234 567", "1_234_567")
ROUNDED = "1.23M"
E_NOTATION = "1.23e6"
DECIMALS = ("0.5", "1.25")
FACTORIAL_WRITTEN_OUT = "4*3*2*1"  # 4!
PERCENT_AS_FRACTION = ("3/100", "0.03")  # 3%
SHAPE = "12 × 34 × 56"
SHAPE_TYPED = "12 x 34 x 56"
FORMULA = "(H + 1)/2"
EQUATION = "f(x) = 2x + 1"

ALL: tuple[tuple[str, str], ...] = (
    ("number", NUMBER), ("number", ARITHMETIC), *(("number", text) for text in DIGITS), ("number", ROUNDED),
    ("number", E_NOTATION), *(("number", text) for text in DECIMALS), ("number", FACTORIAL_WRITTEN_OUT),
    *(("number", text) for text in PERCENT_AS_FRACTION), ("shape", SHAPE), ("shape", SHAPE_TYPED),
    ("expression", FORMULA), ("equation", EQUATION),
)
