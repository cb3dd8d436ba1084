"""What a class summary shows: one line per submission and the statistics per homework (batch and service alike)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Outcome:
    """One submission's line in the class outputs: its points, or why it was not graded.

    `student_id` is whose grade it is (a batch: the layout's name; a service: the login's student).

    A worker also sends `result_json` (the line of results.jsonl) and `digest` (per-item facts
    for the class statistics); the main process consumes both and drops them, so its memory
    does not grow with the full results of a large class.
    """

    name: str  # unique and file-safe: names the report
    source: str  # the file it came from, printable
    student_id: str
    student_name: str | None = None
    declared_id: str | None = None  # the file's own student.id where it differs from student_id: a flag
    homework: str | None = None
    problems: dict[str, float] = field(default_factory=dict)
    score: float | None = None
    max_score: float | None = None
    adjusted: int = 0
    review: int = 0
    warnings: int = 0
    error: str | None = None
    details: str | None = None  # instructor-only: a traceback
    report: str | None = None  # path of the HTML report, relative to OUT
    variant: str | None = None  # the digest of the variant graded; None: the homework as registered
    result_json: str | None = None
    # per item: status, score fraction, needs review, wrong answer, its feedback, mistake rule, item followed, and
    # the variant its answer belongs to (None where the item and its key are the same in every variant)
    digest: list[tuple[str, float, bool, str | None, str | None, str | None, str | None, str | None]] | None = None

    @property
    def graded(self) -> bool:
        return self.score is not None

    @property
    def percent(self) -> float | None:
        if self.score is None:
            return None
        return 100 * self.score / self.max_score if self.max_score else 0.0


@dataclass
class ItemStats:
    """How a class did on one item."""

    id: str
    problem: str
    max_score: float
    mean_fraction: float
    counts: dict[str, int]
    needs_review: int


@dataclass
class Mistake:
    """One wrong answer (as the grader read it) and how many students gave it; `rule`: the misconception it is;
    `variant`: the variant whose numbers it answers (None where the item is the same in every variant)."""

    item: str
    answer: str
    count: int
    status: str
    feedback: str
    rule: str | None = None
    variant: str | None = None


@dataclass
class Misconception:
    """A mistake rule and how often the class made it: answers, students, and the items most often affected."""

    rule: str
    answers: int
    students: int
    items: list[tuple[str, int]]


@dataclass
class HomeworkSummary:
    """Class statistics of one homework."""

    id: str
    title: str
    max_score: float
    problems: list[tuple[str, str, float]]  # (id, title, max points)
    graded: int
    mean: float | None
    median: float | None
    low: float | None
    high: float | None
    histogram: list[int]  # students per 10 % band of the score, last band includes 100 %
    items: list[ItemStats]
    mistakes: list[Mistake]
    misconceptions: list[Misconception]
    carried: int  # answers that earned credit by error carried forward
    carried_students: int
    variants: int = 0  # distinct variants graded (0: every student had the homework as registered)


@dataclass
class ClassSummary:
    """Everything index.html shows."""

    folder: str
    outcomes: list[Outcome]
    homeworks: list[HomeworkSummary]
    warnings: list[str]
    generated: str
    grader_version: str

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error is not None]
