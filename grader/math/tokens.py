"""The tokenizer of student formulas: numbers (grouped, with suffixes), names, operators, brackets, LaTeX left-overs."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import NamedTuple

from grader.core import examples
from grader.math import tree
from grader.math.errors import FormatError
from grader.math.vocabulary import GREEK, Limits, Scope, canonical_name

_NAME_RE = re.compile(
    r"[A-Za-zΑ-Ωα-ω][A-Za-z0-9Α-Ωα-ω]*"
    r"(?:_(?:\{ *[A-Za-z0-9+\-][A-Za-z0-9+\- ]*\}|[A-Za-z0-9]+))?"
)
_DIGITS_RE = re.compile(r"[0-9]+")
_EXPONENT_RE = re.compile(r"[eE]([+-]?)([0-9]+)")
_DIGITS = frozenset("0123456789")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


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


class Token(NamedTuple):
    kind: str  # num, name, op, open, close, comma, sup, end
    text: str  # normalised operator, canonical name or bracket character
    start: int
    end: int
    value: tree.Num | None = None


def _skip_spaces(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


class Tokenizer:
    """Splits text into tokens, checking brackets, depth and literal sizes on the way."""

    def __init__(self, text: str, scope: Scope, limits: Limits):
        self.text = text
        self.scope = scope
        self.limits = limits
        self.tokens: list[Token] = []
        self.brackets: list[tuple[Token, bool]] = []  # open bracket, and whether it starts a call

    def error(self, message: str, position: int, hint: str) -> FormatError:
        return FormatError(message, text=self.text, position=position, hint=hint)

    def run(self) -> list[Token]:
        text, i = self.text, 0
        while i < len(text):
            ch = text[i]
            if ch.isspace():
                i += 1
                continue
            if ch in _DIGITS or (ch == "." and text[i + 1 : i + 2] in _DIGITS):
                i = self.number(i)
            elif self.is_times_x(i):
                self.tokens.append(Token("op", "*", i, i + 1))
                i += 1
            elif match := _NAME_RE.match(text, i):
                i = self.name(match)
            elif ch in _SUPERSCRIPTS:
                i = self.superscript(i)
            elif text[i : i + 2] in _OPERATORS or ch in _OPERATORS:
                op = text[i : i + 2] if text[i : i + 2] in _OPERATORS else ch
                self.tokens.append(Token("op", _OPERATORS[op], i, i + len(op)))
                i += len(op)
            elif ch in _PAIRS:
                self.open(i)
                i += 1
            elif ch in _CLOSERS:
                self.close(i)
                i += 1
            elif ch == ",":
                self.tokens.append(Token("comma", ",", i, i + 1))
                i += 1
            else:
                raise self.rejected(i)
        if self.brackets:
            opener = self.brackets[-1][0]
            raise self.error(f"this {opener.text!r} is never closed", opener.start,
                             f"add the missing {_PAIRS[opener.text]!r}")
        self.tokens.append(Token("end", "", len(text), len(text)))
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

    def name(self, match: re.Match[str]) -> int:
        end = match.end()
        if self.text[end : end + 1] == "_":
            raise self.error("a name can have only one subscript, written _x, _xy or _{...}", end,
                             "write names like k_h, C_in or R_{i-1}")
        self.tokens.append(Token("name", canonical_name(match.group()), match.start(), end))
        return end

    def superscript(self, i: int) -> int:
        start = i
        while i < len(self.text) and self.text[i] in _SUPERSCRIPTS:
            i += 1
        raw = "".join(_SUPERSCRIPTS[ch] for ch in self.text[start:i])
        if not re.fullmatch(rf"[+-]?[0-9]{{1,{self.limits.max_digits}}}", raw):
            raise self.error("a superscript must be a whole number such as ² or ⁻¹", start,
                             "or write the power with ^, e.g. x^2")
        self.tokens.append(Token("sup", raw, start, i, tree.Num(int(raw))))
        return i

    def open(self, i: int) -> None:
        previous = self.tokens[-1] if self.tokens else None
        is_call = previous is not None and previous.kind == "name" and self.scope.is_callable(previous.text)
        token = Token("open", self.text[i], i, i + 1)
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
        self.tokens.append(Token("close", ch, i, i + 1))

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
        self.tokens.append(Token("num", text[start:i], start, i, value))
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
            if match is not None and len(group) == 3 and len(groups[0]) <= 3:
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
        if letter in _SUFFIXES and after not in _NAME_CHARS and after not in GREEK:
            return exponent + _SUFFIXES[letter], j + 1
        return exponent, i
