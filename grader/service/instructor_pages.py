"""The instructor's pages under /instructor: the live class view, each student's history and report, the review
queue with its keyboard (static/review.js), exports, overrides import, regrades and release.

Signed in with an instructor's token (a student gets 403); every form carries the sign-in's CSRF field.
Pages run only our own script file, under the service's strict policy.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from grader import api
from grader.core.models import Status
from grader.render.html import render_index, render_report
from grader.service import decisions, regrade, workspace
from grader.service.auth import csrf_ok, signed_in
from grader.service.classdata import reviewed_history
from grader.service.classview import class_summary, student_rows
from grader.service.grouping import signature
from grader.service.limits import read_body
from grader.service.pages import SignInFirst
from grader.service.release import release, released_at
from grader.service.routes import history_entry
from grader.service.storage import Principal
from grader.service.views import REPORT_CSP, render_page

router = APIRouter(prefix="/instructor", include_in_schema=False)
assets = APIRouter(include_in_schema=False)
INSTRUCTOR_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
                  "frame-src 'self'; frame-ancestors 'none'; base-uri 'none'")


async def _instructor(request: Request) -> tuple[Principal, str]:
    found = await signed_in(request)
    if found is None:
        raise SignInFirst
    if not found[0].is_instructor:
        raise HTTPException(403, "instructors only")
    return found


def _page(name: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(render_page(name, **context), headers={"Content-Security-Policy": INSTRUCTOR_CSP})


async def _form(request: Request, csrf: str):
    """The posted form (urlencoded or multipart) once its CSRF field matches the sign-in's (403 otherwise)."""
    body = await read_body(request, max_bytes=1_100_000)

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    form = await Request(request.scope, replay).form(max_files=1, max_fields=5000)
    field = form.get("csrf")
    if not csrf_ok(csrf, field if isinstance(field, str) else None):
        raise HTTPException(403, "the form's CSRF field is missing or wrong")
    return form


@router.get("/{homework}")
async def class_page(request: Request, homework: str, item: str | None = None, status: str | None = None) -> Response:
    """Who submitted when (late ones marked), points, reviews, filtered by item and status; the class figures."""
    principal, csrf = await _instructor(request)
    entries = await workspace.entries(request, homework)
    course = request.app.state.course
    known = api.homework(homework)
    rows = student_rows(entries, course, homework, item=item or None, status=status or None)
    released = await anyio.to_thread.run_sync(released_at, workspace.store(request), homework)
    return _page("instructor_class", title=course.title, principal=principal, csrf=csrf, homework=homework,
                 known=known, rows=rows, item=item or "", status=status or "", released=released,
                 statuses=[s.value for s in Status] + ["not submitted"], exports=list(workspace.EXPORTS),
                 flagged=workspace.flagged_items(homework, entries))


@router.get("/{homework}/index.html")
async def class_summary_page(request: Request, homework: str) -> Response:
    """The batch's class summary page (same template and statistics), live from the database."""
    await _instructor(request)
    entries = await workspace.entries(request, homework)
    html = await anyio.to_thread.run_sync(lambda: render_index(class_summary(entries, homework, request.app.state.pipeline.keys)))
    return HTMLResponse(html, headers={"Content-Security-Policy": REPORT_CSP})


@router.get("/{homework}/reports/{student}.html")
async def student_report(request: Request, homework: str, student: str) -> Response:
    """A student's latest report as they see it (decisions applied), with expected answers shown."""
    await _instructor(request)
    entries = await workspace.entries(request, homework, student=student)
    if not entries:
        raise HTTPException(404, "no graded submission of this student")
    found = await anyio.to_thread.run_sync(workspace.store(request).get, entries[0].submission.public_id)
    shown = await request.app.state.pipeline.view(found.submission, found.grading, instructor=True)
    return HTMLResponse(render_report(shown.result, back_link="../index.html"), headers={"Content-Security-Policy": REPORT_CSP})


@router.get("/{homework}/students/{student}")
async def student_page(request: Request, homework: str, student: str) -> Response:
    """One student's submissions of the homework (newest first) and their latest report."""
    principal, csrf = await _instructor(request)
    workspace.offered(request, homework)
    rows = await anyio.to_thread.run_sync(lambda: reviewed_history(workspace.store(request), member_id=student, homework=homework, limit=200))
    return _page("instructor_student", title=request.app.state.course.title, principal=principal, csrf=csrf,
                 homework=homework, student=student, history=[history_entry(request, line) for line in rows])


@router.get("/{homework}/exports/{name}")
async def export(request: Request, homework: str, name: str) -> Response:
    await _instructor(request)
    return await workspace.export(request, homework, name)


@router.get("/{homework}/{name}")
async def export_beside_summary(request: Request, homework: str, name: str) -> Response:
    """grades.csv and results.jsonl beside index.html, where the batch's summary page links them."""
    if name not in ("grades.csv", "results.jsonl"):
        raise HTTPException(404, "no such page")
    await _instructor(request)
    return await workspace.export(request, homework, name)


@router.post("/{homework}/overrides")
async def import_overrides(request: Request, homework: str) -> Response:
    principal, csrf = await _instructor(request)
    form = await _form(request, csrf)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise HTTPException(400, "choose an overrides file")
    text = (await upload.read()).decode("utf-8", "replace")
    done = await workspace.import_overrides(request, homework, text, principal.member_id)
    return _page("message", title=request.app.state.course.title, principal=principal, csrf=csrf,
                 heading="Overrides imported",
                 text=f"{done['decisions']} decisions recorded"
                      + (f"; no graded submission for {', '.join(done['students_without_submission'])}"
                         if done["students_without_submission"] else "") + ".")


@router.post("/{homework}/release")
async def release_page(request: Request, homework: str) -> Response:
    principal, csrf = await _instructor(request)
    await _form(request, csrf)
    workspace.offered(request, homework)
    await anyio.to_thread.run_sync(release, workspace.store(request), homework, principal.member_id)
    return RedirectResponse(f"/instructor/{homework}", status_code=303)


@router.post("/{homework}/regrades")
async def regrade_page(request: Request, homework: str) -> Response:
    principal, csrf = await _instructor(request)
    await _form(request, csrf)
    run_id = await workspace.run_regrade(request, homework, principal.member_id)
    return RedirectResponse(f"/instructor/{homework}/regrades/{run_id}", status_code=303)


@router.get("/{homework}/regrades/{run_id}")
async def regrade_report(request: Request, homework: str, run_id: int) -> Response:
    principal, csrf = await _instructor(request)
    found = await anyio.to_thread.run_sync(regrade.report, workspace.store(request), run_id)
    if found is None or found["homework"] != homework:
        raise HTTPException(404, "no such regrade")
    return _page("instructor_regrade", title=request.app.state.course.title, principal=principal, csrf=csrf,
                 homework=homework, run=found)


@router.post("/{homework}/regrades/{run_id}/{action}")
async def regrade_action(request: Request, homework: str, run_id: int, action: str) -> Response:
    """Publish or discard a draft."""
    _, csrf = await _instructor(request)
    await _form(request, csrf)
    if action not in ("publish", "discard"):
        raise HTTPException(404, "no such action")
    await anyio.to_thread.run_sync(getattr(regrade, action), workspace.store(request), run_id)
    return RedirectResponse(f"/instructor/{homework}/regrades/{run_id}", status_code=303)


@router.get("/{homework}/review/")
async def review_items(request: Request, homework: str) -> Response:
    """The items to review, with how many answers are flagged and decided."""
    principal, csrf = await _instructor(request)
    entries = await workspace.entries(request, homework)
    return _page("instructor_review", title=request.app.state.course.title, principal=principal, csrf=csrf,
                 homework=homework, flagged=workspace.flagged_items(homework, entries))


@router.get("/{homework}/review/{item}")
async def review_group(request: Request, homework: str, item: str, g: int = 0) -> Response:
    """One group of answers to review (`g`: its place in the queue), with the rubric to tick or points to set."""
    principal, csrf = await _instructor(request)
    groups, _ = await workspace.queue(request, homework, item)
    known = api.homework(homework).item(item)
    index = min(max(g, 0), max(len(groups) - 1, 0))
    current = groups[index] if groups else None
    found = set()
    if current is not None:
        found = {name for kind, name in signature(current.answers[0].item)[1] if kind == "Found"}
    concepts = [{"name": c.name, "share": c.share, "found": c.name in found}
                for c in getattr(known.options, "concepts", ())]
    return _page("instructor_group", title=request.app.state.course.title, principal=principal, csrf=csrf,
                 homework=homework, item=known, groups=groups, index=index, group=current, concepts=concepts,
                 undecided=sum(not x.decided for x in groups))


@router.post("/{homework}/review/{item}")
async def review_decide(request: Request, homework: str, item: str) -> Response:
    """Apply points to the group (or one answer), or split an answer out of its group; then the next group."""
    principal, csrf = await _instructor(request)
    form = await _form(request, csrf)
    index = str(form.get("g") or "0")
    action = str(form.get("action") or "apply")
    members = [str(s) for s in form.getlist("submission")]
    if action.startswith("split:") or action.startswith("one:"):
        chosen = action.split(":", 1)[1]
        if chosen not in members:
            raise HTTPException(422, "that answer is not in the group")
        if action.startswith("split:"):
            groups, _ = await workspace.queue(request, homework, item)
            answer = next(a for x in groups for a in x.answers if a.submission == chosen)
            await anyio.to_thread.run_sync(decisions.split, workspace.store(request), item,
                                           answer.submission_id, principal.member_id)
            return RedirectResponse(f"/instructor/{homework}/review/{item}?g={index}", status_code=303)
        members = [chosen]
    points_text = str(form.get("points") or "").strip()
    try:
        points = float(points_text) if points_text else None
    except ValueError:
        raise HTTPException(422, f"points must be a number, not {points_text[:20]!r}") from None
    await workspace.decide(request, homework, item, members, points=points,
                           concepts=[str(c) for c in form.getlist("concept")], comment=str(form.get("comment") or ""),
                           reviewer=principal.member_id)
    return RedirectResponse(f"/instructor/{homework}/review/{item}?g={index}", status_code=303)


@assets.get("/static/review.js")
async def review_script() -> Response:
    """The review page's keyboard shortcuts (a file of our own: the policy allows no inline script)."""
    return Response(files("grader.service").joinpath("static/review.js").read_bytes(), media_type="text/javascript",
                    headers={"Cache-Control": "public, max-age=3600"})
