"""What review consumes: calls from the registry, applications from intake. Each handler is
idempotent and tolerates duplicates and any order of arrival."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.review import erasure
from services.review.models import ApplicationCopy, AssignmentRow, KnownCall
from shared.api.registry import CallStatus
from shared.consumer import Handler
from shared.contracts import accounts as account_events
from shared.contracts import intake as intake_events
from shared.contracts import registry as registry_events
from shared.events import Envelope, EventContract


async def on_call_published(
    session: AsyncSession, _: Envelope, event: registry_events.CallPublished
) -> None:
    values = {
        "title": event.title, "hub": event.hub, "hubs": event.hubs, "budget": event.budget,
        "rubric": msgspec.to_builtins(event.rubric),
        "evaluators_per_application": event.evaluators_per_application, "blind": event.blind,
        "terms_known": True, "timezone": event.timezone,
        "evaluation_deadline": event.evaluation_deadline,
        "form": msgspec.to_builtins(event.form),
    }  # fmt: skip
    # The status stays as it is: a later one (closed ...) may have overtaken this event.
    await session.execute(
        insert(KnownCall)
        .values(call_id=event.call_id, status=CallStatus.PUBLISHED.value, **values)
        .on_conflict_do_update(index_elements=[KnownCall.call_id], set_=values)
    )


STATUS_ORDER = {status.value: rank for rank, status in enumerate(CallStatus)}


async def on_call_status(session: AsyncSession, call_id: str, status: str) -> None:
    """A call's status only moves forward, whatever order the events come in; a status for a
    call not yet published here is kept on a stub row until its publication arrives."""
    if status not in STATUS_ORDER:
        return
    await session.execute(
        insert(KnownCall)
        .values(call_id=call_id, title="", hub=None, hubs=[], budget=0.0, rubric={},
                evaluators_per_application=0, blind=False, status=status, terms_known=False)
        .on_conflict_do_nothing()
    )  # fmt: skip
    call = await session.get(KnownCall, call_id, with_for_update=True, populate_existing=True)
    assert call is not None
    if STATUS_ORDER[status] > STATUS_ORDER.get(call.status, -1):
        call.status = status


async def on_call_closed(
    session: AsyncSession, _: Envelope, event: registry_events.CallClosed
) -> None:
    await on_call_status(session, event.call_id, "closed")


async def on_call_status_changed(
    session: AsyncSession, _: Envelope, event: registry_events.CallStatusChanged
) -> None:
    await on_call_status(session, event.call_id, event.status)


async def copy_of(session: AsyncSession, application_id: str, call_id: str) -> ApplicationCopy:
    """The row to update, created empty when this is the first thing heard of it."""
    await session.execute(
        insert(ApplicationCopy)
        .values(application_id=application_id, call_id=call_id, version=0, organisation={},
                contact={}, team=[], answers={}, attachments=[], value_chains=[],
                withdrawn=False, eligibility="pending")
        .on_conflict_do_nothing()
    )  # fmt: skip
    row = await session.get(ApplicationCopy, application_id, with_for_update=True)
    assert row is not None
    return row


async def on_snapshot(
    session: AsyncSession, _: Envelope, event: intake_events.ApplicationSnapshot
) -> None:
    row = await copy_of(session, event.application_id, event.call_id)
    if event.version <= row.version:
        return  # an older version arrived late: the newer one already counts
    fields: dict[str, Any] = {
        "version": event.version, "applicant_id": event.applicant_id,
        "applicant_email": event.applicant_email,
        "organisation": msgspec.to_builtins(event.organisation),
        "contact": msgspec.to_builtins(event.contact), "team": msgspec.to_builtins(event.team),
        "answers": event.answers, "attachments": msgspec.to_builtins(event.attachments),
        "requested_amount": event.requested_amount, "country": event.country, "hub": event.hub,
        "value_chains": event.value_chains, "submitted_at": event.submitted_at,
    }  # fmt: skip
    for name, value in fields.items():
        setattr(row, name, value)


async def on_withdrawn(
    session: AsyncSession, _: Envelope, event: intake_events.ApplicationWithdrawn
) -> None:
    row = await copy_of(session, event.application_id, event.call_id)
    row.withdrawn = True
    # Nobody scores it any more and progress stops counting it; evaluations already
    # submitted stay stored, for the record.
    await session.execute(
        update(AssignmentRow)
        .where(AssignmentRow.application_id == event.application_id, AssignmentRow.active)
        .values(active=False, removed_reason="application withdrawn")
    )


async def on_eligible(
    session: AsyncSession, _: Envelope, event: intake_events.ApplicationEligible
) -> None:
    row = await copy_of(session, event.application_id, event.call_id)
    row.eligibility = "eligible"


async def on_ineligible(
    session: AsyncSession, _: Envelope, event: intake_events.ApplicationIneligible
) -> None:
    row = await copy_of(session, event.application_id, event.call_id)
    row.eligibility = "ineligible"


# What this service consumes; shared.web runs them as one durable consumer named "review".
HANDLERS: dict[type[EventContract], Handler] = {
    registry_events.CallPublished: on_call_published,
    registry_events.CallClosed: on_call_closed,
    registry_events.CallStatusChanged: on_call_status_changed,
    intake_events.ApplicationSubmitted: on_snapshot,
    intake_events.ApplicationResubmitted: on_snapshot,
    intake_events.ApplicationWithdrawn: on_withdrawn,
    intake_events.ApplicationEligible: on_eligible,
    intake_events.ApplicationIneligible: on_ineligible,
    intake_events.ApplicationAnonymised: erasure.on_application_anonymised,
    account_events.AccountErased: erasure.on_account_erased,
}
