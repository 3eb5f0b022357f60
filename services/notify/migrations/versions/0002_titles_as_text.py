"""titles as text: an application's title is its first short-text answer, which a form may
allow up to 100,000 characters; as varchar(500) a longer one failed its receipt and its
evaluators' assignment mails (dead-lettered), and clipped it would leave the rest of it in
the mails an erasure clears by the title

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("application", "title", type_=sa.Text(), existing_nullable=True)
    op.alter_column("assignment", "application_title", type_=sa.Text(), existing_nullable=False)


def downgrade() -> None:
    op.alter_column("assignment", "application_title", type_=sa.String(length=500),
                    postgresql_using="left(application_title, 500)", existing_nullable=False)
    op.alter_column("application", "title", type_=sa.String(length=500),
                    postgresql_using="left(title, 500)", existing_nullable=True)
