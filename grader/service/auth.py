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

from grader.service.storage import Principal, Store

log = logging.getLogger("grader.service.auth")

SIGN_IN_COOKIE = "__Host-grader-sign-in"
SIGN_IN_COOKIE_INSECURE = "grader-sign-in"  # `--insecure-cookies`: __Host- requires Secure
UNAUTHORIZED = "a valid token is required"


def _store(request: Request) -> Store:
    return request.app.state.store


async def api_principal(request: Request) -> Principal:
    """The principal of an API request's `Authorization: Bearer TOKEN` (401 otherwise)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _refuse(request, "no bearer token")
    principal = await anyio.to_thread.run_sync(_store(request).principal, token.strip())
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
