"""Grading runtimes for tests: inline (checked in this process) and bounded (checking processes, as `grader check`)."""

from __future__ import annotations

from grader.core.limits import WorkLimits
from grader.grading.runtime import Runtime
from grader.runtime.sandbox import bounded_runtime

# Every answer checked in this process, nothing remembered: what a test that patches a checker wants.
INLINE = Runtime(sandbox=None, memo=None)


def bounded(**limits: float) -> Runtime:
    """A fresh bounded runtime (its checking process forks on first use, so it sees the code as it is now)."""
    return bounded_runtime(WorkLimits(**limits))

# Checking processes as `grader check` has them, shared by the tests that do not patch a checker.
BOUNDED = bounded()
