"""Anonymising applications: every application of an applicant who is erased, and one
application whose call's retention period has run out (services/intake/usecases/retention.py). The rules
of what goes and what stays are shared.erasure's; review and notify follow the
`ApplicationAnonymised` event with their own copies.

An erased applicant's application whose call has no published results yet is withdrawn first:
nobody can be funded who is no longer there to contract, and review stops assigning it. After
the results it stays where it was (its scores, decision and rank are the programme's record)."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import queries
from services.intake.models import (
    ApplicationRow,
    KnownCall,
    OutboxEvent,
)
from services.intake.usecases.applications import withdrawn
from shared.api.intake import ApplicationStatus
from shared.api.registry import Form
from shared.call_status import CallStatus
from shared.contracts import intake as events
from shared.contracts import review as review_events
from shared.erasure import (
    erased_answers,
    erased_file_name,
    erased_organisation,
    erased_snapshot,
    forget_published_events,
)
from shared.objectstore import ObjectStore
from shared.outbox import record_event

ERASURE, RETENTION = "erasure", "retention"
# What intake publishes with an applicant's personal data in it.
PERSONAL_SUBJECTS = [
    contract.subject
    for contract in (
        events.ApplicationSubmitted,
        events.ApplicationResubmitted,
        events.ApplicationDrafted,
        events.AttachmentStored,
    )
]


async def erase_applicant(
    session: AsyncSession, store: ObjectStore, account_id: str, now: datetime
) -> int:
    """Anonymise every application of this applicant; returns how many changed now."""
    rows = await queries.applications_of_applicant(
        session, account_id, oldest_first=True, lock=True
    )
    changed = 0
    for app, call in rows:
        await withdraw_before_results(session, app, call, now)
        changed += await anonymise_application(session, store, app, call, now, ERASURE)
    return changed


async def withdraw_before_results(
    session: AsyncSession, app: ApplicationRow, call: KnownCall, now: datetime
) -> None:
    decided = call.status == CallStatus.RESULTS_PUBLISHED or app.outcome is not None
    if not decided and app.status != ApplicationStatus.WITHDRAWN:
        await withdrawn(session, app, now)


async def anonymise_application(
    session: AsyncSession, store: ObjectStore, app: ApplicationRow, call: KnownCall,
    now: datetime, reason: str,
) -> int:  # fmt: skip
    """Remove this application's personal data (its files from the store too) and tell review
    and notify; 0 when it was anonymised before (a redelivered event changes nothing)."""
    if app.anonymised_at is not None:
        return 0
    form = msgspec.convert(call.form, Form)
    app.applicant_email = None
    app.organisation = erased_organisation(app.organisation)
    app.contact, app.team = {}, []
    app.answers = erased_answers(form, app.answers)
    app.anonymised_at = now
    for submission in (await queries.submissions_of(session, [app.id]))[app.id]:
        submission.snapshot = erased_snapshot(form, submission.snapshot)
    await remove_files(session, store, app, now)
    anonymised = events.ApplicationAnonymised(
        application_id=str(app.id), call_id=app.call_id, applicant_id=app.applicant_id,
        reason=reason,
    )  # fmt: skip
    await record_event(session, OutboxEvent, anonymised)
    # Events once published are kept a while for replay, with the answers: they go too.
    await forget_published_events(session, OutboxEvent, [str(app.id)], PERSONAL_SUBJECTS)
    return 1


async def remove_files(
    session: AsyncSession, store: ObjectStore, app: ApplicationRow, now: datetime
) -> None:
    """Deleting an object twice is harmless, so a rolled-back run may simply run again."""
    attachments = (await queries.attachments_of(session, [app.id]))[app.id]
    for position, attachment in enumerate(attachments, start=1):
        await store.delete(attachment.object_key)
        attachment.file_name = erased_file_name(attachment.question_key, position)
        attachment.removed_at = attachment.removed_at or now


async def record_outcome(session: AsyncSession, event: review_events.OutcomePublished) -> None:
    """Review's published outcome, shown to the applicant (and ending withdrawal)."""
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
