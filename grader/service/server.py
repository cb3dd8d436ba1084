"""`grader serve`: prepare the database (migrations, roster, pending gradings), then run uvicorn's workers."""

from __future__ import annotations

import logging
import multiprocessing
import os
from pathlib import Path

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
    # In child processes: keys and grading load torch, which the supervisor should not keep for its whole life.
    if course.varied:
        _in_child(_prepare_keys, settings)
    if pending:
        _in_child(_recover, settings)
    os.environ[ENVIRONMENT_VARIABLE] = settings.to_json()
    log.info("serving", extra={"count": settings.workers})
    uvicorn.run("grader.service.app:app_from_environment", factory=True, host=settings.host, port=settings.port,
                workers=settings.workers, log_config=None, access_log=False,
                timeout_graceful_shutdown=settings.drain_seconds, server_header=False)


def _in_child(target, settings: Settings) -> None:
    child = multiprocessing.get_context("spawn").Process(target=target, args=(settings.to_json(),))
    child.start()
    child.join()
    if child.exitcode:
        raise UsageError(f"preparing the service failed ({target.__name__.strip('_')}); see the log above")


def _prepare_keys(settings_json: str) -> None:
    """Compute the key of every student's variant of every homework given in variants (those not kept yet)."""
    from grader.authoring.key_cache import KeyCache, precompute
    from grader.core.variant import Assignment
    from grader.service.course import course_secret

    settings = Settings.from_json(settings_json)
    logs.configure(settings.log_level)
    course = load_course(settings.course)
    assignment = Assignment(secret=course_secret(course), only=course.varied)
    wanted = [api.homework_for(name, assignment, student.id) for name in sorted(course.varied)
              for student in course.students]
    own = [h for h in wanted if h.variant is not None and h.variant.values != h.default_variant.values]
    assert settings.key_cache is not None
    computed = precompute(own, KeyCache(Path(settings.key_cache)), jobs=os.cpu_count() or 1)
    log.info("keys of the roster's variants ready", extra={"count": computed})


def _recover(settings_json: str) -> None:
    from grader.authoring.key_cache import KeyCache
    from grader.service.pipeline import Pipeline

    settings = Settings.from_json(settings_json)
    logs.configure(settings.log_level)
    course = load_course(settings.course)
    store = Store(make_engine(settings.database_url))
    keys = KeyCache(Path(settings.key_cache)) if settings.key_cache else None
    Pipeline(store, course, concurrency=1, queue=1, keys=keys).recover()
