"""GraphQL types of the audit log."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.audit.queries import AuditLine
from gateway.schema.convert import from_contract


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


def audit_item(line: AuditLine) -> AuditItem:
    """The entry's facts by name, with its place in the chain and the actor's current name."""
    e, actor_id = line.entry, line.entry.facts.actor_id
    return from_contract(
        AuditItem, e.facts, sequence=e.sequence, at=e.at, actor_name=line.actor_name,
        actor_id=strawberry.ID(actor_id) if actor_id else None,
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
