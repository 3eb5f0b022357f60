"""A person's part of their data archive held by notify: how it writes to them, every mail
sent (or queued) to them with its text, and the files those mails carried (receipt PDFs)."""

from __future__ import annotations

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import mail_queries
from services.notify.config import NotifySettings
from services.notify.domain.withholding import WITHHELD
from services.notify.models import Person
from services.notify.usecases.mails import withheld
from shared.api.notify import ExportedMail, NotifyPersonExport, Recipient
from shared.errors import NotFound
from shared.export import require_person_or_admin
from shared.identity import Identity


async def person_export(
    session: AsyncSession, reader: Identity, settings: NotifySettings, account_id: str
) -> NotifyPersonExport:
    """Everything notify holds about the person, oldest mail first."""
    require_person_or_admin(reader, account_id)
    rows = await mail_queries.person_mails(session, account_id, newest_first=False)
    attachments = await mail_queries.attachment_facts(session, [r.id for r in rows])
    mails = [
        ExportedMail(
            id=str(r.id), kind=r.kind, to=r.to_address, language=r.language, subject=r.subject,
            text=WITHHELD if withheld(r, reader, settings) else r.text, state=r.state,
            created_at=r.created_at, sent_at=r.sent_at, attachments=attachments[r.id],
        )
        for r in rows
    ]  # fmt: skip
    person = await session.get(Person, account_id)
    recipient = None if person is None else msgspec.convert(person, Recipient, from_attributes=True)
    return NotifyPersonExport(account_id=account_id, recipient=recipient, mails=mails)


async def person_export_attachment(
    session: AsyncSession, reader: Identity, account_id: str, attachment_id: str
) -> tuple[bytes, str]:
    """A file a mail to the person carried, and its content type (small: a receipt PDF is
    kept in the row)."""
    require_person_or_admin(reader, account_id)
    found = await mail_queries.person_attachment(session, account_id, attachment_id)
    if found is None:
        raise NotFound(f"There is no mail attachment {attachment_id} in this person's data.")
    content, content_type = found
    return content, content_type
