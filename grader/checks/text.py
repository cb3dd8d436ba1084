"""The `text` checker: free text scored by a concept rubric (`grader.text.rubric`), always flagged for review.

Feedback lists the concepts found, those missing, those the answer contradicts or takes back (quoting
it) and any misconception it states; the verdict says how sure the rubric is (`confidence`).
"""

from __future__ import annotations

from grader.core.homework import Item, TextOptions
from grader.text.rubric import Judgement, judge
from grader.core.verdict import Verdict

# Every student writes their own text: remembering checked answers (grader.grading.grade) would only take memory.
REMEMBER_CHECKS = False
_REVIEW_NOTE = "Scored automatically by looking for the key ideas; your instructor reviews free-text answers."


def _options(item: Item) -> TextOptions:
    assert isinstance(item.options, TextOptions), f"{item.id}: text items need TextOptions"
    return item.options


def needs_bounds(text: str) -> bool:
    """Reading is bounded work over text whose length is already limited: no bounded worker needed."""
    return False


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
