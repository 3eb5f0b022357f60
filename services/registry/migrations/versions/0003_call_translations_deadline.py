"""calls: title and description in other languages, the evaluation deadline

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for column in ("title_translations", "description_translations"):
        op.add_column(
            "open_call",
            sa.Column(column, JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")),
        )
    op.add_column(
        "open_call", sa.Column("evaluation_deadline", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("open_call", "evaluation_deadline")
    op.drop_column("open_call", "description_translations")
    op.drop_column("open_call", "title_translations")
