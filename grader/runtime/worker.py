"""A checking process: a fork of the grader with its address space and CPU time limited, answering calls over pipes.

Forking shares the modules already imported (sympy, the grader), so starting one costs a few
milliseconds; it is reused while it stays healthy, so its caches stay warm. The parent waits for
each reply with a wall-clock deadline; on a deadline, CPU-limit or memory-limit hit the process is
killed and the outcome is a TooComplex naming the bound. Calls and results cross the pipes pickled:
the function by reference, its arguments and its result as typed objects.

Forking a multi-threaded process is safe here because the child only runs grader code (logging
re-initialises its locks after fork). Every live process of this process is registered, so that a
process forked later (another checking process, a batch worker) closes their pipes at once.
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

from grader.core.limits import Bound

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None  # type: ignore[assignment]

_OK, _ERROR, _MEMORY, _NESTING = b"o", b"e", b"m", b"n"
_HEADER = struct.Struct("!cI")
_LENGTH = struct.Struct("!I")

in_worker = False  # set in a checking process: nested calls run inline
_live: dict[int, Worker] = {}  # request fd -> process, of this process, to close in forked children
_live_lock = threading.Lock()


class TooComplex(Exception):
    """A call hit a bound: which one, and what happened."""

    def __init__(self, bound: Bound, detail: str):
        self.bound = bound
        self.detail = detail
        super().__init__(f"{bound.value} limit: {detail}")


class WorkerError(RuntimeError):
    """The called function raised (the message holds the process's traceback) or the process crashed."""


def available() -> bool:
    """Whether checking processes can be forked and bounded here (not on Windows)."""
    return resource is not None and hasattr(os, "fork") and not in_worker


def stop_all() -> None:
    """Stop every checking process this process started."""
    with _live_lock:
        workers = list(_live.values())
    for worker in workers:
        worker.stop()


class Worker:
    """One forked checking process and the two pipes to it."""

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

    def map(self, fn: Callable[..., object], calls: Sequence[tuple], seconds: float, budget: float) -> list:
        """Outcomes of the calls, in order; fewer than asked when the worker had to be stopped.

        The last outcome is then the TooComplex or WorkerError that stopped it.
        """
        outcomes: list[object] = []
        request = pickle.dumps((fn, list(calls), seconds), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            _write_all(self.request, _LENGTH.pack(len(request)) + request)
            for _ in calls:
                deadline = min(time.monotonic() + seconds, budget)
                status, length = _HEADER.unpack(self._read(_HEADER.size, deadline))
                payload = self._read(length, deadline)
                if status == _OK:
                    outcomes.append(pickle.loads(payload))
                elif status == _MEMORY:
                    self.stop(kill=True)  # memory may be fragmented or a cache half-filled: start afresh
                    outcomes.append(TooComplex(Bound.MEMORY, f"needed more than {self.memory_mb} MB"))
                    break
                elif status == _NESTING:
                    outcomes.append(TooComplex(Bound.NESTING, "nested too deeply to evaluate"))
                else:
                    outcomes.append(WorkerError(payload.decode("utf-8", "replace")))
        except _Deadline:
            self.stop(kill=True)
            if time.monotonic() >= budget:
                outcomes.append(TooComplex(Bound.BUDGET, "the time for the whole batch of calls is used up"))
            else:
                outcomes.append(TooComplex(Bound.TIME, f"gave up after {seconds:g} s"))
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
                return TooComplex(Bound.CPU, "used up its CPU time")
            if number == signal.SIGKILL:  # the kernel's out-of-memory killer
                return TooComplex(Bound.MEMORY, "was killed, most likely for running out of memory")
            return WorkerError(f"the worker was killed by signal {number}")
        code = os.WEXITSTATUS(status) if status is not None and os.WIFEXITED(status) else None
        if code == _EXIT_MEMORY:
            return TooComplex(Bound.MEMORY, f"needed more than {self.memory_mb} MB")
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
    """The checking process's life: bound itself, then answer calls until its request pipe closes. Never returns."""
    global in_worker
    code = 0
    try:
        in_worker = True
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
                    status, data = _OK, pickle.dumps(fn(*args), protocol=pickle.HIGHEST_PROTOCOL)
                except MemoryError:
                    status, data = _MEMORY, b""
                except RecursionError:
                    status, data = _NESTING, b""
                except BaseException:  # noqa: BLE001 - reported to the parent, which decides
                    status, data = _ERROR, traceback.format_exc().encode("utf-8", "replace")
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


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_workers_in_child)


@atexit.register
def _stop_at_exit() -> None:
    if not in_worker:
        stop_all()
