"""The `choice` checker: which one of an item's options an answer names, however it is written.

Matching ignores case, spaces, hyphens, punctuation and filler words: "the pooling layer
(especially max pooling)" names *pooling* because both phrases are spellings of it. Longer
spellings win over the shorter ones inside them ("partially suitable" over "suitable",
"neither invariant nor equivariant" over "invariant"), and an option right after a negation
("equivariant, not invariant") is not the one named.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from grader.homework import Choice, ChoiceOptions, Item
from grader.parse.errors import FormatError
from grader.verdict import Verdict

# Words that negate the option right after them (within two words).
_NEGATIONS = frozenset({"not", "no", "never", "nor", "neither", "isnt", "arent", "non"})
_NEGATION_REACH = 2
# Longest spelling, in words, that is tried when spaces are ignored ("maxpooling").
_MAX_WORDS = 8


def normalise(text: str) -> str:
    """Lower case, hyphens/underscores/punctuation as spaces, single spaces: `Max-Pool` → `max pool`."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"(\w)['’](t)\b", r"\1\2", text)  # isn't → isnt
    text = re.sub(r"[^\w]+|_", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class _Table:
    """Every spelling of every option, with spaces removed, mapped to its option."""

    by_spelling: dict[str, Choice]
    names: tuple[str, ...]


@cache
def _table(options: ChoiceOptions) -> _Table:
    by_spelling: dict[str, Choice] = {}
    for choice in options.choices:
        for spelling in (choice.name, *choice.aliases):
            by_spelling[normalise(spelling).replace(" ", "")] = choice
    return _Table(by_spelling, tuple(c.name for c in options.choices))


def _options(item: Item) -> ChoiceOptions:
    assert isinstance(item.options, ChoiceOptions), f"{item.id}: choice items need ChoiceOptions"
    return item.options


def named_choices(text: str, options: ChoiceOptions) -> list[Choice]:
    """The distinct options the text names, in order of appearance (negated mentions left out)."""
    table = _table(options)
    words = normalise(text).split()
    found: list[Choice] = []
    i = 0
    while i < len(words):
        match = _longest_match(words, i, table)
        if match is None:
            i += 1
            continue
        end, choice = match
        # A negation just before a spelling that does not itself start with one drops it.
        before = words[max(0, i - _NEGATION_REACH) : i]
        if not any(word in _NEGATIONS for word in before) and choice not in found:
            found.append(choice)
        i = end
    return found


def _longest_match(words: list[str], start: int, table: _Table) -> tuple[int, Choice] | None:
    """The longest run of words from `start` that, with spaces removed, spells an option."""
    joined = ""
    best = None
    for end in range(start + 1, min(len(words), start + _MAX_WORDS) + 1):
        joined += words[end - 1]
        if joined in table.by_spelling:
            best = (end, table.by_spelling[joined])
    return best


def needs_bounds(text: str) -> bool:
    """Reading is regular expressions over text whose length is already limited: no bounded worker needed."""
    return False


def read(text: str, item: Item) -> str:
    """The name of the one option the text names; FormatError if it names none or several."""
    options = _options(item)
    found = named_choices(text, options)
    listed = "; ".join(_table(options).names)
    if not found:
        raise FormatError(f"this answer names none of the options ({listed})", text=text,
                          hint="write exactly one of the options")
    if len(found) > 1:
        named = ", ".join(c.name for c in found)
        raise FormatError(f"this answer names several options ({named}); choose one of: {listed}",
                          text=text, hint="keep only the option you choose")
    return found[0].name


def show(value: str) -> str:
    """The option as the homework names it."""
    return value


def compare(given: str, expected: str, item: Item) -> Verdict:
    """Full credit for the key's option; otherwise the option's own explanation, if it has one."""
    if given == expected:
        return Verdict(1.0)
    choice = next(c for c in _options(item).choices if c.name == given)
    return Verdict(0.0, choice.feedback or f"'{given}' is not the right choice.")
