"""The sandbox: C-level work and memory are stopped, from any thread, and its checking process recovers."""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import replace

import pytest

from grader.core.limits import Bound, WorkLimits
from grader.core.models import RawAnswer, Status, Student, Submission
from grader.grading.grade import grade
from grader.plugins.kinds import kinds
from grader.runtime import sandbox as sandbox_module
from grader.runtime.sandbox import Sandbox, TooComplex, WorkerError
from grader.runtime.worker import stop_all
from tests.runtimes import bounded
from tests.tiny_homework import TINY, TINY_KEY

FAST = WorkLimits(seconds=1.0, memory_mb=256)


def run(fn, *args, limits: WorkLimits = FAST, sandbox: Sandbox | None = None):
    """fn(*args) in a sandbox (a fresh one unless given); raises what the call hit."""
    (outcome,) = (sandbox or Sandbox(limits)).map(fn, [args])
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def pid() -> str:
    return str(os.getpid())


def echo(text: str) -> str:
    return text


def bigint_power() -> str:
    """One C-level operation that takes minutes: no signal handler can interrupt it."""
    return str((3 ** (10**9)) & 1)


def allocate() -> str:
    return str(len(bytearray(4 * 2**30)))


def recurse(n: int = 0) -> str:
    return recurse(n + 1)


def explode() -> str:
    raise ValueError("boom")


def test_result_comes_back_from_a_reused_worker():
    """Calls return fn's result as a typed object, computed in one process (not this one) reused across calls."""
    sandbox = Sandbox(FAST)
    first, second = run(pid, sandbox=sandbox), run(pid, sandbox=sandbox)
    assert first == second != str(os.getpid())
    assert run(echo, "héllo \ud83d") == "héllo \ud83d"
    assert run(echo, {"a": (1, 2.5)}) == {"a": (1, 2.5)}


@pytest.mark.parametrize("fn, bound", [(bigint_power, Bound.TIME), (allocate, Bound.MEMORY),
                                       (recurse, Bound.NESTING)], ids=["c-level-bigint", "memory", "recursion"])
def test_bound_hit_raises_too_complex_and_the_next_call_works(fn, bound):
    """A bound hit raises TooComplex naming the bound, within the time bound; the next call gets a working process."""
    sandbox = Sandbox(FAST)
    start = time.perf_counter()
    with pytest.raises(TooComplex) as caught:
        run(fn, sandbox=sandbox)
    assert caught.value.bound is bound
    assert time.perf_counter() - start < FAST.seconds + 2
    assert run(echo, "ok", sandbox=sandbox) == "ok"


def test_an_exception_in_fn_is_a_worker_error_and_the_worker_survives():
    """fn raising gives WorkerError with its traceback; the same worker answers the next call."""
    sandbox = Sandbox(FAST)
    before = run(pid, sandbox=sandbox)
    with pytest.raises(WorkerError, match="boom"):
        run(explode, sandbox=sandbox)
    assert run(pid, sandbox=sandbox) == before


def test_bounds_hold_from_a_non_main_thread():
    """Called from another thread (a service), the C-level bound still holds and each thread has its own worker."""
    outcome = {}
    sandbox = Sandbox(FAST)

    def work():
        try:
            run(bigint_power, sandbox=sandbox)
        except TooComplex as error:
            outcome["bound"] = error.bound
        outcome["pid"] = run(pid, sandbox=sandbox)

    start = time.perf_counter()
    thread = threading.Thread(target=work)
    thread.start()
    thread.join(30)
    assert outcome["bound"] is Bound.TIME and time.perf_counter() - start < FAST.seconds + 3
    assert outcome["pid"] != run(pid, sandbox=sandbox)


def test_a_forked_process_starts_its_own_worker():
    """A process forked after the worker started (a batch pool) does not share the parent's worker."""
    sandbox = Sandbox(FAST)
    parent_worker = run(pid, sandbox=sandbox)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.write(write, run(pid, sandbox=sandbox).encode())
        finally:
            os._exit(0)
    os.close(write)
    child_worker = os.read(read, 100).decode()
    os.close(read)
    os.waitpid(child, 0)
    assert child_worker not in ("", parent_worker, str(child))


def test_close_restarts_the_process():
    """close() stops this thread's checking process; the next call forks a new one."""
    sandbox = Sandbox(FAST)
    before = run(pid, sandbox=sandbox)
    sandbox.close()
    assert run(pid, sandbox=sandbox) != before


def slow_compare(given, expected, item):
    bigint_power()


def test_a_checker_stuck_in_c_code_costs_only_its_own_item(monkeypatch):
    """A checker stuck in one C-level operation: that item is invalid 'too complex', the others are graded."""
    monkeypatch.setitem(kinds(), "expression", replace(kinds()["expression"], compare=slow_compare))
    answers = {item_id: RawAnswer(text=text, line=1) for item_id, text in TINY_KEY.answers.items()}
    submission = Submission(homework="tiny", student=Student(id="ada"), answers=answers)
    limits = WorkLimits(seconds=0.5, memory_mb=256)
    start = time.perf_counter()
    result = grade(submission, TINY, TINY_KEY, bounded(seconds=0.5, memory_mb=256))
    stuck = [item for item in result.items if item.kind == "expression"]
    assert time.perf_counter() - start < len(stuck) * (limits.seconds + 1) + 5
    assert all(item.status is Status.INVALID and "Too complex to check" in item.feedback
               and item.needs_review for item in stuck)
    assert all(item.status is Status.CORRECT for item in result.items if item.kind != "expression")


def test_module_documents_thread_behaviour():
    """The sandbox module's docstring states how threads and non-fork platforms behave (the service contract)."""
    assert "thread" in sandbox_module.__doc__ and "inline" in sandbox_module.__doc__ and sys.platform


def test_map_isolates_each_call():
    """In one batch, a call that hits a bound is replaced by TooComplex and the calls after it still run."""
    sandbox = Sandbox(FAST)
    assert sandbox.map(echo, [("a",), ("b",)]) == ["a", "b"]
    mixed = sandbox.map(_dispatch, [("echo",), ("bigint",), ("raise",), ("echo",)])
    assert mixed[0] == "echo" and mixed[3] == "echo"
    assert isinstance(mixed[1], TooComplex) and mixed[1].bound is Bound.TIME
    assert isinstance(mixed[2], WorkerError)


def _dispatch(what: str) -> str:
    if what == "bigint":
        return bigint_power()
    if what == "raise":
        return explode()
    return what


def test_batch_budget_bounds_a_whole_submission():
    """A batch of slow calls stops at the batch budget: the calls left get TooComplex('budget')."""
    limits = WorkLimits(seconds=1.0, memory_mb=256, batch_seconds=1.5)
    start = time.perf_counter()
    outcomes = Sandbox(limits).map(_dispatch, [("bigint",)] * 10)
    assert time.perf_counter() - start < 4
    assert [o.bound for o in outcomes] == [Bound.TIME] + [Bound.BUDGET] * 9


def test_shutdown_is_quick_while_a_forked_child_lives():
    """A long-lived process forked by other code (a pool) neither shares nor delays stopping the worker."""
    sandbox = Sandbox(FAST)
    run(pid, sandbox=sandbox)
    child = os.fork()
    if child == 0:
        time.sleep(30)
        os._exit(0)
    try:
        start = time.perf_counter()
        stop_all()
        # Waiting on the child would take its 30 s: far more than the slowest machine takes to stop the worker.
        assert time.perf_counter() - start < 10
    finally:
        os.kill(child, 9)
        os.waitpid(child, 0)


def test_a_worker_that_died_while_idle_is_replaced_without_blaming_the_next_call():
    """If the worker is killed between calls (the OOM killer), the next call runs normally in a new one."""
    sandbox = Sandbox(FAST)
    before = int(run(pid, sandbox=sandbox))
    os.kill(before, 9)
    time.sleep(0.2)
    assert run(echo, "fine", sandbox=sandbox) == "fine"
    assert int(run(pid, sandbox=sandbox)) != before
