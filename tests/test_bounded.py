"""The bounded worker: C-level work and memory are stopped, from any thread, and the worker recovers."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from grader.runtime import bounded

from grader.grading import grade as grading
from grader.runtime.bounded import TooComplex, WorkerError, WorkLimits, map_bounded, run_bounded, shutdown_workers
from grader.grading.grade import grade
from grader.core.models import RawAnswer, Status, Student, Submission
from grader.core.key import load_key
from problems.hw2_cnn import HOMEWORK

FAST = WorkLimits(seconds=1.0, memory_mb=256)


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
    """Calls return fn's result, computed in one worker process (not this one) reused across calls."""
    first, second = run_bounded(pid), run_bounded(pid)
    assert first == second != str(os.getpid())
    assert run_bounded(echo, "héllo \ud83d") == "héllo \ud83d"


@pytest.mark.parametrize("fn, limit", [(bigint_power, "time"), (allocate, "memory"), (recurse, "nesting")],
                         ids=["c-level-bigint", "memory", "recursion"])
def test_bound_hit_raises_too_complex_and_the_next_call_works(fn, limit):
    """A bound hit raises TooComplex naming the limit, within the time bound; the next call gets a working worker."""
    start = time.perf_counter()
    with pytest.raises(TooComplex) as caught:
        run_bounded(fn, limits=FAST)
    assert caught.value.limit == limit
    assert time.perf_counter() - start < FAST.seconds + 2
    assert run_bounded(echo, "ok", limits=FAST) == "ok"


def test_an_exception_in_fn_is_a_worker_error_and_the_worker_survives():
    """fn raising gives WorkerError with its traceback; the same worker answers the next call."""
    before = run_bounded(pid)
    with pytest.raises(WorkerError, match="boom"):
        run_bounded(explode)
    assert run_bounded(pid) == before


def test_bounds_hold_from_a_non_main_thread():
    """Called from another thread (a service), the C-level bound still holds and each thread has its own worker."""
    outcome = {}

    def work():
        try:
            run_bounded(bigint_power, limits=FAST)
        except TooComplex as error:
            outcome["limit"] = error.limit
        outcome["pid"] = run_bounded(pid, limits=FAST)

    start = time.perf_counter()
    thread = threading.Thread(target=work)
    thread.start()
    thread.join(30)
    assert outcome["limit"] == "time" and time.perf_counter() - start < FAST.seconds + 3
    assert outcome["pid"] != run_bounded(pid, limits=FAST)


def test_isolate_false_runs_inline():
    """With isolate=False the call runs in this process (no bound beyond the parsers' limits)."""
    assert run_bounded(pid, limits=WorkLimits(isolate=False)) == str(os.getpid())


def test_a_forked_process_starts_its_own_worker():
    """A process forked after the worker started (a batch pool) does not share the parent's worker."""
    parent_worker = run_bounded(pid)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.write(write, run_bounded(pid).encode())
        finally:
            os._exit(0)
    os.close(write)
    child_worker = os.read(read, 100).decode()
    os.close(read)
    os.waitpid(child, 0)
    assert child_worker not in ("", parent_worker, str(child))


def test_shutdown_restarts_workers():
    """shutdown_workers() stops the worker; the next call forks a new one."""
    before = run_bounded(pid)
    shutdown_workers()
    assert run_bounded(pid) != before


def slow_compare(given, expected, item):
    bigint_power()


def test_a_checker_stuck_in_c_code_costs_only_its_own_item(monkeypatch):
    """A checker stuck in one C-level operation: that item is invalid 'too complex', the others are graded."""
    monkeypatch.setattr(grading.expression, "compare", slow_compare)
    key = load_key(HOMEWORK)
    answers = {item_id: RawAnswer(text=text, line=1) for item_id, text in key.answers.items()}
    submission = Submission(homework="hw2-cnn", student=Student(id="ada"), answers=answers)
    limits = WorkLimits(seconds=0.5, memory_mb=256)
    start = time.perf_counter()
    result = grade(submission, HOMEWORK, key, limits=limits)
    stuck = [item for item in result.items if item.kind == "expression"]
    assert time.perf_counter() - start < len(stuck) * (limits.seconds + 1) + 5
    assert all(item.status is Status.INVALID and "Too complex to check" in item.feedback
               and item.needs_review for item in stuck)
    assert all(item.status is Status.CORRECT for item in result.items if item.kind != "expression")


def test_module_documents_thread_behaviour():
    """The module docstring states how threads and non-fork platforms behave (the service contract)."""
    assert "thread" in bounded.__doc__ and "inline" in bounded.__doc__ and sys.platform


def test_map_bounded_isolates_each_call():
    """In one batch, a call that hits a bound is replaced by TooComplex and the calls after it still run."""
    outcomes = map_bounded(echo, [("a",), ("b",)], limits=FAST)
    assert outcomes == ["a", "b"]
    mixed = map_bounded(_dispatch, [("echo",), ("bigint",), ("raise",), ("echo",)], limits=FAST)
    assert mixed[0] == "echo" and mixed[3] == "echo"
    assert isinstance(mixed[1], TooComplex) and mixed[1].limit == "time"
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
    outcomes = map_bounded(_dispatch, [("bigint",)] * 10, limits=limits)
    assert time.perf_counter() - start < 4
    assert [o.limit for o in outcomes] == ["time"] + ["budget"] * 9


def test_shutdown_is_quick_while_a_forked_child_lives():
    """A long-lived process forked by other code (a pool) neither shares nor delays stopping the worker."""
    run_bounded(pid)
    child = os.fork()
    if child == 0:
        time.sleep(3)
        os._exit(0)
    try:
        start = time.perf_counter()
        shutdown_workers()
        assert time.perf_counter() - start < 1
    finally:
        os.kill(child, 9)
        os.waitpid(child, 0)


def test_a_worker_that_died_while_idle_is_replaced_without_blaming_the_next_call():
    """If the worker is killed between calls (the OOM killer), the next call runs normally in a new one."""
    before = int(run_bounded(pid))
    os.kill(before, 9)
    time.sleep(0.2)
    assert run_bounded(echo, "fine") == "fine"
    assert int(run_bounded(pid)) != before
