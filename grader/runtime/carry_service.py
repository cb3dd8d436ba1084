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
from collections.abc import Mapping
from multiprocessing.connection import Client, Connection, Listener

from grader.core.homework import Carried, Homework
from grader.grading.runtime import recompute_here

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


class ServiceClient:
    """A recompute function (grader.grading.runtime.Recompute) that asks the service at `address`, connecting on first use.

    Each request waits for its answer. Answers are remembered: a class repeats the same wrong
    values, and a round trip costs more than a lookup. If the service cannot be reached, this
    process recomputes from then on.
    """

    def __init__(self, address: str, authkey: bytes) -> None:
        self.address, self.authkey = address, authkey
        self._connection: Connection | None = None
        self._reachable = True
        self._known: dict[tuple, Carried | None] = {}

    def __call__(self, homework: Homework, item_id: str, upstream: Mapping[str, str]) -> Carried | None:
        # A variant's network is another network: what follows is remembered per variant.
        variant = homework.variant.digest if homework.variant is not None else None
        request = homework.id, variant, item_id, tuple(sorted(upstream.items()))
        if request not in self._known:
            if len(self._known) >= MAX_REMEMBERED:
                self._known.clear()
            self._known[request] = self._ask(homework, item_id, upstream)
        return self._known[request]

    def _ask(self, homework: Homework, item_id: str, upstream: Mapping[str, str]) -> Carried | None:
        values = homework.variant.as_dict() if homework.variant is not None else None
        reply = self._round_trip((homework.id, values, item_id, dict(upstream))) if self._reachable else None
        if reply is None:  # unreachable, now or from before
            return recompute_here(homework, item_id, upstream)
        status, value = reply
        if status == "import-error":
            raise ImportError(value)
        if status == "error":
            raise RuntimeError(f"recomputing {item_id} failed in the carry-forward service:\n{value}")
        return value

    def _round_trip(self, request: tuple) -> tuple[str, object] | None:
        try:
            if self._connection is None:
                self._connection = Client(self.address, family="AF_UNIX", authkey=self.authkey)
            self._connection.send(request)
            return self._connection.recv()
        except (OSError, EOFError, multiprocessing.AuthenticationError):
            log.warning("the carry-forward service cannot be reached; this worker recomputes itself")
            self._connection, self._reachable = None, False
            return None


# One recomputation at a time: torch's dispatch modes and the problems' caches are not meant for threads.
_lock = threading.Lock()


def _serve(listener: Listener, warm: bool) -> None:
    if warm:
        threading.Thread(target=warm_up, daemon=True).start()
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
                homework_id, values, item_id, upstream = connection.recv()
            except (EOFError, OSError):
                return
            try:
                with _lock:
                    reply = "ok", recompute_here(_homework(homework_id, values), item_id, upstream)
            except ImportError as error:
                reply = "import-error", str(error)
            except Exception:  # the worker turns it into its usual internal-error verdict
                reply = "error", traceback.format_exc()
            connection.send(reply)


def _homework(homework_id: str, values: Mapping[str, int] | None) -> Homework:
    """The homework a request is about: as registered, or the variant of these parameter values."""
    from grader.core.variant import variant_with
    from grader.plugins.homeworks import homework_variant, load_homework

    homework = load_homework(homework_id)
    if values is None:
        return homework
    return homework_variant(homework_id, variant_with(homework_id, homework.parameters, homework.constraint, values))


def warm_up() -> None:
    """Recompute every item that can carry an error forward from the key's own answers: that loads
    what it needs (torch, and the key's analysis) before the first student needs it. One item was
    not enough: the first request for another layer still took a second or more.

    The lock is taken for one item at a time: requests are answered as soon as torch is loaded (by
    the first item), between the other items (0.3 s in all)."""
    from grader.core.errors import UsageError
    from grader.core.key import load_key
    from grader.plugins.homeworks import available_homeworks, load_homework

    for name in available_homeworks():
        try:
            homework = load_homework(name)
            key = load_key(homework)
            for problem in homework.problems:
                if problem.carry_forward is None:
                    continue
                for item in problem.items:
                    if item.depends_on:
                        with _lock:
                            problem.carry_forward(item.id, {d: key.answers[d] for d in item.depends_on})
        except (ImportError, UsageError):  # not installed, or no key: requests will say so
            log.info("not warming up error carried forward for %s", name, exc_info=True)
