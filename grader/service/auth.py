"""Who is asking: a bearer token on the API, a sign-in cookie (with a CSRF secret) on the pages.

Every failure looks the same from outside: a missing, malformed, unknown, revoked or expired
token, or one whose owner left the roster, gets 401 "a valid token is required"; a student on an
instructor route gets 403. Which case it was goes only to the log.
"""

from __future__ import annotations

import hmac
import logging

import anyio.to_thread
from fastapi import HTTPException, Request

from grader.service.limits import RATE_WINDOW_SECONDS, refuse_over_rate
from grader.service.storage import Principal, Store

log = logging.getLogger("grader.service.auth")

SIGN_IN_COOKIE = "__Host-grader-sign-in"
SIGN_IN_COOKIE_INSECURE = "grader-sign-in"  # `--insecure-cookies`: __Host- requires Secure
UNAUTHORIZED = "a valid token is required"


def _store(request: Request) -> Store:
    return request.app.state.store


async def api_principal(request: Request) -> Principal:
    """The principal of an API request's `Authorization: Bearer TOKEN` (401 otherwise)."""
    principal = await anyio.to_thread.run_sync(_store(request).principal, _bearer(request))
    return _accepted(request, principal)


async def api_submitter(request: Request) -> Principal:
    """A student's principal, within the per-student rate limit (401, then 403 for an instructor, then 429); the
    token and the count of recent submissions are read in one trip to a thread."""
    store, token = _store(request), _bearer(request)

    def principal_and_sent() -> tuple[Principal | None, int]:
        principal = store.principal(token)
        sent = store.recent_count(principal.member_id, RATE_WINDOW_SECONDS) \
            if principal is not None and not principal.is_instructor else 0
        return principal, sent

    found, sent = await anyio.to_thread.run_sync(principal_and_sent)
    principal = _accepted(request, found)
    if principal.is_instructor:
        raise HTTPException(403, "submissions come from students' tokens")
    refuse_over_rate(sent, request.app.state.course.limits.submissions_per_minute)
    return principal


def _bearer(request: Request) -> str:
    """The token of `Authorization: Bearer TOKEN` (401 without one)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _refuse(request, "no bearer token")
    return token.strip()


def _accepted(request: Request, principal: Principal | None) -> Principal:
    if principal is None:
        return _refuse(request, "token not accepted")
    request.state.member = principal.member_id
    return principal


async def api_instructor(request: Request) -> Principal:
    """An instructor's principal (403 for a student)."""
    principal = await api_principal(request)
    if not principal.is_instructor:
        log.info("student on an instructor route", extra={"member": principal.member_id})
        raise HTTPException(403, "instructors only")
    return principal


async def signed_in(request: Request) -> tuple[Principal, str] | None:
    """The principal and CSRF secret of the page's sign-in cookie, or None."""
    cookie = request.cookies.get(cookie_name(request))
    if not cookie:
        return None
    found = await anyio.to_thread.run_sync(_store(request).signed_in, cookie)
    if found is not None:
        request.state.member = found[0].member_id
    return found


def csrf_ok(expected: str, given: str | None) -> bool:
    """Constant-time check of a form's CSRF field against the sign-in's secret."""
    return bool(given) and hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogatepass"))


def cookie_name(request: Request) -> str:
    return SIGN_IN_COOKIE if request.app.state.settings.secure_cookies else SIGN_IN_COOKIE_INSECURE


def _refuse(request: Request, why: str):
    log.info("refused: %s", why, extra={"path": request.url.path})
    raise HTTPException(401, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
