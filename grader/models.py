"""Data that crosses module boundaries: a loaded submission and a grading result."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class Status(str, Enum):
    """Outcome of one item (CONTRACT §2)."""

    CORRECT = "correct"
    PARTIAL = "partial"
    INCORRECT = "incorrect"
    MISSING = "missing"
    INVALID = "invalid"


class RawAnswer(BaseModel):
    """One answer exactly as the student wrote it, with the line it starts on (1-based)."""

    model_config = ConfigDict(frozen=True)

    text: str
    line: int | None = None


class Student(BaseModel):
    """Who a submission belongs to."""

    id: str
    name: str | None = None


class Submission(BaseModel):
    """A parsed submission file: item id → raw answer, plus loader warnings."""

    homework: str
    student: Student
    answers: dict[str, RawAnswer] = Field(default_factory=dict)
    source: str | None = None
    warnings: list[str] = Field(default_factory=list)


class ItemResult(BaseModel):
    """The graded outcome of one item."""

    id: str
    problem: str
    kind: str
    status: Status
    score: float
    max_score: float
    given: str | None = None
    read_as: str | None = None
    expected: str | None = None
    feedback: str = ""
    needs_review: bool = False
    line: int | None = None


class ProblemResult(BaseModel):
    """Points of one problem."""

    id: str
    title: str
    score: float
    max_score: float


class Result(BaseModel):
    """The graded outcome of one submission (CONTRACT §2)."""

    homework: str
    student: Student
    source: str | None = None
    score: float
    max_score: float
    problems: list[ProblemResult]
    items: list[ItemResult]
    warnings: list[str] = Field(default_factory=list)
    grader_version: str
