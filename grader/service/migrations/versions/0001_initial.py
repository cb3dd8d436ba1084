"""The roster, tokens, sign-ins, submissions and their gradings.

Revision ID: 0001
Revises:
Create Date: 2026-11-01
"""

import sqlalchemy as sa
from alembic import op

from grader.service.tables import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200)),
        sa.Column("repository", sa.String(200)),
        sa.Column("on_roster", sa.Boolean, nullable=False),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("member_id", sa.String(64), sa.ForeignKey("members.id"), nullable=False, index=True),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("issued_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime),
        sa.Column("revoked_at", UTCDateTime),
    )
    op.create_table(
        "sign_ins",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("token_id", sa.Integer, sa.ForeignKey("tokens.id"), nullable=False, index=True),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("public_id", sa.String(32), nullable=False, unique=True),
        sa.Column("member_id", sa.String(64), sa.ForeignKey("members.id"), nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("client", sa.String(300), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("pinned_homework", sa.String(64)),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("raw", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_submissions_member_received", "submissions", ["member_id", "received_at"])
    op.create_table(
        "gradings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("graded_at", UTCDateTime, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("homework", sa.String(64)),
        sa.Column("score", sa.Float),
        sa.Column("max_score", sa.Float),
        sa.Column("late_seconds", sa.Integer),
        sa.Column("penalty_percent", sa.Float),
        sa.Column("expected_withheld", sa.Boolean, nullable=False),
        sa.Column("result", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("grader_version", sa.String(64), nullable=False),
        sa.Column("key_digest", sa.String(64)),
        sa.UniqueConstraint("submission_id", "revision", name="uq_gradings_submission_revision"),
    )
    op.create_index("ix_gradings_homework", "gradings", ["homework"])


def downgrade() -> None:
    for table in ("gradings", "submissions", "sign_ins", "tokens", "members"):
        op.drop_table(table)
