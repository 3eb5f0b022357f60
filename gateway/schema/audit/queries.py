"""The audit log for the programme team: a filtered page and the chain check. The CSV export
is `GET /audit.csv` (gateway/audit/http.py): a long history streams rather than travelling
as one GraphQL string."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.audit.queries import AuditFilter, chain_check, page
from gateway.schema.audit.types import AuditChainCheck, AuditPage, audit_item
from gateway.schema.context import Info
from gateway.schema.convert import from_contract
from gateway.schema.permissions import Admin, SignedIn, refuse


@strawberry.type
class AuditQuery:
    # Refused with an error (forbidden): the page has no typed refusal to answer with.
    @strawberry.field(
        description="The audit log, newest first (the programme team).",
        extensions=[refuse(SignedIn, Admin)],
    )
    async def audit_log(
        self, info: Info, actor_id: strawberry.ID | None = None, target_id: str | None = None,
        action: str | None = None, since: datetime | None = None, until: datetime | None = None,
        first: int = 50, offset: int = 0,
    ) -> AuditPage:  # fmt: skip
        where = AuditFilter(
            actor_id=actor_id, target_id=target_id, action=action, since=since, until=until
        )
        async with info.context.db() as session:
            total, lines = await page(session, where, first, offset)
        return AuditPage(total_count=total, items=[audit_item(line) for line in lines])

    @strawberry.field(
        description="Recompute the audit log's hash chain (the programme team).",
        extensions=[refuse(SignedIn, Admin)],
    )
    async def audit_chain(self, info: Info) -> AuditChainCheck:
        result = await chain_check(info.context.db)
        return from_contract(AuditChainCheck, result, first_broken_sequence=result.first_broken)
