"""What review publishes (built here, recorded in the caller's transaction through the
outbox) and what it consumes: calls from the registry, applications from intake, erasures.
Each consumer is idempotent and tolerates duplicates and any order of arrival."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.review.models import AssignmentRow, KnownCall, OutboxEvent
from services.review.usecases import applications, calls, erasure
from shared.consumer import Handler
from shared.contracts import accounts as account_events
from shared.contracts import intake as intake_events
from shared.contracts import registry as registry_events
from shared.contracts import review as review_events
from shared.events import EventContract
from shared.outbox import record_events

# ---- published ---------------------------------------------------------------------------


def assignment_event(
    contract: type[review_events.AssignmentFacts], row: AssignmentRow, title: str, **extra: Any
) -> review_events.AssignmentFacts:
    """An event about one evaluator's assignment."""
    return contract(
        assignment_id=str(row.id), application_id=row.application_id, call_id=row.call_id,
        evaluator_id=row.evaluator_id, application_title=title, **extra,
    )  # fmt: skip


def assigned_event(
    row: AssignmentRow, call: KnownCall, title: str
) -> review_events.AssignmentFacts:
    return assignment_event(review_events.AssignmentMade, row, title,
                            due_at=call.evaluation_deadline, call_timezone=call.timezone)  # fmt: skip


async def publish(session: AsyncSession, *published: EventContract) -> None:
    """Recorded in the caller's transaction, in one INSERT: sent once it commits."""
    await record_events(session, OutboxEvent, published)


# ---- consumed ----------------------------------------------------------------------------

# What this service consumes; shared.web runs them as one durable consumer named "review".
HANDLERS: dict[type[EventContract], Handler] = {
    registry_events.CallPublished: calls.on_call_published,
    registry_events.CallClosed: calls.on_call_status,
    registry_events.CallStatusChanged: calls.on_call_status,
    intake_events.ApplicationSubmitted: applications.on_snapshot,
    intake_events.ApplicationResubmitted: applications.on_snapshot,
    intake_events.ApplicationWithdrawn: applications.on_withdrawn,
    intake_events.ApplicationEligible: applications.on_eligible,
    intake_events.ApplicationIneligible: applications.on_ineligible,
    intake_events.ApplicationAnonymised: erasure.on_application_anonymised,
    account_events.AccountErased: erasure.on_account_erased,
}
