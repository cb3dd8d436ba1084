"""What a formula may name: its variables, declared functions and the built-ins, found forgivingly; and its size limits."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from grader.math import tree


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

EMPTY: Mapping[str, str] = MappingProxyType({})

# Greek letters typed as unicode may stand for names spelled out ("α" finds a variable "alpha").
GREEK = {
    chr(c): unicodedata.name(chr(c)).split()[-1].lower().replace("lamda", "lambda")
    for c in [*range(0x391, 0x3A2), *range(0x3A3, 0x3AA), *range(0x3B1, 0x3CA)]
}
GREEK.update({ch: word.capitalize() for ch, word in GREEK.items() if ch.isupper()})


def canonical_name(raw: str) -> str:
    """Normalise an identifier as the tokenizer does: `C_{in}`→`C_in`, `R_{i-1}`→`R_i-1`, `k_{h}`→`k_h`.

    Spaces inside the subscript (and around the name) are removed.
    """
    head, sep, sub = raw.strip().partition("_")
    if sub.startswith("{") and sub.endswith("}"):
        sub = sub[1:-1]
    return head + sep + "".join(sub.split())


class Scope:
    """The names a parse may use, with forgiving lookup (exact, Greek spelled out, unique case-insensitive)."""

    def __init__(self, variables: Mapping[str, str], function_symbols: Mapping[str, str], number_mode: bool):
        self.number_mode = number_mode
        # A number answer allows no names, so declared ones are ignored rather than resolved.
        self.variables = EMPTY if number_mode else variables
        self.functions = EMPTY if number_mode else function_symbols

    def variable(self, name: str) -> str | None:
        """The variable a name stands for, or None."""
        return lookup(self.variables, name)

    def function(self, name: str) -> str | None:
        """The declared function a name stands for, or None."""
        return lookup(self.functions, name)

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


def lookup(table: Mapping[str, str], name: str) -> str | None:
    """Find `name` in `table`: exactly, then with Greek spelled out, then (longer names) case-insensitively if unique."""
    spellings = [name]
    if any(ch in GREEK for ch in name):
        spellings.append("".join(GREEK.get(ch, ch) for ch in name))
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
