"""Light LaTeX → plain-text rewriting, so formulas typed in LaTeX reach the same tokenizer as plain ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from grader.math.errors import FormatError

__all__ = ["latex_to_text"]

# Commands replaced by fixed text; `\(` `\)` `\[` `\]` are math delimiters and vanish.
_REPLACEMENTS = {
    "times": "*", "cdot": "*", "ast": "*", "div": "/",
    "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "lt": "<", "gt": ">",
    ",": " ", ";": " ", ":": " ", "!": " ", " ": " ", "quad": " ", "qquad": " ",
    "(": "", ")": "", "[": "", "]": "", "{": "(", "}": ")", "%": "%",
}
# Bracket sizing only: dropped, together with the invisible delimiter `.` of `\right.`.
_SIZING = {"left", "right", "big", "Big", "bigl", "bigr", "Bigl", "Bigr"}
# Commands whose braced argument is kept as plain text.
_CONTENT = {"text", "mathrm", "operatorname", "mathit"}
_FRACTIONS = {"frac", "dfrac", "tfrac"}
_GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon "
    "phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
)
# Commands written out as a name the tokenizer reads (`\max` → max, `\alpha` → alpha).
_NAMES = {"max", "min", "log", *_GREEK.split()}
_HINT = r"supported: \frac, \times, \cdot, \div, \lfloor, \rceil, \left, \right, \text, \sqrt, \max, \min"


class _Open(NamedTuple):
    closer: str  # text written when the matching `}` is reached
    position: int  # where the `{` is, for errors
    then: Callable[[], None] | None  # what comes next, e.g. the second argument of \frac


def latex_to_text(text: str) -> str:
    """Rewrite light LaTeX into the plain notation parse_formula reads.

    `\\frac{a}{b}` → `((a)/(b))`, `^{…}` → `^(…)`, `\\times` → `*`, `\\lfloor` → `⌊`, `\\text{…}` → its
    content, other `{…}` → `(…)`; `$` and `\\( \\)` delimiters and `\\left`/`\\right` disappear, while
    `_{…}` subscripts stay for the identifier. An unknown command raises FormatError naming it.
    """
    return _Rewriter(text).run()


class _Rewriter:
    """A single left-to-right pass with a stack of pending closing texts, so nesting never recurses."""

    def __init__(self, text: str):
        self.text = text
        self.i = 0
        self.out: list[str] = []
        self.stack: list[_Open] = []

    def error(self, message: str, position: int, hint: str) -> FormatError:
        return FormatError(message, text=self.text, position=position, hint=hint)

    def run(self) -> str:
        text = self.text
        while self.i < len(text):
            ch = text[self.i]
            if ch == "\\":
                self.command()
            elif ch == "$":
                self.i += 1
            elif ch in "^_" and text[self.i + 1 : self.i + 2] == "{":
                # A subscript keeps its braces (C_{in} is one name); a superscript becomes a group.
                self.push(ch + ("{" if ch == "_" else "("), "}" if ch == "_" else ")", self.i + 1)
                self.i += 2
            elif ch == "{":
                self.push("(", ")", self.i)
                self.i += 1
            elif ch == "}":
                self.close_brace()
            else:
                self.out.append(ch)
                self.i += 1
        if self.stack:
            raise self.error("this '{' is never closed", self.stack[-1].position, "add the missing '}'")
        return "".join(self.out)

    def push(self, opener: str, closer: str, position: int, then: Callable[[], None] | None = None) -> None:
        self.out.append(opener)
        self.stack.append(_Open(closer, position, then))

    def close_brace(self) -> None:
        if not self.stack:
            raise self.error("this '}' has no matching '{'", self.i, "remove it or add the missing '{'")
        pending = self.stack.pop()
        self.out.append(pending.closer)
        self.i += 1
        if pending.then:
            pending.then()

    def command(self) -> None:
        """Rewrite the command starting at the backslash at self.i."""
        start, text = self.i, self.text
        end = start + 1
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        if end == start + 1:  # a control symbol such as `\,` is one character long
            end = min(start + 2, len(text))
        name = text[start + 1 : end]
        self.i = end
        if name in _REPLACEMENTS:
            self.out.append(_REPLACEMENTS[name])
        elif name in _SIZING:
            if text[end : end + 1] == ".":
                self.i += 1
        elif name in _NAMES:
            self.write_name(name)
        elif name in _CONTENT:
            self.argument(start, name, "", "")
        elif name in _FRACTIONS:
            self.argument(start, name, "((", ")/(", then=lambda: self.argument(start, name, "", "))"))
        elif name == "sqrt":
            if text[end : end + 1] == "[":
                raise self.error("only square roots are supported", start, "write a cube root as x^(1/3)")
            self.write_name("sqrt")
            self.argument(start, name, "((", "))")
        else:
            raise self.error(f"unknown LaTeX command '\\{name}'", start,
                             f"write it in plain text; {_HINT}")

    def write_name(self, name: str) -> None:
        """Write a name, spaced from letters or digits around it so it stays a separate word."""
        if self.out and (self.out[-1][-1:].isalnum() or self.out[-1][-1:] == "_"):
            self.out.append(" ")
        self.out.append(name)
        if self.text[self.i : self.i + 1].isalnum():
            self.out.append(" ")

    def argument(self, start: int, name: str, opener: str, closer: str,
                 then: Callable[[], None] | None = None) -> None:
        """Rewrite the argument of \\name: a `{…}` group or a single character, between opener and closer."""
        j = self.i
        while j < len(self.text) and self.text[j].isspace():
            j += 1
        ch = self.text[j : j + 1]
        if ch == "{":
            self.push(opener, closer, j, then)
            self.i = j + 1
        elif ch and ch not in "\\}$":
            self.out.append(opener + ch + closer)
            self.i = j + 1
            if then:
                then()
        else:
            example = r"\frac{a}{b}" if name in _FRACTIONS else f"\\{name}{{…}}"
            raise self.error(f"\\{name} is missing an argument in braces", j, f"write it like {example}")
