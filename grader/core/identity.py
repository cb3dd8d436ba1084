"""Whose grade a result is: the identity a deployment vouches for, never the id a file declares."""

from __future__ import annotations

from grader.core.models import Result


def graded_as(result: Result, student_id: str) -> Result:
    """The result under `student_id`, the identity the deployment knows (a batch: the layout's name).

    A submission's `student.id` is typed by the student, so it never decides whose row, report or
    overrides a result gets; when it differs from `student_id` (even only in case) it is kept as
    `declared_id`, a flag for the instructor.
    """
    declared = result.student.id
    student = result.student.model_copy(update={
        "id": student_id, "declared_id": declared if declared != student_id else None,
    })
    return result.model_copy(update={"student": student})


def identity_flag(student_id: str, declared_id: str | None) -> str | None:
    """The sentence that flags a declared id differing from the one graded, or None."""
    if declared_id is None:
        return None
    return (f"The file says it belongs to student id {declared_id!r}, but it was found as {student_id!r}; "
            f"it is graded as {student_id!r}.")
