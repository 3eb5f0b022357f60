"""GraphQL types of the audit log."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.audit.queries import AuditLine


@strawberry.type(description="One entry: who did what to which thing, when, how, from where.")
class AuditItem:
    sequence: int
    at: datetime
    actor_id: strawberry.ID | None
    actor_name: str | None = strawberry.field(
        description="The actor's current display name (gone once their account is erased)."
    )
    actor_role: str
    action: str = strawberry.field(
        description="A mutation's name (`submitApplication`), or a read: `application.read`, "
        "`attachment.link`, `evaluation.read`."
    )
    target_type: str
    target_id: str
    outcome: str = strawberry.field(description="`ok`, or the typed error's name (`Forbidden`).")
    source: str | None = strawberry.field(description="The client's address.")

    @classmethod
    def of(cls, line: AuditLine) -> AuditItem:
        e, f = line.entry, line.entry.facts
        return cls(
            sequence=e.sequence, at=e.at,
            actor_id=strawberry.ID(f.actor_id) if f.actor_id else None,
            actor_name=line.actor_name, actor_role=f.actor_role, action=f.action,
            target_type=f.target_type, target_id=f.target_id, outcome=f.outcome,
            source=f.source,
        )  # fmt: skip


@strawberry.type
class AuditPage:
    total_count: int
    items: list[AuditItem]


@strawberry.type(description="The hash chain recomputed over the whole audit log.")
class AuditChainCheck:
    intact: bool
    entries: int
    first_broken_sequence: int | None = strawberry.field(
        description="The first entry that was changed, or follows a removed one."
    )
    head_hash: str = strawberry.field(
        description="The last entry's hash: note it elsewhere to detect a cut-off tail later."
    )
