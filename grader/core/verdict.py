"""What a checker returns: a score in [0, 1], feedback for the student, and the status it implies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from grader.core.models import Status

Confidence = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class Verdict:
    """A checker's judgement of one answer.

    The status follows from the score unless a checker sets it (`invalid` for text that
    could not be read); `needs_review` asks a person to look (undecided or free text).
    `misconception` names the mistake rule the answer matched; `follows_from` the earlier
    item whose (wrong) answer this one correctly builds on (error carried forward).
    `confidence` says how sure a checker that judges by rubric is (free text), and
    `confidence_note` why it is not sure.
    """

    score: float
    feedback: str = ""
    status: Status | None = None
    needs_review: bool = False
    misconception: str | None = None
    follows_from: str | None = None
    confidence: Confidence | None = None
    confidence_note: str = ""

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"a verdict's score must be in [0, 1], got {self.score}")
        if self.status is None:
            object.__setattr__(self, "status", status_for(self.score))


def status_for(score: float) -> Status:
    """correct for full marks, incorrect for none, partial in between."""
    if score >= 1.0:
        return Status.CORRECT
    if score <= 0.0:
        return Status.INCORRECT
    return Status.PARTIAL


def invalid(feedback: str) -> Verdict:
    """An answer that could not be read: no points, and feedback saying how to fix it."""
    return Verdict(0.0, feedback, Status.INVALID)
