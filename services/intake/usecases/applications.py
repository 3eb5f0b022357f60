"""An applicant's applications: start, read, save, submit, withdraw. Each use case owns its
transaction and publishes through the outbox."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import queries
from services.intake.domain.access import (
    ensure_editable,
    ensure_open,
    ensure_withdrawable,
    may_read,
)
from services.intake.domain.answers import requested_amount
from services.intake.domain.applicant import merged
from services.intake.domain.bounds import unkept_errors
from services.intake.domain.indexing import index_for_team, team_index
from services.intake.models import (
    ApplicationRow,
    AttachmentRow,
    KnownCall,
    OutboxEvent,
    SubmissionRow,
)
from services.intake.views import (
    application_view,
    application_views,
    content_errors,
    content_of,
    facts_of,
    fingerprint_of,
    form_of,
    receipt_of,
    view_of,
)
from shared.api.intake import (
    Application,
    ApplicationContent,
    ApplicationStatus,
    ApplicationUpdate,
    Organisation,
    Person,
    SubmitResult,
)
from shared.contracts import intake as events
from shared.errors import EmailNotConfirmed, Forbidden, NotFound, require
from shared.identity import Identity, Role
from shared.outbox import record_event


async def load_application(
    session: AsyncSession, identity: Identity, application_id: str, *, lock: bool = False,
    own: bool = False,
) -> tuple[ApplicationRow, KnownCall]:  # fmt: skip
    """Someone else's application is reported exactly like a missing one. `lock`: for a
    change, the call is locked in share mode and then the application for update."""
    identity.require_signed_in()
    missing = NotFound(f"There is no application {application_id}.")
    try:
        key = uuid.UUID(application_id)
    except ValueError:
        raise missing from None
    if lock:
        found = await queries.lock_application(session, key)
    else:
        found = await queries.application_and_call(session, key)
    if found is None:
        raise missing
    app, call = found
    allowed = app.applicant_id == identity.account_id if own else may_read(identity, app, call)
    if not allowed:
        raise missing
    return app, call


async def start(
    session: AsyncSession, identity: Identity, now: datetime, call_id: str
) -> Application:
    """Starting twice (even at once) continues the same application."""
    applicant = identity.require_signed_in()
    if identity.role is not Role.APPLICANT:
        raise Forbidden("Only applicants apply to calls.")
    call = await session.get(KnownCall, call_id)
    if call is None:
        raise NotFound(f"There is no open call {call_id}.")
    ensure_open(call, now)
    app = await queries.own_application(session, call.call_id, applicant)
    if app is None:
        app = await create_draft(session, call, applicant, identity.email)
    await session.commit()
    return await application_view(session, identity, app, call)


async def create_draft(
    session: AsyncSession, call: KnownCall, applicant: str, email: str | None
) -> ApplicationRow:
    """A new draft and its `ApplicationDrafted`, in the caller's transaction. A parallel
    start that inserted first wins: its draft is returned and no second event is written."""
    created = await queries.insert_draft(session, call, applicant, email)
    if created is None:
        found = await queries.own_application(session, call.call_id, applicant)
        assert found is not None  # the conflicting insert has committed
        return found
    await record_event(
        session, OutboxEvent,
        events.ApplicationDrafted(
            application_id=str(created.id), call_id=created.call_id, applicant_id=applicant,
            applicant_email=email, created_at=created.created_at,
        ),
    )  # fmt: skip
    return created


async def mine(session: AsyncSession, identity: Identity) -> list[Application]:
    applicant = identity.require_signed_in()
    pairs = await queries.applications_of_applicant(session, applicant)
    return await application_views(session, identity, pairs)


async def read(session: AsyncSession, identity: Identity, application_id: str) -> Application:
    app, call = await load_application(session, identity, application_id)
    return await application_view(session, identity, app, call)


async def save(
    session: AsyncSession, identity: Identity, now: datetime, application_id: str,
    update: ApplicationUpdate,
) -> Application:  # fmt: skip
    """Autosave: anything is kept; problems come back as warnings, never as refusals."""
    app, call = await load_application(session, identity, application_id, lock=True, own=True)
    ensure_editable(app, call, now)
    require(unkept_errors(form_of(call), update))
    apply_update(app, call, update)
    await session.flush()  # updated_at comes back with the UPDATE (eager defaults)
    view = await application_view(session, identity, app, call)
    await session.commit()
    return view


def apply_update(app: ApplicationRow, call: KnownCall, data: ApplicationUpdate) -> None:
    # Field by field: a form that sends only some fields wipes none of the others.
    if data.organisation is not None:
        organisation = msgspec.convert(app.organisation, Organisation)
        app.organisation = msgspec.to_builtins(merged(organisation, data.organisation))
    if data.contact is not None:
        contact = msgspec.convert(app.contact, Person)
        app.contact = msgspec.to_builtins(merged(contact, data.contact))
    if data.team is not None:
        app.team = msgspec.to_builtins(data.team)
    if data.answers is not None:
        # Answers merge by key; None clears one.
        answers = {**app.answers, **data.answers}
        app.answers = {k: v for k, v in answers.items() if v is not None}
    given = app.requested_amount if data.requested_amount is None else data.requested_amount
    app.requested_amount = requested_amount(form_of(call), app.answers, given)
    if app.status == ApplicationStatus.DRAFT:
        # Once submitted, the team sees the submitted version until the next submit.
        index_for_team(app, call, content_of(app))


async def submit(
    session: AsyncSession, identity: Identity, now: datetime, application_id: str,
    idempotency_key: str,
) -> SubmitResult:  # fmt: skip
    app, call = await load_application(session, identity, application_id, lock=True, own=True)
    if not identity.email_confirmed:
        raise EmailNotConfirmed(
            "Confirm your e-mail address before you submit: use the link we e-mailed you, "
            "or ask for a new one."
        )
    # Everything the rules and the reply need, in two reads: every version and every file.
    history = (await queries.submissions_of(session, [app.id]))[app.id]
    attachments = (await queries.attachments_of(session, [app.id]))[app.id]
    # A retried submit returns the receipt it already got, even after the deadline.
    earlier = next((s for s in history if s.idempotency_key == idempotency_key), None)
    if earlier is None:
        ensure_editable(app, call, now)
        live = [a for a in attachments if a.removed_at is None]
        earlier = await new_version(session, app, call, now, idempotency_key, live, history)
        if earlier not in history:
            history.insert(0, earlier)
    view = view_of(app, call, attachments, history, identity)
    await session.commit()
    return SubmitResult(receipt_of(earlier), view)


async def new_version(
    session: AsyncSession, app: ApplicationRow, call: KnownCall, now: datetime,
    idempotency_key: str, attachments: list[AttachmentRow], history: list[SubmissionRow],
) -> SubmissionRow:  # fmt: skip
    """The submission of the live draft and its event; the last one when nothing changed.
    `history`: the application's submissions, newest first."""
    content = content_of(app)
    require(content_errors(content, form_of(call), attachments, strict=True))
    print_ = fingerprint_of(content, attachments)
    latest = next((s for s in history if s.version == app.version), None)
    if latest is not None and latest.fingerprint == print_:
        return latest  # nothing changed since: the same receipt, no new version
    await queries.mark_submitted(session, app, {
        "version": app.version + 1, "status": ApplicationStatus.SUBMITTED, "submitted_at": now,
        **team_index(call, content),
    })  # fmt: skip
    submission = await queries.insert_submission(session, {
        "id": uuid.uuid4(), "application_id": app.id, "version": app.version,
        "idempotency_key": idempotency_key, "submitted_at": now, "fingerprint": print_,
        "snapshot": {
            **msgspec.to_builtins(content), "attachment_keys": [a.object_key for a in attachments]
        },
    }, year=now.year)  # fmt: skip
    await record_event(session, OutboxEvent, snapshot_of(app, submission, content, attachments))
    return submission


def snapshot_of(
    app: ApplicationRow, submission: SubmissionRow, content: ApplicationContent,
    attachments: list[AttachmentRow],
) -> events.ApplicationSubmitted | events.ApplicationResubmitted:  # fmt: skip
    kind = events.ApplicationSubmitted if submission.version == 1 else events.ApplicationResubmitted
    return kind(
        **msgspec.structs.asdict(content), application_id=str(app.id), call_id=app.call_id,
        applicant_id=app.applicant_id, applicant_email=app.applicant_email,
        version=submission.version, receipt_number=submission.number,
        submitted_at=submission.submitted_at, fingerprint=submission.fingerprint,
        country=app.country, hub=app.hub, organisation_type=app.organisation_type,
        value_chains=list(app.value_chains), attachments=[facts_of(a) for a in attachments],
    )  # fmt: skip


async def withdraw(
    session: AsyncSession, identity: Identity, now: datetime, application_id: str
) -> Application:
    app, call = await load_application(session, identity, application_id, lock=True, own=True)
    ensure_withdrawable(app, call)
    if app.status != ApplicationStatus.WITHDRAWN:
        await withdrawn(session, app, now)
        await session.flush()  # updated_at comes back with the UPDATE (eager defaults)
    view = await application_view(session, identity, app, call)
    await session.commit()
    return view


async def withdrawn(session: AsyncSession, app: ApplicationRow, now: datetime) -> None:
    """Withdraw it now (its applicant, or their erasure); others know only of submitted
    applications: a draft concerns nobody."""
    app.status = ApplicationStatus.WITHDRAWN
    app.withdrawn_at = now
    if app.version:
        await record_event(
            session, OutboxEvent,
            events.ApplicationWithdrawn(
                application_id=str(app.id), call_id=app.call_id, withdrawn_at=now
            ),
        )  # fmt: skip
