"""The course file (`course.yaml`): homeworks offered with their deadlines, late policy and release, and the roster."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from grader.core.errors import UsageError
from grader.io.secret import read_secret_file

# Roster ids appear in URLs, logs and CSV files: a conservative alphabet.
ROSTER_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


def _aware(value: datetime) -> datetime:
    """Times without a zone are refused: a deadline must not move with the server's time zone."""
    if value.tzinfo is None:
        raise ValueError("give the time zone (e.g. 2026-12-01T23:59:00+01:00 or ...Z)")
    return value.astimezone(UTC)


When = Annotated[datetime, AfterValidator(_aware)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LatePolicy(_Strict):
    """Points lost per started day after the deadline, and when submissions stop being accepted."""

    penalty_per_day: float = Field(0.0, ge=0, le=100, description="percent of the score per started day late")
    until: When | None = None


class Offering(_Strict):
    """One homework as this course offers it."""

    opens: When | None = None
    deadline: When | None = None
    late: LatePolicy = LatePolicy()
    release_expected: When | None = Field(None, description="when students may see expected answers (never if unset)")
    variants: bool = Field(False, description="each student their own numbers (the homework's parameters), "
                                              "from the course secret and their roster id")

    @model_validator(mode="after")
    def _ordered(self) -> Offering:
        if self.late.until is not None and self.deadline is not None and self.late.until < self.deadline:
            raise ValueError("late.until is before the deadline")
        return self


class Member(_Strict):
    """A student or instructor of the roster."""

    id: Annotated[str, Field(pattern=ROSTER_ID)]
    name: str | None = None
    repository: str | None = Field(None, description="owner/name of the student's repository (GitHub)")


class Limits(_Strict):
    """Per-student limits shared by every replica (counted in the database)."""

    submissions_per_minute: int = Field(6, ge=1)


class Course(_Strict):
    """The whole course file."""

    title: str = "Course"
    homeworks: dict[str, Offering]
    limits: Limits = Limits()
    students: list[Member] = Field(default_factory=list)
    instructors: list[Member] = Field(default_factory=list)
    secret_file: str | None = Field(None, description="the course secret's file (relative to the course file), "
                                                      "from which each student's variant comes")

    @model_validator(mode="after")
    def _variants_need_the_secret(self) -> Course:
        varied = [name for name, offering in self.homeworks.items() if offering.variants]
        if varied and self.secret_file is None:
            raise ValueError(f"homeworks {', '.join(varied)} are given in variants: set secret_file "
                             "(`grader secret FILE` makes one)")
        return self

    @property
    def varied(self) -> frozenset[str]:
        """The homeworks given in variants."""
        return frozenset(name for name, offering in self.homeworks.items() if offering.variants)

    @model_validator(mode="after")
    def _unique_ids(self) -> Course:
        seen: set[str] = set()
        for member in (*self.students, *self.instructors):
            if member.id in seen:
                raise ValueError(f"roster id {member.id!r} appears twice")
            seen.add(member.id)
        return self

    def role_of(self, member_id: str) -> Literal["student", "instructor"] | None:
        """The member's role in the current roster, or None if they are not on it (any more)."""
        if any(m.id == member_id for m in self.students):
            return "student"
        if any(m.id == member_id for m in self.instructors):
            return "instructor"
        return None


def load_course(path: str | Path, *, installed: tuple[str, ...] | None = None) -> Course:
    """Read and check a course file; UsageError naming the file and field if it is unusable.

    `installed` (the homeworks this grader has) refuses a course offering one it cannot grade.
    """
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        course = Course.model_validate(document)
    except OSError as error:
        raise UsageError(f"cannot read the course file: {error.strerror}", path=path) from None
    except yaml.YAMLError as error:
        raise UsageError(f"the course file is not valid YAML: {error}", path=path) from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the file"
        raise UsageError(f"{where}: {first['msg']}", path=path) from None
    if installed is not None:
        unknown = sorted(set(course.homeworks) - set(installed))
        if unknown:
            raise UsageError(f"homeworks: {', '.join(unknown)} not installed (installed: {', '.join(installed)})",
                             path=path)
        _check_variants(course, path)
    if course.secret_file is not None:  # relative to the course file, wherever the server is started
        course = course.model_copy(update={"secret_file": str((path.parent / course.secret_file).resolve())})
    return course


def _check_variants(course: Course, path: Path) -> None:
    from grader.plugins.homeworks import load_homework

    for name in sorted(course.varied):
        if not load_homework(name).parameters:
            raise UsageError(f"homeworks.{name}.variants: {name} has no parameters, so no variants", path=path)


def course_secret(course: Course) -> bytes | None:
    """The course secret (for the homeworks given in variants), read from its file; never logged or shown."""
    return read_secret_file(course.secret_file) if course.secret_file is not None else None


class Lateness(BaseModel):
    """How late a submission is under the course's policy."""

    seconds: int
    days: int
    penalty_percent: float


def lateness(offering: Offering, received: datetime) -> Lateness | None:
    """None when on time (or no deadline); else seconds and started days late, and the penalty."""
    if offering.deadline is None or received <= offering.deadline:
        return None
    late: timedelta = received - offering.deadline
    days = math.ceil(late / timedelta(days=1))
    return Lateness(seconds=int(late.total_seconds()), days=days,
                    penalty_percent=min(100.0, days * offering.late.penalty_per_day))


def refusal(offering: Offering, now: datetime) -> str | None:
    """Why the homework takes no submission now (not open yet, or closed), else None."""
    if offering.opens is not None and now < offering.opens:
        return f"this homework opens at {offering.opens.isoformat()}"
    closes = offering.late.until if offering.late.until is not None else None
    if closes is not None and now > closes:
        return f"this homework closed at {closes.isoformat()}"
    return None


def expected_released(offering: Offering, now: datetime) -> bool:
    """Whether the course file lets students see the expected answers now: at `release_expected`, else once
    submissions close (`late.until`), else after the deadline; never without any of them (an instructor may
    still release them in the service)."""
    moment = offering.release_expected or offering.late.until or offering.deadline
    return moment is not None and now >= moment
