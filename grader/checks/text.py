"""The `text` kind: free text scored by a concept rubric (`grader.text.rubric`), always flagged for review.

Feedback lists the concepts found, those missing, those the answer contradicts or takes back (quoting
it) and any misconception it states; the verdict says how sure the rubric is (`confidence`).
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.core.homework import Item
from grader.core.kinds import Kind
from grader.core.verdict import Verdict
from grader.text.rubric import Judgement, judge


@dataclass(frozen=True)
class Concept:
    """One idea a free-text answer should contain, worth `share` of the item's points.

    Each phrasing is a sequence of word slots; a slot lists alternatives with `|`, words of one
    alternative are joined with `_` (`fully_connected`) and a trailing `*` matches any word starting
    so (`translat*`). Words match in their inflections and dictionary forms (plurals, -ed, -ing,
    British/American -ise/-ize, `grew` for `grow`), the field's abbreviations spelled out (`params`,
    `FC`) and with a typo in a longer word; hyphens and spaces are interchangeable, and a few other
    words may stand between two slots of the same clause (see `grader.text`).

    A phrasing counts only when the answer asserts it: no negation reaches it ("does not slide",
    "not A or B", "instead of …"), unless `negatable` is False (concepts that are themselves about
    a limitation, e.g. "cannot capture motion"); it is not only copied from the question; and no
    later sentence takes it back. `partial` phrasings state the idea only in part and earn half the
    share. `contrary` phrasings say the opposite or a common confusion (sharing *across layers* for
    weight sharing): asserted anywhere in the answer, they cancel the concept, and the feedback
    quotes them. `needs` names the concept on the other side of a contrast this one is a side of ("per-frame
    patterns, but not the motion"): whole only with that one whole, half without it, nothing when it is contradicted.
    """

    name: str
    share: float
    phrasings: tuple[str, ...]
    negatable: bool = True
    partial: tuple[str, ...] = ()
    contrary: tuple[str, ...] = ()
    needs: str = ""


@dataclass(frozen=True)
class TextOptions:
    """Options of a `text` item: its concept rubric. Shares add up to at least 1; the score
    is the sum of the shares found, capped at 1 (so "any two of these" is six concepts of 1/2).

    `misconceptions` are wrong claims (as concepts: a name saying what is wrong, phrasings): an
    answer asserting one loses its share. `context` is wording of the question beyond the item's
    prompt (the scenario a "Justify" item refers to), which an answer may copy without credit.
    `elsewhere` phrasings name the subjects of other questions (the wolf images of another "Justify"
    item, augmentation with crops and flips where rotation is asked): what a clause naming one of them,
    and none of this question's `about` phrasings, says earns nothing here.
    """

    concepts: tuple[Concept, ...]
    misconceptions: tuple[Concept, ...] = ()
    context: str = ""
    about: tuple[str, ...] = ()
    elsewhere: tuple[str, ...] = ()

# Every student writes their own text: remembering checked answers (grader.grading.grade) would only take memory.
_REVIEW_NOTE = "Scored automatically by looking for the key ideas; your instructor reviews free-text answers."


def _options(item: Item) -> TextOptions:
    assert isinstance(item.options, TextOptions), f"{item.id}: text items need TextOptions"
    return item.options


def read(text: str, item: Item) -> str:
    """The answer's text, as written."""
    return text.strip()


def show(value: str) -> str:
    return value


def compare(given: str, expected: str, item: Item) -> Verdict:
    """The shares of the concepts the answer asserts (less its misconceptions, within 0…1); always for review."""
    judgement = judge(given, _options(item), item.prompt)
    return Verdict(judgement.score, describe(judgement), needs_review=True, confidence=judgement.confidence,
                   confidence_note=judgement.reason)


def describe(judgement: Judgement) -> str:
    """Feedback: found, partly found, contradicted, taken back, wrong and missing concepts, then the review note."""
    parts = []
    found = [c.name for c, credit in judgement.credited if credit >= 1]
    partly = [c.name for c, credit in judgement.credited if credit < 1]
    if found:
        parts.append("Found: " + "; ".join(found) + ".")
    if partly:
        parts.append("Only partly: " + "; ".join(partly) + ".")
    for concept, words in judgement.contradicted:
        parts.append(f"Not credited: {concept.name} — the answer also says “{words}”, which contradicts it.")
    for concept, words in judgement.retracted:
        parts.append(f"Not credited: {concept.name} — the answer later takes it back (“{words}”).")
    for misconception, words in judgement.wrong:
        parts.append(f"Not right: {misconception.name} (“{words}”).")
    if judgement.missing and judgement.score < 1.0:
        parts.append("Missing: " + "; ".join(c.name for c in judgement.missing) + ".")
    parts.append(_REVIEW_NOTE)
    return " ".join(parts)


def validate(item: Item) -> str | None:
    """At least one concept, each with a share in (0, 1] and a phrasing, and shares that can reach full marks."""
    options = item.options
    if not options.concepts:
        return "a text item needs at least one concept"
    for concept in (*options.concepts, *options.misconceptions):
        if not 0 < concept.share <= 1 or not concept.phrasings:
            return f"concept {concept.name!r} needs a share in (0, 1] and at least one phrasing"
    if sum(c.share for c in options.concepts) < 1 - 1e-9:
        return "the concepts' shares add up to less than 1, so full marks are impossible"
    names = {c.name for c in options.concepts}
    for concept in options.concepts:
        if concept.needs and (concept.needs not in names or concept.needs == concept.name):
            return f"concept {concept.name!r} needs {concept.needs!r}, which is no other concept of the item"
    return None


KIND = Kind(
    name="text",
    read=read,
    compare=compare,
    show=show,
    how_to_answer=lambda item: "free text (use | for several lines)",
    json_schema=lambda item: {"type": ["string", "number", "boolean"]},
    options=TextOptions,
    validate=validate,
    # The rubric is bounded work over text whose length is already limited: no bounded process needed.
    needs_bounds=lambda text: False,
    # Every student writes their own text: remembering checked answers across a class would only take memory
    # (a service remembers them for their writers sending them again: grader.grading.runtime.Runtime.resent).
    remember_checks=False,
    # About 800 words; the rubric takes a few milliseconds on 5,000 characters.
    max_answer_length=5_000,
)
