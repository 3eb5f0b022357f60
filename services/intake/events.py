"""What intake consumes: the registry's call lifecycle (kept as `known_call` rows, and the
eligibility check when a call closes), review's published outcomes and the gateway's erasures."""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy import and_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.domain.applicant import Draft
from services.intake.domain.eligibility import CallTerms, eligibility_reasons
from services.intake.erasure import erase_applicant
from services.intake.models import ApplicationRow, KnownCall, OutboxEvent, SubmissionRow
from shared.api.intake import ApplicationStatus, Eligibility
from shared.api.registry import CallStatus, Coverage, Form
from shared.consumer import Handler
from shared.contracts import accounts as account_events
from shared.contracts import intake as intake_events
from shared.contracts import registry as registry_events
from shared.contracts import review as review_events
from shared.events import Envelope, EventContract
from shared.objectstore import ObjectStore
from shared.outbox import record_event


def terms_of(call: KnownCall) -> CallTerms:
    return CallTerms(
        eligible_countries=msgspec.convert(call.eligible_countries, list[Coverage]),
        organisation_types=list(call.organisation_types),
        max_grant=call.max_grant,
        form=msgspec.convert(call.form, Form),
    )


async def on_call_published(
    session: AsyncSession, _: Envelope, event: registry_events.CallPublished
) -> None:
    values = {
        "title": event.title, "hub": event.hub, "hubs": event.hubs, "opens_at": event.opens_at,
        "closes_at": event.closes_at, "timezone": event.timezone,
        "status": CallStatus.PUBLISHED.value, "value_chains": event.value_chains,
        "max_grant": event.max_grant,
        "eligible_countries": msgspec.to_builtins(event.eligible_countries),
        "organisation_types": event.organisation_types, "form": msgspec.to_builtins(event.form),
        "retention_days": event.retention_days,
    }  # fmt: skip
    await session.execute(
        insert(KnownCall)
        .values(call_id=event.call_id, **values)
        .on_conflict_do_update(index_elements=[KnownCall.call_id], set_=values)
    )


async def on_call_closed(
    session: AsyncSession, _: Envelope, event: registry_events.CallClosed
) -> None:
    """The deadline has passed: decide every submitted application's eligibility, from its
    last submission (the live draft may hold edits that were never submitted). The call is
    locked exclusively: a submit, save or upload holds it in share mode until it commits, so
    none is in flight while the submitted applications are read."""
    call = await session.get(KnownCall, event.call_id, with_for_update=True)
    if call is None:
        return
    call.status = CallStatus.CLOSED.value
    terms = terms_of(call)
    rows = await session.execute(
        select(ApplicationRow, SubmissionRow)
        .join(
            SubmissionRow,
            and_(
                SubmissionRow.application_id == ApplicationRow.id,
                SubmissionRow.version == ApplicationRow.version,
            ),
        )
        .where(
            ApplicationRow.call_id == call.call_id,
            ApplicationRow.status == ApplicationStatus.SUBMITTED.value,
        )
        .with_for_update(of=ApplicationRow)
    )
    for app, submission in rows:
        submitted = msgspec.convert(submission.snapshot, Draft)
        reasons = eligibility_reasons(
            terms, submitted.organisation, submitted.requested_amount, submitted.answers
        )
        app.eligibility = (Eligibility.INELIGIBLE if reasons else Eligibility.ELIGIBLE).value
        app.eligibility_reasons = reasons
        ids = {"application_id": str(app.id), "call_id": app.call_id}
        checked: intake_events.ApplicationEligible | intake_events.ApplicationIneligible = (
            intake_events.ApplicationIneligible(**ids, reasons=reasons)
            if reasons
            else intake_events.ApplicationEligible(**ids)
        )
        await record_event(session, OutboxEvent, checked)


async def on_call_status_changed(
    session: AsyncSession, envelope: Envelope, event: registry_events.CallStatusChanged
) -> None:
    call = await session.get(KnownCall, event.call_id, with_for_update=True)
    if call is None:
        return
    call.status = event.status
    if event.status == CallStatus.RESULTS_PUBLISHED.value:
        # The retention period counts from here, as it stood when the results came out.
        call.results_published_at = call.results_published_at or envelope.occurred_at
        if event.retention_days is not None:
            call.retention_days = event.retention_days


async def on_outcome_published(
    session: AsyncSession, _: Envelope, event: review_events.OutcomePublished
) -> None:
    try:
        application_id = uuid.UUID(event.application_id)
    except ValueError:
        return
    app = await session.get(ApplicationRow, application_id, with_for_update=True)
    if app is not None:
        app.outcome = {
            "decision": event.decision, "rank": event.rank, "summary": event.summary,
            "scores": event.scores, "comments": event.comments,
        }  # fmt: skip


def consumer_handlers(store: ObjectStore) -> dict[type[EventContract], Handler]:
    """What intake consumes; shared.web runs them as one durable consumer named "intake"."""

    async def on_account_erased(
        session: AsyncSession, envelope: Envelope, event: account_events.AccountErased
    ) -> None:
        await erase_applicant(session, store, event.account_id, envelope.occurred_at)

    return {
        registry_events.CallPublished: on_call_published,
        registry_events.CallClosed: on_call_closed,
        registry_events.CallStatusChanged: on_call_status_changed,
        review_events.OutcomePublished: on_outcome_published,
        account_events.AccountErased: on_account_erased,
    }
