"""Writing submissions and gradings in groups: whatever waits to be written shares one lock and one commit.

SQLite takes one writer at a time. Each write used to take the writers' lock for itself, and a thread holding it
also waits for Python's GIL behind the other threads of its process (2 ms held at the median, 8 ms at the 90th
percentile, the lock busy about 75 % of the time under 32 clients), so writers queued for it for up to half a
second. Now the first writer to arrive writes every row waiting when it gets the lock, in one transaction, and
the others wait for that commit: a durable commit still comes before every answer, but it serves many.
A new submission comes with its first grading, so each one passes the lock once.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from grader.service.tables import Grading, Submission

# An execution option: transactions on an engine with it commit without waiting for the disk (see make_engine).
UNSYNCED = "grader_unsynced"


class WriterQueue:
    """Where writers wait for a SQLite file: in this process on a mutex, between processes on a lock file beside
    the database. SQLite makes waiting writers poll, sleeping up to 100 ms between tries, which left the database
    idle while they slept; queued here, each starts as soon as the one before it has committed. PostgreSQL needs
    no queue."""

    def __init__(self, engine: Engine) -> None:
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        self._mutex = threading.Lock() if database else None
        # A POSIX lock (lockf), not flock: it belongs to this process, so forked checking processes do not
        # inherit it, and it is released when the process dies, even by kill -9.
        self._fd = os.open(Path(database).with_suffix(".write.lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600) \
            if database and database != ":memory:" else None

    @contextmanager
    def __call__(self) -> Iterator[None]:
        if self._mutex is None:
            yield
            return
        with self._mutex:
            if self._fd is not None:
                fcntl.lockf(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                if self._fd is not None:
                    fcntl.lockf(self._fd, fcntl.LOCK_UN)


@dataclass(eq=False)
class _Write:
    row: Submission | Grading
    synced: bool
    grading: Grading | None = None  # of the submission `row`, inserted after it in the same transaction
    woken: threading.Event = field(default_factory=threading.Event)  # written, or its turn to write
    written: bool = False
    error: BaseException | None = None

    def rolled_back(self) -> None:
        """Its rows were not stored: they have no ids."""
        self.row.id = None
        if self.grading is not None:
            self.grading.id = None


class GroupWriter:
    """Inserts rows, each committed before `insert` returns, together with every row waiting at the time.

    One writer at a time writes the group waiting; when it is done, the first of those that arrived meanwhile
    writes the next group (so nobody writes for others longer than one group)."""

    def __init__(self, engine: Engine) -> None:
        self._engines = {True: engine, False: engine.execution_options(**{UNSYNCED: True})}
        self._queue = WriterQueue(engine)
        self._mutex = threading.Lock()
        self._waiting: list[_Write] = []
        self._writing = False

    def insert(self, row: Submission | Grading, *, synced: bool, grading: Grading | None = None) -> None:
        """Insert `row` and set its id; committed on return, and synced to disk if `synced` (or if a row written
        with it was). With `grading`, `row` is its submission: both are inserted in one transaction. Raises what
        writing it raised (IntegrityError for a duplicate)."""
        write = _Write(row, synced, grading)
        with self._mutex:
            self._waiting.append(write)
            leads, self._writing = not self._writing, True
        if not leads:
            write.woken.wait()
        if not write.written:
            self._write_group()
        if write.error is not None:
            raise write.error

    def _write_group(self) -> None:
        with self._mutex:
            group, self._waiting = self._waiting, []
        self._write(group)
        with self._mutex:
            if self._waiting:
                self._waiting[0].woken.set()
            else:
                self._writing = False

    def _write(self, group: list[_Write]) -> None:
        """One transaction for the group; if one row breaks a constraint, each row alone (only it fails)."""
        try:
            with self._queue(), self._engines[any(w.synced for w in group)].begin() as connection:
                for write in group:
                    write.row.id = _inserted(connection, write.row)
                    if write.grading is not None:
                        write.grading.submission_id = write.row.id
                        write.grading.id = _inserted(connection, write.grading)
        except IntegrityError as error:
            for write in group:
                write.rolled_back()
            if len(group) == 1:
                group[0].error = error
            else:
                for write in group:
                    self._write([write])
        except Exception as error:  # noqa: BLE001 - handed to each waiting writer, raised in its thread
            for write in group:
                write.rolled_back()
                write.error = error
        finally:
            for write in group:
                write.written = True
                write.woken.set()


# Built once: SQLAlchemy then reuses their compiled form.
_INSERT = {Submission: insert(Submission), Grading: insert(Grading)}


def _inserted(connection: Connection, row: Submission | Grading) -> int:
    """Insert a new row; its id."""
    return connection.execute(_INSERT[type(row)], _values(row)).inserted_primary_key[0]


def _values(row: Submission | Grading) -> dict[str, Any]:
    """A new row's columns but its id (a column left unset takes its default)."""
    return {column.key: getattr(row, column.key) for column in row.__table__.columns
            if not column.primary_key and not (getattr(row, column.key) is None and column.default is not None)}
