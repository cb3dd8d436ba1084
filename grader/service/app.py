"""The ASGI app: routes, pages and docs behind the body-size limit, security headers and the request log."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from grader import api
from grader.authoring.key_cache import KeyCache
from grader.service import docs, instructor_api, instructor_pages, logs, pages, routes
from grader.service.course import load_course
from grader.service.limits import ContentLengthLimit
from grader.service.pipeline import Pipeline
from grader.service.settings import Settings
from grader.service.storage import Store, make_engine

log = logging.getLogger("grader.service.app")

# The garbage collector's thresholds in a worker (Python's default: 700, 10, 10).
COLLECTOR_THRESHOLDS = (10_000, 20, 20)

# Every answer gets these unless a route set its own (pages and reports set their CSP).
_DEFAULT_HEADERS = {
    b"content-security-policy": b"default-src 'none'; frame-ancestors 'none'",
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"cache-control": b"no-store",
    b"x-frame-options": b"SAMEORIGIN",
}


class SecurityHeaders:
    """Adds the default security headers a response does not already have."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message.setdefault("headers", []).extend(
                    (name, value) for name, value in _DEFAULT_HEADERS.items() if name not in present)
            await send(message)

        await self.app(scope, receive, sending)


def create_app(settings: Settings) -> FastAPI:
    """The service for `settings` (the database must be migrated: `grader serve` does it before starting workers)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        course = load_course(settings.course, installed=api.installed_homeworks())
        store = Store(make_engine(settings.database_url))
        app.state.settings, app.state.course, app.state.store = settings, course, store
        app.state.pipeline = Pipeline(store, course, concurrency=settings.concurrency, queue=settings.queue,
                                      keys=KeyCache(Path(settings.key_cache)) if settings.key_cache else None)
        app.state.pipeline.runtime = await anyio.to_thread.run_sync(lambda: api.serving_runtime(warm=settings.warm))
        if settings.warm:
            await anyio.to_thread.run_sync(app.state.pipeline.warm, course.homeworks)
        # A request makes tens of thousands of short-lived objects: the collector's default (a young collection
        # every 700 more objects) took about a tenth of a worker's time under load (2.8 s of 22 s, measured with
        # gc.callbacks); every 10,000, a tenth of that. What start-up loaded (torch, keys) lives as long as the worker.
        gc.freeze()
        gc.set_threshold(*COLLECTOR_THRESHOLDS)
        log.info("worker ready", extra={"pid": os.getpid()})
        yield
        app.state.pipeline.graders.shutdown(wait=True)
        store.engine.dispose()

    app = FastAPI(title="grader service", version=api.grader_version(), lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url="/openapi.json",
                  description="Submit homework to be graded against a key only this server holds.")
    app.include_router(routes.router)
    app.include_router(pages.router)
    app.include_router(instructor_api.router)
    app.include_router(instructor_pages.router)
    app.include_router(instructor_pages.assets)
    app.include_router(docs.router)
    app.add_exception_handler(pages.SignInFirst, pages.sign_in_first)
    app.add_middleware(ContentLengthLimit)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(logs.RequestLog)
    return app


def app_from_environment() -> FastAPI:
    """The factory uvicorn's worker processes call (`grader serve` puts the settings in the environment)."""
    settings = Settings.from_environment()
    logs.configure(settings.log_level)
    return create_app(settings)
