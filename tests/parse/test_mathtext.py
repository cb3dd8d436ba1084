"""parse_math: every notation it reads, every rejection with its position, limits, and safety properties."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import time

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Abs, Integer, Max, Min, Rational, ceiling, floor, sqrt

from grader.math import latex, mathtext, tree
from grader.math.errors import FormatError
from grader.math.mathtext import BUILTIN_FUNCTIONS, DEFAULT_LIMITS, Limits, canonical_name
from grader.math.symbolic import to_sympy
from tests.sympy_bridge import parse_math, parse_tree

H, k, s, p, d = sympy.symbols("H k s p d")
k_h, k_w, C_in, C_out = sympy.symbols("k_h k_w C_in C_out")
R_prev, alpha, x = sympy.symbols("R_prev alpha x")
f, T = sympy.Function("f"), sympy.Function("T")

# Canonical names with aliases: `Cin` and `R_i-1` (written R_{i-1}) are extra spellings.
VARS = {
    "H": H, "k": k, "s": s, "p": p, "d": d, "k_h": k_h, "k_w": k_w, "C_in": C_in, "Cin": C_in,
    "C_out": C_out, "R_prev": R_prev, "R_i-1": R_prev, "alpha": alpha,
}
WITH_X = {**VARS, "x": x}
FUNCS = {"f": f, "T": T}
# The distinct str(symbol) values of VARS, sorted, as the unknown-name message lists them.
ALLOWED = "C_in, C_out, H, R_prev, alpha, d, k, k_h, k_w, p, s"


def parse_only(text: str, **kwargs) -> tree.Node:
    """The tree parsed with the test's names (what grading uses)."""
    kwargs.setdefault("variables", VARS)
    kwargs.setdefault("function_symbols", FUNCS)
    return parse_tree(text, **kwargs)


def parse(text: str, **kwargs) -> sympy.Expr:
    """The parsed formula as sympy, to compare with an expression built by hand."""
    return to_sympy(parse_only(text, **kwargs))


def rejection(text: str, **kwargs) -> FormatError:
    with pytest.raises(FormatError) as info:
        parse(text, **kwargs)
    return info.value


def table(rows):
    """pytest.param rows with the first column as id."""
    return [pytest.param(*row[1:], id=row[0]) for row in rows]


EXPRESSIONS = [
    # Operators, precedence and associativity.
    ("plus", "H + k", H + k),
    ("minus", "H - k", H - k),
    ("times", "H * k", H * k),
    ("divide", "H / k", H / k),
    ("caret", "H ^ 2", H**2),
    ("double-star", "H ** 2", H**2),
    ("unary-minus-below-power", "-H^2", -(H**2)),
    ("bracketed-negative-base", "(-H)^2", H**2),
    ("negative-exponent", "2^-1", Rational(1, 2)),
    ("signed-symbolic-exponent", "2^-k", 2 ** (-k)),
    ("power-right-assoc", "2^3^2", Integer(512)),
    ("unary-plus", "+H", H),
    ("double-minus", "--H", H),
    ("minus-negative", "H - -k", H + k),
    ("times-negative", "2 * -3", Integer(-6)),
    ("minus-left-assoc", "H - k - s", H - k - s),
    ("divide-left-assoc", "H / k / s", H / (k * s)),
    ("divide-then-times", "H / k * s", H * s / k),
    ("implicit-same-precedence", "H/2k", H * k / 2),
    ("fraction-exponent", "H^(1/2)", sqrt(H)),
    ("floor-division", "H // s", floor(H / s)),
    ("floor-division-numbers", "7 // 2", Integer(3)),
    ("floor-division-negative", "-7 // 2", Integer(-4)),
    ("square-brackets", "[H + k] * 2", 2 * (H + k)),
    ("nested-brackets", "((H))", H),
    # Unicode operators and superscripts.
    ("times-sign", "H × k", H * k),
    ("middle-dot", "H · k", H * k),
    ("dot-operator", "H ⋅ k", H * k),
    ("asterisk-operator", "H ∗ k", H * k),
    ("division-sign", "H ÷ k", H / k),
    ("unicode-minus", "H − k", H - k),
    ("en-dash", "H – k", H - k),
    ("superscript-two", "H²", H**2),
    ("superscript-three", "k³", k**3),
    ("superscript-on-group", "(H + 1)²", (H + 1) ** 2),
    ("superscript-negative", "H⁻¹", 1 / H),
    ("superscript-under-minus", "-H²", -(H**2)),
    # Exact numbers.
    ("decimal", "0.5", Rational(1, 2)),
    ("leading-dot", ".5", Rational(1, 2)),
    ("tenth-exact", "0.1", Rational(1, 10)),
    ("scientific", "4.43e7", Integer(44_300_000)),
    ("scientific-negative", "1E-3", Rational(1, 1000)),
    ("scientific-fraction", "2.5e-1", Rational(1, 4)),
    ("underscore-grouping", "44_303_360", Integer(44_303_360)),
    ("trailing-dot", "5.", Integer(5)),
    ("leading-zeros", "007", Integer(7)),
    ("decimal-times-name", "2.5p", Rational(5, 2) * p),
    # Built-in functions.
    ("floor", "floor(H/s)", floor(H / s)),
    ("ceil", "ceil(H/s)", ceiling(H / s)),
    ("ceiling", "ceiling(H/s)", ceiling(H / s)),
    ("max-two", "max(H, k)", Max(H, k)),
    ("max-three", "max(H, k, s)", Max(H, k, s)),
    ("min", "min(H, k)", Min(H, k)),
    ("abs", "abs(H - k)", Abs(H - k)),
    ("sqrt", "sqrt(H)", sqrt(H)),
    ("sqrt-number", "sqrt(16)", Integer(4)),
    ("floor-number", "floor(7/2)", Integer(3)),
    ("function-capitalised", "Floor(H/s)", floor(H / s)),
    ("function-square-brackets", "max[H, k]", Max(H, k)),
    ("floor-brackets", "⌊H/s⌋", floor(H / s)),
    ("ceil-brackets", "⌈H/s⌉", ceiling(H / s)),
    # Implicit multiplication.
    ("number-name", "2p", 2 * p),
    ("number-space-name", "2 p", 2 * p),
    ("names-by-space", "k_h k_w C_in", k_h * k_w * C_in),
    ("name-bracket", "d(k-1)", d * (k - 1)),
    ("bracket-bracket", "(H)(k)", H * k),
    ("bracket-name", "(H)k", H * k),
    ("number-bracket", "2(H + 1)", 2 * (H + 1)),
    ("bracket-number", "(H + 1)2", 2 * (H + 1)),
    ("floor-floor", "⌊H/s⌋⌊k/s⌋", floor(H / s) * floor(k / s)),
    ("number-floor", "2⌊H/s⌋", 2 * floor(H / s)),
    ("implicit-then-power", "2p^2", 2 * p**2),
    ("params-formula", "(k_h k_w C_in + 1) C_out", (k_h * k_w * C_in + 1) * C_out),
    # Identifiers and lookup.
    ("braced-subscript", "C_{in}", C_in),
    ("braced-subscript-spaces", "C_{ in }", C_in),
    ("alias", "Cin", C_in),
    ("subscript-expression", "R_{i-1}", R_prev),
    ("case-insensitive-unique", "c_IN", C_in),
    ("case-insensitive-subscript", "c_in", C_in),
    ("greek-unicode", "α", alpha),
    ("number-greek", "2α", 2 * alpha),
    ("multi-letter-name", "R_prev + 1", R_prev + 1),
    # Declared function symbols.
    ("function-nested", "f(T(H))", f(T(H))),
    ("function-two-args", "f(H, k)", f(H, k)),
    ("function-implicit", "2f(H)", 2 * f(H)),
    ("function-square-brackets", "T[H]", T(H)),
    # `x` as a times sign when x is not a variable.
    ("x-between-numbers", "3 x 4", Integer(12)),
    ("x-between-brackets", "(2 + 1) x (3)", Integer(9)),
    ("x-no-spaces", "6x7", Integer(42)),
    # Whole formulas.
    ("conv-out", "floor((H + 2p - d(k-1) - 1)/s) + 1", floor((H + 2 * p - d * (k - 1) - 1) / s) + 1),
    ("pool-out", "⌊(H - k)/s⌋ + 1", floor((H - k) / s) + 1),
    ("conv-params", "(k_h*k_w*C_in + 1)*C_out", (k_h * k_w * C_in + 1) * C_out),
]


@pytest.mark.parametrize("text, expected", table(EXPRESSIONS))
def test_expression(text, expected):
    """Each notation parses to the sympy expression built by hand."""
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    table([
        ("x-declared-is-variable", "3 x", 3 * x),
        ("minus-x-squared", "-x^2", -(x**2)),
        ("x-times-x", "x x", x**2),
        ("x-power", "2x^2 + x", 2 * x**2 + x),
    ]),
)
def test_declared_x_is_a_variable(text, expected):
    """When x is declared it is the variable, not a times sign."""
    assert parse(text, variables=WITH_X) == expected


def test_declared_x_between_numbers_is_not_times():
    """`3 x 4` with x declared reads 3*x then a stray number, which is rejected."""
    error = rejection("3 x 4", variables=WITH_X)
    assert "a number right after a name" in error.message
    assert error.position == 4


NUMBERS = [
    ("commas", "44,303,360", Integer(44_303_360)),
    ("spaces", "44 303 360", Integer(44_303_360)),
    ("thin-spaces", "44\u2009303\u2009360", Integer(44_303_360)),
    ("narrow-no-break-spaces", "44\u202f303\u202f360", Integer(44_303_360)),
    ("no-break-spaces", "44\u00a0303\u00a0360", Integer(44_303_360)),
    ("underscores", "44_303_360", Integer(44_303_360)),
    ("grouped-decimal", "1,234.5", Rational(2469, 2)),
    ("grouped-plus", "44 303 360 + 1", Integer(44_303_361)),
    ("x-times", "(7 x 7 x 3 + 1) x 32", Integer(4736)),
    ("x-no-spaces", "7x7", Integer(49)),
    ("capital-x", "7 X 7", Integer(49)),
    ("mega", "45.9M", Integer(45_900_000)),
    ("giga-with-space", "2.1 G", Integer(2_100_000_000)),
    ("kilo", "3k", Integer(3000)),
    ("kilo-capital-space", "3 K", Integer(3000)),
    ("billion", "1.5B", Integer(1_500_000_000)),
    ("giga", "2G", Integer(2_000_000_000)),
    ("comma-in-max-separates", "max(1,5)", Integer(5)),
    ("negative", "-3", Integer(-3)),
    ("scientific", "4.43e7", Integer(44_300_000)),
    ("decimal", "0.25", Rational(1, 4)),
    ("fraction", "1/3", Rational(1, 3)),
    ("floor", "floor(7/2)", Integer(3)),
    ("latex-dollars", "$45.9M$", Integer(45_900_000)),
]


@pytest.mark.parametrize("text, expected", table(NUMBERS))
def test_number_mode(text, expected):
    """number_mode reads digit grouping, x as times and magnitude suffixes, exactly."""
    assert parse_math(text, number_mode=True) == expected


# (id, text, number_mode, fragment of the message, position)
REJECTIONS = [
    ("empty", "", False, "the answer is empty", 0),
    ("blank", "   ", False, "the answer is empty", 0),
    ("unclosed-paren", "(H + k", False, "this '(' is never closed", 0),
    ("unclosed-outer-paren", "((H + k)", False, "this '(' is never closed", 0),
    ("unopened-paren", "H + k)", False, "this ')' has no matching '('", 5),
    ("mismatched-bracket", "(H]", False, "']' does not match the '('", 2),
    ("mismatched-floor", "⌊H/s)", False, "')' does not match the '⌊'", 4),
    ("trailing-plus", "H +", False, "'+' has nothing after it", 2),
    ("minus-before-close", "(H -)", False, "'-' has nothing after it", 3),
    ("trailing-caret", "H ^", False, "'^' has nothing after it", 2),
    ("two-operators", "3 + * 4", False, "two operators in a row: '+' then '*'", 4),
    ("caret-slash", "H ^ / 2", False, "two operators in a row", 4),
    ("leading-star", "* 3", False, "'*' needs a value before it", 0),
    ("factorial", "5!", False, "factorials are not supported", 1),
    ("percent", "5%", False, "'%' is not supported", 1),
    ("equation", "H_out = H + 1", False, "an equation is not expected here; give only the expression", 6),
    ("double-equals", "H == 3", False, "an equation is not expected here", 2),
    ("less-than", "H < 3", False, "a comparison is not expected here", 2),
    ("greater-equal", "H >= 3", False, "a comparison is not expected here", 2),
    ("not-equal", "H != 3", False, "a comparison is not expected here", 2),
    ("unicode-less-equal", "H ≤ 3", False, "a comparison is not expected here", 2),
    ("unknown-character", "H @ k", False, "unexpected character '@' (U+0040) at column 3", 2),
    ("invisible-character", "H\u200bk", False, "U+200B", 1),
    ("dunder-import", "__import__('os')", False, "a name must start with a letter", 0),
    ("attribute", "H.real", False, "a '.' must be part of a number", 1),
    ("lambda", "lambda", False, "unknown name 'lambda'", 0),
    ("comprehension", "[i for i in H]", False, "unknown name 'i'", 1),
    ("single-quotes", "'H'", False, "quoted text is not allowed", 0),
    ("double-quotes", '"H"', False, "quoted text is not allowed", 0),
    ("semicolon", "H; k", False, "';' is not allowed", 1),
    ("floor-two-args", "floor(H, k)", False, "floor takes exactly 1 argument, got 2", 0),
    ("max-one-arg", "max(H)", False, "max takes at least 2 arguments, got 1", 0),
    ("empty-call", "sqrt()", False, "empty brackets", 4),
    ("missing-argument", "max(H,)", False, "missing function argument", 6),
    ("tuple", "(H, k)", False, "',' is only allowed between the arguments", 2),
    ("decimal-comma", "1,5", False, "',' is only allowed between the arguments", 1),
    ("exponent-limit", "H^100", False, "exponent too large (at most 16 for expressions with variables)", 1),
    ("negative-exponent-limit", "H^-17", False, "exponent too large (at most 16", 1),
    ("merged-exponent-limit", "(H^4)^5", False, "exponent too large (at most 16", 5),
    ("superscript-exponent-limit", "H²⁰", False, "exponent too large (at most 16", 1),
    ("tower-9", "9^9^9^9", False, "number too large (a power may produce at most 400 digits)", 3),
    ("tower-10", "10^10^10", False, "number too large (a power may produce at most 400 digits)", 2),
    ("big-power", "2^100000", False, "number too large (a power may produce at most 400 digits)", 1),
    ("big-coefficient-power", "(10^300 H)^2", False, "number too large", 10),
    ("long-product", "10^399 * 10^399", False, "number too large (at most 400 digits)", 7),
    ("root-of-long-number", "sqrt(10^50)", False, "number too large to take a root of (at most 40 digits)", 0),
    ("big-e-notation", "1e500", False, "number too large (at most 400 digits)", 0),
    ("digit-limit", "1" * 41, False, "number too long (at most 40 digits)", 0),
    ("depth-limit", "(" * 41 + "H" + ")" * 41, False, "too deeply nested (at most 40 levels", 40),
    ("length-limit", "H+" * 500 + "H", False, "the answer is too long (at most 1000 characters)", 1000),
    ("number-after-name", "H 2", False, "a number right after a name", 2),
    ("number-after-number", "2 3", False, "two numbers next to each other", 2),
    ("divide-by-zero", "H/0", False, "division by zero", 1),
    ("floor-divide-by-zero", "H // (k - k)", False, "division by zero", 2),
    ("zero-negative-power", "0^-1", False, "division by zero", 1),
    ("function-without-brackets", "sqrt H", False, "'sqrt' is a function and needs brackets", 4),
    ("declared-function-without-brackets", "f + 1", False, "'f' is a function and needs brackets", 1),
    ("lone-superscript", "²", False, "'²' needs a value before it", 0),
    ("two-subscripts", "k_hk_w", False, "a name can have only one subscript", 4),
    ("dot-then-letter", "5.x", False, "a decimal point must be followed by digits", 1),
    ("two-decimal-points", "1.2.3", False, "a number can have only one decimal point", 3),
    ("underscore-bad-group", "1_5", False, "malformed digit grouping", 1),
    ("max-of-complex", "max(sqrt(-1), 2)", False, "cannot apply max to these arguments", 0),
    ("unknown-lists-names", "pad", False, f"unknown name 'pad'; the allowed names are {ALLOWED}", 0),
    ("unknown-did-you-mean", "C_im", False, "did you mean 'C_in'?", 0),
    ("unknown-function", "log(H)", False, "unknown name 'log'", 0),
    ("number-mode-decimal-comma", "1,5", True, "malformed digit grouping", 1),
    ("number-mode-short-group", "12,34", True, "malformed digit grouping", 2),
    ("number-mode-long-first-group", "1234,567", True, "malformed digit grouping", 4),
    ("number-mode-name", "H", True, "'H' is not allowed here: the answer must be a plain number", 0),
    ("number-mode-unit", "5 kg", True, "'kg' is not allowed here", 2),
    ("number-mode-bad-space-group", "12 34", True, "two numbers next to each other", 3),
]


@pytest.mark.parametrize("text, number_mode, fragment, position", table(REJECTIONS))
def test_rejection(text, number_mode, fragment, position):
    """Each rejection is a FormatError with a clear message at the right position."""
    error = rejection(text, number_mode=number_mode)
    assert fragment in error.message
    assert error.position == position
    assert error.text == text
    assert error.hint


@pytest.mark.parametrize(
    "text, number_mode, fragment",
    table([
        ("split-single-letters", "dk", False, "write d*k (or d k) for a product"),
        ("split-with-subscript", "dk_h", False, "write d*k_h (or d k_h) for a product"),
        ("name-then-digits", "H2", False, "write H^2 for a power or 2*H for a product"),
        ("unknown-function-lists-functions", "log(H)", False, "'log' is not a known function"),
        ("decimal-comma", "1,5", False, "use a dot for decimals"),
        ("number-mode-decimal-comma", "1,5", True, "use a dot for decimals"),
        ("number-mode-short-group", "12,34", True, "use a dot for decimals"),
        ("equation", "H = 3", False, "write just the right-hand side"),
        ("absolute-bars", "|H|", False, "write abs(x)"),
        ("exponent-range", "H^100", False, "between -16 and 16"),
    ]),
)
def test_rejection_hint(text, number_mode, fragment):
    """Hints say how to write the answer instead."""
    assert fragment in rejection(text, number_mode=number_mode).hint


def test_unknown_name_without_declared_names():
    """With no variables declared, the message says no names are allowed."""
    error = rejection("H", variables={})
    assert error.message == "unknown name 'H'; no names are allowed in this answer"


def test_ambiguous_case_is_unknown():
    """A case-insensitive match is used only when it is unique; exact matches always win."""
    upper, mixed = sympy.symbols("AB Ab")
    names = {"AB": upper, "Ab": mixed}
    assert "unknown name 'ab'" in rejection("ab", variables=names).message
    assert parse_math("Ab", variables=names) == mixed


def test_single_letters_are_case_sensitive():
    """A single letter never matches another case: R (a receptive field) is not r (a dilation)."""
    r = sympy.Symbol("r")
    assert "unknown name 'R'" in rejection("R + 1", variables={"r": r}).message


def test_explain_draws_caret_under_problem():
    """FormatError.explain shows the text with a caret under the rejected character."""
    assert rejection("H @ k").explain().splitlines()[1:3] == ["  H @ k", "    ^"]


def test_latex_error_positions_refer_to_rewritten_text():
    """After the LaTeX pass, the error text is the rewritten text and the position points into it."""
    error = rejection(r"\frac{H}{0}")
    assert error.text == "((H)/(0))"
    assert error.position == 4
    assert "division by zero" in error.message


@pytest.mark.parametrize(
    "text, limits, expected",
    table([
        ("raised-exponent-limit", "H^100", Limits(max_exponent=100), H**100),
        ("power-at-digit-limit", "10^10", Limits(max_number_digits=10), Integer(10**10)),
        ("root-within-digit-limit", "sqrt(10^38)", DEFAULT_LIMITS, Integer(10**19)),
    ]),
)
def test_custom_limits_allow(text, limits, expected):
    """Limits can be raised, and inputs at the limit pass."""
    assert parse(text, limits=limits) == expected


@pytest.mark.parametrize(
    "text, limits, fragment, position",
    table([
        ("power-over-digit-limit", "10^11", Limits(max_number_digits=10), "at most 10 digits", 2),
        ("literal-digits", "1234", Limits(max_digits=3), "number too long (at most 3 digits)", 0),
        ("depth", "((H))", Limits(max_depth=1), "too deeply nested (at most 1 levels", 1),
        ("length", "H + k", Limits(max_length=4), "too long (at most 4 characters)", 4),
        ("exponent", "H^3", Limits(max_exponent=2), "exponent too large (at most 2", 1),
    ]),
)
def test_custom_limits_reject(text, limits, fragment, position):
    """Lowered limits reject with a message naming the limit."""
    error = rejection(text, limits=limits)
    assert fragment in error.message
    assert error.position == position


@pytest.mark.parametrize(
    "raw, canonical",
    table([
        ("braced", "C_{in}", "C_in"),
        ("braced-expression", "R_{i-1}", "R_i-1"),
        ("braced-single", "k_{h}", "k_h"),
        ("spaces-in-braces", "C_{ i n }", "C_in"),
        ("plus-in-braces", "R_{i+1}", "R_i+1"),
        ("plain-subscript", "C_in", "C_in"),
        ("no-subscript", "H", "H"),
        ("outer-spaces", " H ", "H"),
    ]),
)
def test_canonical_name(raw, canonical):
    """canonical_name normalises subscripts as the tokenizer does."""
    assert canonical_name(raw) == canonical


def test_public_constants():
    """The allow-list of functions and the default limits are as documented, and Limits is frozen."""
    assert set(BUILTIN_FUNCTIONS) == {"floor", "ceil", "ceiling", "max", "min", "abs", "sqrt"}
    assert DEFAULT_LIMITS == Limits(max_length=1000, max_depth=40, max_digits=40, max_exponent=16,
                                    max_number_digits=400, max_arguments=16)
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_LIMITS.max_depth = 1


# Bare builtins that run or look up code, and sympy entry points that read strings as code.
FORBIDDEN_NAMES = {"eval", "exec", "compile", "__import__", "getattr", "sympify", "parse_expr", "S", "lambdify"}
FORBIDDEN_ATTRIBUTES = {"eval", "exec", "sympify", "parse_expr", "S", "lambdify"}


@pytest.mark.parametrize("module", [mathtext, latex], ids=["mathtext", "latex"])
def test_no_code_evaluation(module):
    """The parser never calls eval/exec/sympify/parse_expr/S/lambdify: it builds formula trees directly."""
    calls = [node.func for node in ast.walk(ast.parse(inspect.getsource(module))) if isinstance(node, ast.Call)]
    names = {func.id for func in calls if isinstance(func, ast.Name)}
    attributes = {func.attr for func in calls if isinstance(func, ast.Attribute)}
    assert not names & FORBIDDEN_NAMES
    assert not attributes & FORBIDDEN_ATTRIBUTES


ADVERSARIAL = [
    ("nested-powers", "(" * 40 + "H+1" + ")^16" * 40),
    ("nested-roots", "sqrt(" * 39 + "10^39" + ")" * 39),
    ("many-big-factors", "*".join(["10^399"] * 140)),
    ("power-tower", "2" + "^2" * 499),
    ("many-signs", "-" * 999 + "1"),
    ("many-roots", "+".join(f"sqrt(10^39+{i})" for i in range(60))),
    ("nested-floors", "⌊" * 40 + "H" + "⌋" * 40),
    ("long-sum", "+".join(["H"] * 500)),
]


@pytest.mark.parametrize("text", table(ADVERSARIAL))
def test_adversarial_input_is_fast(text):
    """Inputs built to be slow finish (parsed or rejected) within a second."""
    start = time.perf_counter()
    try:
        parse_only(text)
    except FormatError:
        pass
    assert time.perf_counter() - start < 1.0


def test_typical_formula_is_fast():
    """A typical formula parses in well under a millisecond on average (generous bound for slow CI)."""
    text = "floor((H + 2p - d(k-1) - 1)/s) + 1"
    parse_only(text)  # warm caches
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        parse_only(text)
    assert (time.perf_counter() - start) / runs < 0.002


def outcome(text: str, number_mode: bool) -> None:
    """Parse and check that only a formula tree or a well-formed FormatError can come out."""
    try:
        result = parse_only(text, number_mode=number_mode)
    except FormatError as error:
        assert error.position is not None and 0 <= error.position <= len(error.text)
        assert error.message
    else:
        assert isinstance(result, tree.Node.__args__)


PIECES = [
    *"0123456789.+-*/^()[],⌊⌋⌈⌉ xXHkspdf²³⁻_{}$\\kMGe", "**", "//", "max(", "floor(", "sqrt(", "abs(",
    r"\frac{", "}{", "C_{in}", "k_h", "10^", "9^9^", r"\left(", r"\right)", r"\times", "e7", "=", "!",
]


@settings(deadline=1000, max_examples=300)
@given(text=st.text(max_size=200), number_mode=st.booleans())
def test_arbitrary_text_parses_or_raises_format_error(text, number_mode):
    """Any text at all either parses to a formula tree or raises FormatError, quickly."""
    outcome(text, number_mode)


@settings(deadline=1000, max_examples=300)
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=60), number_mode=st.booleans())
def test_formula_like_text_parses_or_raises_format_error(pieces, number_mode):
    """Random strings over the operator/digit/name alphabet parse or raise FormatError, quickly."""
    outcome("".join(pieces), number_mode)
