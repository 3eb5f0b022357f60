"""call_pool: each call's evaluators with a capacity for that call; known_call keeps the
call's time zone, evaluation deadline and form (for applications' titles)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "call_pool",
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column(
            "added_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["evaluator.account_id"],
            name=op.f("fk_call_pool_account_id_evaluator"),
        ),
        sa.PrimaryKeyConstraint("call_id", "account_id", name=op.f("pk_call_pool")),
    )  # fmt: skip
    op.create_index(op.f("ix_call_pool_account_id"), "call_pool", ["account_id"], unique=False)
    # Calls already in evaluation keep the evaluators they drew on, with the capacity those had
    # (then counted over every call, so at least what they hold in this one).
    op.execute(
        "INSERT INTO call_pool (call_id, account_id, capacity)"
        " SELECT a.call_id, a.evaluator_id, greatest(max(e.capacity), count(*)) FROM assignment a"
        " JOIN evaluator e ON e.account_id = a.evaluator_id WHERE a.active"
        " GROUP BY a.call_id, a.evaluator_id"
    )
    op.add_column(
        "known_call",
        sa.Column("timezone", sa.String(length=64), server_default="Europe/Brussels",
                  nullable=False),
    )  # fmt: skip
    op.add_column(
        "known_call", sa.Column("evaluation_deadline", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "known_call",
        sa.Column("form", postgresql.JSONB(astext_type=sa.Text()),
                  server_default='{"questions": []}', nullable=False),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_column("known_call", "form")
    op.drop_column("known_call", "evaluation_deadline")
    op.drop_column("known_call", "timezone")
    op.drop_index(op.f("ix_call_pool_account_id"), table_name="call_pool")
    op.drop_table("call_pool")
