"""A soft time limit on symbolic work (sympy) inside a check: SIGALRM in the main thread, no limit elsewhere.

The hard bounds are the checking process's (grader.runtime.sandbox): this one only turns a slow
symbolic step into "could not decide" before the whole answer hits them.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class TimeLimitExceeded(Exception):
    """The callable given to run_with_time_limit did not finish in time."""


def run_with_time_limit(fn: Callable[[], T], seconds: float) -> T:
    """Return fn(), or raise TimeLimitExceeded once `seconds` of wall-clock time have passed.

    The limit is an ITIMER_REAL timer whose SIGALRM handler raises inside fn. Only the main
    thread may install signal handlers, so when called from another thread (or on a platform
    without setitimer, or while an ITIMER_REAL of someone else's is already running, which must
    not be cancelled) fn runs WITHOUT a limit. Python handles the signal between bytecodes, so a
    long call into C code overruns until it returns: the checking process's own limits stop that.
    A checking process runs the calling thread as its main thread, so the limit holds there.
    """
    if seconds <= 0:
        raise TimeLimitExceeded("no time allowed")
    if not _alarm_available():
        return fn()

    finished = False

    def on_alarm(signum: int, frame: object) -> None:
        # An alarm still pending when fn has returned is handled during cleanup; ignore it there.
        if not finished:
            raise TimeLimitExceeded(f"gave up after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        return fn()
    finally:
        finished = True
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _alarm_available() -> bool:
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )
