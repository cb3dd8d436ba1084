"""Safe text → formula parsing: a tokenizer and Pratt parser that only build allow-listed formula trees."""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import NamedTuple

from grader.core import examples
from grader.math import tree
from grader.math.errors import FormatError
from grader.math.latex import latex_to_text
from grader.math.tree import Node

__all__ = ["BUILTIN_FUNCTIONS", "DEFAULT_LIMITS", "Builtin", "Limits", "canonical_name", "parse_formula"]


@dataclass(frozen=True)
class Limits:
    """Size bounds checked while the tree is built, so no input can make parsing or evaluating slow."""

    max_length: int = 1000
    max_depth: int = 40
    max_digits: int = 40
    max_exponent: int = 16
    max_number_digits: int = 400
    # Nested calls merge into one; sympy (MathML of reports) compares every pair: 32 take ~1 s.
    max_arguments: int = 16


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Builtin:
    """A function students may call: the tree function it builds, how many arguments it takes, an example."""

    func: str  # tree.FLOOR, …; "sqrt" is a power of 1/2
    min_args: int
    max_args: int | None  # None: any number from min_args up
    example: str


BUILTIN_FUNCTIONS: Mapping[str, Builtin] = MappingProxyType(
    {
        "floor": Builtin(tree.FLOOR, 1, 1, "floor(a/b)"),
        "ceil": Builtin(tree.CEILING, 1, 1, "ceil(a/b)"),
        "ceiling": Builtin(tree.CEILING, 1, 1, "ceiling(a/b)"),
        "max": Builtin(tree.MAX, 2, None, "max(a, b)"),
        "min": Builtin(tree.MIN, 2, None, "min(a, b)"),
        "abs": Builtin(tree.ABS, 1, 1, "abs(a - b)"),
        "sqrt": Builtin("sqrt", 1, 1, "sqrt(a)"),
    }
)

_EMPTY: Mapping = MappingProxyType({})
_HALF = tree.Num(Fraction(1, 2))

_NAME_RE = re.compile(
    r"[A-Za-zΑ-Ωα-ω][A-Za-z0-9Α-Ωα-ω]*"
    r"(?:_(?:\{ *[A-Za-z0-9+\-][A-Za-z0-9+\- ]*\}|[A-Za-z0-9]+))?"
)
_DIGITS_RE = re.compile(r"[0-9]+")
_EXPONENT_RE = re.compile(r"[eE]([+-]?)([0-9]+)")
_DIGITS = frozenset("0123456789")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")

# Greek letters typed as unicode may stand for names spelled out ("α" finds a variable "alpha").
_GREEK = {
    chr(c): unicodedata.name(chr(c)).split()[-1].lower().replace("lamda", "lambda")
    for c in [*range(0x391, 0x3A2), *range(0x3A3, 0x3AA), *range(0x3B1, 0x3CA)]
}
_GREEK.update({ch: word.capitalize() for ch, word in _GREEK.items() if ch.isupper()})

_OPERATORS = {
    "**": "^", "//": "//", "+": "+", "-": "-", "−": "-", "–": "-", "*": "*", "×": "*", "·": "*",
    "⋅": "*", "∗": "*", "/": "/", "÷": "/", "^": "^",
}
_PAIRS = {"(": ")", "[": "]", "⌊": "⌋", "⌈": "⌉"}
_CLOSERS = {close: open_ for open_, close in _PAIRS.items()}
_SUPERSCRIPTS = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7",
                 "⁸": "8", "⁹": "9", "⁻": "-", "⁺": "+"}
_SUFFIXES = {"k": 3, "K": 3, "M": 6, "G": 9, "B": 9}
_GROUP_SPACES = frozenset(" \u00a0\u2009\u202f")
_DECIMALS_HINT = "write decimals like {} or {}".format(*examples.DECIMALS)

_EQUATION = ("an equation is not expected here; give only the expression",
             f"write just the right-hand side: {examples.FORMULA}, not y = {examples.FORMULA}")
_COMPARISON = ("a comparison is not expected here; give only the expression",
               "write the value itself, without <, >, ≤, ≥ or ≠")
_QUOTES = ("quoted text is not allowed", "write the formula itself, without quotes")
# Characters with a known meaning elsewhere get a specific explanation instead of "unexpected".
_REJECTED = {
    "==": _EQUATION, "=": _EQUATION, "!=": _COMPARISON, "<=": _COMPARISON, ">=": _COMPARISON,
    "<": _COMPARISON, ">": _COMPARISON, "≤": _COMPARISON, "≥": _COMPARISON, "≠": _COMPARISON,
    "!": ("factorials are not supported",
          f"write the product out, e.g. {examples.FACTORIAL_WRITTEN_OUT} instead of 4!"),
    "%": ("'%' is not supported",
          "write a percentage as a fraction: {} or {} instead of 3%".format(*examples.PERCENT_AS_FRACTION)),
    ";": ("';' is not allowed", "give a single expression"),
    "|": ("'|' is not supported", "write abs(x) for an absolute value"),
    "'": _QUOTES, '"': _QUOTES, "`": _QUOTES, "‘": _QUOTES, "’": _QUOTES, "“": _QUOTES, "”": _QUOTES,
    ".": (f"a '.' must be part of a number such as {examples.DECIMALS[0]}", "write decimals with digits after the dot"),
    "_": ("a name must start with a letter", "write names like k_h, C_in or C_{in}"),
}


def canonical_name(raw: str) -> str:
    """Normalise an identifier as the tokenizer does: `C_{in}`→`C_in`, `R_{i-1}`→`R_i-1`, `k_{h}`→`k_h`.

    Spaces inside the subscript (and around the name) are removed.
    """
    head, sep, sub = raw.strip().partition("_")
    if sub.startswith("{") and sub.endswith("}"):
        sub = sub[1:-1]
    return head + sep + "".join(sub.split())


def parse_formula(
    text: str,
    *,
    variables: Mapping[str, str] = _EMPTY,
    function_symbols: Mapping[str, str] = _EMPTY,
    number_mode: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Node:
    """Parse a student's formula (plain text, unicode or light LaTeX) into a formula tree.

    `variables` maps canonical names (aliases included) to variable names; `function_symbols`
    maps names to the names of undefined functions applied as `f(x)`. With `number_mode` no names are allowed, and
    digit grouping (44,303,360), `x` as times and magnitude suffixes (45.9M) are read.
    Nothing is ever evaluated as code; anything unreadable raises FormatError with a position.
    """
    _check_size(text, limits)
    if "$" in text or "\\" in text or "{" in text:
        text = latex_to_text(text)
        _check_size(text, limits)
    scope = _Scope(variables, function_symbols, number_mode)
    tokens = _Tokenizer(text, scope, limits).run()
    return _Parser(text, tokens, scope, limits).parse()


def _check_size(text: str, limits: Limits) -> None:
    """Reject empty and over-long text before any work is done."""
    if not text.strip():
        raise FormatError("the answer is empty", text=text, position=0,
                          hint=f"write a number or a formula, e.g. {examples.NUMBER} or {examples.FORMULA}")
    if len(text) > limits.max_length:
        raise FormatError(f"the answer is too long (at most {limits.max_length} characters)",
                          text=text, position=limits.max_length, hint="shorten the answer")


class _Token(NamedTuple):
    kind: str  # num, name, op, open, close, comma, sup, end
    text: str  # normalised operator, canonical name or bracket character
    start: int
    end: int
    value: tree.Num | None = None


class _Scope:
    """The names a parse may use, with forgiving lookup (exact, Greek spelled out, unique case-insensitive)."""

    def __init__(self, variables: Mapping, function_symbols: Mapping, number_mode: bool):
        self.number_mode = number_mode
        # A number answer allows no names, so declared ones are ignored rather than resolved.
        self.variables = _EMPTY if number_mode else variables
        self.functions = _EMPTY if number_mode else function_symbols

    def variable(self, name: str) -> str | None:
        """The variable a name stands for, or None."""
        return _lookup(self.variables, name)

    def function(self, name: str) -> str | None:
        """The declared function a name stands for, or None."""
        return _lookup(self.functions, name)

    @staticmethod
    def builtin(name: str) -> tuple[str, Builtin] | None:
        """The built-in function (its key and entry) a name stands for, case-insensitively, or None."""
        key = name.lower()
        return (key, BUILTIN_FUNCTIONS[key]) if key in BUILTIN_FUNCTIONS else None

    def is_callable(self, name: str) -> bool:
        """Whether `name(` starts a function call."""
        return self.function(name) is not None or self.builtin(name) is not None

    def allowed_names(self) -> list[str]:
        """The distinct names of the declared variables, sorted, for messages."""
        return sorted(set(self.variables.values()))


def _lookup(table: Mapping, name: str):
    """Find `name` in `table`: exactly, then with Greek spelled out, then (longer names) case-insensitively if unique."""
    spellings = [name]
    if any(ch in _GREEK for ch in name):
        spellings.append("".join(_GREEK.get(ch, ch) for ch in name))
    for spelling in spellings:
        if spelling in table:
            return table[spelling]
    if len(name) == 1:
        return None  # a single letter's case carries meaning: R (a field) is not r (a dilation)
    for spelling in spellings:
        folded = spelling.casefold()
        matches = {value for key, value in table.items() if key.casefold() == folded}
        if len(matches) == 1:
            return matches.pop()
    return None


def _skip_spaces(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


class _Tokenizer:
    """Splits text into tokens, checking brackets, depth and literal sizes on the way."""

    def __init__(self, text: str, scope: _Scope, limits: Limits):
        self.text = text
        self.scope = scope
        self.limits = limits
        self.tokens: list[_Token] = []
        self.brackets: list[tuple[_Token, bool]] = []  # open bracket, and whether it starts a call

    def error(self, message: str, position: int, hint: str) -> FormatError:
        return FormatError(message, text=self.text, position=position, hint=hint)

    def run(self) -> list[_Token]:
        text, i = self.text, 0
        while i < len(text):
            ch = text[i]
            if ch.isspace():
                i += 1
                continue
            if ch in _DIGITS or (ch == "." and text[i + 1 : i + 2] in _DIGITS):
                i = self.number(i)
            elif self.is_times_x(i):
                self.tokens.append(_Token("op", "*", i, i + 1))
                i += 1
            elif match := _NAME_RE.match(text, i):
                i = self.name(match)
            elif ch in _SUPERSCRIPTS:
                i = self.superscript(i)
            elif text[i : i + 2] in _OPERATORS or ch in _OPERATORS:
                op = text[i : i + 2] if text[i : i + 2] in _OPERATORS else ch
                self.tokens.append(_Token("op", _OPERATORS[op], i, i + len(op)))
                i += len(op)
            elif ch in _PAIRS:
                self.open(i)
                i += 1
            elif ch in _CLOSERS:
                self.close(i)
                i += 1
            elif ch == ",":
                self.tokens.append(_Token("comma", ",", i, i + 1))
                i += 1
            else:
                raise self.rejected(i)
        if self.brackets:
            opener = self.brackets[-1][0]
            raise self.error(f"this {opener.text!r} is never closed", opener.start,
                             f"add the missing {_PAIRS[opener.text]!r}")
        self.tokens.append(_Token("end", "", len(text), len(text)))
        return self.tokens

    def rejected(self, i: int) -> FormatError:
        """The error for a character that has no place in a formula."""
        two = self.text[i : i + 2]
        key = two if two in _REJECTED else self.text[i]
        if key in _REJECTED:
            message, hint = _REJECTED[key]
            return self.error(message, i, hint)
        ch = self.text[i]
        return self.error(f"unexpected character {ch!r} (U+{ord(ch):04X}) at column {i + 1}", i,
                          "use only numbers, names, + - * / ^, brackets and functions like floor(…)")

    def is_times_x(self, i: int) -> bool:
        """Whether an `x` here is a multiplication sign: between numbers/brackets, and not a variable."""
        ch = self.text[i]
        if ch not in "xX" or not self.tokens or self.tokens[-1].kind not in ("num", "close", "sup"):
            return False
        j = _skip_spaces(self.text, i + 1)
        following = self.text[j : j + 2]
        starts_operand = following[:1] in _DIGITS or following[:1] in _PAIRS or (
            following[:1] == "." and following[1:] in _DIGITS)
        return starts_operand and self.scope.variable(ch) is None

    def name(self, match: re.Match) -> int:
        end = match.end()
        if self.text[end : end + 1] == "_":
            raise self.error("a name can have only one subscript, written _x, _xy or _{...}", end,
                             "write names like k_h, C_in or R_{i-1}")
        self.tokens.append(_Token("name", canonical_name(match.group()), match.start(), end))
        return end

    def superscript(self, i: int) -> int:
        start = i
        while i < len(self.text) and self.text[i] in _SUPERSCRIPTS:
            i += 1
        raw = "".join(_SUPERSCRIPTS[ch] for ch in self.text[start:i])
        if not re.fullmatch(r"[+-]?[0-9]{1,%d}" % self.limits.max_digits, raw):
            raise self.error("a superscript must be a whole number such as ² or ⁻¹", start,
                             "or write the power with ^, e.g. x^2")
        self.tokens.append(_Token("sup", raw, start, i, tree.Num(int(raw))))
        return i

    def open(self, i: int) -> None:
        previous = self.tokens[-1] if self.tokens else None
        is_call = previous is not None and previous.kind == "name" and self.scope.is_callable(previous.text)
        token = _Token("open", self.text[i], i, i + 1)
        self.brackets.append((token, is_call))
        if len(self.brackets) > self.limits.max_depth:
            raise self.error(f"too deeply nested (at most {self.limits.max_depth} levels of brackets)",
                             i, "simplify the expression")
        self.tokens.append(token)

    def close(self, i: int) -> None:
        ch = self.text[i]
        if not self.brackets:
            raise self.error(f"this {ch!r} has no matching {_CLOSERS[ch]!r}", i,
                             f"remove it or add the missing {_CLOSERS[ch]!r}")
        opener = self.brackets.pop()[0]
        if _PAIRS[opener.text] != ch:
            raise self.error(f"{ch!r} does not match the {opener.text!r} at column {opener.start + 1}", i,
                             f"close {opener.text!r} with {_PAIRS[opener.text]!r}")
        self.tokens.append(_Token("close", ch, i, i + 1))

    def number(self, start: int) -> int:
        """Read one number literal (grouping, decimals, e-notation, suffix) as an exact rational."""
        text, limits = self.text, self.limits
        whole, i = self.grouped_digits(start)
        fraction = ""
        if text[i : i + 1] == ".":
            fraction, i = self.fraction(i)
        if len(whole) + len(fraction) > limits.max_digits:
            raise self.error(f"number too long (at most {limits.max_digits} digits)", start,
                             f"round the number or use e-notation such as {examples.E_NOTATION}")
        exponent = 0
        if match := _EXPONENT_RE.match(text, i):
            digits = match.group(2).lstrip("0")
            if len(digits) > len(str(limits.max_number_digits)) or int(digits or 0) > limits.max_number_digits:
                raise self.error(f"number too large (at most {limits.max_number_digits} digits)", start,
                                 "check the exponent after e")
            exponent = int(digits or 0) * (-1 if match.group(1) == "-" else 1)
            i = match.end()
        if self.scope.number_mode:
            exponent, i = self.suffix(exponent, i)
        mantissa, scale = int(whole + fraction or "0"), exponent - len(fraction)
        value = tree.number(mantissa * 10**scale if scale >= 0 else Fraction(mantissa, 10**-scale))
        self.tokens.append(_Token("num", text[start:i], start, i, value))
        return i

    def fraction(self, dot: int) -> tuple[str, int]:
        """The digits after a decimal point; `5.` alone is allowed, `5.x`, `5.e3` and `1.2.3` are not."""
        match = _DIGITS_RE.match(self.text, dot + 1)
        if match is None:
            if self.text[dot + 1 : dot + 2] in _NAME_CHARS or self.text[dot + 1 : dot + 2] == ".":
                raise self.error("a decimal point must be followed by digits", dot,
                                 _DECIMALS_HINT)
            return "", dot + 1
        if self.text[match.end() : match.end() + 1] == ".":
            raise self.error("a number can have only one decimal point", match.end(), _DECIMALS_HINT)
        return match.group(), match.end()

    def grouped_digits(self, i: int) -> tuple[str, int]:
        """The integer digits from i, joined across thousands separators.

        `_` groups digits in every mode; `,` and (thin, no-break) spaces only in number mode.
        """
        text = self.text
        match = _DIGITS_RE.match(text, i)
        if not match:
            return "", i
        groups, i = [match.group()], match.end()
        separators = {"_"}
        if self.scope.number_mode:
            separators |= _GROUP_SPACES
            # Inside max(…) or min(…) a comma separates arguments, so it cannot group digits there.
            if not (self.brackets and self.brackets[-1][1]):
                separators.add(",")
        while i < len(text) and text[i] in separators:
            match = _DIGITS_RE.match(text, i + 1)
            group = match.group() if match else ""
            if len(group) == 3 and len(groups[0]) <= 3:
                groups.append(group)
                i = match.end()
                continue
            if text[i] in _GROUP_SPACES or (text[i] == "," and not group):
                break  # a space or a comma before a non-digit just ends the number
            raise self.error("malformed digit grouping", i,
                             f"use a dot for decimals ({examples.DECIMALS[1]}) and groups of three digits for "
                             f"thousands ({examples.DIGITS[1]} or {examples.DIGITS[3]})")
        return "".join(groups), i

    def suffix(self, exponent: int, i: int) -> tuple[int, int]:
        """Apply a magnitude suffix (k, M, G, B) after a number, with or without a space."""
        j = _skip_spaces(self.text, i)
        letter = self.text[j : j + 1]
        after = self.text[j + 1 : j + 2]
        if letter in _SUFFIXES and after not in _NAME_CHARS and after not in _GREEK:
            return exponent + _SUFFIXES[letter], j + 1
        return exponent, i


class _Parser:
    """Pratt parser over the tokens: sums, products (explicit and implicit), power chains, atoms."""

    def __init__(self, text: str, tokens: list[_Token], scope: _Scope, limits: Limits):
        self.text = text
        self.tokens = tokens
        self.scope = scope
        self.limits = limits
        self.pos = 0

    def error(self, message: str, position: int, hint: str) -> FormatError:
        return FormatError(message, text=self.text, position=position, hint=hint)

    def raw(self, token: _Token) -> str:
        """The token as the student typed it, for messages."""
        return self.text[token.start : token.end]

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def advance(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node:
        result = self.expression()
        if self.peek().kind == "comma":
            raise self.comma_error(self.peek())
        return result

    def comma_error(self, token: _Token) -> FormatError:
        return self.error("',' is only allowed between the arguments of a function such as max(a, b)",
                          token.start,
                          f"use a dot for decimals ({examples.DECIMALS[0]}) and write numbers without commas")

    def expression(self) -> Node:
        """A sum: terms joined by + and -."""
        left = self.term()
        while (token := self.peek()).kind == "op" and token.text in "+-":
            self.advance()
            right = self.term()
            left = self.sized(tree.add(left, right if token.text == "+" else tree.neg(right)), token.start)
        return left

    def term(self) -> Node:
        """A product: signed factors joined by *, /, // or written side by side."""
        left = self.signed()
        while True:
            token = self.peek()
            if token.kind == "op" and token.text in ("*", "/", "//"):
                self.advance()
                left = self.sized(self.combine(left, token, self.signed()), token.start)
            elif token.kind in ("num", "name", "open"):
                self.check_adjacent(token)
                left = self.sized(tree.mul(left, self.power()), token.start)
            else:
                return left

    def combine(self, left: Node, op: _Token, right: Node) -> Node:
        if op.text == "*":
            return tree.mul(left, right)
        if right == tree.ZERO:
            raise self.error("division by zero", op.start, "check the denominator")
        quotient = tree.divide(left, right)
        return quotient if op.text == "/" else tree.call(tree.FLOOR, quotient)

    def sized(self, result: Node, position: int) -> Node:
        """result, unless a number in it grew past the limit (long products of big literals would)."""
        if _coefficient_digits(result) > self.limits.max_number_digits:
            raise self.error(f"number too large (at most {self.limits.max_number_digits} digits)", position,
                             "use smaller numbers")
        return result

    def check_adjacent(self, token: _Token) -> None:
        """Allow implicit multiplication except a number right after a number or a name."""
        previous = self.tokens[self.pos - 1]
        if token.kind != "num" or previous.kind not in ("num", "name", "sup"):
            return
        if previous.kind == "name":
            raise self.error("a number right after a name", token.start,
                             "write the number first (2*x or 2x) or use ^ for a power (x^2)")
        if self.scope.number_mode:
            grouping = f"separate only groups of three digits ({examples.DIGITS[2]})"
        else:
            grouping = "do not put spaces inside a number"
        raise self.error("two numbers next to each other", token.start, f"put * between them; {grouping}")

    def signed(self) -> Node:
        """Leading + and - signs, then a power chain (so -x^2 is -(x^2))."""
        negative = self.signs()
        value = self.power()
        return tree.neg(value) if negative else value

    def signs(self) -> bool:
        negative = False
        while (token := self.peek()).kind == "op" and token.text in "+-":
            self.advance()
            negative ^= token.text == "-"
        return negative

    def power(self) -> Node:
        """An atom with a right-associative chain of ^ exponents, each of which may be signed."""
        operands, ops, signs = [self.atom()], [], []
        while (token := self.peek()).kind == "op" and token.text == "^":
            ops.append(self.advance())
            signs.append(self.signs())
            operands.append(self.atom())
        if not ops:
            return operands[0]
        # Fold from the right so each exponent is checked against the limits before the next power.
        exponent = tree.neg(operands[-1]) if signs[-1] else operands[-1]
        for j in range(len(ops) - 1, 0, -1):
            exponent = self.build_power(operands[j], exponent, ops[j])
            exponent = tree.neg(exponent) if signs[j - 1] else exponent
        return self.build_power(operands[0], exponent, ops[0])

    def build_power(self, base: Node, exponent: Node, op: _Token) -> Node:
        """base**exponent, after checking that the result stays small enough to build quickly."""
        if isinstance(exponent, tree.Num):
            self.check_power(base, exponent.value, op.start)
        return tree.power(base, exponent)

    def check_power(self, base: Node, exponent: tree.Rational, position: int) -> None:
        """Reject base**exponent if it would divide by zero, make a huge number or a huge power."""
        limits = self.limits
        if base == tree.ZERO and exponent < 0:
            raise self.error("division by zero (0 to a negative power)", position, "check the base")
        digits = _log10_size(_coefficient(base))
        cap = 4 * limits.max_number_digits + 1  # beyond this any base of 2 or more is already too big
        if digits * float(min(abs(exponent), cap)) > limits.max_number_digits:
            raise self.error(f"number too large (a power may produce at most {limits.max_number_digits} digits)",
                             position, "use smaller numbers")
        # Taking the root of a long number gets slow.
        if digits >= limits.max_digits and Fraction(exponent).denominator != 1:
            raise self.error(f"number too large to take a root of (at most {limits.max_digits} digits)",
                             position, "use smaller numbers")
        if isinstance(base, tree.Num):
            return
        # (x^a)^b is x^(a*b) to evaluate (and sympy merges it), so the merged exponent must stay small.
        if abs(_inner_exponent(base) * exponent) > limits.max_exponent:
            kind = "for expressions with variables" if tree.free_names(base) else "unless the base is a plain number"
            raise self.error(f"exponent too large (at most {limits.max_exponent} {kind})", position,
                             f"use an exponent between -{limits.max_exponent} and {limits.max_exponent}")

    def atom(self) -> Node:
        """A number, a name, a function call or a bracketed group, then any superscript powers."""
        token = self.peek()
        if token.kind == "num":
            value = self.advance().value
        elif token.kind == "name":
            value = self.name()
        elif token.kind == "open":
            value = self.group()
        else:
            raise self.missing_operand(token)
        while self.peek().kind == "sup":
            sup = self.advance()
            value = self.build_power(value, sup.value, sup)
        return value

    def missing_operand(self, token: _Token) -> FormatError:
        """Explain why a value was expected here but `token` came instead."""
        previous = self.tokens[self.pos - 1] if self.pos else None
        if token.kind == "op" and previous is not None and previous.kind == "op":
            return self.error(f"two operators in a row: {self.raw(previous)!r} then {self.raw(token)!r}",
                              token.start, "remove one of them or put a value between them")
        if token.kind in ("op", "sup"):
            return self.error(f"{self.raw(token)!r} needs a value before it", token.start,
                              "put a number, a name or a bracket before it")
        if previous is not None and previous.kind == "op":
            return self.error(f"{self.raw(previous)!r} has nothing after it", previous.start,
                              "complete the expression after the operator or remove it")
        if previous is not None and previous.kind == "open" and token.kind == "close":
            return self.error("empty brackets", previous.start, "put an expression inside the brackets")
        if token.kind == "comma" or (previous is not None and previous.kind == "comma"):
            return self.error("missing function argument", token.start,
                              "write one expression between each pair of commas, e.g. max(a, b)")
        return self.error("expected a number, a name or a bracket here", token.start,
                          "complete the expression")

    def group(self) -> Node:
        """A bracketed expression; ⌊ ⌋ and ⌈ ⌉ also apply floor and ceiling."""
        opener = self.advance()
        inner = self.expression()
        if self.peek().kind == "comma":
            raise self.comma_error(self.peek())
        self.advance()  # the tokenizer already matched this closing bracket
        if opener.text == "⌊":
            return tree.call(tree.FLOOR, inner)
        if opener.text == "⌈":
            return tree.call(tree.CEILING, inner)
        return inner

    def name(self) -> Node:
        """A variable, or a call when a function name is followed by ( or [."""
        token = self.advance()
        if self.peek().kind == "open" and self.peek().text in "([":
            if (function := self.scope.function(token.text)) is not None:
                return tree.apply(function, *self.arguments())
            if (builtin := self.scope.builtin(token.text)) is not None:
                return self.call_builtin(token, *builtin)
        if (variable := self.scope.variable(token.text)) is not None:
            return tree.Sym(variable)
        if self.scope.is_callable(token.text):
            raise self.error(f"{self.raw(token)!r} is a function and needs brackets", token.end,
                             f"write {self.raw(token)}(…)")
        raise self.unknown_name(token)

    def arguments(self) -> list[Node]:
        self.advance()  # the opening bracket
        args = [self.expression()]
        while self.peek().kind == "comma":
            self.advance()
            args.append(self.expression())
        self.advance()  # the matching closing bracket
        return args

    def call_builtin(self, token: _Token, key: str, builtin: Builtin) -> Node:
        args = self.arguments()
        if len(args) < builtin.min_args or (builtin.max_args is not None and len(args) > builtin.max_args):
            if builtin.min_args == builtin.max_args:
                count = f"exactly {builtin.min_args} argument{'s' if builtin.min_args > 1 else ''}"
            else:
                count = f"at least {builtin.min_args} arguments"
            raise self.error(f"{key} takes {count}, got {len(args)}", token.start,
                             f"write it like {builtin.example}")
        if key == "sqrt":
            self.check_power(args[0], _HALF.value, token.start)
            return tree.power(args[0], _HALF)
        if builtin.func in (tree.MAX, tree.MIN):
            merged = sum(len(arg.args) if isinstance(arg, tree.Call) and arg.func in (tree.MAX, tree.MIN) else 1
                         for arg in args)
            if merged > self.limits.max_arguments:
                raise self.error(f"too many values in max/min ({merged}; at most {self.limits.max_arguments}, "
                                 "counting those of nested max/min)", token.start, "compare fewer values")
            for arg in args:
                if tree.is_complex_constant(arg):
                    raise self.error(f"cannot apply {key} to these arguments ({tree.show(arg)} is not a real number)",
                                     token.start, "check the arguments of the function")
        return tree.call(builtin.func, *args)

    def unknown_name(self, token: _Token) -> FormatError:
        name = token.text
        if self.scope.number_mode:
            return self.error(f"{self.raw(token)!r} is not allowed here: the answer must be a plain number",
                              token.start,
                              f"write digits, e.g. {examples.DIGITS[0]}, {examples.DIGITS[1]} or {examples.ROUNDED}")
        allowed = self.scope.allowed_names()
        if allowed:
            message = f"unknown name {name!r}; the allowed names are {', '.join(allowed)}"
            close = difflib.get_close_matches(name, sorted({*allowed, *self.scope.variables}), n=1)
            message += f"; did you mean {close[0]!r}?" if close else ""
        else:
            message = f"unknown name {name!r}; no names are allowed in this answer"
        return self.error(message, token.start, self.unknown_name_hint(name))

    def unknown_name_hint(self, name: str) -> str:
        pieces = _split_into_names(name, self.scope.variables)
        if pieces:
            return f"write {'*'.join(pieces)} (or {' '.join(pieces)}) for a product"
        if self.peek().kind == "open":
            functions = ", ".join(sorted(BUILTIN_FUNCTIONS))
            return f"{name!r} is not a known function; the functions are {functions}"
        base = name.rstrip("0123456789")
        if base != name and self.scope.variable(base) is not None:
            power = name[len(base) :]
            return f"write {base}^{power} for a power or {power}*{base} for a product"
        return "names are case-sensitive and never split; write products with * or a space (2*p, k_h k_w)"


def _log10_size(number: tree.Rational) -> float:
    """About how many digits the numerator or denominator of a rational has."""
    number = Fraction(number)
    largest = max(abs(number.numerator), number.denominator)
    return math.log10(largest) if largest > 1 else 0.0


def _coefficient(node: Node) -> tree.Rational:
    """The number a term is a multiple of: itself if a number, a product's leading number, else 1."""
    return node.value if isinstance(node, tree.Num) else tree.split_coefficient(node)[0]


def _coefficient_digits(node: Node) -> float:
    """About how many digits the largest numeric coefficient of a formula (or of its terms, for a sum) has."""
    terms = node.terms if isinstance(node, tree.Add) else (node,)
    return max(_log10_size(_coefficient(term)) for term in terms)


def _inner_exponent(base: Node) -> tree.Rational:
    """The largest number exponent in base (or its factors) that raising base to a power multiplies."""
    factors = base.factors if isinstance(base, tree.Mul) else (base,)
    exponents = [abs(f.exp.value) for f in factors if isinstance(f, tree.Pow) and isinstance(f.exp, tree.Num)]
    return max(exponents, default=1)


def _split_into_names(name: str, variables: Mapping) -> list[str] | None:
    """Split a name into two or more declared names (`dk` → d, k), or None if it cannot be."""
    splits: dict[int, list[str]] = {0: []}
    for start in range(len(name)):
        if start not in splits:
            continue
        for key in variables:
            end = start + len(key)
            if key and name.startswith(key, start) and end not in splits:
                splits[end] = [*splits[start], key]
    pieces = splits.get(len(name))
    return pieces if pieces and len(pieces) > 1 else None
