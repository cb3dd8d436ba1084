"""Checking answers within time and memory bounds, in checking processes (grader.runtime.worker) owned by a Sandbox.

A signal handler cannot stop one long C-level operation (a big-integer power, a huge
multiplication) and only works in the main thread, and nothing in-process bounds memory; so every
answer that may evaluate math is checked in a forked process with `RLIMIT_AS` and `RLIMIT_CPU`
set and a wall-clock deadline. A Sandbox keeps one such process per thread (no lock is shared
between threads, so a service may grade from several at once; the child runs the calling thread
as its only thread, so the SIGALRM-based time limit of symbolic checks works in it too).

A checking process is a snapshot of this process at its first use: later changes to module state
(a monkeypatched checker in a test) are not seen by it; a new Sandbox forks afresh. Where `fork`
or `resource` is unavailable (Windows), calls run inline, bounded only by the parsers' limits.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from collections.abc import Callable, Sequence

from grader.core.limits import DEFAULT_WORK_LIMITS, Bound, WorkLimits
from grader.grading.checking import Checked, Request, check, internal_error, too_complex
from grader.grading.runtime import CheckMemo, Recompute, Runtime, recompute_here
from grader.runtime import worker
from grader.runtime.worker import TooComplex, WorkerError

__all__ = ["Sandbox", "TooComplex", "WorkerError", "bounded_runtime"]

log = logging.getLogger(__name__)


class Sandbox:
    """Bounded calls in checking processes; called with grading requests, it checks them (grader.grading.runtime)."""

    def __init__(self, limits: WorkLimits = DEFAULT_WORK_LIMITS) -> None:
        self.limits = limits
        self._local = threading.local()

    def map(self, fn: Callable[..., object], calls: Sequence[tuple]) -> list[object]:
        """fn(*args) for every args in `calls`, in order, each call bounded by the limits on its own.

        `fn` must be a module-level function (it is pickled by reference, with its arguments and
        result). All calls go to the process in one message and come back one by one, so a
        submission's answers cost one round trip. A call that hits a bound gets a TooComplex in
        its place (one whose fn raised, a WorkerError), and the calls after it go on in a fresh
        process; when the time for all of them (`batch_seconds`) is used up, the rest get
        TooComplex(BUDGET).
        """
        if not worker.available():
            return [_call_inline(fn, args) for args in calls]
        outcomes: list[object] = []
        budget = time.monotonic() + self.limits.batch_seconds
        while len(outcomes) < len(calls):
            process = self._process()
            outcomes.extend(process.map(fn, calls[len(outcomes):], self.limits.seconds, budget))
            if not process.alive():
                self._local.process = None
            last = outcomes[-1]
            if isinstance(last, TooComplex) and last.bound is Bound.BUDGET:
                outcomes.extend([last] * (len(calls) - len(outcomes)))
        return outcomes

    def __call__(self, requests: Sequence[Request]) -> list[Checked]:
        """Each request checked in a checking process; a bound hit or a crash becomes its answer's verdict."""
        return [self._checked(outcome) for outcome in self.map(check, [(request,) for request in requests])]

    def _checked(self, outcome: object) -> Checked:
        if isinstance(outcome, TooComplex):
            return too_complex(outcome.bound, self.limits)
        if isinstance(outcome, WorkerError):
            log.error("checking an answer failed:\n%s", outcome)
            return Checked(None, internal_error())
        assert isinstance(outcome, Checked), outcome
        return outcome

    def close(self) -> None:
        """Stop this thread's checking process (the next call forks a fresh one)."""
        process = getattr(self._local, "process", None)
        if process is not None:
            process.stop()
            self._local.process = None

    def _process(self) -> worker.Worker:
        process = getattr(self._local, "process", None)
        # A process belongs to the process that forked it (a forked batch worker starts its own).
        if process is not None and (process.owner != os.getpid() or not process.alive()):
            process.stop()  # does nothing for another process's child or one already reaped
            process = None
        if process is None:
            process = self._local.process = worker.Worker(self.limits.memory_mb)
        return process


def _call_inline(fn: Callable[..., object], args: tuple) -> object:
    """One call in this process, with a checking process's mapping of exceptions to outcomes."""
    try:
        return fn(*args)
    except MemoryError:
        return TooComplex(Bound.MEMORY, "ran out of memory")
    except RecursionError:
        return TooComplex(Bound.NESTING, "nested too deeply to evaluate")
    except Exception:  # noqa: BLE001 - reported like a checking process's
        return WorkerError(traceback.format_exc())


def bounded_runtime(limits: WorkLimits = DEFAULT_WORK_LIMITS, *, recompute: Recompute = recompute_here,
                    resent: CheckMemo | None = None) -> Runtime:
    """A grading runtime that checks math in a Sandbox with these limits and remembers checked answers (free text
    too, in `resent`, if given)."""
    return Runtime(sandbox=Sandbox(limits), memo=CheckMemo(), recompute=recompute, resent=resent)


