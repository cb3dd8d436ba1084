"""One process that recomputes carried-forward answers for every worker of a batch, so torch loads once.

Recomputing a layer from a student's own wrong answer needs torch (about 3.5 s and 300 MB to load
with its FLOP counter). A batch's workers ask this process over a local socket instead of each
loading torch; it answers one request at a time and keeps its caches for the whole class. A
worker that cannot reach it recomputes in its own process, so the service only ever saves time.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import threading
import traceback
from collections import deque
from collections.abc import Callable, Mapping
from multiprocessing.connection import Client, Connection, Listener

from grader.carry import Recompute, recompute_here
from grader.homework import Carried, Homework

log = logging.getLogger(__name__)

# Recomputations a worker remembers (a few hundred bytes each).
MAX_REMEMBERED = 50_000


class CarryService:
    """The serving process: started before the workers fork, stopped when the batch is done."""

    def __init__(self, *, warm: bool) -> None:
        # The socket lives in a private temporary folder; the key makes sure only this batch's
        # workers are answered (requests are unpickled). Kept open here until stop(): closing a
        # Unix-socket listener removes its path.
        self.authkey = os.urandom(32)
        self._listener = Listener(family="AF_UNIX", authkey=self.authkey)
        self.address: str = self._listener.address
        context = multiprocessing.get_context("fork")
        gc.freeze()  # see grader.batch._import_for_workers
        self._process = context.Process(target=_serve, args=(self._listener, warm), name="grader-carry", daemon=True)
        self._process.start()

    def stop(self) -> None:
        self._process.kill()
        self._process.join()
        self._listener.close()


def client(address: str, authkey: bytes) -> Recompute:
    """A recompute function that asks the service at `address` (connecting on first use).

    Answers are remembered: a class repeats the same wrong values, and a round trip costs more
    than a lookup. If the service cannot be reached, this process recomputes from then on.
    """
    return _Client(address, authkey)


class _Client:
    """Requests to the service on one connection; replies come back in the order asked.

    `prefetch` sends a submission's predictable requests without waiting (grader.carry.ask_ahead):
    the service computes them while this worker goes on; their replies are read when an answer
    is needed, always before a request is sent and waited for.
    """

    def __init__(self, address: str, authkey: bytes) -> None:
        self.address, self.authkey = address, authkey
        self.connection: Connection | None = None
        self.reachable = True
        self.known: dict[tuple, tuple[str, object]] = {}  # request → (status, value) as the service replied
        self.pending: deque[list[tuple]] = deque()  # requests of each batch sent ahead, replies not yet read

    def __call__(self, homework: Homework, item_id: str, upstream: Mapping[str, str]) -> Carried | None:
        request = _request(homework, item_id, upstream)
        while request not in self.known and self.pending:
            self._read_batch()
        if request not in self.known:
            self._remember(request, self._exchange(("one", homework.id, item_id, dict(upstream))))
        status, value = self.known.get(request, ("unreachable", None))
        if status == "unreachable":
            return recompute_here(homework, item_id, upstream)
        if status == "import-error":
            raise ImportError(value)
        if status == "error":
            raise RuntimeError(f"recomputing {item_id} failed in the carry-forward service:\n{value}")
        return value  # type: ignore[return-value]

    def prefetch(self, homework: Homework, requests: list[tuple[str, Mapping[str, str]]]) -> None:
        wanted = [(item_id, dict(upstream)) for item_id, upstream in requests
                  if _request(homework, item_id, upstream) not in self.known]
        if not wanted or not self.reachable:
            return
        if self._send(("batch", homework.id, wanted)):
            self.pending.append([_request(homework, item_id, upstream) for item_id, upstream in wanted])

    def _read_batch(self) -> None:
        requests = self.pending.popleft()
        replies = self._receive()
        for request, reply in zip(requests, replies or ()):
            self._remember(request, reply)

    def _exchange(self, message: tuple) -> tuple[str, object]:
        if not self._send(message):
            return "unreachable", None
        reply = self._receive()
        return reply if reply is not None else ("unreachable", None)

    def _send(self, message: tuple) -> bool:
        if not self.reachable:
            return False
        try:
            if self.connection is None:
                self.connection = Client(self.address, family="AF_UNIX", authkey=self.authkey)
            self.connection.send(message)
            return True
        except (OSError, EOFError, multiprocessing.AuthenticationError):
            self._unreachable()
            return False

    def _receive(self):
        try:
            return self.connection.recv()  # type: ignore[union-attr]  # set by the _send before it
        except (OSError, EOFError):
            self._unreachable()
            return None

    def _unreachable(self) -> None:
        log.warning("the carry-forward service cannot be reached; this worker recomputes itself", exc_info=True)
        self.connection, self.reachable = None, False
        self.pending.clear()

    def _remember(self, request: tuple, reply: tuple[str, object]) -> None:
        if reply[0] == "unreachable":
            return
        if len(self.known) >= MAX_REMEMBERED:
            self.known.clear()
        self.known[request] = reply


def _request(homework: Homework, item_id: str, upstream: Mapping[str, str]) -> tuple:
    return homework.id, item_id, tuple(sorted(upstream.items()))


# One recomputation at a time: torch's dispatch modes and the problems' caches are not meant for threads.
_lock = threading.Lock()


def _serve(listener: Listener, warm: bool) -> None:
    if warm:
        threading.Thread(target=_locked(warm_up), daemon=True).start()
    while True:
        try:
            connection = listener.accept()
        except (OSError, EOFError, multiprocessing.AuthenticationError):
            continue  # a caller without the key, or one that hung up at once
        threading.Thread(target=_answer, args=(connection,), daemon=True).start()


def _answer(connection: Connection) -> None:
    with connection:
        while True:
            try:
                message = connection.recv()
            except (EOFError, OSError):
                return
            if message[0] == "batch":
                _, homework_id, requests = message
                connection.send([_recomputed(homework_id, item_id, upstream) for item_id, upstream in requests])
            else:
                _, homework_id, item_id, upstream = message
                connection.send(_recomputed(homework_id, item_id, upstream))


def _recomputed(homework_id: str, item_id: str, upstream: Mapping[str, str]) -> tuple[str, object]:
    from grader.plugins import load_homework

    try:
        with _lock:
            return "ok", recompute_here(load_homework(homework_id), item_id, upstream)
    except ImportError as error:
        return "import-error", str(error)
    except Exception:  # the worker turns it into its usual internal-error verdict
        return "error", traceback.format_exc()


def _locked(fn: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        with _lock:
            fn()

    return run


def warm_up() -> None:
    """Recompute every item that can carry an error forward from the key's own answers: that loads
    what it needs (torch, torch._dynamo, which the FLOP counter and meta-tensor BatchNorm import on
    first use, and the key's analysis) before the first student needs it. One item was not enough:
    the first request for another layer still took a second or more."""
    from grader.errors import UsageError
    from grader.key import load_key
    from grader.plugins import available_homeworks, load_homework

    for name in available_homeworks():
        try:
            homework = load_homework(name)
            key = load_key(homework)
            for problem in homework.problems:
                if problem.carry_forward is None:
                    continue
                for item in problem.items:
                    if item.depends_on:
                        problem.carry_forward(item.id, {d: key.answers[d] for d in item.depends_on})
        except (ImportError, UsageError):  # not installed, or no key: requests will say so
            log.info("not warming up error carried forward for %s", name, exc_info=True)
