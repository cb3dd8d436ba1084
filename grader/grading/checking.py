"""Checking one answer against the key: read it with its kind, compare, try the anticipated mistakes.

`check` is pure (the same request always gives the same Checked), so it runs as well in this
process as in a bounded checking process (grader.runtime.sandbox), and its outcome may be
remembered. Reading the key and printing its MathML are memoised per (item, text): every student
is checked against the same key.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from grader.core.homework import Item, Mistake
from grader.core.kinds import Kind
from grader.core.limits import Bound, WorkLimits
from grader.core.models import Status
from grader.core.verdict import Verdict, invalid
from grader.math.chains import split_members
from grader.math.errors import FormatError
from grader.plugins.kinds import kind_of

log = logging.getLogger(__name__)

INTERNAL_ERROR = (
    "The grader could not check this answer because of an internal error; "
    "your instructor has been told and will grade it by hand."
)


@dataclass(frozen=True)
class Request:
    """One answer to check: its item, its text, the key's text, whether to print MathML, and
    anticipated mistakes beyond the item's own (computed ones from the key, or carried forward)."""

    item: Item
    text: str
    key_text: str
    mathml: bool = False
    mistakes: tuple[Mistake, ...] = ()


@dataclass(frozen=True)
class Checked:
    """An answer checked: how it was read (None when it was not, or reads as itself), the verdict, the
    MathML of the reading (formulas, when asked for), and the bound its check hit, if it was stopped."""

    read_as: str | None
    verdict: Verdict
    mathml: str | None = None
    bound: Bound | None = None


def check(request: Request) -> Checked:
    """Read and compare one answer; an unreadable answer is `invalid`, a checker's crash an internal error.

    MemoryError and RecursionError are let through: they are bound hits, which the caller reports.
    """
    item, kind = request.item, kind_of(request.item)
    read_as = reading_mathml = None
    try:
        expected = read_expected(item, request.key_text)
        given, chain_note, read_as = _read(item, request.text)
        reading_mathml = _given_mathml(item, request.text) if request.mathml else None
        verdict = kind.compare(given, expected, item)
        if verdict.score < 1.0 and (item.mistakes or request.mistakes):
            verdict = _anticipated(kind, item, given, request.mistakes) or verdict
        if chain_note:
            verdict = replace(verdict, feedback=_sentences(verdict.feedback, chain_note))
    except FormatError as error:
        verdict = invalid(error.explain())
    except (MemoryError, RecursionError):
        raise
    except Exception:  # a crash is a result: the student gets a safe message, the log the traceback
        log.exception("checker crashed on item %s", item.id)
        verdict = internal_error()
    return Checked(read_as, verdict, reading_mathml)


def too_long(request: Request) -> Checked | None:
    """The refusal of an answer longer than its kind reads (checked before any parser sees it), else None."""
    kind = kind_of(request.item)
    longest = kind.max_answer_length
    if len(request.text) <= longest:
        return None
    article = "an" if kind.name[:1] in "aeiou" else "a"
    return Checked(None, invalid(
        f"The answer is too long ({len(request.text):,} characters; {article} {kind.name} answer may have at most "
        f"{longest:,}). Shorten it: give only the {kind.name}, without explanations."
    ))


def too_complex(bound: Bound, limits: WorkLimits) -> Checked:
    """An answer whose check hit a time, CPU, memory or nesting bound: invalid, for a person to review."""
    which = {
        Bound.TIME: f"it took longer than the {limits.seconds:g} s allowed per answer",
        Bound.CPU: f"it used more than the {limits.seconds:g} s of CPU time allowed per answer",
        Bound.MEMORY: f"it needed more than the {limits.memory_mb:,} MB of memory allowed per answer",
        Bound.NESTING: "it is nested too deeply",
        Bound.BUDGET: f"checking this submission's answers took longer than the {limits.batch_seconds:g} s "
                      "allowed in total, so this answer was not checked",
    }[bound]
    return Checked(None, Verdict(
        0.0,
        f"Too complex to check: {which}. Simplify the answer (smaller numbers, fewer nested powers "
        "or functions) or write out its value; your instructor will review it.",
        Status.INVALID,
        needs_review=True,
    ), bound=bound)


def internal_error() -> Verdict:
    """The verdict of an answer the grader failed on: no points, for a person to grade."""
    return Verdict(0.0, INTERNAL_ERROR, Status.INVALID, needs_review=True)


@lru_cache(maxsize=4096)
def read_expected(item: Item, text: str) -> Any:
    """The key's answer read by the item's kind (the same for every student)."""
    try:
        return kind_of(item).read(text, item)
    except FormatError as error:
        raise ValueError(f"the answer key of {item.id} cannot be read: {error.explain()}") from error


@lru_cache(maxsize=4096)
def show_expected(item: Item, text: str) -> str:
    """The key's answer as shown in results (printing a formula is slow, and the same for every student)."""
    return kind_of(item).show(read_expected(item, text))


@lru_cache(maxsize=4096)
def expected_mathml(item: Item, text: str) -> str | None:
    """The key's answer as MathML, for kinds that print formulas."""
    return _mathml(kind_of(item), read_expected(item, text))


# A bounded checking process lives on between submissions, and a class writes the same texts again
# and again: reading is a pure function of (item, text), so each text is read once per process.
@lru_cache(maxsize=16384)
def _read(item: Item, text: str) -> tuple[Any, str, str | None]:
    """An answer read (chains too), its chain note, and how it is shown back (None: as written)."""
    kind = kind_of(item)
    value, chain_note = read_answer(kind, text, item)
    shown = kind.show(value)
    return value, chain_note, None if shown == text.strip() else shown


@lru_cache(maxsize=16384)
def _given_mathml(item: Item, text: str) -> str | None:
    return _mathml(kind_of(item), _read(item, text)[0])


def read_answer(kind: Kind, text: str, item: Item) -> tuple[Any, str]:
    """Read an answer; a chain `a = b = c` of a kind that allows it is read on its last member.

    Returns the value and a note: empty, or saying which members disagree with the last one.
    Members before the last that cannot be read (a label such as `H_out =`) are skipped.
    """
    if not kind.allows_chains:
        return kind.read(text, item), ""
    members = [m for m in split_members(text) if m]
    if len(members) <= 1:
        return kind.read(members[0] if members else text, item), ""
    final = kind.read(members[-1], item)
    disagree = []
    for member in members[:-1]:
        try:
            value = kind.read(member, item)
        except FormatError:
            continue
        if kind.compare(value, final, item).score < 1.0:
            disagree.append(member)
    if not disagree:
        return final, ""
    listed = ", ".join(f"'{m}'" for m in disagree)
    return final, (f"The members of your chain are not all equal ({listed} differs from the last, "
                   f"'{members[-1]}'); the last one is graded.")


def _anticipated(kind: Kind, item: Item, given: Any, mistakes: tuple[Mistake, ...]) -> Verdict | None:
    """The verdict of the first anticipated mistake (the item's own, then `mistakes`) the answer equals, if any."""
    for mistake in (*item.mistakes, *mistakes):
        if kind.compare(given, read_expected(item, mistake.answer), item).score >= 1.0:
            return Verdict(mistake.credit, mistake.feedback, misconception=mistake.rule)
    return None


def _mathml(kind: Kind, value: Any) -> str | None:
    return kind.mathml(value) if kind.mathml is not None else None


def _sentences(*parts: str) -> str:
    return " ".join(part for part in parts if part)
