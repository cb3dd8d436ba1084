"""Data that crosses module boundaries: a loaded submission and a grading result."""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """Join surrogate pairs and replace lone surrogates (unencodable: JSON output would fail) with U+FFFD."""
    if not text.isascii() and _SURROGATE.search(text):  # isascii: most text, 25 ns instead of 600
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


# Text that came from a student (or a file name): always encodable, so every output can write it.
StudentText = Annotated[str, AfterValidator(without_surrogates)]


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

    text: StudentText
    line: int | None = None


class Student(BaseModel):
    """Who a submission belongs to.

    `declared_id` is set only where the grade's owner comes from elsewhere (a batch's layout, a
    service's login) and the file's own `student.id` differs from it: a flag, never an identity.
    """

    id: StudentText
    name: StudentText | None = None
    declared_id: StudentText | None = None


class Submission(BaseModel):
    """A parsed submission file: item id → raw answer, plus loader warnings."""

    homework: str
    student: Student
    answers: dict[str, RawAnswer] = Field(default_factory=dict)
    source: StudentText | None = None
    warnings: list[StudentText] = Field(default_factory=list)


class Override(BaseModel):
    """An instructor's regrade of one item: the points it now has, and what it had before."""

    score: float
    comment: str = ""
    original_score: float
    original_status: Status
    # Set when the points come from a review decision in the service (who decided), not from an overrides file.
    reviewer: str | None = None


class ItemResult(BaseModel):
    """The graded outcome of one item.

    The optional fields after `line` are additions to CONTRACT §2: MathML (presentation) of
    the formula as read and as expected, produced at grading time by checkers that have a
    `mathml` printer, the instructor's override when one was applied, the id of the mistake
    rule the answer matched (`misconception`), and the earlier item whose wrong answer this
    one correctly follows from (`follows_from`, error carried forward), and for free text how sure
    the rubric is (`confidence`: high when every concept is asserted plainly, medium with a negation,
    copied words, a typo or a partly stated idea near, low for a contradiction or nothing
    recognisable) with the reason (`confidence_note`); both are null for other kinds.
    """

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
    read_as_mathml: str | None = None
    expected_mathml: str | None = None
    override: Override | None = None
    misconception: str | None = None
    follows_from: str | None = None
    confidence: Literal["high", "medium", "low"] | None = None
    confidence_note: str | None = None


class ProblemResult(BaseModel):
    """Points of one problem."""

    id: str
    title: str
    score: float
    max_score: float


class ResultVariant(BaseModel):
    """Which variant of a homework was graded: its digest, the seed it was drawn from, its parameter values."""

    digest: str
    seed: str | None = None
    parameters: dict[str, int]


class Result(BaseModel):
    """The graded outcome of one submission (CONTRACT §2); `variant` is null for a homework graded without variants."""

    homework: str
    student: Student
    source: str | None = None
    score: float
    max_score: float
    problems: list[ProblemResult]
    items: list[ItemResult]
    warnings: list[str] = Field(default_factory=list)
    grader_version: str
    variant: ResultVariant | None = None
