"""When students may see a homework's expected answers: the course file's time, or an instructor's release."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from grader.service.storage import Store
from grader.service.tables import now
from grader.service.workspace_tables import Release

# Asked for every submission graded and shown: built once, run on a plain connection.
_RELEASED_AT = select(func.min(Release.released_at)).where(Release.homework == bindparam("homework"))


def released_at(store: Store, homework: str) -> datetime | None:
    """When an instructor first released the homework's expected answers in the service, if they did."""
    with store.engine.connect() as connection:
        return connection.execute(_RELEASED_AT, {"homework": homework}).scalar()


def release(store: Store, homework: str, by: str) -> datetime:
    """Release the expected answers now (once released they stay released); when they were released."""
    earlier = released_at(store, homework)
    if earlier is not None:
        return earlier
    moment = now()
    with Session(store.engine) as session, session.begin():
        session.add(Release(homework=homework, released_by=by, released_at=moment))
    return moment
