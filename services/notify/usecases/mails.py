"""The mail outbox as the team reads it, a failed mail sent again, and the mail one person
was sent."""

from __future__ import annotations

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import mail_queries
from services.notify.config import NotifySettings
from services.notify.domain.withholding import WITHHELD, body_withheld
from services.notify.models import MailRow
from services.notify.writer import MAIL_WRITTEN
from shared.api.notify import (
    ExportedMailAttachment,
    Mail,
    MailAttachment,
    MailPage,
    MailState,
    Notification,
)
from shared.clock import Clock
from shared.errors import Forbidden, NotFound, page_errors, require
from shared.identity import Identity


def withheld(row: MailRow, reader: Identity, settings: NotifySettings) -> bool:
    return body_withheld(row.kind, row.recipient_id, reader, settings.is_dev)


def mail_of(
    row: MailRow, attachments: list[ExportedMailAttachment], withheld: bool = False
) -> Mail:
    text, html = (WITHHELD, f"<p>{WITHHELD}</p>") if withheld else (row.text, row.html)
    return Mail(
        id=str(row.id), recipient_id=row.recipient_id, to=row.to_address, kind=row.kind,
        language=row.language, subject=row.subject, text=text, html=html, state=row.state,
        attempts=row.attempts, last_error=row.last_error, created_at=row.created_at,
        sent_at=row.sent_at,
        attachments=[msgspec.convert(a, MailAttachment, from_attributes=True) for a in attachments],
    )  # fmt: skip


async def mail_views(
    session: AsyncSession, rows: list[MailRow], reader: Identity, settings: NotifySettings
) -> list[Mail]:
    attachments = await mail_queries.attachment_facts(session, [row.id for row in rows])
    return [mail_of(r, attachments[r.id], withheld(r, reader, settings)) for r in rows]


async def found_mail(session: AsyncSession, mail_id: str, *, lock: bool = False) -> MailRow:
    row = await mail_queries.mail(session, mail_id, lock=lock)
    if row is None:
        raise NotFound(f"There is no mail {mail_id}.")
    return row


async def list_mail(
    session: AsyncSession, reader: Identity, settings: NotifySettings,
    state: MailState | None, to: str | None, first: int, offset: int,
) -> MailPage:  # fmt: skip
    """The outbox, newest first (the programme team)."""
    reader.require_admin()
    require(page_errors(first, offset))
    rows, total = await mail_queries.mail_page(session, state, to, first, offset)
    return MailPage(items=await mail_views(session, list(rows), reader, settings), total=total)


async def read_mail(
    session: AsyncSession, reader: Identity, settings: NotifySettings, mail_id: str
) -> Mail:
    reader.require_admin()
    [view] = await mail_views(session, [await found_mail(session, mail_id)], reader, settings)
    return view


async def retry_mail(
    session: AsyncSession, reader: Identity, settings: NotifySettings, clock: Clock, mail_id: str
) -> Mail:
    """A failed mail goes back to the queue with its attempts counted afresh; a queued or
    sent one stays as it is."""
    reader.require_admin()
    row = await found_mail(session, mail_id, lock=True)
    if row.state is MailState.FAILED:
        row.state, row.attempts, row.next_attempt_at = MailState.QUEUED, 0, clock()
        session.info[MAIL_WRITTEN] = True
    await session.commit()
    [view] = await mail_views(session, [row], reader, settings)
    return view


async def person_mail(
    session: AsyncSession, reader: Identity, settings: NotifySettings, account_id: str,
    first: int, offset: int,
) -> list[Notification]:  # fmt: skip
    """The mail sent to one person, newest first: theirs to read, and the team's."""
    if reader.require_signed_in() != account_id and not reader.is_admin:
        raise Forbidden("You may read only the mail sent to you.")
    require(page_errors(first, offset))
    rows = await mail_queries.person_mails(
        session, account_id, newest_first=True, first=first, offset=offset
    )
    return [
        Notification(
            id=str(r.id), kind=r.kind, subject=r.subject,
            text=WITHHELD if withheld(r, reader, settings) else r.text,
            created_at=r.created_at, state=r.state,
        )
        for r in rows
    ]  # fmt: skip
