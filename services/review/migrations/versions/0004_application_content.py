"""application: what the applicant filled in as one JSONB column `content` (shared.api.intake
.ApplicationContent) instead of five columns re-listing its fields

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTENT_COLUMNS = ["organisation", "contact", "team", "requested_amount", "answers"]


def upgrade() -> None:
    op.add_column(
        "application",
        sa.Column(
            "content", postgresql.JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")
        ),
    )
    op.execute(
        "UPDATE application SET content = jsonb_build_object("
        "'organisation', organisation, 'contact', contact, 'team', team, "
        "'requested_amount', requested_amount, 'answers', answers)"
    )
    op.alter_column("application", "content", server_default=None)
    for column in CONTENT_COLUMNS:
        op.drop_column("application", column)


def downgrade() -> None:
    for column in ["organisation", "contact", "team", "answers"]:
        op.add_column(
            "application",
            sa.Column(column, postgresql.JSONB(), nullable=False, server_default=sa.text("'{}'")),
        )
    op.add_column("application", sa.Column("requested_amount", sa.Float(), nullable=True))
    op.execute(
        "UPDATE application SET organisation = coalesce(content->'organisation', '{}'), "
        "contact = coalesce(content->'contact', '{}'), team = coalesce(content->'team', '[]'), "
        "answers = coalesce(content->'answers', '{}'), "
        "requested_amount = (content->>'requested_amount')::float"
    )
    for column in ["organisation", "contact", "team", "answers"]:
        op.alter_column("application", column, server_default=None)
    op.drop_column("application", "content")
