"""The JSON API under /api/v1, and /healthz."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import text
from starlette.datastructures import UploadFile

from grader.core.models import Result
from grader.service.auth import api_instructor, api_principal, api_submitter
from grader.service.classdata import reviewed_history, reviewed_latest
from grader.service.limits import read_body
from grader.service.pipeline import Busy, Received, Submitted, safe_filename
from grader.service.storage import Line, Principal, Store, summarise
from grader.service.tables import Grading, Submission, now
from grader.service.views import REPORT_CSP, report_html

log = logging.getLogger("grader.service.routes")
router = APIRouter()
Asker = Annotated[Principal, Depends(api_principal)]
Instructor = Annotated[Principal, Depends(api_instructor)]
Submitter = Annotated[Principal, Depends(api_submitter)]
HISTORY = 20


@router.get("/healthz", tags=["service"])
async def healthz(request: Request) -> dict[str, Any]:
    """200 while this process can reach the database."""
    def ping() -> None:
        with request.app.state.store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        await anyio.to_thread.run_sync(ping)
    except Exception:  # any database failure means "not healthy"; the log says which
        log.exception("health check: database unreachable")
        return JSONResponse({"status": "database unreachable"}, status_code=503)
    return {"status": "ok"}


@router.post("/api/v1/submissions", status_code=201, tags=["submissions"], responses={
    201: {"description": "graded"}, 413: {"description": "body too large"},
    422: {"description": "stored, but the file could not be graded (the error says why)"},
    429: {"description": "too many submissions a minute"}, 503: {"description": "busy, nothing stored"}})
async def submit(request: Request, principal: Submitter,
                 homework: Annotated[str | None, Query(max_length=64, description="refuse a file naming another homework")] = None,
                 filename: Annotated[str | None, Query(max_length=255, description="picks JSON or YAML")] = None,
                 ) -> Response:
    """Grade a submission: the body is the YAML or JSON file, or a form with `file` (or `text`) and `homework`.

    Identity is the token's; a differing `student.id` in the file is flagged (`student.declared_id`).
    The submission is stored before this answers. Expected answers are withheld until the course releases them.
    """
    received = await received_from(request, via="api", homework=homework, filename=filename)
    done = await submit_received(request, principal, received, history=HISTORY)
    return await submission_answer(request, principal, done.submission, done.grading, history=done.history,
                                   graded=done.result, status_code=201 if done.grading.outcome == "graded" else 422)


async def received_from(request: Request, *, via: str, homework: str | None = None, filename: str | None = None
                        ) -> Received:
    """What a request carries: a raw YAML/JSON body (any other content type), or a multipart form with `file` or
    `text` (and `homework`).

    The form, if any, is left in `request.state.form` (the pages read their CSRF field from it).
    """
    request.state.form = None
    body = await read_body(request)
    content_type = request.headers.get("content-type", "")
    client = f"{request.client.host if request.client else '?'} {request.headers.get('user-agent', '')}"[:300]
    if content_type.startswith("multipart/form-data"):
        async def replay() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        form = request.state.form = await Request(request.scope, replay).form(max_files=1, max_fields=8)
        upload, pasted = form.get("file"), form.get("text")
        homework = homework or (str(form.get("homework")) if form.get("homework") else None)
        if isinstance(upload, UploadFile) and upload.filename:
            data, name = await upload.read(), upload.filename
        elif isinstance(pasted, str) and pasted.strip():
            data, name = pasted.encode("utf-8"), None
        else:
            raise HTTPException(400, "send a file (field `file`) or paste the submission (field `text`)")
    else:
        data, name = body, filename or ("submission.json" if "json" in content_type else None)
    if not data:
        raise HTTPException(400, "the submission is empty")
    return Received(data=data, filename=safe_filename(name), via=via, client=client, homework=homework)


async def submit_received(request: Request, principal: Principal, received: Received, *, history: int = 0
                          ) -> Submitted:
    """Grade and store (with `history` lines of the student's history); 503 (nothing stored) when this process's
    queue is full."""
    try:
        done = await request.app.state.pipeline.submit(principal, received, history=history)
    except Busy:
        raise HTTPException(503, "the server is busy; send it again in a few seconds",
                            headers={"Retry-After": "5"}) from None
    state, submission, grading = request.state, done.submission, done.grading
    state.submission, state.digest, state.size = submission.public_id, submission.digest, submission.size
    state.outcome, state.score, state.homework = grading.outcome, grading.score, grading.homework
    return done


@router.get("/api/v1/submissions", tags=["submissions"])
async def list_submissions(request: Request, principal: Asker,
                           homework: Annotated[str | None, Query(max_length=64)] = None,
                           student: Annotated[str | None, Query(max_length=64, description="instructors only")] = None,
                           limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
    """A student's own submissions (newest first); an instructor's view of everyone's, or one student's."""
    if not principal.is_instructor:
        student = principal.member_id
    rows = await anyio.to_thread.run_sync(lambda: reviewed_history(request.app.state.store, member_id=student,
                                                                   homework=homework, limit=limit))
    return {"submissions": [history_entry(request, line) for line in rows]}


@router.get("/api/v1/submissions/{public_id}", tags=["submissions"])
async def get_submission(request: Request, principal: Asker, public_id: str) -> Response:
    """One submission with its result; a student sees only their own (others are "not found")."""
    submission, grading = await stored_for(request, principal, public_id)
    return await submission_answer(request, principal, submission, grading)


@router.get("/api/v1/submissions/{public_id}/report", response_class=HTMLResponse, tags=["submissions"])
async def get_report(request: Request, principal: Asker, public_id: str) -> HTMLResponse:
    """The feedback report as a self-contained HTML page."""
    submission, grading = await stored_for(request, principal, public_id)
    shown = await request.app.state.pipeline.view(submission, grading, instructor=principal.is_instructor) \
        if grading is not None else None
    return HTMLResponse(report_html(submission, grading, shown and shown.result),
                        headers={"Content-Security-Policy": REPORT_CSP})


@router.get("/api/v1/submissions/{public_id}/raw", tags=["instructors"])
async def get_raw(request: Request, principal: Instructor, public_id: str) -> Response:
    """The submission's bytes exactly as received (instructors only)."""
    submission, _ = await stored_for(request, principal, public_id)
    return Response(submission.raw, media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{submission.public_id}-{submission.filename}"'})


@router.get("/api/v1/summary", tags=["instructors"])
async def summary(request: Request, principal: Instructor,
                  homework: Annotated[str | None, Query(max_length=64)] = None) -> dict[str, Any]:
    """The class summary: each student's latest graded submission per homework (review decisions applied), and the
    statistics of those."""
    latest = await anyio.to_thread.run_sync(lambda: reviewed_latest(request.app.state.store, request.app.state.store.latest(homework)))
    return summarise(latest)


@router.get("/api/v1/statement/{homework}", tags=["submissions"], response_class=Response,
            responses={200: {"content": {"text/markdown": {}}}, 404: {"description": "not offered, or not open yet"}})
async def get_statement(request: Request, principal: Asker, homework: str) -> Response:
    """The homework's statement as Markdown: a student's with their own numbers where it is given in variants."""
    text = await anyio.to_thread.run_sync(lambda: statement_of(request, principal, homework, html=False))
    return Response(text, media_type="text/markdown; charset=utf-8")


def statement_of(request: Request, principal: Principal, homework: str, *, html: bool) -> str:
    """The statement the asker may read: an offered homework, once open (for students), with their numbers."""
    from grader.plugins.homeworks import load_homework
    from grader.render.statement import render_statement_html, render_statement_markdown
    from grader.service.course import refusal

    offering = request.app.state.course.homeworks.get(homework[:64])
    why = refusal(offering, now()) if offering is not None else None
    if offering is None or (not principal.is_instructor and why is not None and "opens" in why):
        raise HTTPException(404, "no such homework open in this course")
    shown = load_homework(homework) if principal.is_instructor else \
        request.app.state.pipeline.homework_of(homework, principal.member_id)
    return (render_statement_html if html else render_statement_markdown)(shown)


@router.get("/api/v1/me", tags=["service"])
async def me(request: Request, principal: Asker) -> dict[str, Any]:
    """Who the token belongs to, and the homeworks the course offers."""
    course = request.app.state.course
    return {"id": principal.member_id, "name": principal.name, "role": principal.role,
            "homeworks": {name: offering.model_dump(mode="json") for name, offering in course.homeworks.items()}}


async def stored_for(request: Request, principal: Principal, public_id: str) -> tuple[Submission, Grading | None]:
    """A submission the asker may read: any for an instructor, only their own for a student (404 otherwise)."""
    store: Store = request.app.state.store
    owner = None if principal.is_instructor else principal.member_id
    found = await anyio.to_thread.run_sync(lambda: store.get(public_id[:64], member_id=owner))
    if found is None:
        raise HTTPException(404, "no such submission")
    return found.submission, found.grading


async def submission_answer(request: Request, principal: Principal, submission: Submission, grading: Grading | None,
                            *, history: list[Line] | None = None, graded: Result | None = None,
                            status_code: int = 200) -> Response:
    """The answer about one submission: its record, its result as the asker may see it, the report link, and the
    `history` lines if given.

    The result's JSON is written in as it was stored (or as the grading just made it), not read and written
    again: it is most of the answer and most of the time spent answering.
    """
    shown = None
    if grading is not None and grading.outcome == "graded":
        shown = await request.app.state.pipeline.view(submission, grading, instructor=principal.is_instructor,
                                                      graded=graded)
    line = Line.of(submission, grading)
    if shown is not None and shown.result.score != line.score:  # the reviewers' decisions applied
        line = replace(line, score=shown.result.score)
    document = history_entry(request, line)
    document.update({
        "size": submission.size, "digest": submission.digest, "filename": submission.filename,
        "error": grading.error if grading is not None else None,
        "expected_withheld": shown is not None and any(i.expected is None for i in shown.result.items),
        "grader_version": grading.grader_version if grading is not None else None,
        "key_digest": grading.key_digest if grading is not None else None,
    })
    if history is not None:
        document["history"] = [history_entry(request, line) for line in history]
    head = json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    body = f'{head[:-1]},"result":{shown.json() if shown is not None else "null"}}}'
    return Response(body.encode(), status_code=status_code, media_type="application/json")


def history_entry(request: Request, line: Line) -> dict[str, Any]:
    """One line of a history: when, which homework, how it went, and where its report is."""
    penalty = line.penalty_percent
    return {
        "id": line.public_id, "student": line.member_id, "received_at": line.received_at.isoformat(),
        "outcome": line.outcome, "homework": line.homework, "score": line.score, "max_score": line.max_score,
        "late": None if penalty is None else {"seconds": line.late_seconds, "penalty_percent": penalty},
        "score_after_penalty": None if line.score is None else round(line.score * (1 - (penalty or 0) / 100), 4),
        "report_url": report_url(request, line.public_id),
    }


def report_url(request: Request, public_id: str) -> str:
    """The submission's page; the route is looked up once per request (a history has twenty)."""
    prefix = getattr(request.state, "report_prefix", None)
    if prefix is None:
        prefix = request.state.report_prefix = str(request.url_for("submission_page", public_id="-"))[:-1]
    return prefix + public_id
