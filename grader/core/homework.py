"""The homework API: a homework is problems of items, each with a kind, points and options (see grader.core.kinds)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from grader.core.errors import UsageError
from grader.core.variant import Constraint, Parameter, Variant, default_variant, draw_variant


@dataclass(frozen=True)
class Mistake:
    """An anticipated answer (read by the item's checker) with its credit and feedback.

    `answer` is computed by the problem's own code with one assumption changed (a 9×9 filter
    instead of 7×7, the bias counted), never typed as a bare value. A mistake with credit 1
    is an accepted alternative that earns full points with a note.
    """

    answer: str
    credit: float
    feedback: str
    rule: str | None = None  # the MistakeRule it was computed under, for results and class statistics


@dataclass(frozen=True)
class MistakeRule:
    """A named wrong assumption of a problem, and what an answer computed under it earns.

    The problem computes each item's value under the assumption (`Problem.mistake_values`,
    run by `grader key` and stored in the key file) or from a student's own earlier answers
    (`Problem.carry_forward`); an answer equal to such a value (and not to the key) gets
    `credit` (a share of the item's points, unless the item sets its own `mistake_credit`) and
    `feedback`, which must not give the key away.
    """

    id: str
    feedback: str
    credit: float

    def mistake(self, answer: str, item: Item) -> Mistake:
        """The anticipated mistake of `item` this rule computed, with the item's share if it sets one."""
        credit = self.credit if item.mistake_credit is None else item.mistake_credit
        return Mistake(answer, credit, self.feedback, self.id)


@dataclass(frozen=True)
class Carried:
    """An item's answer recomputed from a student's own earlier answers (error carried forward).

    `answer` is what follows from them under the key's assumptions; `mistakes` are
    (rule id, answer) pairs of what follows under each mistake rule.
    """

    answer: str
    mistakes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Table:
    """A table of a problem's statement (a network's layers): a header row and rows of plain text."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Item:
    """One gradable answer: a stable id, a kind, its points and the prompt students see.

    `depends_on` lists the items whose answers this one is computed from (a layer's output
    from the previous layer's); an answer that is wrong only because one of them is, and
    follows from the student's own answer to it, earns `carry_credit` of the points. An answer
    matching one of the problem's mistake rules earns `mistake_credit` of the points, or the
    rule's own credit when that is None.
    """

    id: str
    kind: str  # a registered answer kind (grader.plugins.kinds): number, shape, expression, …
    points: float
    prompt: str
    options: Any = None  # the kind's options type (Kind.options); None takes the kind's defaults
    mistakes: tuple[Mistake, ...] = ()
    depends_on: tuple[str, ...] = ()
    carry_credit: float = 1.0
    mistake_credit: float | None = None

    def __hash__(self) -> int:
        # Items key the checkers' caches, which hash them for every answer; hashing every field
        # (options, mistakes) each time cost more than the lookups. Equal items have equal ids.
        return hash(self.id)


@dataclass(frozen=True)
class SelfTest:
    """An answer to an item and the status it must get: a problem's own check of its grading."""

    item: str
    answer: str
    status: str


@dataclass(frozen=True)
class Problem:
    """A problem of a homework: its items, the function that computes their key, its self-tests.

    `reference` returns item id → answer text, written the way a student would write it;
    it may import heavy libraries (torch), since only `grader key` calls it. `self_tests`
    (a correct, a partially right, a wrong and an invalid answer per item kind) are run over
    every registered homework by the test suite.

    `rules` are the problem's mistake rules; `mistake_values` (run by `grader key` like
    `reference`) returns item id → (rule id, answer) pairs computed under them.
    `carry_forward(item id, {dependency id: answer text})` recomputes an item from the given
    answers of the items it depends on (None if nothing follows from them); grading calls it
    only when a student's earlier answer is wrong, so it may import heavy libraries lazily.

    `intro` is what the statement shows between the title and the items: paragraphs of plain
    text and tables (a network's layers), with the variant's numbers in a variant's problem.
    """

    id: str
    title: str
    items: tuple[Item, ...]
    reference: Callable[[], Mapping[str, str]]
    self_tests: tuple[SelfTest, ...] = ()
    rules: tuple[MistakeRule, ...] = ()
    mistake_values: Callable[[], Mapping[str, Sequence[tuple[str, str]]]] | None = None
    carry_forward: Callable[[str, Mapping[str, str]], Carried | None] | None = None
    intro: tuple[str | Table, ...] = ()

    @property
    def max_score(self) -> float:
        return sum(item.points for item in self.items)


@dataclass(frozen=True)
class Homework:
    """A homework plugin: problems in order, and where its committed key lives.

    `key_package`/`key_file` locate the answer key as package data, so an installed
    plugin finds its key without a source checkout.

    A homework may vary between students: `parameters` are the numbers that vary, `constraint`
    refuses values that make no valid homework, and `vary(variant)` builds the problems of a
    variant (the same items, with the variant's numbers in prompts, keys, mistakes and error
    carried forward). The problems given are the default variant's. `variant` is set on the
    homework of one variant (`at`), None on the homework as registered.
    """

    id: str
    title: str
    problems: tuple[Problem, ...]
    key_package: str
    key_file: str
    total_points: float | None = None
    parameters: tuple[Parameter, ...] = ()
    constraint: Constraint | None = None
    vary: Callable[[Variant], tuple[Problem, ...]] | None = None
    variant: Variant | None = None
    _items: dict[str, Item] = field(init=False, repr=False, compare=False)
    _problem_of: dict[str, Problem] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_items", {i.id: i for p in self.problems for i in p.items})
        object.__setattr__(self, "_problem_of", {i.id: p for p in self.problems for i in p.items})

    @property
    def items(self) -> tuple[Item, ...]:
        """Every item, in the homework's order."""
        return tuple(self._items.values())

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(self._items)

    def item(self, item_id: str) -> Item:
        return self._items[item_id]

    def problem_of(self, item_id: str) -> Problem:
        return self._problem_of[item_id]

    @property
    def max_score(self) -> float:
        return sum(p.max_score for p in self.problems)

    @property
    def default_variant(self) -> Variant:
        """Every parameter at its default: the homework as it is without variants."""
        return default_variant(self.id, self.parameters)

    def variant_from_seed(self, seed: str) -> Variant:
        """The variant `seed` draws (grader.core.variant.draw_variant): the same seed always gives the same one."""
        return draw_variant(self.id, self.parameters, self.constraint, seed)

    def at(self, variant: Variant) -> Homework:
        """The homework of `variant`: the default variant's problems are this homework's own, others are built."""
        if variant.homework != self.id or self.variant is not None:
            raise UsageError(f"a variant of {variant.homework} is built from {variant.homework} as registered")
        same = variant.values == self.default_variant.values
        problems = self.problems if same or self.vary is None else self.vary(variant)
        return dataclasses.replace(self, problems=problems, variant=variant)
