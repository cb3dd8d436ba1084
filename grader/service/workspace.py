"""What the instructor's pages and API share: the class, the review queue, decisions, exports, regrades, release.

Each function runs its database and grading work off the event loop and raises HTTPException for
the asker's mistakes (an unknown homework or item, points out of range, a stale group).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio.to_thread
from fastapi import HTTPException, Request
from fastapi.responses import Response

from grader import api
from grader.core.errors import UsageError
from grader.service import decisions, exports, regrade
from grader.service.classdata import Entry, load_class
from grader.service.classview import class_summary
from grader.service.grouping import Group, answers_for, group
from grader.service.storage import Store

EXPORTS = {
    "grades.csv": "text/csv; charset=utf-8", "canvas.csv": "text/csv; charset=utf-8",
    "moodle.csv": "text/csv; charset=utf-8", "results.jsonl": "application/x-ndjson; charset=utf-8",
    "overrides.yaml": "application/yaml; charset=utf-8",
}


def store(request: Request) -> Store:
    return request.app.state.store


def offered(request: Request, homework: str) -> str:
    """The homework, if the course offers it (404 otherwise)."""
    if homework not in request.app.state.course.homeworks:
        raise HTTPException(404, "the course offers no such homework")
    return homework


async def entries(request: Request, homework: str, student: str | None = None) -> list[Entry]:
    return await anyio.to_thread.run_sync(lambda: load_class(store(request), offered(request, homework),
                                                             student=student))


def flagged_items(homework: str, class_entries: list[Entry]) -> list[dict[str, Any]]:
    """Each item with answers flagged for review: how many, and how many have a decision in force."""
    counts: dict[str, list[int]] = {}
    for entry in class_entries:
        for item in entry.machine.items:
            if item.needs_review and item.given is not None:
                count = counts.setdefault(item.id, [0, 0])
                count[0] += 1
                decision = entry.decisions.get(item.id)
                count[1] += decision is not None and decision.points is not None
    known = api.homework(homework)
    return [{"item": item.id, "prompt": item.prompt, "points": item.points, "kind": item.kind,
             "flagged": counts[item.id][0], "decided": counts[item.id][1]}
            for item in known.items if item.id in counts]


async def queue(request: Request, homework: str, item: str) -> tuple[list[Group], list[Entry]]:
    """The item's answer groups in review order, and the class they were drawn from."""
    offered(request, homework)
    if item not in api.homework(homework).item_ids:
        raise HTTPException(404, f"{homework} has no item {item!r}")

    def build() -> tuple[list[Group], list[Entry]]:
        class_entries = load_class(store(request), homework)
        return group(answers_for(class_entries, item), decisions.splits(store(request), item)), class_entries

    return await anyio.to_thread.run_sync(build)


async def decide(request: Request, homework: str, item: str, submissions: list[str], *, points: float | None,
                 concepts: list[str], comment: str, reviewer: str) -> decisions.Decided:
    """Record a decision for these submissions' answers to `item` (points given, else the ticked concepts')."""
    offered(request, homework)
    if not submissions:
        raise HTTPException(422, "choose at least one answer")
    try:
        if points is None:
            if not concepts:
                raise UsageError("give points or tick the rubric's concepts")
            points = decisions.points_for(homework, item, concepts)
        chosen = points
        return await anyio.to_thread.run_sync(lambda: decisions.decide(
            store(request), homework, item, submissions, points=chosen, comment=comment, reviewer=reviewer))
    except UsageError as error:
        raise HTTPException(422, str(error)) from None


async def export(request: Request, homework: str, name: str) -> Response:
    """One export file of the homework's current grades (decisions applied)."""
    if name not in EXPORTS:
        raise HTTPException(404, "no such export")
    class_entries = await entries(request, homework)
    offering_title = api.homework(homework).title

    def render() -> str:
        if name == "grades.csv":
            return exports.grades(class_summary(class_entries, homework, request.app.state.pipeline.keys))
        if name == "results.jsonl":
            return exports.results_jsonl(class_entries)
        if name == "canvas.csv":
            return exports.canvas_csv(class_entries, offering_title)
        if name == "moodle.csv":
            return exports.moodle_csv(class_entries, offering_title)
        return decisions.export_overrides(class_entries)

    body = await anyio.to_thread.run_sync(render)
    return Response(body, media_type=EXPORTS[name],
                    headers={"Content-Disposition": f'attachment; filename="{homework}-{name}"'})


async def import_overrides(request: Request, homework: str, text: str, reviewer: str) -> dict[str, Any]:
    """An overrides YAML as decisions; 422 (nothing stored) when it is unusable."""
    offered(request, homework)
    try:
        made, absent = await anyio.to_thread.run_sync(
            lambda: decisions.import_overrides(store(request), homework, text, reviewer))
    except UsageError as error:
        raise HTTPException(422, str(error)) from None
    return {"decisions": made, "students_without_submission": absent}


async def run_regrade(request: Request, homework: str, by: str) -> int:
    """Regrade every latest submission on the grading threads into a new draft run; its id."""
    pipeline, db = request.app.state.pipeline, store(request)
    class_entries = await entries(request, homework)
    run_id = await anyio.to_thread.run_sync(regrade.start, db, homework, by)
    for entry in class_entries:
        found = await anyio.to_thread.run_sync(db.get, entry.submission.public_id)
        grading, _ = await pipeline.on_grading_thread(partial(pipeline.grade, found.submission, recall=False))
        await anyio.to_thread.run_sync(regrade.record, db, run_id, entry, grading)
    await anyio.to_thread.run_sync(regrade.finish, db, run_id)
    return run_id
