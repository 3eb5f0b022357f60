"""An application's files: upload (streamed to the store), remove, and the short-lived links
to download one, for its readers and for the evaluators review assigned it to."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import queries
from services.intake.domain.access import ensure_editable
from services.intake.domain.answers import file_count_problem
from services.intake.domain.attachments import (
    CONTENT_TYPES,
    SNIFF_BYTES,
    file_question,
    file_type_error,
    sanitize_filename,
    sniff,
)
from services.intake.models import ApplicationRow, AttachmentRow, KnownCall, OutboxEvent
from services.intake.usecases.applications import load_application
from services.intake.views import application_view, attachment_of, facts_of, form_of
from shared.api.intake import Application, Attachment, DownloadLink
from shared.api.registry import Question
from shared.contracts import intake as events
from shared.errors import FieldError, Forbidden, NotFound, PayloadTooLarge, ValidationFailed
from shared.identity import Identity, Role, verify_attachment_grant
from shared.objectstore import ObjectStore, ObjectTooLarge
from shared.outbox import record_event


async def upload(
    session: AsyncSession, identity: Identity, clock: Callable[[], datetime], store: ObjectStore,
    application_id: str, question_key: str, body: AsyncIterator[bytes], filename: str,
) -> Attachment:  # fmt: skip
    """The file streams to the store while its size is counted; no transaction stays open
    meanwhile, so the checks run again under the locks before it is recorded."""
    app, call = await load_application(session, identity, application_id, own=True)
    question = file_question(form_of(call), question_key)
    await check_room_for_file(session, app, call, question, clock())
    await session.commit()
    head = await read_head(body, SNIFF_BYTES)
    field = f"answers.{question_key}"
    if not head:
        raise ValidationFailed([FieldError(field, "the file is empty")])
    detected = sniff(head)
    problem = file_type_error(detected, question.allowed_types)
    if problem:
        await drain(body)
        raise ValidationFailed([FieldError(field, problem)])
    assert detected is not None  # an undetected type is never allowed
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
    row = AttachmentRow(
        application_id=app.id, question_key=question.key,
        file_name=sanitize_filename(filename, detected),
        content_type=CONTENT_TYPES[detected], size=stored.size, sha256=stored.sha256,
        object_key=object_key,
    )  # fmt: skip
    try:
        return await record_attachment(session, call, question, clock(), row)
    except BaseException:
        await store.delete(object_key)  # a refused file leaves nothing behind
        raise


async def check_room_for_file(
    session: AsyncSession, app: ApplicationRow, call: KnownCall, question: Question, now: datetime
) -> None:
    ensure_editable(app, call, now)
    count = await queries.live_file_count(session, app.id, question.key)
    problem = file_count_problem(question, count + 1)
    if problem:
        raise ValidationFailed([FieldError(f"answers.{question.key}", problem)])


async def record_attachment(
    session: AsyncSession, call: KnownCall, question: Question, now: datetime, row: AttachmentRow
) -> Attachment:
    """Checked again under the locks: the deadline, the close handler or a parallel upload
    may have come first."""
    locked_call = await queries.lock_call(session, call.call_id)
    app = await session.get(
        ApplicationRow, row.application_id, with_for_update=True, populate_existing=True
    )
    assert app is not None and locked_call is not None
    await check_room_for_file(session, app, locked_call, question, now)
    row.uploaded_at = now
    session.add(row)
    await session.flush()
    stored = events.AttachmentStored(
        application_id=str(app.id), call_id=app.call_id, attachment=facts_of(row)
    )
    await record_event(session, OutboxEvent, stored)
    await session.commit()
    return attachment_of(row)


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


async def find_attachment(
    session: AsyncSession, app: ApplicationRow, attachment_id: str,
    shown: list[str] | None = None,
) -> AttachmentRow:  # fmt: skip
    """One of the live files, or (`shown`: a submission's object keys) of that submission's."""
    try:
        key = uuid.UUID(attachment_id)
    except ValueError:
        key = None
    row = await session.get(AttachmentRow, key) if key else None
    if row is None or row.application_id != app.id:
        raise NotFound(f"There is no attachment {attachment_id}.")
    held = row.removed_at is None if shown is None else row.object_key in shown
    if not held:
        raise NotFound(f"There is no attachment {attachment_id}.")
    return row


async def remove_attachment(
    session: AsyncSession, identity: Identity, now: datetime, store: ObjectStore,
    application_id: str, attachment_id: str,
) -> Application:  # fmt: skip
    app, call = await load_application(session, identity, application_id, lock=True, own=True)
    ensure_editable(app, call, now)
    row = await find_attachment(session, app, attachment_id)
    row.removed_at = now
    named = await queries.submissions_naming(session, app.id, row.object_key)
    await session.commit()
    if not named:  # a submitted version keeps its file
        await store.delete(row.object_key)
    return await application_view(session, identity, app, call)


async def download_link(
    session: AsyncSession, identity: Identity, now: datetime, store: ObjectStore,
    expires: timedelta, application_id: str, attachment_id: str,
) -> DownloadLink:  # fmt: skip
    app, _ = await load_application(session, identity, application_id)
    # Others reach the files of the last submission, as its view shows them.
    shown = None
    if app.applicant_id != identity.account_id:
        submission = await queries.last_submission(session, app)
        shown = submission.snapshot["attachment_keys"] if submission else None
    row = await find_attachment(session, app, attachment_id, shown)
    url = await store.download_url(row.object_key, expires=expires, filename=row.file_name)
    return DownloadLink(url=url, expires_at=now + expires)


async def evaluator_link(
    session: AsyncSession, identity: Identity, now: datetime, store: ObjectStore,
    expires: timedelta, secret: str, application_id: str, attachment_id: str, grant: str,
) -> DownloadLink:  # fmt: skip
    """Review signs a grant per file for the evaluator it assigned the application to;
    intake checks it (and never needs review's tables)."""
    account = identity.require_signed_in()
    granted = identity.role is Role.EVALUATOR and verify_attachment_grant(
        grant, secret, evaluator_id=account, application_id=application_id,
        attachment_id=attachment_id,
    )  # fmt: skip
    if not granted:
        raise Forbidden("This file is not part of an application assigned to you.")
    try:
        row = await session.get(AttachmentRow, uuid.UUID(attachment_id))
    except ValueError:
        row = None
    if row is None or str(row.application_id) != application_id:
        raise NotFound(f"There is no attachment {attachment_id}.")
    # A neutral name: in a blind call the original one may name the applicant.
    extension = row.file_name.rpartition(".")[2] if "." in row.file_name else "bin"
    url = await store.download_url(
        row.object_key, expires=expires, filename=f"{row.question_key}.{extension}"
    )
    return DownloadLink(url=url, expires_at=now + expires)
