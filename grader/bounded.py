"""Run work on untrusted input in a worker process bounded in wall time, CPU time and memory.

A signal handler cannot stop one long C-level operation (a big-integer power, a huge
multiplication) and only works in the main thread, and nothing in-process bounds memory. So
every answer is checked in a *worker*: a fork of the grading process (sharing the sympy and
grader modules already imported, so starting one costs a few milliseconds) with
`RLIMIT_AS` (memory) and `RLIMIT_CPU` (CPU time) set, reused for the next call while it stays
healthy so its caches stay warm. The parent waits for each reply with a wall-clock deadline; on
a deadline, CPU-limit or memory-limit hit the worker is killed, `TooComplex` is raised naming
the limit, and the next call forks a fresh worker.

Threads: each thread gets its own worker (no lock is shared between threads), so a later HTTP
service can grade from several threads at once. The child runs the calling thread as its only
(main) thread, so the SIGALRM-based `run_with_time_limit` works inside it even when the caller
is not the main thread. Forking a multi-threaded process is safe here because the worker only
runs grader code (logging re-initialises its locks after fork).

The worker is a snapshot of the process at its first use: later changes to module state (a
monkeypatched checker in a test) are not seen by it until `shutdown_workers()` is called.
Where `fork` or `resource` is unavailable (Windows) or `WorkLimits.isolate` is false, calls run
inline with no bound beyond the parsers' size limits and the symbolic check's SIGALRM limit.
"""

from __future__ import annotations

import atexit
import gc
import os
import pickle
import select
import signal
import struct
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None  # type: ignore[assignment]

__all__ = ["DEFAULT_WORK_LIMITS", "TooComplex", "WorkLimits", "WorkerError", "map_bounded", "run_bounded",
           "shutdown_workers"]


@dataclass(frozen=True)
class WorkLimits:
    """Bounds on checking one answer.

    `seconds` is the wall-clock time one call may take (the CPU-time limit, a backstop, is one to
    two seconds more);
    `memory_mb` is how much address space the worker may grow beyond its size at start;
    `batch_seconds` bounds one map_bounded call (a whole submission) in total, so a file full of
    slow answers costs at most that long: the answers left then get TooComplex("budget").
    `isolate=False` runs calls inline (unbounded; for debugging, or platforms without fork).
    """

    seconds: float = 5.0
    memory_mb: int = 1024
    isolate: bool = True
    batch_seconds: float = 60.0


DEFAULT_WORK_LIMITS = WorkLimits()


class TooComplex(Exception):
    """A call hit a bound; `limit` is "time", "memory", "cpu", "nesting" or "budget"."""

    def __init__(self, limit: str, detail: str):
        self.limit = limit
        self.detail = detail
        super().__init__(f"{limit} limit: {detail}")


class WorkerError(RuntimeError):
    """The called function raised (the message holds the worker's traceback) or the worker crashed."""


_OK, _ERROR, _MEMORY, _NESTING = b"o", b"e", b"m", b"n"
_HEADER = struct.Struct("!cI")
_LENGTH = struct.Struct("!I")

_in_worker = False  # set in a worker: nested calls run inline
_local = threading.local()
_live: dict[int, _Worker] = {}  # request fd -> worker, of this process, to close in forked children
_live_lock = threading.Lock()


def run_bounded(fn: Callable[..., str], *args: object, limits: WorkLimits = DEFAULT_WORK_LIMITS) -> str:
    """Return fn(*args) computed in this thread's worker within `limits`.

    `fn` must be a module-level function (it is pickled by reference, with `args`) returning a
    str. Raises TooComplex when a bound is hit, WorkerError when fn raised or the worker died.
    """
    outcome = map_bounded(fn, [args], limits=limits)[0]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def map_bounded(
    fn: Callable[..., str], calls: Sequence[tuple], *, limits: WorkLimits = DEFAULT_WORK_LIMITS
) -> list[str | TooComplex | WorkerError]:
    """fn(*args) for every args in `calls`, in order, each call bounded by `limits` on its own.

    All calls go to the worker in one message and come back one by one, so a submission's
    answers cost one round trip. A call that hits a bound gets a TooComplex in its place (one
    whose fn raised, a WorkerError) and the calls after it go on in a fresh worker.
    """
    if not limits.isolate or _in_worker or resource is None or not hasattr(os, "fork"):
        return [_call_inline(fn, args) for args in calls]
    outcomes: list[str | TooComplex | WorkerError] = []
    budget = time.monotonic() + limits.batch_seconds
    while len(outcomes) < len(calls):
        worker = _worker_for_this_thread(limits)
        outcomes.extend(worker.map(fn, calls[len(outcomes):], limits.seconds, budget))
        if not worker.alive():
            _local.worker = None
        if isinstance(outcomes[-1], TooComplex) and outcomes[-1].limit == "budget":
            outcomes.extend([outcomes[-1]] * (len(calls) - len(outcomes)))
    return outcomes


def _call_inline(fn: Callable[..., str], args: tuple) -> str | TooComplex | WorkerError:
    """One call in this process, with the worker's mapping of exceptions to outcomes."""
    try:
        return fn(*args)
    except MemoryError:
        return TooComplex("memory", "ran out of memory")
    except RecursionError:
        return TooComplex("nesting", "nested too deeply to evaluate")
    except Exception:  # noqa: BLE001 - reported like the worker's
        return WorkerError(traceback.format_exc())


def shutdown_workers() -> None:
    """Stop every worker this process started (they are restarted on the next call)."""
    with _live_lock:
        workers = list(_live.values())
    for worker in workers:
        worker.stop()
    _local.worker = None


def _worker_for_this_thread(limits: WorkLimits) -> _Worker:
    worker = getattr(_local, "worker", None)
    # A worker belongs to the process that forked it (a forked batch process starts its own).
    if worker is not None and (worker.owner != os.getpid() or worker.memory_mb != limits.memory_mb
                               or not worker.alive()):
        worker.stop()  # does nothing for another process's worker or one already reaped
        worker = None
    if worker is None:
        worker = _local.worker = _Worker(limits.memory_mb)
    return worker


class _Worker:
    """One forked worker process and the two pipes to it."""

    def __init__(self, memory_mb: int):
        self.memory_mb = memory_mb
        self.owner = os.getpid()
        self.buffer = bytearray()
        request_read, self.request = os.pipe()
        self.reply, reply_write = os.pipe()
        with _live_lock:
            inherited = list(_live)
            gc.freeze()  # the worker's collections then leave the inherited objects' pages shared
            self.pid = os.fork()
            if self.pid == 0:  # the worker
                _become_worker(request_read, reply_write, inherited + [self.request, self.reply], memory_mb)
            _live[self.request] = self
            # Closed under the lock, so a worker forked by another thread never holds these ends.
            os.close(request_read)
            os.close(reply_write)

    def alive(self) -> bool:
        """Whether the worker is running; one that died while idle (say, the OOM killer) is reaped.

        Checked before each use, so an idle worker's death is never blamed on the next answer.
        """
        if self.pid is None or self.owner != os.getpid():
            return False
        try:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:  # already reaped, e.g. by a host application's SIGCHLD handling
            pid = self.pid
        if pid == 0:
            return True
        self.pid = None
        self._close()
        return False

    def _close(self) -> None:
        with _live_lock:
            _live.pop(self.request, None)
        for fd in (self.request, self.reply):
            try:
                os.close(fd)
            except OSError:
                pass

    def map(self, fn: Callable[..., str], calls: Sequence[tuple], seconds: float, budget: float) -> list:
        """Outcomes of the calls, in order; fewer than asked when the worker had to be stopped.

        The last outcome is then the TooComplex or WorkerError that stopped it.
        """
        outcomes: list[str | TooComplex | WorkerError] = []
        request = pickle.dumps((fn, list(calls), seconds), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            _write_all(self.request, _LENGTH.pack(len(request)) + request)
            for _ in calls:
                deadline = min(time.monotonic() + seconds, budget)
                status, length = _HEADER.unpack(self._read(_HEADER.size, deadline))
                payload = self._read(length, deadline).decode("utf-8", "surrogatepass")
                if status == _OK:
                    outcomes.append(payload)
                elif status == _MEMORY:
                    self.stop(kill=True)  # memory may be fragmented or a cache half-filled: start afresh
                    outcomes.append(TooComplex("memory", f"needed more than {self.memory_mb} MB"))
                    break
                elif status == _NESTING:
                    outcomes.append(TooComplex("nesting", "nested too deeply to evaluate"))
                else:
                    outcomes.append(WorkerError(payload))
        except _Deadline:
            self.stop(kill=True)
            if time.monotonic() >= budget:
                outcomes.append(TooComplex("budget", "the time for the whole batch of calls is used up"))
            else:
                outcomes.append(TooComplex("time", f"gave up after {seconds:g} s"))
        except (_WorkerGone, BrokenPipeError):
            outcomes.append(self._death())
        return outcomes

    def _read(self, size: int, deadline: float) -> bytes:
        """Exactly `size` bytes of replies, reading ahead in large chunks; _Deadline or _WorkerGone."""
        while len(self.buffer) < size:
            timeout = deadline - time.monotonic()
            if timeout <= 0 or not select.select([self.reply], [], [], timeout)[0]:
                raise _Deadline
            chunk = os.read(self.reply, 1 << 16)
            if not chunk:
                raise _WorkerGone
            self.buffer += chunk
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def _death(self) -> Exception:
        """Reap the worker that closed its pipe and say which bound (if any) ended it."""
        status = self.stop(kill=True)
        if status is not None and os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            if number == signal.SIGXCPU:
                return TooComplex("cpu", "used up its CPU time")
            if number == signal.SIGKILL:  # the kernel's out-of-memory killer
                return TooComplex("memory", "was killed, most likely for running out of memory")
            return WorkerError(f"the worker was killed by signal {number}")
        code = os.WEXITSTATUS(status) if status is not None and os.WIFEXITED(status) else None
        if code == _EXIT_MEMORY:
            return TooComplex("memory", f"needed more than {self.memory_mb} MB")
        return WorkerError(f"the worker exited unexpectedly (exit status {code})")

    def stop(self, *, kill: bool = True) -> int | None:
        """End the worker with SIGKILL (it holds nothing worth saving) and reap it; its exit status.

        Killing rather than waiting for it to see EOF matters: a process forked meanwhile by
        other code may hold a copy of the request pipe, and the EOF would never come.
        """
        if self.pid is None or self.owner != os.getpid():
            return None
        pid, self.pid = self.pid, None
        if kill:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._close()
        try:
            return os.waitpid(pid, 0)[1]
        except ChildProcessError:
            return None


class _Deadline(Exception):
    pass


class _WorkerGone(Exception):
    pass


_EXIT_MEMORY = 86


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _become_worker(requests: int, replies: int, parent_fds: list[int], memory_mb: int) -> None:
    """The worker's life: bound itself, then answer calls until its request pipe closes. Never returns."""
    global _in_worker
    code = 0
    try:
        _in_worker = True
        _live.clear()
        for fd in parent_fds:  # so that each worker sees EOF as soon as its own parent closes its pipe
            try:
                os.close(fd)
            except OSError:
                pass
        # Ctrl-C and SIGTERM are the parent's to handle: a service told to stop (systemd signals the whole
        # process group) finishes the answers in flight, and kills its workers itself.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _limit_memory(memory_mb)
        while True:
            header = _read_exactly(requests, _LENGTH.size)
            if header is None:
                break
            fn, calls, seconds = pickle.loads(_read_exactly(requests, _LENGTH.unpack(header)[0]) or b"")
            for args in calls:
                _limit_cpu(seconds)
                try:
                    status, payload = _OK, fn(*args)
                except MemoryError:
                    status, payload = _MEMORY, ""
                except RecursionError:
                    status, payload = _NESTING, ""
                except BaseException:  # noqa: BLE001 - reported to the parent, which decides
                    status, payload = _ERROR, traceback.format_exc()
                data = payload.encode("utf-8", "surrogatepass")
                _write_all(replies, _HEADER.pack(status, len(data)) + data)
    except MemoryError:
        code = _EXIT_MEMORY
    except BaseException:  # noqa: BLE001 - a worker must never return into the parent's code
        code = 1
    finally:
        os._exit(code)


def _limit_memory(memory_mb: int) -> None:
    try:
        with open("/proc/self/statm") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return  # no /proc: leave memory unbounded rather than guess
    limit = current + memory_mb * 2**20
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _limit_cpu(seconds: float) -> None:
    """Allow `seconds` + 1 more CPU seconds from now (RLIMIT_CPU counts the process's whole life)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    soft = int(used + seconds) + 2
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _forget_workers_in_child() -> None:
    """In any forked child (a batch pool process, or a worker being born): drop the parent's workers.

    Their pipes are closed so that only the parent holds them, and the lock is new in case
    another thread held it at the fork.
    """
    global _live_lock
    _live_lock = threading.Lock()
    for fd in list(_live):
        worker = _live[fd]
        for end in (worker.request, worker.reply):
            try:
                os.close(end)
            except OSError:
                pass
    _live.clear()
    _local.worker = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_workers_in_child)


@atexit.register
def _stop_at_exit() -> None:
    if not _in_worker:
        shutdown_workers()
