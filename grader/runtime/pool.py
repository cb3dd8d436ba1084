"""Worker processes fed in chunks over pipes; results come back as they are done and are yielded in order.

Unlike concurrent.futures' pool, a worker that dies (a segfault, the out-of-memory killer) fails
nothing by itself: it loses only the items it was given and had not answered yet, the caller
decides what becomes of those (`lost`), and a fresh worker takes its place.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Generic, Protocol, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Chunks sent to a worker ahead of its acknowledgement: one being taken, one queued, so that a
# worker never waits for the parent between chunks.
CHUNKS_AHEAD = 2
# Results done but not yet yielded (waiting for an earlier one) beyond which no more work is sent,
# so the parent's memory stays flat.
MAX_WAITING_RESULTS = 512
# What a worker sends when it has taken every item of a chunk.
_TAKEN = "taken"


class Job(Protocol[Item, Result]):
    """What runs in a worker, made once per worker process: items go in one at a time."""

    def take(self, item: Item) -> Result:
        """The result of one item."""


def in_order(
    items: Sequence[Item],
    make_job: Callable[[], Job[Item, Result]],
    *,
    jobs: int,
    chunk_size: int,
    lost: Callable[[int, Item], Result],
) -> Iterator[Result]:
    """Results of `items` in their order, computed by `jobs` forked workers each running `make_job()`.

    `lost(index, item)` gives the result of an item whose worker died before answering it (the
    dead worker is replaced for the rest).
    """
    total = len(items)
    chunks = iter([(i, items[i]) for i in range(start, min(start + chunk_size, total))]
                  for start in range(0, total, chunk_size))
    done: dict[int, Result] = {}
    workers = [_Worker.start(make_job) for _ in range(min(jobs, total))]
    following, exhausted = 0, False
    try:
        while True:
            while following in done:
                yield done.pop(following)
                following += 1
            if following == total:
                break
            for worker in workers:
                while not exhausted and worker.chunks < CHUNKS_AHEAD and len(done) < MAX_WAITING_RESULTS:
                    chunk = next(chunks, None)
                    if chunk is None:
                        exhausted = True
                    else:
                        worker.send(chunk)
            wait([w.connection for w in workers] + [w.process.sentinel for w in workers])
            for position, worker in enumerate(workers):
                if worker.receive(done):
                    continue
                # Dead: what it held is re-done by `lost`, and a fresh worker takes its place.
                for index in sorted(worker.given):
                    done[index] = lost(index, items[index])
                worker.stop()
                workers[position] = _Worker.start(make_job)
    finally:
        for worker in workers:
            worker.stop(wait=following == total)  # else interrupted: no need to let them finish


@dataclass
class _Worker(Generic[Item, Result]):
    """The parent's side of one worker: its process, its pipe, and what it was given and not answered."""

    process: multiprocessing.process.BaseProcess
    connection: Connection
    given: set[int] = field(default_factory=set)
    chunks: int = 0  # sent, not yet acknowledged as taken

    @classmethod
    def start(cls, make_job: Callable[[], Job[Item, Result]]) -> _Worker[Item, Result]:
        # fork shares everything the parent has imported (grader, sympy) with the worker: no start-up
        # cost; elsewhere the platform's default method, which pickles `make_job`.
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        ours, theirs = context.Pipe()
        process = context.Process(target=_work, args=(theirs, make_job), name="grader-worker")
        process.start()
        theirs.close()
        return cls(process, ours)

    def send(self, chunk: list[tuple[int, Item]]) -> None:
        try:
            self.connection.send(chunk)
        except OSError:  # it died: noticed by receive()
            pass
        self.given.update(index for index, _ in chunk)
        self.chunks += 1

    def receive(self, done: dict[int, Result]) -> bool:
        """Read every message already sent; False once the worker is dead and its pipe drained."""
        try:
            while self.connection.poll(0):
                message = self.connection.recv()
                if message == _TAKEN:
                    self.chunks -= 1
                else:
                    index, result = message
                    done[index] = result
                    self.given.discard(index)
        except (EOFError, OSError):
            return False
        return self.process.is_alive() or self.process.exitcode is None

    def stop(self, *, wait: bool = True) -> None:
        """Ask the worker to exit and give it a moment (it finishes nothing more), then make sure it has."""
        try:
            self.connection.send(None)
        except OSError:
            pass
        self.process.join(timeout=5 if wait else 0)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


def _work(connection: Connection, make_job: Callable[[], Job]) -> None:
    """A worker's loop: take chunks, send each result as it is done; exit on None."""
    # Ctrl-C reaches the whole process group: the parent stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    job = make_job()
    while True:
        chunk = connection.recv()
        if chunk is None:
            return
        for index, item in chunk:
            connection.send((index, job.take(item)))
        connection.send(_TAKEN)
