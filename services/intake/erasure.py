"""Anonymising applications: every application of an applicant who is erased, and one
application whose call's retention period has run out (services/intake/retention.py). The rules
of what goes and what stays are shared.erasure's; review and notify follow the
`ApplicationAnonymised` event with their own copies.

An erased applicant's application whose call has no published results yet is withdrawn first:
nobody can be funded who is no longer there to contract, and review stops assigning it. After
the results it stays where it was (its scores, decision and rank are the programme's record)."""

from __future__ import annotations

from datetime import datetime

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.models import (
    ApplicationRow,
    AttachmentRow,
    KnownCall,
    OutboxEvent,
    SubmissionRow,
)
from shared.api.intake import ApplicationStatus
from shared.api.registry import CallStatus, Form
from shared.contracts import intake as events
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
    rows = await session.execute(
        select(ApplicationRow, KnownCall)
        .join(KnownCall, KnownCall.call_id == ApplicationRow.call_id)
        .where(ApplicationRow.applicant_id == account_id)
        .order_by(ApplicationRow.created_at)
        .with_for_update(of=ApplicationRow)
    )
    changed = 0
    for app, call in rows:
        await withdraw_before_results(session, app, call, now)
        changed += await anonymise_application(session, store, app, call, now, ERASURE)
    return changed


async def withdraw_before_results(
    session: AsyncSession, app: ApplicationRow, call: KnownCall, now: datetime
) -> None:
    decided = call.status == CallStatus.RESULTS_PUBLISHED.value or app.outcome is not None
    if decided or app.status == ApplicationStatus.WITHDRAWN.value:
        return
    app.status = ApplicationStatus.WITHDRAWN.value
    app.withdrawn_at = now
    if app.version:  # others know only of submitted applications
        withdrawn = events.ApplicationWithdrawn(
            application_id=str(app.id), call_id=app.call_id, withdrawn_at=now
        )
        await record_event(session, OutboxEvent, withdrawn)


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
    submissions = await session.scalars(
        select(SubmissionRow).where(SubmissionRow.application_id == app.id)
    )
    for submission in submissions:
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
    attachments = await session.scalars(
        select(AttachmentRow)
        .where(AttachmentRow.application_id == app.id)
        .order_by(AttachmentRow.uploaded_at, AttachmentRow.id)
    )
    for position, attachment in enumerate(attachments, start=1):
        await store.delete(attachment.object_key)
        attachment.file_name = erased_file_name(attachment.question_key, position)
        attachment.removed_at = attachment.removed_at or now
