"""calls: the retention period of unfunded applications after the results

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "open_call", sa.Column("retention_days", sa.Integer(), nullable=False, server_default="365")
    )


def downgrade() -> None:
    op.drop_column("open_call", "retention_days")
