"""An answer kind as one object: how its answers are read, compared, shown, hinted, described and vetted."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from grader.core.homework import Item
from grader.core.verdict import Verdict

Value = TypeVar("Value")

# An answer of at most this many characters is read; longer ones are refused before any parser runs.
MAX_ANSWER_LENGTH = 1000


def _always(text: str) -> bool:
    return True


@dataclass(frozen=True)
class Kind(Generic[Value]):
    """Everything the grader does with answers of one kind; each module of grader.checks exports one as KIND.

    - `read(text, item)` turns an answer (or the key's) into a value, or raises FormatError saying where
      and why; `compare(given, expected, item)` judges it; `show(value)` is how it was read.
    - `options` is the type of `Item.options` for this kind (None: the kind takes none); `default_options`
      makes the options of an item that gives none.
    - `validate(item)` returns what is wrong with an item's options (the registry names plugin and item),
      or None.
    - `how_to_answer(item)` is the template's hint; `json_schema(item)` the answer's JSON-schema fragment
      (its `description`, if any, is added to the item's).
    - `mathml(value)` prints a value as presentation MathML for HTML reports (formulas only).
    - `needs_bounds(text)`: whether checking this text may evaluate math, so it must run in a bounded
      process (reading by regular expressions over length-limited text needs none).
    - `hint(item, given, reference, hidden, relative_to)`: a quantitative hint for a wrong answer, with
      both answers as the grader read them, or None.
    - `allows_chains`: `a = b = c` is read on its last member; `remember_checks`: a checked answer may be
      remembered for the next student who writes the same text (not worth it for free text).
    """

    name: str
    read: Callable[[str, Item], Value]
    compare: Callable[[Value, Value, Item], Verdict]
    show: Callable[[Value], str]
    how_to_answer: Callable[[Item], str]
    json_schema: Callable[[Item], Mapping[str, Any]]
    options: type | None = None
    default_options: Callable[[], Any] | None = None
    validate: Callable[[Item], str | None] | None = None
    mathml: Callable[[Value], str | None] | None = None
    needs_bounds: Callable[[str], bool] = field(default=_always)
    hint: Callable[[Item, str, str, bool, str | None], str | None] | None = None
    allows_chains: bool = False
    remember_checks: bool = True
    max_answer_length: int = MAX_ANSWER_LENGTH

    def options_of(self, item: Item) -> Any:
        """The item's options, or the kind's defaults when it gives none."""
        if item.options is None and self.default_options is not None:
            return self.default_options()
        return item.options


def spelling_clash(entries: Iterable[tuple[str, Iterable[str]]], what: str,
                   normalise: Callable[[str], str] = str) -> str | None:
    """What is wrong when one spelling belongs to two different names (an alias clash), else None."""
    owners: dict[str, str] = {}
    for name, spellings in entries:
        for spelling in spellings:
            key = normalise(spelling)
            if owners.setdefault(key, name) != name:
                return f"the {what} {spelling!r} is used by both {owners[key]!r} and {name!r}"
    return None
