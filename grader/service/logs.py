"""Structured logs: one JSON object a line on stderr, naming requests, members and submissions, never answer text.

What a student wrote never reaches a log record: records carry ids, sizes, digests, scores and
the service's own messages only (a grading error logs its category, not the file's content).
"""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Record attributes copied into the JSON line when a caller passes them in `extra`.
FIELDS = ("request_id", "method", "path", "status", "ms", "member", "submission", "digest", "size", "outcome",
          "score", "homework", "pid", "count")

log = logging.getLogger("grader.service.request")


class JsonFormatter(logging.Formatter):
    """A record as one JSON line: time, level, logger, message and the known extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if not record.name.startswith(("grader.service", "uvicorn")):
            # The grader's own records (a checker crash, say) may quote an exception about the text
            # being read: their first line names what failed, which is all a log needs.
            message = message.split("\n", 1)[0][:200]
        line = {"time": round(record.created, 3), "level": record.levelname.lower(), "logger": record.name,
                "message": message}
        line.update({name: getattr(record, name) for name in FIELDS if hasattr(record, name)})
        if record.exc_info and record.exc_info[0] is not None:
            # The exception type only: a traceback's frames may hold the text being parsed.
            line["exception"] = record.exc_info[0].__name__
        return json.dumps(line, ensure_ascii=True)


def configure(level: str = "info") -> None:
    """JSON lines on stderr for the service, the grader and uvicorn (whose access log is replaced by ours)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True


class RequestLog:
    """One line per request: method, path, status, milliseconds, and what the route added to request.state."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500
        scope.setdefault("state", {})["request_id"] = request_id = uuid.uuid4().hex[:16]

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            state = scope.get("state", {})
            extra = {name: state[name] for name in ("member", "submission", "digest", "size", "outcome", "score",
                                                     "homework") if name in state}
            log.info("request", extra={"request_id": request_id, "method": scope["method"], "path": scope["path"],
                                       "status": status, "ms": round(1000 * (time.perf_counter() - started), 1),
                                       **extra})
