"""A person's part of their data archive held by notify: how it writes to them, every mail
sent (or queued) to them with its text, and the files those mails carried (receipt PDFs)."""

from __future__ import annotations

import uuid
from collections import defaultdict

from litestar import Response, get
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.api import WITHHELD, body_withheld
from services.notify.config import NotifySettings
from services.notify.models import MailAttachmentRow, MailRow, Person
from shared.api import notify as api
from shared.api.notify import (
    ExportedMail,
    ExportedMailAttachment,
    MailState,
    NotifyPersonExport,
    Recipient,
)
from shared.errors import NotFound
from shared.export import require_person_or_admin
from shared.identity import Identity


async def attachment_listing(
    session: AsyncSession, mail_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[ExportedMailAttachment]]:
    found: dict[uuid.UUID, list[ExportedMailAttachment]] = defaultdict(list)
    rows = await session.execute(
        select(MailAttachmentRow.id, MailAttachmentRow.mail_id, MailAttachmentRow.file_name,
               MailAttachmentRow.content_type, func.length(MailAttachmentRow.content))
        .where(MailAttachmentRow.mail_id.in_(mail_ids))
        .order_by(MailAttachmentRow.file_name, MailAttachmentRow.id)
    )  # fmt: skip
    for attachment_id, mail_id, file_name, content_type, size in rows:
        found[mail_id].append(ExportedMailAttachment(
            id=str(attachment_id), file_name=file_name, content_type=content_type, size=size,
        ))  # fmt: skip
    return found


def recipient_of(person: Person | None) -> Recipient | None:
    if person is None:
        return None
    return Recipient(
        email=person.email, display_name=person.display_name, language=person.language,
        draft_reminders=person.draft_reminders, evaluation_reminders=person.evaluation_reminders,
        daily_digest=person.daily_digest,
    )  # fmt: skip


@get(api.PERSON_EXPORT.path)
async def person_export(
    session: AsyncSession, identity: Identity, settings: NotifySettings, account_id: str
) -> NotifyPersonExport:
    """Everything notify holds about the person, oldest mail first."""
    require_person_or_admin(identity, account_id)
    rows = list(
        await session.scalars(
            select(MailRow)
            .where(MailRow.recipient_id == account_id)
            .order_by(MailRow.created_at, MailRow.id)
        )
    )
    attachments = await attachment_listing(session, [r.id for r in rows])
    mails = [
        ExportedMail(
            id=str(r.id),
            kind=r.kind,
            to=r.to_address,
            language=r.language,
            subject=r.subject,
            text=WITHHELD if body_withheld(r, identity, settings) else r.text,
            state=MailState(r.state),
            created_at=r.created_at,
            sent_at=r.sent_at,
            attachments=attachments[r.id],
        )
        for r in rows
    ]
    person = await session.get(Person, account_id)
    return NotifyPersonExport(account_id=account_id, recipient=recipient_of(person), mails=mails)


@get(api.PERSON_EXPORT_ATTACHMENT.path, media_type="application/octet-stream")
async def person_export_attachment(
    session: AsyncSession, identity: Identity, account_id: str, attachment_id: str
) -> Response[bytes]:
    """A file a mail to the person carried (small: a receipt PDF is kept in the row)."""
    require_person_or_admin(identity, account_id)
    missing = NotFound(f"There is no mail attachment {attachment_id} in this person's data.")
    try:
        key = uuid.UUID(attachment_id)
    except ValueError:
        raise missing from None
    found = (
        await session.execute(
            select(MailAttachmentRow.content, MailAttachmentRow.content_type)
            .join(MailRow, MailRow.id == MailAttachmentRow.mail_id)
            .where(MailAttachmentRow.id == key, MailRow.recipient_id == account_id)
        )
    ).first()
    if found is None:
        raise missing
    return Response(found.content, media_type=found.content_type)


ROUTES = [person_export, person_export_attachment]
