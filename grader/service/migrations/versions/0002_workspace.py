"""The instructor's workspace: review decisions, split answers, releases, regrade runs and their results.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from grader.service.tables import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("homework", sa.String(64), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("item_id", sa.String(200), nullable=False),
        sa.Column("points", sa.Float),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("reviewer", sa.String(64), nullable=False),
        sa.Column("decided_at", UTCDateTime, nullable=False),
        sa.Column("points_before", sa.Float, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
    )
    op.create_index("ix_decisions_homework_item", "decisions", ["homework", "item_id"])
    op.create_index("ix_decisions_submission", "decisions", ["submission_id"])
    op.create_table(
        "review_splits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("item_id", sa.String(200), nullable=False),
        sa.Column("reviewer", sa.String(64), nullable=False),
        sa.Column("split_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("homework", sa.String(64), nullable=False, index=True),
        sa.Column("released_by", sa.String(64), nullable=False),
        sa.Column("released_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "regrade_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("homework", sa.String(64), nullable=False),
        sa.Column("started_by", sa.String(64), nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("grader_version", sa.String(64), nullable=False),
        sa.Column("key_digest", sa.String(64)),
        sa.Column("finished_at", UTCDateTime),
    )
    op.create_table(
        "regrade_results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("regrade_runs.id"), nullable=False, index=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("grading_id", sa.Integer, sa.ForeignKey("gradings.id"), nullable=False),
        sa.Column("score_before", sa.Float),
        sa.Column("score", sa.Float),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("result", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("changes", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("regrade_results", "regrade_runs", "releases", "review_splits", "decisions"):
        op.drop_table(table)
