"""The review queue's answer groups: identical answers (after normalisation) first, then similar ones.

Similar means the grader judged them alike — the same points, the same concepts found, partly found,
contradicted and wrong (read from the feedback the text rubric wrote) — and their words are close
(rapidfuzz's token-set ratio). A reviewer can split an answer out; it is then a group of its own.
Groups come largest and least confident first, undecided ones before decided ones.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from grader.core.models import ItemResult
from grader.service.classdata import Entry
from grader.service.workspace_tables import Decision

# Token-set ratio (0–100) from which two answers the grader judged alike are one group. Chosen on the marking sets'
# answers, each once (benchmarks/review_queue.py --distinct --sweep, docs/performance.md): below 30 hardly fewer
# decisions are needed, above it many more groups whose answers the markers marked alike.
SIMILAR = 30
# How much a group's least confident verdict raises its place in the queue.
_WEIGHT = {"low": 3, "medium": 2, "high": 1, None: 2}
_NON_WORD = re.compile(r"[\W_]+")
_LISTED = re.compile(r"\b(Found|Only partly): ([^.]*)\.")
_DENIED = re.compile(r"\bNot (credited|right): (.+?) [—(]")


@dataclass
class Answer:
    """One student's answer to the item under review, as graded, and the decision in force on it."""

    submission: str  # public id
    submission_id: int
    student: str
    item: ItemResult
    normalised: str
    signature: tuple
    decision: Decision | None = None


@dataclass
class Group:
    """Answers reviewed together."""

    answers: list[Answer] = field(default_factory=list)
    kind: str = "identical"  # "identical", "similar" or "split"

    @property
    def size(self) -> int:
        return len(self.answers)

    @property
    def confidence(self) -> str | None:
        """The least confident verdict in the group."""
        levels = [a.item.confidence for a in self.answers]
        return max(levels, key=lambda level: _WEIGHT[level]) if levels else None

    @property
    def decided(self) -> bool:
        return all(a.decision is not None and a.decision.points is not None for a in self.answers)

    @property
    def decision(self) -> Decision | None:
        """The decision shared by every answer (same points and comment), if there is one."""
        first = self.answers[0].decision
        same = first is not None and all(a.decision is not None and (a.decision.points, a.decision.comment)
                                         == (first.points, first.comment) for a in self.answers)
        return first if same else None


def normalise(text: str) -> str:
    """Case, punctuation and spacing do not tell answers apart."""
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def signature(item: ItemResult) -> tuple:
    """What the grader made of an answer: its points and the concepts its feedback lists as found, partly found,
    contradicted, taken back or wrong."""
    listed = tuple(sorted((kind, name.strip()) for kind, names in _LISTED.findall(item.feedback)
                          for name in names.split(";")))
    denied = tuple(sorted(_DENIED.findall(item.feedback)))
    return (round(item.score, 4), listed, denied)


def answers_for(entries: Iterable[Entry], item_id: str) -> list[Answer]:
    """The flagged answers to `item_id` in the students' latest submissions."""
    found = []
    for entry in entries:
        item = next((i for i in entry.machine.items if i.id == item_id), None)
        if item is None or not item.needs_review or item.given is None:
            continue
        found.append(Answer(entry.submission.public_id, entry.submission.id, entry.submission.member_id, item,
                            normalise(item.given), signature(item), entry.decisions.get(item_id)))
    return found


def group(answers: list[Answer], split: Collection[int] = frozenset()) -> list[Group]:
    """Answers grouped (split ones alone) and ordered: undecided first, then by size × uncertainty."""
    groups: list[Group] = [Group([a], "split") for a in answers if a.submission_id in split]
    identical: dict[tuple, Group] = {}
    for answer in answers:
        if answer.submission_id not in split:
            identical.setdefault((answer.signature, answer.normalised), Group()).answers.append(answer)
    # Similar: within one signature, an identical group joins the first larger group whose words are close.
    by_signature: dict[tuple, list[Group]] = {}
    for candidate in sorted(identical.values(), key=lambda g: (-g.size, g.answers[0].normalised)):
        clusters = by_signature.setdefault(candidate.answers[0].signature, [])
        text = candidate.answers[0].normalised
        home = next((c for c in clusters if fuzz.token_set_ratio(c.answers[0].normalised, text) >= SIMILAR), None)
        if home is None:
            clusters.append(candidate)
        else:
            home.answers.extend(candidate.answers)
            home.kind = "similar"
    groups.extend(g for clusters in by_signature.values() for g in clusters)
    return sorted(groups, key=lambda g: (g.decided, -g.size * _WEIGHT[g.confidence], g.answers[0].student))
