"""`grader serve`: prepare the database (migrations, roster, pending gradings), then run uvicorn's workers."""

from __future__ import annotations

import logging
import multiprocessing
import os

import uvicorn

from grader import api
from grader.core.errors import UsageError
from grader.service import logs, migrate
from grader.service.course import Course, load_course
from grader.service.settings import ENVIRONMENT_VARIABLE, Settings
from grader.service.storage import Store, make_engine

log = logging.getLogger("grader.service.server")


def prepare_database(settings: Settings, course: Course) -> Store:
    """Migrate the database to the newest schema and make its roster the course file's."""
    try:
        store = Store(make_engine(settings.database_url))
        migrate.upgrade(store.engine)
    except Exception as error:  # a wrong URL, an unreachable server, a read-only folder: say so in one line
        raise UsageError(f"cannot open the database: {type(error).__name__}: {str(error).splitlines()[0]}") from None
    store.sync_roster(course)
    return store


def run(settings: Settings) -> None:
    """Serve until SIGTERM or Ctrl-C (both drain the requests in flight first)."""
    logs.configure(settings.log_level)
    course = load_course(settings.course, installed=api.installed_homeworks())
    store = prepare_database(settings, course)
    pending = store.counts()["pending"]
    store.engine.dispose()
    if pending:
        # In a child process: grading may load torch, which the supervisor should not keep for its whole life.
        child = multiprocessing.get_context("spawn").Process(target=_recover, args=(settings.to_json(),))
        child.start()
        child.join()
    os.environ[ENVIRONMENT_VARIABLE] = settings.to_json()
    log.info("serving", extra={"count": settings.workers})
    uvicorn.run("grader.service.app:app_from_environment", factory=True, host=settings.host, port=settings.port,
                workers=settings.workers, log_config=None, access_log=False,
                timeout_graceful_shutdown=settings.drain_seconds, server_header=False)


def _recover(settings_json: str) -> None:
    from grader.service.pipeline import Pipeline

    settings = Settings.from_json(settings_json)
    logs.configure(settings.log_level)
    course = load_course(settings.course)
    store = Store(make_engine(settings.database_url))
    Pipeline(store, course, concurrency=1, queue=1).recover()
