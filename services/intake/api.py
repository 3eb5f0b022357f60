"""Thin HTTP handlers of intake: decode -> authorize -> domain -> persist + outbox -> encode."""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post, put
from sqlalchemy import and_, any_, func, or_, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.config import MAX_UPLOAD_BYTES
from services.intake.domain.answers import answer_errors, file_count_problem, requested_amount
from services.intake.domain.applicant import Draft, applicant_errors, hub_for, merged
from services.intake.domain.eligibility import eligibility_reasons
from services.intake.domain.files import (
    CONTENT_TYPES,
    SNIFF_BYTES,
    file_type_error,
    sanitize_filename,
    sniff,
)
from services.intake.domain.fingerprint import fingerprint
from services.intake.events import terms_of
from services.intake.models import (
    ApplicationRow,
    AttachmentRow,
    KnownCall,
    OutboxEvent,
    SubmissionRow,
    receipt_number_seq,
)
from shared.api import intake as api
from shared.api.intake import (
    Answer,
    Application,
    ApplicationPage,
    ApplicationStart,
    ApplicationStatus,
    ApplicationUpdate,
    Attachment,
    Bucket,
    CallStatistics,
    DownloadLink,
    Eligibility,
    Organisation,
    Outcome,
    Person,
    Receipt,
    SubmissionCount,
    SubmitRequest,
    SubmitResult,
)
from shared.api.registry import CallStatus, Form, Question, QuestionType
from shared.clock import Clock, format_instant
from shared.contracts import intake as events
from shared.errors import (
    Conflict,
    EmailNotConfirmed,
    FieldError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
    page_errors,
    require,
)
from shared.identity import Identity, Role, verify_attachment_grant
from shared.objectstore import ObjectStore, ObjectTooLarge
from shared.outbox import record_event
from shared.programme import (
    COUNTRY_CODES,
    HUBS,
    ORGANISATION_TYPE_CODES,
    SPLIT_COUNTRIES,
    VALUE_CHAIN_CODES,
)
from shared.web import Runtime

# ---- reading and checking -------------------------------------------------------------


def form_of(call: KnownCall) -> Form:
    return msgspec.convert(call.form, Form)


def ensure_open(call: KnownCall, now: datetime) -> None:
    """The server clock decides: at or after the closing instant nothing changes."""
    if call.status != CallStatus.PUBLISHED.value or now >= call.closes_at:
        closed = format_instant(call.closes_at, call.timezone)
        raise Conflict(f"The call closed at {closed}; nothing can change now.")
    if now < call.opens_at:
        raise Conflict(f"The call opens at {format_instant(call.opens_at, call.timezone)}.")


def ensure_editable(app: ApplicationRow, call: KnownCall, now: datetime) -> None:
    """Saving, submitting and changing files: only while the call is open and not withdrawn."""
    ensure_open(call, now)
    if app.status == ApplicationStatus.WITHDRAWN.value:
        raise Conflict("This application was withdrawn.")


def may_read(identity: Identity, app: ApplicationRow, call: KnownCall) -> bool:
    if identity.is_admin or app.applicant_id == identity.account_id:
        return True
    if identity.role is Role.HUB_MANAGER and identity.hub:
        return call.hub == identity.hub or (call.hub is None and app.hub == identity.hub)
    return False


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
    app = await session.get(ApplicationRow, key)
    if app is None:
        raise missing
    call = await (lock_call(session, app.call_id) if lock else session.get(KnownCall, app.call_id))
    assert call is not None
    allowed = app.applicant_id == identity.account_id if own else may_read(identity, app, call)
    if not allowed:
        raise missing
    if lock:
        await session.refresh(app, with_for_update=True)
    return app, call


async def lock_call(session: AsyncSession, call_id: str) -> KnownCall | None:
    """The call as it is now, locked in share mode until commit. The close handler locks it
    exclusively, so a change in flight at the closing instant either commits before the
    eligibility check (which then sees it) or waits and finds the call closed. The call is
    always locked before the application (the close handler's order too: no deadlock)."""
    return await session.get(
        KnownCall, call_id, with_for_update={"read": True}, populate_existing=True
    )


async def active_attachments(session: AsyncSession, app_id: uuid.UUID) -> list[AttachmentRow]:
    rows = await session.scalars(
        select(AttachmentRow)
        .where(AttachmentRow.application_id == app_id, AttachmentRow.removed_at.is_(None))
        .order_by(AttachmentRow.uploaded_at, AttachmentRow.id)
    )
    return list(rows)


def attachment_view(row: AttachmentRow) -> Attachment:
    return Attachment(
        id=str(row.id), question_key=row.question_key, file_name=row.file_name,
        content_type=row.content_type, size=row.size, sha256=row.sha256,
        uploaded_at=row.uploaded_at,
    )  # fmt: skip


def counts_by_question(attachments: list[AttachmentRow]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for a in attachments:
        counts[a.question_key] = counts.get(a.question_key, 0) + 1
    return counts


def draft_of(app: ApplicationRow) -> Draft:
    return Draft(
        organisation=msgspec.convert(app.organisation, Organisation),
        contact=msgspec.convert(app.contact, Person),
        team=msgspec.convert(app.team, list[Person]),
        answers=app.answers,
        requested_amount=app.requested_amount,
    )


def draft_errors(
    draft: Draft, form: Form, attachments: list[AttachmentRow], *, strict: bool
) -> list[FieldError]:
    errors = answer_errors(
        form, draft.answers, counts_by_question(attachments), strict=strict,
        country_codes=COUNTRY_CODES,
    )  # fmt: skip
    errors += applicant_errors(
        draft.organisation, draft.contact, draft.team, strict=strict,
        organisation_types=ORGANISATION_TYPE_CODES, country_codes=COUNTRY_CODES,
        split_countries=SPLIT_COUNTRIES,
    )  # fmt: skip
    return errors


async def application_views(
    session: AsyncSession, identity: Identity, pairs: list[tuple[ApplicationRow, KnownCall]]
) -> list[Application]:
    """Views of many applications in two more queries, whatever their number."""
    ids = [app.id for app, _ in pairs]
    # Every version, newest first: the latest is shown, all are listed as receipts.
    history: dict[uuid.UUID, list[SubmissionRow]] = {i: [] for i in ids}
    for submission in await session.scalars(
        select(SubmissionRow)
        .where(SubmissionRow.application_id.in_([app.id for app, _ in pairs if app.version]))
        .order_by(SubmissionRow.version.desc())
    ):
        history[submission.application_id].append(submission)
    # Removed files too: the last submission may still name them.
    attachments: dict[uuid.UUID, list[AttachmentRow]] = {i: [] for i in ids}
    for row in await session.scalars(
        select(AttachmentRow)
        .where(AttachmentRow.application_id.in_(ids))
        .order_by(AttachmentRow.uploaded_at, AttachmentRow.id)
    ):
        attachments[row.application_id].append(row)
    return [
        view_of(app, call, attachments[app.id], history[app.id], identity) for app, call in pairs
    ]


async def application_view(
    session: AsyncSession, identity: Identity, app: ApplicationRow, call: KnownCall
) -> Application:
    [view] = await application_views(session, identity, [(app, call)])
    return view


def shown_files(
    attachments: list[AttachmentRow], submission: SubmissionRow | None
) -> list[AttachmentRow]:
    """The live files, or (a submission given) the files it names, removed since or not."""
    if submission is None:
        return [a for a in attachments if a.removed_at is None]
    keys = set(submission.snapshot["attachment_keys"])
    return [a for a in attachments if a.object_key in keys]


async def last_submission(session: AsyncSession, app: ApplicationRow) -> SubmissionRow | None:
    return await session.scalar(
        select(SubmissionRow).where(
            SubmissionRow.application_id == app.id, SubmissionRow.version == app.version
        )
    )


def fingerprint_of(draft: Draft, attachments: list[AttachmentRow]) -> str:
    return fingerprint(
        answers=draft.answers, organisation=draft.organisation, contact=draft.contact,
        team=draft.team, requested_amount=draft.requested_amount,
        attachments=[(a.question_key, a.sha256) for a in attachments],
    )  # fmt: skip


def view_of(
    app: ApplicationRow, call: KnownCall, attachments: list[AttachmentRow],
    history: list[SubmissionRow], identity: Identity,
) -> Application:  # fmt: skip
    """`history`: the application's submissions, newest first."""
    owner = app.applicant_id == identity.account_id
    submission = next((s for s in history if s.version == app.version), None)
    # The owner sees the live draft; others what was last submitted (as the team's filters
    # and statistics count it), or the draft of an application never submitted.
    shown = None if owner else submission
    draft = msgspec.convert(shown.snapshot, Draft) if shown else draft_of(app)
    files = shown_files(attachments, shown)
    reasons = list(app.eligibility_reasons)
    if app.eligibility == Eligibility.PENDING.value:
        # Before the deadline the pre-check's verdict.
        reasons = eligibility_reasons(
            terms_of(call), draft.organisation, draft.requested_amount, draft.answers
        )
    unsubmitted = (
        owner
        and app.status == ApplicationStatus.SUBMITTED.value
        and submission is not None
        and fingerprint_of(draft, files) != submission.fingerprint
    )
    return Application(
        id=str(app.id), call_id=app.call_id, applicant_id=app.applicant_id,
        status=ApplicationStatus(app.status), organisation=draft.organisation,
        contact=draft.contact, team=draft.team, requested_amount=draft.requested_amount,
        answers=draft.answers, attachments=[attachment_view(a) for a in files],
        warnings=draft_errors(draft, form_of(call), files, strict=False),
        receipt=receipt_of(submission) if submission else None,
        eligibility=Eligibility(app.eligibility), eligibility_reasons=reasons,
        outcome=msgspec.convert(app.outcome, Outcome) if app.outcome else None, hub=app.hub,
        created_at=app.created_at, updated_at=app.updated_at,
        has_unsubmitted_changes=unsubmitted, title=form_of(call).title_of(draft.answers),
        versions=[receipt_of(s) for s in history],
    )  # fmt: skip


def receipt_of(row: SubmissionRow) -> Receipt:
    return Receipt(
        number=row.number, version=row.version, submitted_at=row.submitted_at,
        fingerprint=row.fingerprint,
    )  # fmt: skip


def file_question(form: Form, key: str) -> Question:
    for question in form.questions:
        if question.key == key and question.type is QuestionType.FILE:
            return question
    raise ValidationFailed([FieldError(f"answers.{key}", "is not a file question of this form")])


def value_chains_of(call: KnownCall, answers: dict[str, Answer]) -> list[str]:
    """The applicant's own choice when the form asks for it, else the call's value chains."""
    chosen = answers.get("value_chain")
    if isinstance(chosen, str) and chosen in VALUE_CHAIN_CODES:
        return [chosen]
    return list(call.value_chains)


def index_for_team(app: ApplicationRow, call: KnownCall, draft: Draft) -> None:
    """The columns the team filters and counts by. Only known codes go in (the columns are
    short and typed); anything else stays in the draft as typed, with its warning."""
    org = draft.organisation
    app.country = org.country if org.country in COUNTRY_CODES else None
    app.organisation_type = org.type if org.type in ORGANISATION_TYPE_CODES else None
    app.hub = hub_for(org.country, org.country_part, HUBS)
    app.value_chains = value_chains_of(call, draft.answers)


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
    app.requested_amount = requested_amount(
        form_of(call),
        app.answers,
        app.requested_amount if data.requested_amount is None else data.requested_amount,
    )
    if app.status == ApplicationStatus.DRAFT.value:
        # Once submitted, the team sees the submitted version until the next submit.
        index_for_team(app, call, draft_of(app))


# ---- applicants ---------------------------------------------------------------------------


async def own_application(
    session: AsyncSession, call: KnownCall, applicant: str
) -> ApplicationRow | None:
    return await session.scalar(
        select(ApplicationRow).where(
            ApplicationRow.call_id == call.call_id, ApplicationRow.applicant_id == applicant
        )
    )


async def create_draft(
    session: AsyncSession, call: KnownCall, applicant: str, email: str | None
) -> ApplicationRow:
    """A new draft and its `ApplicationDrafted`, in the caller's transaction. A parallel
    start that inserted first wins: its draft is returned and no second event is written."""
    created: ApplicationRow | None = await session.scalar(
        insert(ApplicationRow)
        .values(
            call_id=call.call_id, applicant_id=applicant, applicant_email=email,
            status=ApplicationStatus.DRAFT.value, organisation={}, contact={}, team=[],
            answers={}, value_chains=list(call.value_chains),
            eligibility=Eligibility.PENDING.value, eligibility_reasons=[],
        )
        .on_conflict_do_nothing(index_elements=[ApplicationRow.call_id,
                                                ApplicationRow.applicant_id])
        .returning(ApplicationRow)
    )  # fmt: skip
    if created is None:
        found = await own_application(session, call, applicant)
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


class ApplicationController(Controller):
    path = "/"

    @post(api.START.path)
    async def start(
        self, session: AsyncSession, identity: Identity, clock: Clock, data: ApplicationStart
    ) -> Application:
        applicant = identity.require_signed_in()
        if identity.role is not Role.APPLICANT:
            raise Forbidden("Only applicants apply to calls.")
        call = await session.get(KnownCall, data.call_id)
        if call is None:
            raise NotFound(f"There is no open call {data.call_id}.")
        ensure_open(call, clock())
        # Starting twice (even at once) continues the same application.
        app = await own_application(session, call, applicant) or await create_draft(
            session, call, applicant, identity.email
        )
        await session.commit()
        return await application_view(session, identity, app, call)

    @get(api.MINE.path)
    async def mine(self, session: AsyncSession, identity: Identity) -> list[Application]:
        applicant = identity.require_signed_in()
        rows = (
            await session.execute(
                select(ApplicationRow, KnownCall)
                .join(KnownCall, KnownCall.call_id == ApplicationRow.call_id)
                .where(ApplicationRow.applicant_id == applicant)
                .order_by(ApplicationRow.created_at.desc())
            )
        ).all()
        return await application_views(session, identity, [(app, call) for app, call in rows])

    @get(api.READ.path)
    async def read(
        self, session: AsyncSession, identity: Identity, application_id: str
    ) -> Application:
        app, call = await load_application(session, identity, application_id)
        return await application_view(session, identity, app, call)

    @patch(api.SAVE.path)
    async def save(
        self, session: AsyncSession, identity: Identity, clock: Clock, application_id: str,
        data: ApplicationUpdate,
    ) -> Application:  # fmt: skip
        """Autosave: anything is kept; problems come back as warnings, never as refusals."""
        app, call = await load_application(session, identity, application_id, lock=True, own=True)
        ensure_editable(app, call, clock())
        apply_update(app, call, data)
        await session.commit()
        await session.refresh(app)
        return await application_view(session, identity, app, call)

    @post(api.SUBMIT.path)
    async def submit(
        self, session: AsyncSession, identity: Identity, clock: Clock, application_id: str,
        data: SubmitRequest,
    ) -> SubmitResult:  # fmt: skip
        app, call = await load_application(session, identity, application_id, lock=True, own=True)
        if not identity.email_confirmed:
            raise EmailNotConfirmed(
                "Confirm your e-mail address before you submit: use the link we e-mailed you, "
                "or ask for a new one."
            )
        now = clock()
        # A retried submit returns the receipt it already got, even after the deadline.
        earlier = await session.scalar(
            select(SubmissionRow).where(
                SubmissionRow.application_id == app.id,
                SubmissionRow.idempotency_key == data.idempotency_key,
            )
        )
        if earlier is not None:
            return SubmitResult(
                receipt_of(earlier), await application_view(session, identity, app, call)
            )
        ensure_editable(app, call, now)
        attachments = await active_attachments(session, app.id)
        draft = draft_of(app)
        require(draft_errors(draft, form_of(call), attachments, strict=True))
        print_ = fingerprint_of(draft, attachments)
        latest = await last_submission(session, app)
        if latest is not None and latest.fingerprint == print_:
            # Nothing changed since the last submission: the same receipt, no new version.
            return SubmitResult(
                receipt_of(latest), await application_view(session, identity, app, call)
            )
        sequence = await session.scalar(receipt_number_seq.next_value())
        version = app.version + 1
        submission = SubmissionRow(
            application_id=app.id, version=version, idempotency_key=data.idempotency_key,
            number=f"OC-{now.year}-{sequence:06d}", submitted_at=now, fingerprint=print_,
            snapshot={
                **msgspec.to_builtins(draft),
                "attachment_keys": [a.object_key for a in attachments],
            },
        )  # fmt: skip
        session.add(submission)
        app.version = version
        app.status = ApplicationStatus.SUBMITTED.value
        app.submitted_at = now
        index_for_team(app, call, draft)
        snapshot_class = (
            events.ApplicationSubmitted if version == 1 else events.ApplicationResubmitted
        )
        await record_event(
            session,
            OutboxEvent,
            snapshot_class(
                application_id=str(app.id), call_id=app.call_id, applicant_id=app.applicant_id,
                applicant_email=app.applicant_email, version=version,
                receipt_number=submission.number, submitted_at=now, fingerprint=print_,
                organisation=draft.organisation, contact=draft.contact, team=draft.team,
                requested_amount=app.requested_amount, answers=draft.answers,
                country=app.country, hub=app.hub, organisation_type=app.organisation_type,
                value_chains=list(app.value_chains),
                attachments=[attachment_facts(a) for a in attachments],
            ),
        )  # fmt: skip
        await session.commit()
        await session.refresh(app)
        return SubmitResult(
            receipt_of(submission), await application_view(session, identity, app, call)
        )

    @post(api.WITHDRAW.path)
    async def withdraw(
        self, session: AsyncSession, identity: Identity, clock: Clock, application_id: str
    ) -> Application:
        app, call = await load_application(session, identity, application_id, lock=True, own=True)
        # The outcome may arrive before the call's status change: either one ends withdrawal.
        if call.status == CallStatus.RESULTS_PUBLISHED.value or app.outcome is not None:
            raise Conflict("Results are published; the application can no longer be withdrawn.")
        if app.status == ApplicationStatus.WITHDRAWN.value:
            return await application_view(session, identity, app, call)
        now = clock()
        app.status = ApplicationStatus.WITHDRAWN.value
        app.withdrawn_at = now
        if app.version:  # others know only of submitted applications; a draft concerns nobody
            await record_event(
                session,
                OutboxEvent,
                events.ApplicationWithdrawn(
                    application_id=str(app.id), call_id=app.call_id, withdrawn_at=now
                ),
            )
        await session.commit()
        await session.refresh(app)
        return await application_view(session, identity, app, call)

    # ---- attachments ------------------------------------------------------------------

    @put(api.UPLOAD.path, request_max_body_size=MAX_UPLOAD_BYTES)
    async def upload(
        self, request: Request[Any, Any, Any], session: AsyncSession, identity: Identity,
        clock: Clock, store: ObjectStore, application_id: str, question_key: str,
        filename: str = "file",
    ) -> Attachment:  # fmt: skip
        """The body is the file itself, streamed to the store while its size is counted."""
        app, call = await load_application(session, identity, application_id, own=True)
        question = file_question(form_of(call), question_key)
        await check_room_for_file(session, app, call, question, clock())
        await session.commit()  # no transaction stays open while the file streams

        body = request.stream()
        head = await read_head(body, SNIFF_BYTES)
        field = f"answers.{question_key}"
        if not head:
            raise ValidationFailed([FieldError(field, "the file is empty")])
        problem = file_type_error(sniff(head), question.allowed_types)
        if problem:
            await drain(body)
            raise ValidationFailed([FieldError(field, problem)])
        detected = sniff(head)
        assert detected is not None
        object_key = f"applications/{app.id}/{uuid.uuid4().hex}"
        limit = question.max_size_bytes or 0
        try:
            stored = await store.put(
                object_key, prepend(head, body), max_size=limit,
                content_type=CONTENT_TYPES[detected],
            )  # fmt: skip
        except ObjectTooLarge:
            await drain(body)
            raise PayloadTooLarge(
                f"The file is larger than the {limit / 1024 / 1024:g} MB this question allows."
            ) from None
        try:
            return await record_attachment(
                session, app.id, call, question, clock(), object_key, stored.size,
                stored.sha256, CONTENT_TYPES[detected], sanitize_filename(filename, detected),
            )  # fmt: skip
        except BaseException:
            await store.delete(object_key)  # a refused file leaves nothing behind
            raise

    @delete(api.REMOVE_ATTACHMENT.path, status_code=200)
    async def remove_attachment(
        self, session: AsyncSession, identity: Identity, clock: Clock, store: ObjectStore,
        application_id: str, attachment_id: str,
    ) -> Application:  # fmt: skip
        app, call = await load_application(session, identity, application_id, lock=True, own=True)
        ensure_editable(app, call, clock())
        row = await find_attachment(session, app, attachment_id)
        row.removed_at = clock()
        named = await session.scalar(
            select(func.count())
            .select_from(SubmissionRow)
            .where(
                SubmissionRow.application_id == app.id,
                SubmissionRow.snapshot["attachment_keys"].contains([row.object_key]),
            )
        )
        await session.commit()
        if not named:
            await store.delete(row.object_key)
        return await application_view(session, identity, app, call)

    @get(api.DOWNLOAD_LINK.path)
    async def download_link(
        self, session: AsyncSession, identity: Identity, store: ObjectStore, clock: Clock,
        link_seconds: int, application_id: str, attachment_id: str,
    ) -> DownloadLink:  # fmt: skip
        app, _ = await load_application(session, identity, application_id)
        # Others reach the files of the last submission, as its view shows them.
        owner = app.applicant_id == identity.account_id
        shown = None if owner else await last_submission(session, app)
        row = await find_attachment(session, app, attachment_id, shown)
        expires = timedelta(seconds=link_seconds)
        url = await store.download_url(row.object_key, expires=expires, filename=row.file_name)
        return DownloadLink(url=url, expires_at=clock() + expires)


class EvaluatorLinkController(Controller):
    """Evaluators read the files of applications review assigned to them: review signs a
    grant per file, intake checks it (and never needs review's tables)."""

    path = "/"

    @get(api.EVALUATOR_LINK.path)
    async def evaluator_link(
        self, session: AsyncSession, identity: Identity, runtime: Runtime, store: ObjectStore,
        clock: Clock, link_seconds: int, application_id: str, attachment_id: str, grant: str,
    ) -> DownloadLink:  # fmt: skip
        account = identity.require_signed_in()
        granted = identity.role is Role.EVALUATOR and verify_attachment_grant(
            grant, runtime.settings.internal_secret, evaluator_id=account,
            application_id=application_id, attachment_id=attachment_id,
        )  # fmt: skip
        if not granted:
            raise Forbidden("This file is not part of an application assigned to you.")
        try:
            row = await session.get(AttachmentRow, uuid.UUID(attachment_id))
        except ValueError:
            row = None
        if row is None or str(row.application_id) != application_id:
            raise NotFound(f"There is no attachment {attachment_id}.")
        expires = timedelta(seconds=link_seconds)
        # A neutral name: in a blind call the original one may name the applicant.
        extension = row.file_name.rpartition(".")[2] if "." in row.file_name else "bin"
        url = await store.download_url(
            row.object_key, expires=expires, filename=f"{row.question_key}.{extension}"
        )
        return DownloadLink(url=url, expires_at=clock() + expires)


def attachment_facts(row: AttachmentRow) -> events.AttachmentFacts:
    return events.AttachmentFacts(
        id=str(row.id), question_key=row.question_key, file_name=row.file_name,
        content_type=row.content_type, size=row.size, sha256=row.sha256,
    )  # fmt: skip


async def find_attachment(
    session: AsyncSession, app: ApplicationRow, attachment_id: str,
    shown: SubmissionRow | None = None,
) -> AttachmentRow:  # fmt: skip
    """One of the live files, or (`shown` given) of that submission's files."""
    try:
        key = uuid.UUID(attachment_id)
    except ValueError:
        key = None
    row = await session.get(AttachmentRow, key) if key else None
    if row is None or row.application_id != app.id or not shown_files([row], shown):
        raise NotFound(f"There is no attachment {attachment_id}.")
    return row


async def check_room_for_file(
    session: AsyncSession, app: ApplicationRow, call: KnownCall, question: Question, now: datetime
) -> None:
    ensure_editable(app, call, now)
    count = await session.scalar(
        select(func.count())
        .select_from(AttachmentRow)
        .where(
            AttachmentRow.application_id == app.id,
            AttachmentRow.question_key == question.key,
            AttachmentRow.removed_at.is_(None),
        )
    )
    problem = file_count_problem(question, (count or 0) + 1)
    if problem:
        raise ValidationFailed([FieldError(f"answers.{question.key}", problem)])


async def record_attachment(
    session: AsyncSession, app_id: uuid.UUID, call: KnownCall, question: Question,
    now: datetime, object_key: str, size: int, sha256: str, content_type: str, file_name: str,
) -> Attachment:  # fmt: skip
    # Checked again under the locks: the deadline, the close handler or a parallel upload may
    # have come first.
    locked_call = await lock_call(session, call.call_id)
    app = await session.get(ApplicationRow, app_id, with_for_update=True, populate_existing=True)
    assert app is not None and locked_call is not None
    await check_room_for_file(session, app, locked_call, question, now)
    row = AttachmentRow(
        application_id=app.id, question_key=question.key, file_name=file_name,
        content_type=content_type, size=size, sha256=sha256, object_key=object_key,
        uploaded_at=now,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    await record_event(
        session, OutboxEvent,
        events.AttachmentStored(
            application_id=str(app.id), call_id=app.call_id, attachment=attachment_facts(row)
        ),
    )  # fmt: skip
    await session.commit()
    return attachment_view(row)


async def read_head(body: AsyncIterator[bytes], size: int) -> bytes:
    head = bytearray()
    async for chunk in body:
        head += chunk
        if len(head) >= size:
            break
    return bytes(head)


async def prepend(head: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield head
    async for chunk in rest:
        yield chunk


async def drain(body: AsyncIterator[bytes]) -> None:
    """Read what the client still sends, so it gets our answer rather than a broken pipe."""
    async for _ in body:
        pass


# ---- the programme team -----------------------------------------------------------------


class CallApplicationsController(Controller):
    path = "/"

    async def _call(self, session: AsyncSession, identity: Identity, call_id: str) -> KnownCall:
        identity.require_signed_in()
        call = await session.get(KnownCall, call_id)
        if call is None:
            raise NotFound(f"There is no call {call_id}.")
        if not identity.is_admin and not (
            identity.role is Role.HUB_MANAGER and identity.hub in call.hubs
        ):
            raise Forbidden("Only the programme team and the call's hub managers see applications.")
        return call

    def _scope(self, identity: Identity, call: KnownCall) -> list[Any]:
        """A hub manager sees, in a programme-wide call, only their hub's applications."""
        conditions: list[Any] = [ApplicationRow.call_id == call.call_id]
        if not identity.is_admin and call.hub is None:
            conditions.append(ApplicationRow.hub == identity.hub)
        return conditions

    @get(api.CALL_APPLICATIONS.path)
    async def call_applications(
        self, session: AsyncSession, identity: Identity, call_id: str,
        status: str | None = None, country: str | None = None, hub: str | None = None,
        value_chain: str | None = None, organisation_type: str | None = None,
        eligibility: str | None = None, search: str | None = None,
        after: str | None = None, limit: int = 50,
    ) -> ApplicationPage:  # fmt: skip
        require(page_errors(limit))
        call = await self._call(session, identity, call_id)
        conditions = self._scope(identity, call)
        for column, value in (
            (ApplicationRow.status, status), (ApplicationRow.country, country),
            (ApplicationRow.hub, hub), (ApplicationRow.organisation_type, organisation_type),
            (ApplicationRow.eligibility, eligibility),
        ):  # fmt: skip
            if value is not None:
                conditions.append(column == value)
        if value_chain is not None:
            conditions.append(value_chain == any_(ApplicationRow.value_chains))
        if search is not None and search.strip():
            conditions.append(search_condition(form_of(call), search.strip()))
        total = await session.scalar(
            select(func.count()).select_from(ApplicationRow).where(*conditions)
        )
        query = select(ApplicationRow).where(*conditions)
        if after:
            created, last_id = decode_cursor(after)
            query = query.where(
                tuple_(ApplicationRow.created_at, ApplicationRow.id) > tuple_(created, last_id)
            )
        rows = list(
            await session.scalars(
                query.order_by(ApplicationRow.created_at, ApplicationRow.id).limit(limit + 1)
            )
        )
        more = len(rows) > limit
        rows = rows[:limit]
        items = await application_views(session, identity, [(r, call) for r in rows])
        cursor = encode_cursor(rows[-1]) if more and rows else None
        return ApplicationPage(items=items, total=total or 0, next_cursor=cursor)

    @get(api.SUBMISSION_COUNT.path)
    async def submission_count(
        self, session: AsyncSession, identity: Identity, call_id: str
    ) -> SubmissionCount:
        call = await self._call(session, identity, call_id)
        submitted = await self._submitted(session, self._scope(identity, call))
        return SubmissionCount(call_id=call_id, submitted=submitted)

    async def _submitted(self, session: AsyncSession, scope: list[Any]) -> int:
        """Submitted and not withdrawn (a withdrawn one has that status): what review
        evaluates, so evaluationProgress.applications counts the same."""
        count = await session.scalar(
            select(func.count())
            .select_from(ApplicationRow)
            .where(*scope, ApplicationRow.status == ApplicationStatus.SUBMITTED.value)
        )
        return count or 0

    @get(api.STATISTICS.path)
    async def statistics(
        self, session: AsyncSession, identity: Identity, call_id: str
    ) -> CallStatistics:
        call = await self._call(session, identity, call_id)
        scope = self._scope(identity, call)

        async def buckets(column: Any) -> list[Bucket]:
            rows = await session.execute(
                select(column, func.count()).where(*scope).group_by(column).order_by(column)
            )
            return [Bucket(key=str(k) if k is not None else "unknown", count=n) for k, n in rows]

        hour = func.date_trunc("hour", SubmissionRow.submitted_at)
        per_hour = await session.execute(
            select(hour, func.count())
            .join(ApplicationRow, ApplicationRow.id == SubmissionRow.application_id)
            .where(*scope, SubmissionRow.version == 1)
            .group_by(hour)
            .order_by(hour)
        )
        chains = (
            select(func.unnest(ApplicationRow.value_chains).label("chain")).where(*scope).subquery()
        )
        by_chain = await session.execute(
            select(chains.c.chain, func.count()).group_by(chains.c.chain).order_by(chains.c.chain)
        )
        total = await session.scalar(select(func.count()).select_from(ApplicationRow).where(*scope))
        return CallStatistics(
            call_id=call_id, total=total or 0, submitted=await self._submitted(session, scope),
            by_status=await buckets(ApplicationRow.status),
            by_eligibility=await buckets(ApplicationRow.eligibility),
            by_country=await buckets(ApplicationRow.country),
            by_hub=await buckets(ApplicationRow.hub),
            by_value_chain=[Bucket(key=k, count=n) for k, n in by_chain],
            by_organisation_type=await buckets(ApplicationRow.organisation_type),
            submissions_per_hour=[Bucket(key=h.isoformat(), count=n) for h, n in per_hour],
        )  # fmt: skip


def search_condition(form: Form, text: str) -> Any:
    """Title, organisation name or receipt number containing `text`, case-insensitively, in
    what the team sees: the last submitted version, or the draft of one never submitted."""
    if "\x00" in text or len(text) > 200:
        raise ValidationFailed(
            [FieldError("search", "must be at most 200 characters, without NUL")]
        )
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

    def containing(organisation: Any, answers: Any) -> list[Any]:
        texts = [organisation["name"].astext]
        if form.title_key is not None:
            texts.append(answers[form.title_key].astext)
        return [t.ilike(pattern, escape="\\") for t in texts]

    snapshot = SubmissionRow.snapshot
    submitted = (
        select(SubmissionRow.id)
        .where(
            SubmissionRow.application_id == ApplicationRow.id,
            SubmissionRow.version == ApplicationRow.version,
            or_(
                SubmissionRow.number.ilike(pattern, escape="\\"),
                *containing(snapshot["organisation"], snapshot["answers"]),
            ),
        )
        .exists()
    )
    draft = and_(
        ApplicationRow.version == 0,
        or_(*containing(ApplicationRow.organisation, ApplicationRow.answers)),
    )
    return or_(submitted, draft)


def encode_cursor(row: ApplicationRow) -> str:
    raw = f"{row.created_at.isoformat()}|{row.id}".encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        created, _, last = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(created), uuid.UUID(last)
    except ValueError:
        raise ValidationFailed([FieldError("after", "not a cursor this list gave out")]) from None
