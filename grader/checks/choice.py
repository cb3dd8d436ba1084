"""The `choice` kind: which one of an item's options an answer names, however it is written.

Matching ignores case, spaces, hyphens, punctuation and filler words: "the pooling layer
(especially max pooling)" names *pooling* because both phrases are spellings of it. Longer
spellings win over the shorter ones inside them ("partially suitable" over "suitable",
"neither invariant nor equivariant" over "invariant"), and an option right after a negation
("equivariant, not invariant", "not equivariant or invariant") is not the one named; a misspelled
option word is read with a note, or the answer is refused with a did-you-mean
(`grader.text.options`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from grader.core.homework import Item
from grader.core.kinds import Kind, spelling_clash
from grader.core.verdict import Verdict
from grader.math.errors import FormatError
from grader.text.options import by_elimination, read_mentions


@dataclass(frozen=True)
class Choice:
    """One option of a `choice` item: the name shown to students and the other ways to say it.

    `feedback` explains why this option is wrong, shown when a student picks it but it is
    not the key's option.
    """

    name: str
    aliases: tuple[str, ...] = ()
    feedback: str = ""


@dataclass(frozen=True)
class ChoiceOptions:
    """Options of a `choice` item: the options a student picks one of (the key names one).

    With `by_elimination`, an answer that names no option but denies every other one ("not
    invariant and not equivariant", "neither partially suitable nor not suitable") names the one left.
    """

    choices: tuple[Choice, ...]
    by_elimination: bool = False


def normalise(text: str) -> str:
    """Lower case, hyphens/underscores/punctuation as spaces, single spaces: `Max-Pool` → `max pool`."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"(\w)['’](t)\b", r"\1\2", text)  # isn't → isnt
    text = re.sub(r"[^\w]+|_", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class _Table:
    """Every spelling of every option, with spaces removed, mapped to its option."""

    by_spelling: dict[str, str]  # spelling without spaces → option name
    names: tuple[str, ...]
    vocabulary: tuple[str, ...]  # the words of every spelling
    by_words: dict[tuple[str, ...], str]  # a spelling's words, sorted → option name
    choices: dict[str, Choice]


@cache
def _table(options: ChoiceOptions) -> _Table:
    by_spelling: dict[str, str] = {}
    for choice in options.choices:
        for spelling in (choice.name, *choice.aliases):
            by_spelling[normalise(spelling).replace(" ", "")] = choice.name
    spellings = [(normalise(s).split(), c.name) for c in options.choices for s in (c.name, *c.aliases)]
    vocabulary = tuple(sorted({w for words, _ in spellings for w in words}))
    by_words = {tuple(sorted(words)): name for words, name in spellings if len(words) > 1}
    return _Table(by_spelling, tuple(c.name for c in options.choices), vocabulary, by_words,
                  {c.name: c for c in options.choices})


class Reading(str):
    """The option an answer names, with a note on how it was read (a typo read as an option word)."""

    note: str = ""


def _options(item: Item) -> ChoiceOptions:
    assert isinstance(item.options, ChoiceOptions), f"{item.id}: choice items need ChoiceOptions"
    return item.options


def named_choices(text: str, options: ChoiceOptions) -> list[Choice]:
    """The distinct options the text names, in order of appearance (denied mentions left out)."""
    table = _table(options)
    mentions = read_mentions(normalise(text).split(), table.by_spelling, table.vocabulary, table.by_words)
    return [table.choices[name] for name in mentions.named]


def read(text: str, item: Item) -> str:
    """The name of the one option the text names; FormatError if it names none or several."""
    options = _options(item)
    table = _table(options)
    mentions = read_mentions(normalise(text).split(), table.by_spelling, table.vocabulary, table.by_words)
    listed = "; ".join(table.names)
    named = mentions.named
    eliminated = by_elimination(mentions, table.names) if options.by_elimination else None
    # A word near several option words could change which option is meant: never read past it silently.
    if (not named and eliminated is None) or mentions.near:
        if mentions.near:
            written, words = mentions.near[0]
            maybe = " or ".join(f"'{w}'" for w in words)
            raise FormatError(f"this answer names none of the options ({listed}): did you mean {maybe} for "
                              f"'{written}'?", text=text, hint="write exactly one of the options")
        raise FormatError(f"this answer names none of the options ({listed})", text=text,
                          hint="write exactly one of the options")
    if len(named) > 1:
        raise FormatError(f"this answer names several options ({', '.join(named)}); choose one of: {listed}",
                          text=text, hint="keep only the option you choose")
    reading = Reading(named[0] if named else eliminated)
    notes = [f"Read '{written}' as '{word}'." for written, word in mentions.typos]
    if eliminated is not None:
        notes.append(f"Read as '{eliminated}': the answer rules out every other option.")
    reading.note = " ".join(notes)
    return reading


def show(value: str) -> str:
    """The option as the homework names it."""
    return value


def compare(given: str, expected: str, item: Item) -> Verdict:
    """Full credit for the key's option; otherwise the option's own explanation, if it has one (after any reading note)."""
    note = getattr(given, "note", "")
    if given == expected:
        return Verdict(1.0, note)
    choice = next(c for c in _options(item).choices if c.name == given)
    return Verdict(0.0, " ".join(filter(None, (note, choice.feedback or f"'{given}' is not the right choice."))))


def validate(item: Item) -> str | None:
    """At least two options, and no spelling shared by two of them (ignoring case, spaces and hyphens)."""
    options = item.options
    if len(options.choices) < 2:
        return "a choice item needs at least two choices"
    return spelling_clash(((c.name, (c.name, *c.aliases)) for c in options.choices), "option spelling",
                          normalise=normalise)


def _names(item: Item) -> list[str]:
    return [choice.name for choice in item.options.choices]


KIND = Kind(
    name="choice",
    read=read,
    compare=compare,
    show=show,
    how_to_answer=lambda item: "one of: " + " | ".join(_names(item)),
    # YAML reads `yes` as a boolean; the loader keeps it as typed text.
    json_schema=lambda item: {"type": ["string", "boolean"], "examples": _names(item),
                              "description": "One of: " + ", ".join(_names(item))},
    options=ChoiceOptions,
    validate=validate,
    # Reading is regular expressions over text whose length is already limited: no bounded process needed.
    needs_bounds=lambda text: False,
)
