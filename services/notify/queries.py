"""Notify's queries of its copies of people, calls, applications and assignments (upserted
from events, read by the scheduler); mail_queries.py holds those of its mail outbox."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    Row,
    bindparam,
    case,
    false,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.models import (
    ApplicationCopy,
    AssignmentCopy,
    CallCopy,
    MailRow,
    Person,
)
from shared.call_status import CallStatus
from shared.db import locked_or_created, table_of
from shared.identity import Role

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


SUBMISSION_COLUMNS = ("application_id", "call_id", "applicant_id", "applicant_email",
                      "version", "title")  # fmt: skip


@functools.cache
def submission_upsert() -> Executable:
    """record_submission's statement, made once: made and keyed anew with every receipt, it
    cost more CPU than the database spent running it."""
    copy = table_of(ApplicationCopy)
    statement = insert(copy).values({
        **{copy.c[name]: bindparam(f"new_{name}") for name in SUBMISSION_COLUMNS},
        copy.c.submitted: True, copy.c.withdrawn: False,
    })  # fmt: skip
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[copy.c.application_id],
        set_={
            copy.c.applicant_id: new.applicant_id, copy.c.submitted: True,
            copy.c.applicant_email: func.coalesce(new.applicant_email, copy.c.applicant_email),
            copy.c.version: func.greatest(copy.c.version, new.version),
            copy.c.title: case((new.version >= copy.c.version, new.title), else_=copy.c.title),
        },
    )  # fmt: skip


async def record_submission(
    session: AsyncSession, *, application_id: str, call_id: str, applicant_id: str,
    applicant_email: str | None, version: int, title: str | None,
) -> None:  # fmt: skip
    """A submitted application's copy in one statement: inserted when first heard of, else
    marked submitted, its address kept when the event has none, and its title the newer
    version's (an older version arriving late keeps the title it has)."""
    await session.execute(submission_upsert(), {
        "new_application_id": application_id, "new_call_id": call_id,
        "new_applicant_id": applicant_id, "new_applicant_email": applicant_email,
        "new_version": version, "new_title": title,
    })  # fmt: skip


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
