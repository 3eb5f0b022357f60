"""Notify's internal HTTP: the team reads the mail outbox and sends a failed mail again; a person
lists the mail they were sent. Thin handlers: decode -> authorize -> query -> encode."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Annotated, Any

from litestar import get, post
from litestar.params import Parameter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.config import NotifySettings
from services.notify.mail import MAIL_WRITTEN
from services.notify.models import MailAttachmentRow, MailRow
from shared.api import notify as api
from shared.api.notify import (
    Mail,
    MailAttachment,
    MailPage,
    MailState,
    Notification,
)
from shared.clock import Clock
from shared.errors import Forbidden, NotFound, page_errors, require
from shared.identity import Identity

# Mails whose link is a credential (it confirms, resets or sets a password): outside dev mode
# only their recipient reads the body, so no admin can take over an account from the outbox.
CREDENTIAL_KINDS = frozenset({"confirm_email", "reset_password", "invitation"})
WITHHELD = "(Withheld: this message carries a personal link that only its recipient may use.)"


def body_withheld(row: MailRow, reader: Identity, settings: NotifySettings) -> bool:
    return (
        row.kind in CREDENTIAL_KINDS
        and not settings.is_dev
        and reader.account_id != row.recipient_id
    )


def literal_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def attachments_of(
    session: AsyncSession, mail_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[MailAttachment]]:
    found: dict[uuid.UUID, list[MailAttachment]] = defaultdict(list)
    if not mail_ids:
        return found
    rows = await session.execute(
        select(MailAttachmentRow.mail_id, MailAttachmentRow.file_name,
               MailAttachmentRow.content_type, func.length(MailAttachmentRow.content))
        .where(MailAttachmentRow.mail_id.in_(mail_ids))
        .order_by(MailAttachmentRow.file_name)
    )  # fmt: skip
    for mail_id, file_name, content_type, size in rows:
        found[mail_id].append(
            MailAttachment(file_name=file_name, content_type=content_type, size=size)
        )
    return found


def mail_view(row: MailRow, attachments: list[MailAttachment], withheld: bool = False) -> Mail:
    text, html = (WITHHELD, f"<p>{WITHHELD}</p>") if withheld else (row.text, row.html)
    return Mail(
        id=str(row.id), recipient_id=row.recipient_id, to=row.to_address, kind=row.kind,
        language=row.language, subject=row.subject, text=text, html=html,
        state=MailState(row.state), attempts=row.attempts, last_error=row.last_error,
        created_at=row.created_at, sent_at=row.sent_at, attachments=attachments,
    )  # fmt: skip


async def load_mail(session: AsyncSession, mail_id: str, *, lock: bool = False) -> MailRow:
    try:
        key = uuid.UUID(mail_id)
    except ValueError:
        key = None
    row = await session.get(MailRow, key, with_for_update=lock) if key else None
    if row is None:
        raise NotFound(f"There is no mail {mail_id}.")
    return row


@get(api.LIST_MAIL.path)
async def list_mail(
    session: AsyncSession, identity: Identity, settings: NotifySettings,
    # `state` is a name Litestar keeps for the app's state: the query parameter is renamed.
    mail_state: Annotated[MailState | None, Parameter(query="state")] = None,
    to: str | None = None, first: int = 50, offset: int = 0,
) -> MailPage:  # fmt: skip
    """The outbox, newest first (the programme team)."""
    identity.require_admin()
    require(page_errors(first, offset))
    conditions: list[Any] = []
    if mail_state is not None:
        conditions.append(MailRow.state == mail_state.value)
    if to is not None and to.strip():
        conditions.append(MailRow.to_address.ilike(literal_pattern(to.strip()), escape="\\"))
    total = await session.scalar(select(func.count()).select_from(MailRow).where(*conditions))
    rows = (
        await session.scalars(
            select(MailRow)
            .where(*conditions)
            .order_by(MailRow.created_at.desc(), MailRow.id)
            .limit(first)
            .offset(offset)
        )
    ).all()
    attachments = await attachments_of(session, [row.id for row in rows])
    items = [mail_view(r, attachments[r.id], body_withheld(r, identity, settings)) for r in rows]
    return MailPage(items=items, total=total or 0)


@get(api.READ_MAIL.path)
async def read_mail(
    session: AsyncSession, identity: Identity, settings: NotifySettings, mail_id: str
) -> Mail:
    identity.require_admin()
    row = await load_mail(session, mail_id)
    attachments = (await attachments_of(session, [row.id]))[row.id]
    return mail_view(row, attachments, body_withheld(row, identity, settings))


@post(api.RETRY_MAIL.path, status_code=200)
async def retry_mail(
    session: AsyncSession, identity: Identity, clock: Clock, settings: NotifySettings,
    mail_id: str,
) -> Mail:  # fmt: skip
    """A failed mail goes back to the queue with its attempts counted afresh; a queued or
    sent one stays as it is."""
    identity.require_admin()
    row = await load_mail(session, mail_id, lock=True)
    if row.state == MailState.FAILED.value:
        row.state, row.attempts, row.next_attempt_at = MailState.QUEUED.value, 0, clock()
        session.info[MAIL_WRITTEN] = True
    await session.commit()
    attachments = (await attachments_of(session, [row.id]))[row.id]
    return mail_view(row, attachments, body_withheld(row, identity, settings))


@get(api.PERSON_MAIL.path)
async def person_mail(
    session: AsyncSession, identity: Identity, settings: NotifySettings, account_id: str,
    first: int = 20, offset: int = 0,
) -> list[Notification]:  # fmt: skip
    """The mail sent to one person, newest first: theirs to read, and the team's."""
    if identity.require_signed_in() != account_id and not identity.is_admin:
        raise Forbidden("You may read only the mail sent to you.")
    require(page_errors(first, offset))
    rows = await session.scalars(
        select(MailRow)
        .where(MailRow.recipient_id == account_id)
        .order_by(MailRow.created_at.desc(), MailRow.id)
        .limit(first)
        .offset(offset)
    )
    return [
        Notification(
            id=str(r.id),
            kind=r.kind,
            subject=r.subject,
            text=WITHHELD if body_withheld(r, identity, settings) else r.text,
            created_at=r.created_at,
            state=MailState(r.state),
        )
        for r in rows
    ]


ROUTES = [list_mail, read_mail, retry_mail, person_mail]
