"""The student's web pages: sign in with the token, paste or upload a submission, see the report and the history.

Sign-in cookies are HttpOnly, SameSite=Strict and (by default) Secure with the __Host- prefix;
every form that changes something carries a CSRF secret (the sign-in's, or before sign-in a
double-submit cookie) compared in constant time. The pages run no script.
"""

from __future__ import annotations

import secrets
from importlib.resources import files
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from grader.service.auth import cookie_name, csrf_ok, signed_in
from grader.service.classdata import reviewed_history
from grader.service.course import lateness, refusal
from grader.service.limits import check_rate, read_body
from grader.service.routes import HISTORY, history_entry, received_from, statement_of, stored_for, submit_received
from grader.service.storage import Line, Principal
from grader.service.tables import now
from grader.service.views import PAGE_CSP, PENDING_NOTE, REPORT_CSP, render_page, report_html

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "grader-sign-in-form"


def _page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(render_page(name, **context), status_code=status, headers={"Content-Security-Policy": PAGE_CSP})


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="strict",
                        secure=request.app.state.settings.secure_cookies)


async def _signed_in_or_redirect(request: Request) -> tuple[Principal, str]:
    found = await signed_in(request)
    if found is None:
        raise SignInFirst
    return found


class SignInFirst(Exception):
    """Raised by a page that needs a sign-in; answered with a redirect to the sign-in form."""


def sign_in_first(request: Request, _: SignInFirst) -> Response:
    return RedirectResponse("/", status_code=303)


@router.get("/")
async def home(request: Request) -> Response:
    """The sign-in form, or once signed in the student's page: homeworks, the submission form, the history."""
    found = await signed_in(request)
    if found is None:
        csrf = secrets.token_urlsafe(32)
        response = _page("sign_in", csrf=csrf, title=request.app.state.course.title)
        _cookie(response, request, LOGIN_CSRF_COOKIE, csrf, 600)
        return response
    principal, csrf = found
    return _page("home", **await _home_context(request, principal, csrf))


async def _home_context(request: Request, principal: Principal, csrf: str) -> dict[str, Any]:
    course = request.app.state.course
    moment = now()
    offerings = [{"id": name, "deadline": o.deadline, "closed": refusal(o, moment),
                  "late": lateness(o, moment) is not None, "variants": o.variants} for name, o in course.homeworks.items()]
    rows = [] if principal.is_instructor else await anyio.to_thread.run_sync(
        lambda: reviewed_history(request.app.state.store, member_id=principal.member_id, limit=HISTORY))
    return {"title": course.title, "principal": principal, "csrf": csrf, "offerings": offerings,
            "history": [history_entry(request, line) for line in rows],
            "submissions_per_minute": course.limits.submissions_per_minute}


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    """Exchange a token for a sign-in cookie (the form's CSRF field must match its cookie)."""
    form = await _form(request)
    if not csrf_ok(request.cookies.get(LOGIN_CSRF_COOKIE, ""), form.get("csrf")):
        return _page("message", 403, title="Sign in", heading="Sign-in form expired",
                     text="Open the sign-in page again and paste your token.")
    token = str(form.get("token") or "").strip()
    principal = await anyio.to_thread.run_sync(request.app.state.store.principal, token)
    if principal is None:
        return _page("message", 401, title="Sign in", heading="That token was not accepted",
                     text="Check that you pasted the whole token your instructor gave you.")
    cookie, _ = await anyio.to_thread.run_sync(request.app.state.store.open_sign_in, principal)
    response = RedirectResponse("/", status_code=303)
    _cookie(response, request, cookie_name(request), cookie, 8 * 3600)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    """End the sign-in (its cookie stops working at once)."""
    _, csrf = await _signed_in_or_redirect(request)
    if not csrf_ok(csrf, (await _form(request)).get("csrf")):
        raise HTTPException(403, "the form's CSRF field is missing or wrong")
    await anyio.to_thread.run_sync(request.app.state.store.close_sign_in, request.cookies[cookie_name(request)])
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(cookie_name(request), path="/", secure=request.app.state.settings.secure_cookies,
                           httponly=True, samesite="strict")
    return response


@router.post("/submit")
async def submit(request: Request) -> Response:
    """Grade a pasted or uploaded submission, then show its report."""
    principal, csrf = await _signed_in_or_redirect(request)
    received = await received_from(request, via="page")
    field = request.state.form.get("csrf") if request.state.form is not None else None
    if not csrf_ok(csrf, field if isinstance(field, str) else None):
        raise HTTPException(403, "the form's CSRF field is missing or wrong")
    if principal.is_instructor:
        raise HTTPException(403, "submissions come from students' tokens")
    await check_rate(request, principal, request.app.state.course.limits.submissions_per_minute)
    done = await submit_received(request, principal, received)
    return RedirectResponse(f"/submissions/{done.submission.public_id}", status_code=303)


@router.get("/submissions/{public_id}", name="submission_page")
async def submission_page(request: Request, public_id: str) -> Response:
    """One submission: its points, lateness and error, the report, and the history."""
    principal, csrf = await _signed_in_or_redirect(request)
    submission, grading = await stored_for(request, principal, public_id)
    rows = await anyio.to_thread.run_sync(lambda: reviewed_history(request.app.state.store,
                                                                   member_id=submission.member_id, limit=HISTORY))
    shown = next((line for line in rows if line.public_id == submission.public_id), Line.of(submission, grading))
    return _page("submission", title=request.app.state.course.title, principal=principal, csrf=csrf,
                 entry=history_entry(request, shown), error=grading.error if grading else PENDING_NOTE,
                 history=[history_entry(request, line) for line in rows])


@router.get("/submissions/{public_id}/report")
async def report_page(request: Request, public_id: str) -> Response:
    """The grader's feedback report of one submission (shown in the submission page's frame)."""
    principal, _ = await _signed_in_or_redirect(request)
    submission, grading = await stored_for(request, principal, public_id)
    shown = await request.app.state.pipeline.view(submission, grading, instructor=principal.is_instructor) \
        if grading is not None else None
    return HTMLResponse(report_html(submission, grading, shown and shown.result),
                        headers={"Content-Security-Policy": REPORT_CSP})


@router.get("/statement/{homework}")
async def statement_page(request: Request, homework: str) -> Response:
    """The homework's statement as a page: a student's own numbers where the course gives it in variants."""
    principal, _ = await _signed_in_or_redirect(request)
    page = await anyio.to_thread.run_sync(lambda: statement_of(request, principal, homework, html=True))
    return HTMLResponse(page, headers={"Content-Security-Policy": REPORT_CSP})


@router.get("/static/service.css")
async def stylesheet() -> Response:
    return Response(files("grader.service").joinpath("static/service.css").read_bytes(), media_type="text/css",
                    headers={"Cache-Control": "public, max-age=3600"})


async def _form(request: Request):
    """A small urlencoded form (sign-in, sign-out), read within the body limits."""
    body = await read_body(request, max_bytes=16 * 1024)

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return await Request(request.scope, replay).form(max_files=0, max_fields=4)
