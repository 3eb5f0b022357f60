"""Notify's queries of its mail outbox: mail written, listed, sent and redacted (queries.py
holds those of its copies)."""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    Row,
    bindparam,
    delete,
    func,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.models import (
    MailAttachmentRow,
    MailRow,
)
from shared.api.notify import ExportedMailAttachment, MailState
from shared.db import contains_pattern, table_of
from shared.paths import is_uuid

FILE_COLUMNS = ("file_name", "content_type", "content")


@functools.lru_cache(maxsize=16)
def mail_insert(columns: tuple[str, ...], files: int) -> Executable:
    """insert_mail's statement, made once per shape (the mail's columns, how many files): made
    and keyed anew with every mail, it cost a receipt some 0.2 ms of CPU."""
    mail, table = table_of(MailRow), table_of(MailAttachmentRow)
    inserted = (
        insert(mail).values({name: bindparam(f"mail_{name}") for name in columns})
        .on_conflict_do_nothing(index_elements=[mail.c.cause_key, mail.c.to_address])
        .returning(mail.c.id)
    )  # fmt: skip
    if not files:
        return inserted
    new_mail = inserted.cte("new_mail")
    each = union_all(*(
        select(bindparam(f"file{n}_id", type_=table.c.id.type), new_mail.c.id,
               *(bindparam(f"file{n}_{name}", type_=table.c[name].type) for name in FILE_COLUMNS))
        for n in range(files)
    ))  # fmt: skip
    filed = insert(table).from_select(["id", "mail_id", *FILE_COLUMNS], each).cte("filed")
    return select(new_mail.c.id).add_cte(filed)


async def insert_mail(
    session: AsyncSession, values: dict[str, Any], attachments: Sequence[dict[str, Any]] = ()
) -> uuid.UUID | None:
    """The new mail's id; None when this cause already wrote to this address. Its
    attachments (file_name, content_type, content) go in the same statement, only with a
    mail that is new."""
    params = {f"mail_{name}": value for name, value in values.items()}
    for n, attachment in enumerate(attachments):
        params[f"file{n}_id"] = uuid.uuid4()
        params.update({f"file{n}_{name}": attachment[name] for name in FILE_COLUMNS})
    created: uuid.UUID | None = await session.scalar(
        mail_insert(tuple(values), len(attachments)), params
    )
    return created


async def mail_page(
    session: AsyncSession, state: MailState | None, to: str | None, first: int, offset: int
) -> tuple[Sequence[MailRow], int]:
    """A page of the outbox, newest first, and how many mails the filters match."""
    conditions: list[Any] = []
    if state is not None:
        conditions.append(MailRow.state == state)
    if to is not None and to.strip():
        conditions.append(MailRow.to_address.ilike(contains_pattern(to.strip()), escape="\\"))
    total = await session.scalar(select(func.count()).select_from(MailRow).where(*conditions))
    rows = await session.scalars(
        select(MailRow)
        .where(*conditions)
        .order_by(MailRow.created_at.desc(), MailRow.id)
        .limit(first)
        .offset(offset)
    )
    return rows.all(), total or 0


async def person_mails(
    session: AsyncSession, account_id: str, *, newest_first: bool, first: int | None = None,
    offset: int = 0,
) -> Sequence[MailRow]:  # fmt: skip
    order = MailRow.created_at.desc() if newest_first else MailRow.created_at
    rows = await session.scalars(
        select(MailRow)
        .where(MailRow.recipient_id == account_id)
        .order_by(order, MailRow.id)
        .limit(first)
        .offset(offset)
    )
    return rows.all()


async def mail(session: AsyncSession, mail_id: str, *, lock: bool = False) -> MailRow | None:
    if not is_uuid(mail_id):
        return None
    return await session.get(MailRow, uuid.UUID(mail_id), with_for_update=lock)


async def attachment_facts(
    session: AsyncSession, mail_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ExportedMailAttachment]]:
    """Per mail, its files (their bytes left in the rows), by name."""
    found: dict[uuid.UUID, list[ExportedMailAttachment]] = defaultdict(list)
    if not mail_ids:
        return found
    rows = await session.execute(
        select(MailAttachmentRow.mail_id, MailAttachmentRow.id, MailAttachmentRow.file_name,
               MailAttachmentRow.content_type, func.length(MailAttachmentRow.content))
        .where(MailAttachmentRow.mail_id.in_(mail_ids))
        .order_by(MailAttachmentRow.file_name, MailAttachmentRow.id)
    )  # fmt: skip
    for mail_id, attachment_id, file_name, content_type, size in rows:
        found[mail_id].append(ExportedMailAttachment(
            id=str(attachment_id), file_name=file_name, content_type=content_type, size=size,
        ))  # fmt: skip
    return found


async def person_attachment(
    session: AsyncSession, account_id: str, attachment_id: str
) -> Row[bytes, str] | None:
    """(content, content_type) of a file a mail to the person carried."""
    if not is_uuid(attachment_id):
        return None
    found = await session.execute(
        select(MailAttachmentRow.content, MailAttachmentRow.content_type)
        .join(MailRow, MailRow.id == MailAttachmentRow.mail_id)
        .where(MailAttachmentRow.id == uuid.UUID(attachment_id), MailRow.recipient_id == account_id)
    )
    return found.first()


_MAILS, _FILES = table_of(MailRow), table_of(MailAttachmentRow)
_DUE = (
    select(_MAILS.c.id)
    .where(_MAILS.c.state == MailState.QUEUED, _MAILS.c.next_attempt_at <= bindparam("now"))
    .order_by(_MAILS.c.next_attempt_at)
    .limit(bindparam("batch"))
    .with_for_update(skip_locked=True)
    .cte("due")
)
# Built once, in Core: the relay runs these for every batch, and the ORM's loading and
# flushing of each mail cost more than sending it over a kept connection.
DUE_MAILS = (
    select(*_MAILS.c, _FILES.c.file_name, _FILES.c.content_type, _FILES.c.content)
    .join(_DUE, _DUE.c.id == _MAILS.c.id)
    .outerjoin(_FILES, _FILES.c.mail_id == _MAILS.c.id)
    .order_by(_MAILS.c.next_attempt_at, _MAILS.c.id, _FILES.c.file_name)
)
COLUMNS = list(enumerate(_MAILS.c))  # a mail's columns, first in DUE_MAILS's rows
MAIL_ATTEMPTED = update(_MAILS).where(_MAILS.c.id == bindparam("mail_id"))
ATTEMPT_FIELDS = ("state", "attempts", "sent_at", "last_error", "next_attempt_at")


async def due_mails(
    session: AsyncSession, now: datetime, batch: int
) -> tuple[list[MailRow], dict[uuid.UUID, list[MailAttachmentRow]]]:
    """Queued mail due by `now`, locked (rows another replica is sending are skipped), with
    each one's attachments, in one statement. The mails are the relay's to change and write
    back with `record_attempts` (not the session's)."""
    mails: dict[uuid.UUID, MailRow] = {}
    attachments: dict[uuid.UUID, list[MailAttachmentRow]] = defaultdict(list)
    for row in await session.execute(DUE_MAILS, {"now": now, "batch": batch}):
        mail = mails.get(row.id)
        if mail is None:
            mail = mails[row.id] = MailRow(**{column.key: row[i] for i, column in COLUMNS})
        if row.file_name is not None:
            attachments[mail.id].append(MailAttachmentRow(
                mail_id=mail.id, file_name=row.file_name, content_type=row.content_type,
                content=row.content,
            ))  # fmt: skip
    return list(mails.values()), attachments


async def record_attempts(session: AsyncSession, mails: Sequence[MailRow]) -> None:
    """How each attempt went (sent, or when to try again and why not), in one statement."""
    await session.execute(MAIL_ATTEMPTED, [
        {"mail_id": mail.id, **{field: getattr(mail, field) for field in ATTEMPT_FIELDS}}
        for mail in mails
    ])  # fmt: skip


async def locked_mails(session: AsyncSession, *where: ColumnElement[bool]) -> Sequence[MailRow]:
    return (await session.scalars(select(MailRow).where(*where).with_for_update())).all()


async def delete_attachments(session: AsyncSession, mail_ids: list[uuid.UUID]) -> None:
    await session.execute(delete(MailAttachmentRow).where(MailAttachmentRow.mail_id.in_(mail_ids)))


async def unsent_mail_counts(session: AsyncSession) -> Sequence[Row[MailState, int]]:
    """The mail queue by state: waiting for the relay, or given up on."""
    query = select(MailRow.state, func.count()).where(MailRow.sent_at.is_(None))
    return (await session.execute(query.group_by(MailRow.state))).all()
