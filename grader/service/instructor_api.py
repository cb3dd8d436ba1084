"""The instructor's JSON API under /api/v1/instructor: the class, the review queue, decisions, exports, regrades
and release (bearer tokens of instructors only; a student's token gets 403 on every route)."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from grader.service import decisions, regrade, workspace
from grader.service.auth import api_instructor
from grader.service.classview import class_summary
from grader.service.limits import read_body
from grader.service.release import release
from grader.service.storage import Principal

router = APIRouter(prefix="/api/v1/instructor", tags=["instructors"])
Instructor = Annotated[Principal, Depends(api_instructor)]


class DecisionRequest(BaseModel):
    """Points (or the rubric concepts that earn them) for one item of the chosen submissions."""

    item: str = Field(max_length=200)
    submissions: list[str] = Field(max_length=5000, description="public ids of students' latest submissions")
    points: float | None = Field(None, description="the points; if absent, the shares of `concepts`")
    concepts: list[str] = Field(default_factory=list, max_length=50)
    comment: str = Field("", max_length=2000)


@router.get("/{homework}/class")
async def class_view(request: Request, principal: Instructor, homework: str) -> dict[str, Any]:
    """Statistics of the students' latest submissions (decisions applied), as the batch's class summary has them."""
    entries = await workspace.entries(request, homework)
    summary = await anyio.to_thread.run_sync(class_summary, entries, homework)
    stats = summary.homeworks[0] if summary.homeworks else None
    return {"homework": homework, "graded": len(entries),
            "mean": stats.mean if stats else None, "median": stats.median if stats else None,
            "histogram": stats.histogram if stats else [],
            "items": [vars(i) for i in stats.items] if stats else [],
            "mistakes": [vars(m) for m in stats.mistakes] if stats else [],
            "misconceptions": [vars(m) for m in stats.misconceptions] if stats else [],
            "carried": stats.carried if stats else 0,
            "students": [{"student": e.submission.member_id, "submission": e.submission.public_id,
                          "received_at": e.submission.received_at.isoformat(), "score": e.result.score,
                          "penalty_percent": e.grading.penalty_percent, "submissions": e.submissions}
                         for e in entries]}


@router.get("/{homework}/queue")
async def queue_items(request: Request, principal: Instructor, homework: str) -> dict[str, Any]:
    """The items with answers flagged for review, with how many have a decision."""
    entries = await workspace.entries(request, homework)
    return {"homework": homework, "items": workspace.flagged_items(homework, entries)}


@router.get("/{homework}/queue/{item}")
async def queue(request: Request, principal: Instructor, homework: str, item: str) -> JSONResponse:
    """The item's answers in groups, in review order (undecided, then largest and least confident first)."""
    groups, _ = await workspace.queue(request, homework, item)
    # A JSONResponse as is: FastAPI's encoder walking a class's answers would take longer than building them.
    return JSONResponse({"homework": homework, "item": item, "answers": sum(g.size for g in groups), "groups": [
        {"kind": g.kind, "size": g.size, "confidence": g.confidence, "decided": g.decided,
         "answers": [{"submission": a.submission, "student": a.student, "answer": a.item.given,
                      "points": a.item.score, "max_points": a.item.max_score, "confidence": a.item.confidence,
                      "feedback": a.item.feedback,
                      "decision": None if a.decision is None else {
                          "points": a.decision.points, "comment": a.decision.comment,
                          "reviewer": a.decision.reviewer}} for a in g.answers]} for g in groups]})


@router.post("/{homework}/decisions")
async def decide(request: Request, principal: Instructor, homework: str, body: DecisionRequest) -> dict[str, Any]:
    """Set the points of one item for a group of answers (or one); stored with reviewer, time and points before."""
    done = await workspace.decide(request, homework, body.item, body.submissions, points=body.points,
                                  concepts=body.concepts, comment=body.comment, reviewer=principal.member_id)
    return {"decisions": done.count, "points": done.points}


@router.get("/{homework}/decisions")
async def audit(request: Request, principal: Instructor, homework: str) -> dict[str, Any]:
    """The audit log of review decisions, newest first."""
    workspace.offered(request, homework)
    rows = await anyio.to_thread.run_sync(decisions.audit_log, workspace.store(request), homework)
    return {"homework": homework, "decisions": rows}


@router.get("/{homework}/exports/{name}")
async def export(request: Request, principal: Instructor, homework: str, name: str) -> Response:
    """grades.csv, canvas.csv, moodle.csv, results.jsonl or overrides.yaml of the current grades."""
    return await workspace.export(request, homework, name)


@router.post("/{homework}/overrides")
async def import_overrides(request: Request, principal: Instructor, homework: str) -> dict[str, Any]:
    """An overrides YAML (the body) as decisions on each student's latest submission."""
    text = (await read_body(request, max_bytes=1_000_000)).decode("utf-8", "replace")
    return await workspace.import_overrides(request, homework, text, principal.member_id)


@router.post("/{homework}/regrades", status_code=201)
async def start_regrade(request: Request, principal: Instructor, homework: str) -> dict[str, Any]:
    """Regrade every latest submission into a draft; the answer shows what would change."""
    run_id = await workspace.run_regrade(request, homework, principal.member_id)
    return await anyio.to_thread.run_sync(regrade.report, workspace.store(request), run_id)


@router.get("/regrades/{run_id}")
async def regrade_report(request: Request, principal: Instructor, run_id: int) -> dict[str, Any]:
    found = await anyio.to_thread.run_sync(regrade.report, workspace.store(request), run_id)
    if found is None:
        raise HTTPException(404, "no such regrade")
    return found


@router.post("/regrades/{run_id}/publish")
async def publish(request: Request, principal: Instructor, run_id: int) -> dict[str, Any]:
    """Make a draft's gradings the ones in force."""
    return {"published": await anyio.to_thread.run_sync(regrade.publish, workspace.store(request), run_id)}


@router.post("/{homework}/release")
async def release_expected(request: Request, principal: Instructor, homework: str) -> dict[str, Any]:
    """Show students the expected answers from now on."""
    workspace.offered(request, homework)
    moment = await anyio.to_thread.run_sync(release, workspace.store(request), homework, principal.member_id)
    return {"homework": homework, "released_at": moment.isoformat()}
