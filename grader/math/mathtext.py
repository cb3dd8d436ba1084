"""Safe text → formula parsing: a recursive-descent parser over grader.math.tokens that only builds allow-listed formula trees.

What a formula may name and how large it may be: grader.math.vocabulary.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from fractions import Fraction
from typing import cast

from grader.core import examples
from grader.math import tree
from grader.math.errors import FormatError
from grader.math.latex import latex_to_text
from grader.math.tokens import Token, Tokenizer
from grader.math.tree import Node
from grader.math.vocabulary import (
    BUILTIN_FUNCTIONS,
    DEFAULT_LIMITS,
    EMPTY,
    Builtin,
    Limits,
    Scope,
    canonical_name,
)

__all__ = ["BUILTIN_FUNCTIONS", "DEFAULT_LIMITS", "Builtin", "Limits", "canonical_name", "parse_formula"]

_HALF = tree.Num(Fraction(1, 2))


def parse_formula(
    text: str,
    *,
    variables: Mapping[str, str] = EMPTY,
    function_symbols: Mapping[str, str] = EMPTY,
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
    scope = Scope(variables, function_symbols, number_mode)
    tokens = Tokenizer(text, scope, limits).run()
    return _Parser(text, tokens, scope, limits).parse()


def _check_size(text: str, limits: Limits) -> None:
    """Reject empty and over-long text before any work is done."""
    if not text.strip():
        raise FormatError("the answer is empty", text=text, position=0,
                          hint=f"write a number or a formula, e.g. {examples.NUMBER} or {examples.FORMULA}")
    if len(text) > limits.max_length:
        raise FormatError(f"the answer is too long (at most {limits.max_length} characters)",
                          text=text, position=limits.max_length, hint="shorten the answer")


class _Parser:
    """Recursive descent over the tokens, one method per precedence level: sums, products (explicit and implicit),
    power chains, atoms."""

    def __init__(self, text: str, tokens: list[Token], scope: Scope, limits: Limits):
        self.text = text
        self.tokens = tokens
        self.scope = scope
        self.limits = limits
        self.pos = 0

    def error(self, message: str, position: int, hint: str) -> FormatError:
        return FormatError(message, text=self.text, position=position, hint=hint)

    def raw(self, token: Token) -> str:
        """The token as the student typed it, for messages."""
        return self.text[token.start : token.end]

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node:
        result = self.expression()
        if self.peek().kind == "comma":
            raise self.comma_error(self.peek())
        return result

    def comma_error(self, token: Token) -> FormatError:
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

    def combine(self, left: Node, op: Token, right: Node) -> Node:
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

    def check_adjacent(self, token: Token) -> None:
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

    def build_power(self, base: Node, exponent: Node, op: Token) -> Node:
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
        if digits * min(float(tree.magnitude(exponent)), cap) > limits.max_number_digits:
            raise self.error(f"number too large (a power may produce at most {limits.max_number_digits} digits)",
                             position, "use smaller numbers")
        # Taking the root of a long number gets slow.
        if digits >= limits.max_digits and Fraction(exponent).denominator != 1:
            raise self.error(f"number too large to take a root of (at most {limits.max_digits} digits)",
                             position, "use smaller numbers")
        if isinstance(base, tree.Num):
            return
        # (x^a)^b is x^(a*b) to evaluate (and sympy merges it), so the merged exponent must stay small.
        if tree.magnitude(_inner_exponent(base) * exponent) > limits.max_exponent:
            kind = "for expressions with variables" if tree.free_names(base) else "unless the base is a plain number"
            raise self.error(f"exponent too large (at most {limits.max_exponent} {kind})", position,
                             f"use an exponent between -{limits.max_exponent} and {limits.max_exponent}")

    def atom(self) -> Node:
        """A number, a name, a function call or a bracketed group, then any superscript powers."""
        token = self.peek()
        value: Node
        if token.kind == "num":
            value = cast(tree.Num, self.advance().value)  # the tokenizer gives every number token its value
        elif token.kind == "name":
            value = self.name()
        elif token.kind == "open":
            value = self.group()
        else:
            raise self.missing_operand(token)
        while self.peek().kind == "sup":
            sup = self.advance()
            value = self.build_power(value, cast(tree.Num, sup.value), sup)
        return value

    def missing_operand(self, token: Token) -> FormatError:
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

    def call_builtin(self, token: Token, key: str, builtin: Builtin) -> Node:
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

    def unknown_name(self, token: Token) -> FormatError:
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
    exponents: list[tree.Rational] = [tree.magnitude(f.exp.value) for f in factors
                                      if isinstance(f, tree.Pow) and isinstance(f.exp, tree.Num)]
    return max(exponents, default=1)


def _split_into_names(name: str, variables: Mapping[str, str]) -> list[str] | None:
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
