"""Every query notify makes: its copies of people, calls, applications and assignments (upserted
from events, read by the scheduler) and its mail outbox (written, listed, sent, redacted)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    LargeBinary,
    Row,
    case,
    delete,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.models import (
    ApplicationCopy,
    AssignmentCopy,
    CallCopy,
    MailAttachmentRow,
    MailRow,
    Person,
)
from shared.api.notify import ExportedMailAttachment, MailState
from shared.call_status import CallStatus
from shared.db import contains_pattern, locked_or_created, table_of
from shared.identity import Role
from shared.paths import is_uuid

# ---- the copies ---------------------------------------------------------------------------


async def person(session: AsyncSession, account_id: str) -> Person | None:
    return await session.get(Person, account_id)


async def call(session: AsyncSession, call_id: str) -> CallCopy | None:
    return await session.get(CallCopy, call_id)


async def application(session: AsyncSession, application_id: str) -> ApplicationCopy | None:
    return await session.get(ApplicationCopy, application_id)


async def upsert_person(session: AsyncSession, account_id: str, values: dict[str, Any]) -> None:
    """The person as `values` tell it, unless the row holds a later change (`changed_at`)."""
    statement = insert(Person).values(account_id=account_id, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Person.account_id],
            set_=values,
            where=Person.changed_at <= statement.excluded.changed_at,
        )
    )


async def upsert_call_terms(session: AsyncSession, call_id: str, values: dict[str, Any]) -> None:
    """A published call's terms; its status stays as it is (a later one may have overtaken
    the publication)."""
    await session.execute(
        insert(CallCopy)
        .values(call_id=call_id, status=CallStatus.PUBLISHED, **values)
        .on_conflict_do_update(index_elements=[CallCopy.call_id], set_=values)
    )


async def locked_call(session: AsyncSession, call_id: str, status: CallStatus) -> CallCopy:
    """A call's status may come before its publication: then a stub with that status."""
    return await locked_or_created(
        session, CallCopy, call_id=call_id, status=status, title="", hubs=[],
        terms_known=False, timezone="Europe/Brussels", form={"questions": []},
    )  # fmt: skip


async def locked_application(
    session: AsyncSession, application_id: str, call_id: str
) -> ApplicationCopy:
    return await locked_or_created(
        session, ApplicationCopy, application_id=application_id,
        call_id=call_id, version=0, submitted=False, withdrawn=False,
    )  # fmt: skip


async def record_submission(
    session: AsyncSession, *, application_id: str, call_id: str, applicant_id: str,
    applicant_email: str | None, version: int, title: str | None,
) -> None:  # fmt: skip
    """A submitted application's copy in one statement: inserted when first heard of, else
    marked submitted, its address kept when the event has none, and its title the newer
    version's (an older version arriving late keeps the title it has)."""
    copy = table_of(ApplicationCopy)
    statement = insert(copy).values(
        application_id=application_id, call_id=call_id, applicant_id=applicant_id,
        applicant_email=applicant_email, version=version, title=title, submitted=True,
        withdrawn=False,
    )  # fmt: skip
    new = statement.excluded
    await session.execute(statement.on_conflict_do_update(
        index_elements=[copy.c.application_id],
        set_={
            "applicant_id": new.applicant_id, "submitted": True,
            "applicant_email": func.coalesce(new.applicant_email, copy.c.applicant_email),
            "version": func.greatest(copy.c.version, new.version),
            "title": case((new.version >= copy.c.version, new.title), else_=copy.c.title),
        },
    ))  # fmt: skip


async def locked_assignment(
    session: AsyncSession, assignment_id: str, values: dict[str, Any]
) -> AssignmentCopy:
    return await locked_or_created(
        session, AssignmentCopy, assignment_id=assignment_id, active=True,
        submitted=False, **values,
    )  # fmt: skip


async def locked_person(session: AsyncSession, account_id: str) -> Person | None:
    return await session.get(Person, account_id, with_for_update=True)


async def forget_applications(session: AsyncSession, *where: ColumnElement[bool]) -> None:
    """The applications' addresses and titles (their answers) go."""
    await session.execute(
        update(ApplicationCopy).where(*where).values(applicant_email=None, title=None)
    )


async def locked_assignments_of(
    session: AsyncSession, application_id: str
) -> Sequence[AssignmentCopy]:
    return (
        await session.scalars(
            select(AssignmentCopy)
            .where(AssignmentCopy.application_id == application_id)
            .with_for_update()
        )
    ).all()


# ---- what the scheduler reads -------------------------------------------------------------


async def drafts_not_reminded(
    session: AsyncSession, call_id: str, kind: str
) -> Sequence[Row[str, Person]]:
    """(application, applicant) of the call's drafts whose applicant has no `kind` reminder
    of it yet: a scheduler looking every half minute at a deadline renders each one once."""
    cause = literal(f"{kind}:") + ApplicationCopy.application_id
    reminded = (
        select(MailRow.id)
        .where(MailRow.cause_key == cause, MailRow.to_address == Person.email)
        .exists()
    )
    rows = await session.execute(
        select(ApplicationCopy.application_id, Person)
        .join(Person, Person.account_id == ApplicationCopy.applicant_id)
        .where(
            ApplicationCopy.call_id == call_id,
            ~ApplicationCopy.submitted,
            ~ApplicationCopy.withdrawn,
            ~reminded,
        )
        .order_by(ApplicationCopy.application_id)
    )
    return rows.all()


async def evaluations_due(
    session: AsyncSession, now: datetime, window: timedelta
) -> Sequence[Row[str, CallCopy, int]]:
    """(evaluator, call, work not submitted) for calls whose evaluation ends within `window`."""
    rows = await session.execute(
        select(AssignmentCopy.evaluator_id, CallCopy, func.count())
        .join(CallCopy, CallCopy.call_id == AssignmentCopy.call_id)
        .where(
            AssignmentCopy.active,
            ~AssignmentCopy.submitted,
            CallCopy.terms_known,
            CallCopy.evaluation_deadline > now,
            CallCopy.evaluation_deadline <= now + window,
        )
        .group_by(AssignmentCopy.evaluator_id, CallCopy.call_id)
        .order_by(CallCopy.call_id, AssignmentCopy.evaluator_id)
    )
    return rows.all()


async def open_calls(
    session: AsyncSession, now: datetime, closing_within: timedelta | None = None
) -> Sequence[CallCopy]:
    """The calls open at `now` (their terms known); with `closing_within`, those closing
    within it."""
    closing = [] if closing_within is None else [CallCopy.closes_at <= now + closing_within]
    rows = await session.scalars(
        select(CallCopy)
        .where(
            CallCopy.terms_known,
            CallCopy.status == CallStatus.PUBLISHED,
            CallCopy.opens_at <= now,
            CallCopy.closes_at > now,
            *closing,
        )
        .order_by(CallCopy.call_id)
    )
    return rows.all()


async def digest_readers(session: AsyncSession, call: CallCopy) -> list[Person]:
    """The call's opted-in admins and, for a hub's own call, its hub managers: the digest's
    counts are the whole call's, which a hub manager of a programme-wide call may not see
    (they count their hub's applications only)."""
    managers = Person.role == Role.HUB_MANAGER
    people = await session.scalars(
        select(Person)
        .where(
            Person.active,
            Person.daily_digest,
            or_(
                Person.role == Role.ADMIN,
                managers & Person.hub.in_(call.hubs or [call.hub]) if call.hub else false(),
            ),
        )
        .order_by(Person.account_id)
    )
    return list(people)


async def application_counts(session: AsyncSession, call_id: str) -> tuple[int, int]:
    """(submitted, drafts) of the call, withdrawn ones left out."""
    rows = await session.execute(
        select(ApplicationCopy.submitted, func.count())
        .where(ApplicationCopy.call_id == call_id, ~ApplicationCopy.withdrawn)
        .group_by(ApplicationCopy.submitted)
    )
    counts = {submitted: count for submitted, count in rows}
    return counts.get(True, 0), counts.get(False, 0)


# ---- the mail outbox ----------------------------------------------------------------------


async def insert_mail(
    session: AsyncSession, values: dict[str, Any], attachments: Sequence[dict[str, Any]] = ()
) -> uuid.UUID | None:
    """The new mail's id; None when this cause already wrote to this address. Its
    attachments (file_name, content_type, content) go in the same statement, only with a
    mail that is new."""
    mail, files = table_of(MailRow), table_of(MailAttachmentRow)
    inserted = (
        insert(mail).values(**values)
        .on_conflict_do_nothing(index_elements=[mail.c.cause_key, mail.c.to_address])
        .returning(mail.c.id)
    )  # fmt: skip
    if not attachments:
        created: uuid.UUID | None = await session.scalar(inserted)
        return created
    new_mail = inserted.cte("new_mail")
    each = union_all(*(
        select(literal(uuid.uuid4()), new_mail.c.id, literal(a["file_name"]),
               literal(a["content_type"]), literal(a["content"], LargeBinary))
        for a in attachments
    ))  # fmt: skip
    filed = (
        insert(files)
        .from_select(["id", "mail_id", "file_name", "content_type", "content"], each)
        .cte("filed")
    )
    return await session.scalar(select(new_mail.c.id).add_cte(filed))


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


async def due_mails(session: AsyncSession, now: datetime, batch: int) -> Sequence[MailRow]:
    """Queued mail due by `now`, locked; rows another replica is sending are skipped."""
    rows = await session.scalars(
        select(MailRow)
        .where(MailRow.state == MailState.QUEUED, MailRow.next_attempt_at <= now)
        .order_by(MailRow.next_attempt_at)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    return rows.all()


async def attachments_to_send(
    session: AsyncSession, mail_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[MailAttachmentRow]]:
    found: dict[uuid.UUID, list[MailAttachmentRow]] = defaultdict(list)
    if mail_ids:
        rows = await session.scalars(
            select(MailAttachmentRow)
            .where(MailAttachmentRow.mail_id.in_(mail_ids))
            .order_by(MailAttachmentRow.file_name)
        )
        for attachment in rows:
            found[attachment.mail_id].append(attachment)
    return found


async def locked_mails(session: AsyncSession, *where: ColumnElement[bool]) -> Sequence[MailRow]:
    return (await session.scalars(select(MailRow).where(*where).with_for_update())).all()


async def delete_attachments(session: AsyncSession, mail_ids: list[uuid.UUID]) -> None:
    await session.execute(delete(MailAttachmentRow).where(MailAttachmentRow.mail_id.in_(mail_ids)))


async def unsent_mail_counts(session: AsyncSession) -> Sequence[Row[MailState, int]]:
    """The mail queue by state: waiting for the relay, or given up on."""
    query = select(MailRow.state, func.count()).where(MailRow.sent_at.is_(None))
    return (await session.execute(query.group_by(MailRow.state))).all()
