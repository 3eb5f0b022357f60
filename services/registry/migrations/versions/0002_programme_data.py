"""programme data: hubs with their country coverage, value chains

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.programme import HUBS, VALUE_CHAINS

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

hub = sa.table(
    "hub",
    sa.column("code"),
    sa.column("name"),
    sa.column("host_organisation"),
    sa.column("position"),
)
hub_country = sa.table(
    "hub_country",
    sa.column("hub_code"),
    sa.column("country_code"),
    sa.column("part"),
    sa.column("position"),
)
value_chain = sa.table("value_chain", sa.column("code"), sa.column("name"), sa.column("position"))


def upgrade() -> None:
    op.bulk_insert(
        hub,
        [
            {
                "code": h.code,
                "name": h.name,
                "host_organisation": h.host_organisation,
                "position": i,
            }
            for i, h in enumerate(HUBS)
        ],
    )
    op.bulk_insert(
        hub_country,
        [
            {
                "hub_code": h.code,
                "country_code": c.code,
                "part": c.part and c.part.value,
                "position": i,
            }
            for h in HUBS
            for i, c in enumerate(h.countries)
        ],
    )
    op.bulk_insert(
        value_chain,
        [{"code": v.code, "name": v.name, "position": i} for i, v in enumerate(VALUE_CHAINS)],
    )


def downgrade() -> None:
    op.execute("DELETE FROM hub_country")
    op.execute("DELETE FROM hub")
    op.execute("DELETE FROM value_chain")
