"""erasure and retention: an application's anonymisation instant, a call's retention period

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("application", sa.Column("anonymised_at", sa.DateTime(timezone=True)))
    op.add_column(
        "known_call",
        sa.Column("retention_days", sa.Integer(), nullable=False, server_default="365"),
    )
    op.add_column("known_call", sa.Column("results_published_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("known_call", "results_published_at")
    op.drop_column("known_call", "retention_days")
    op.drop_column("application", "anonymised_at")
