"""Request bounds: body size and arrival time (before anything is read), and the per-student submission rate."""

from __future__ import annotations

import json

import anyio
import anyio.to_thread
from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from grader.api import MAX_FILE_BYTES
from grader.service.storage import Principal, Store

# A submission file is at most MAX_FILE_BYTES; a form upload adds its boundaries and fields.
MAX_BODY_BYTES = MAX_FILE_BYTES + 64 * 1024
# The whole body must arrive within this long (a client trickling bytes holds a connection, not a thread).
BODY_SECONDS = 30.0
TOO_LARGE = f"the request body is larger than {MAX_BODY_BYTES:,} bytes (a submission may have {MAX_FILE_BYTES:,})"


class ContentLengthLimit:
    """Refuse, with 413 and before reading it, a body whose declared length is over the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            declared = dict(scope["headers"]).get(b"content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
                await _plain(send, 413, TOO_LARGE)
                return
        await self.app(scope, receive, send)


async def read_body(request: Request, max_bytes: int = MAX_BODY_BYTES, seconds: float = BODY_SECONDS) -> bytes:
    """The request body, counted as it arrives (chunked bodies declare no length): 413 past `max_bytes`, 408 past `seconds`."""
    chunks, size = [], 0
    try:
        with anyio.fail_after(seconds):
            async for chunk in request.stream():
                size += len(chunk)
                if size > max_bytes:
                    raise HTTPException(413, TOO_LARGE)
                chunks.append(chunk)
    except TimeoutError:
        raise HTTPException(408, f"the request body did not arrive within {seconds:g} s") from None
    return b"".join(chunks)


# The rate limit's window: submissions a student sent in the last minute (counted over all replicas).
RATE_WINDOW_SECONDS = 60.0


async def check_rate(request: Request, principal: Principal, per_minute: int) -> None:
    """429 when the student already sent `per_minute` submissions in the last minute."""
    store: Store = request.app.state.store
    refuse_over_rate(await anyio.to_thread.run_sync(store.recent_count, principal.member_id, RATE_WINDOW_SECONDS),
                     per_minute)


def refuse_over_rate(sent: int, per_minute: int) -> None:
    """429 when `sent` submissions in the last minute already reach the limit."""
    if sent >= per_minute:
        raise HTTPException(429, f"at most {per_minute} submissions a minute; wait a little and send it again",
                            headers={"Retry-After": "60"})


async def _plain(send: Send, status: int, message: str) -> None:
    body = json.dumps({"detail": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
