"""Intake's persistence queries for one application at a time: applications, their
submissions and attachments, the calls it knows (a call's lists and counts for the team are
in team_queries.py)."""

from __future__ import annotations

import typing
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, Text, and_, bindparam, case, cast, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from services.intake.models import (
    ApplicationRow,
    AttachmentRow,
    KnownCall,
    SubmissionRow,
    receipt_number_seq,
)
from shared.api.intake import ApplicationStatus, Eligibility

# ---- one application ----------------------------------------------------------------------


async def lock_call(session: AsyncSession, call_id: str) -> KnownCall | None:
    """The call as it is now, locked in share mode until commit. The close handler locks it
    exclusively, so a change in flight at the closing instant either commits before the
    eligibility check (which then sees it) or waits and finds the call closed. The call is
    always locked before the application (the close handler's order too: no deadlock)."""
    return await session.get(
        KnownCall, call_id, with_for_update={"read": True}, populate_existing=True
    )


# The statements of a submission's path, built once: SQLAlchemy otherwise builds and keys
# each again on every call (~0.1 ms of the ~0.4 a statement costs here).
CALL_OF_APPLICATION = (
    select(KnownCall)
    .where(KnownCall.call_id == select(ApplicationRow.call_id)
           .where(ApplicationRow.id == bindparam("app_id")).scalar_subquery())
    .with_for_update(read=True)
    .execution_options(populate_existing=True)
)  # fmt: skip
SUBMISSIONS_OF = (
    select(SubmissionRow)
    .where(SubmissionRow.application_id.in_(bindparam("ids", expanding=True)))
    .order_by(SubmissionRow.version.desc())
)
ATTACHMENTS_OF = (
    select(AttachmentRow)
    .where(AttachmentRow.application_id.in_(bindparam("ids", expanding=True)))
    .order_by(AttachmentRow.uploaded_at, AttachmentRow.id)
)


async def lock_application(
    session: AsyncSession, app_id: uuid.UUID
) -> tuple[ApplicationRow, KnownCall] | None:
    """An application and its call for a change: the call locked in share mode first (as
    `lock_call`), then the application for update."""
    call = await session.scalar(CALL_OF_APPLICATION, {"app_id": app_id})
    if call is None:
        return None
    app = await session.get(ApplicationRow, app_id, with_for_update=True, populate_existing=True)
    return None if app is None else (app, call)


async def application_and_call(
    session: AsyncSession, app_id: uuid.UUID
) -> tuple[ApplicationRow, KnownCall] | None:
    row = (await session.execute(
        select(ApplicationRow, KnownCall)
        .join(KnownCall, KnownCall.call_id == ApplicationRow.call_id)
        .where(ApplicationRow.id == app_id)
    )).first()  # fmt: skip
    return None if row is None else (row[0], row[1])


async def own_application(
    session: AsyncSession, call_id: str, applicant: str
) -> ApplicationRow | None:
    return await session.scalar(
        select(ApplicationRow).where(
            ApplicationRow.call_id == call_id, ApplicationRow.applicant_id == applicant
        )
    )


async def insert_draft(
    session: AsyncSession, call: KnownCall, applicant: str, email: str | None
) -> ApplicationRow | None:
    """A new draft; None when a parallel start inserted this applicant's first."""
    created: ApplicationRow | None = await session.scalar(
        insert(ApplicationRow)
        .values(
            call_id=call.call_id, applicant_id=applicant, applicant_email=email,
            status=ApplicationStatus.DRAFT, organisation={}, contact={}, team=[],
            answers={}, value_chains=list(call.value_chains),
            eligibility=Eligibility.PENDING, eligibility_reasons=[],
        )
        .on_conflict_do_nothing(index_elements=[ApplicationRow.call_id,
                                                ApplicationRow.applicant_id])
        .returning(ApplicationRow)
    )  # fmt: skip
    return created


async def applications_of_applicant(
    session: AsyncSession, applicant: str, *, oldest_first: bool = False, lock: bool = False
) -> list[tuple[ApplicationRow, KnownCall]]:
    created = ApplicationRow.created_at
    query = (
        select(ApplicationRow, KnownCall)
        .join(KnownCall, KnownCall.call_id == ApplicationRow.call_id)
        .where(ApplicationRow.applicant_id == applicant)
        .order_by(*((created, ApplicationRow.id) if oldest_first else (created.desc(),)))
    )
    if lock:
        query = query.with_for_update(of=ApplicationRow)
    return [(app, call) for app, call in (await session.execute(query)).all()]


async def results_published_before(
    session: AsyncSession, now: datetime
) -> list[tuple[ApplicationRow, KnownCall]]:
    """Applications not yet anonymised in calls whose results are out, locked (ones another
    sweep holds are skipped)."""
    rows = await session.execute(
        select(ApplicationRow, KnownCall)
        .join(KnownCall, KnownCall.call_id == ApplicationRow.call_id)
        .where(KnownCall.results_published_at <= now, ApplicationRow.anonymised_at.is_(None))
        .order_by(ApplicationRow.id)
        .with_for_update(of=ApplicationRow, skip_locked=True)
    )
    return [(app, call) for app, call in rows.all()]


async def submissions_of(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[SubmissionRow]]:
    """Every version of each application, newest first."""
    history: dict[uuid.UUID, list[SubmissionRow]] = {i: [] for i in ids}
    for submission in await session.scalars(SUBMISSIONS_OF, {"ids": list(ids)}):
        history[submission.application_id].append(submission)
    return history


async def attachments_of(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[AttachmentRow]]:
    """Each application's files in upload order, removed ones too."""
    attachments: dict[uuid.UUID, list[AttachmentRow]] = {i: [] for i in ids}
    for row in await session.scalars(ATTACHMENTS_OF, {"ids": list(ids)}):
        attachments[row.application_id].append(row)
    return attachments


async def last_submission(session: AsyncSession, app: ApplicationRow) -> SubmissionRow | None:
    return await session.scalar(
        select(SubmissionRow).where(
            SubmissionRow.application_id == app.id, SubmissionRow.version == app.version
        )
    )


# The receipt number comes from the sequence inside the INSERT, its value named once (each
# nextval() written is a number of its own): six digits at least, more past 999,999. Built
# once, in Core: the ORM's INSERT … RETURNING of the row cost more than the nextval() it saves.
SUBMISSION = typing.cast(Table, SubmissionRow.__table__)
_TAKEN = select(receipt_number_seq.next_value().label("n")).subquery()
_DIGITS = cast(_TAKEN.c.n, Text)
INSERT_SUBMISSION = (
    insert(SUBMISSION)
    .values(number=select(
        bindparam("prefix") + case((_TAKEN.c.n < 1_000_000, func.lpad(_DIGITS, 6, "0")),
                                   else_=_DIGITS)
    ).scalar_subquery())
    .returning(SUBMISSION.c.number)
)  # fmt: skip


# What a submission changes on its application, in a Core UPDATE built once: the ORM's flush
# of the same change costs twice the client CPU (0.35 vs 0.18 ms).
APPLICATION = typing.cast(Table, ApplicationRow.__table__)
SUBMITTED_COLUMNS = (
    "version", "status", "submitted_at", "country", "organisation_type", "hub", "value_chains"
)  # fmt: skip
MARK_SUBMITTED = (
    update(APPLICATION)
    .where(APPLICATION.c.id == bindparam("app_id"))
    .values({**{name: bindparam(f"new_{name}") for name in SUBMITTED_COLUMNS},
             "updated_at": func.now()})
    .returning(APPLICATION.c.updated_at)
)  # fmt: skip


async def mark_submitted(
    session: AsyncSession, app: ApplicationRow, values: dict[str, Any]
) -> None:
    """`values` (every one of SUBMITTED_COLUMNS) written to the application and set on `app`
    as what the database holds, so no flush writes them again."""
    params = {f"new_{name}": values[name] for name in SUBMITTED_COLUMNS}
    written = await session.execute(MARK_SUBMITTED, {"app_id": app.id, **params})
    for name, value in {**values, "updated_at": written.scalar_one()}.items():
        set_committed_value(app, name, value)


async def insert_submission(
    session: AsyncSession, values: dict[str, Any], *, year: int
) -> SubmissionRow:
    """The submission, numbered `OC-<year>-000042` as it is written; the row returned is the
    one written (not in the session: nothing changes it later)."""
    number = await session.execute(INSERT_SUBMISSION, {**values, "prefix": f"OC-{year}-"})
    return SubmissionRow(**values, number=number.scalar_one())


async def live_file_count(session: AsyncSession, app_id: uuid.UUID, question_key: str) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(AttachmentRow)
        .where(
            AttachmentRow.application_id == app_id,
            AttachmentRow.question_key == question_key,
            AttachmentRow.removed_at.is_(None),
        )
    )
    return count or 0


async def submissions_naming(session: AsyncSession, app_id: uuid.UUID, object_key: str) -> int:
    """How many submitted versions name this stored file."""
    count = await session.scalar(
        select(func.count())
        .select_from(SubmissionRow)
        .where(
            SubmissionRow.application_id == app_id,
            SubmissionRow.snapshot["attachment_keys"].contains([object_key]),
        )
    )
    return count or 0


async def submitted_in_call(
    session: AsyncSession, call_id: str
) -> list[tuple[ApplicationRow, SubmissionRow]]:
    """The call's submitted applications with their last submission, locked for update."""
    rows = await session.execute(
        select(ApplicationRow, SubmissionRow)
        .join(
            SubmissionRow,
            and_(
                SubmissionRow.application_id == ApplicationRow.id,
                SubmissionRow.version == ApplicationRow.version,
            ),
        )
        .where(
            ApplicationRow.call_id == call_id,
            ApplicationRow.status == ApplicationStatus.SUBMITTED,
        )
        .with_for_update(of=ApplicationRow)
    )
    return [(app, submission) for app, submission in rows.all()]


async def upsert_call(session: AsyncSession, call_id: str, values: dict[str, Any]) -> None:
    await session.execute(
        insert(KnownCall)
        .values(call_id=call_id, **values)
        .on_conflict_do_update(index_elements=[KnownCall.call_id], set_=values)
    )


async def attachment_by_key(session: AsyncSession, object_key: str) -> AttachmentRow | None:
    return await session.scalar(select(AttachmentRow).where(AttachmentRow.object_key == object_key))
