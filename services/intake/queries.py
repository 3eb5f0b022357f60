"""Every persistence query of intake: applications, their submissions and attachments, the
calls it knows, the team's lists and counts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, any_, func, or_, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.models import (
    ApplicationRow,
    AttachmentRow,
    KnownCall,
    SubmissionRow,
    receipt_number_seq,
)
from shared.api.intake import ApplicationStatus, Bucket, Eligibility
from shared.api.registry import Form

# ---- one application ----------------------------------------------------------------------


async def lock_call(session: AsyncSession, call_id: str) -> KnownCall | None:
    """The call as it is now, locked in share mode until commit. The close handler locks it
    exclusively, so a change in flight at the closing instant either commits before the
    eligibility check (which then sees it) or waits and finds the call closed. The call is
    always locked before the application (the close handler's order too: no deadlock)."""
    return await session.get(
        KnownCall, call_id, with_for_update={"read": True}, populate_existing=True
    )


async def lock_application(
    session: AsyncSession, app_id: uuid.UUID
) -> tuple[ApplicationRow, KnownCall] | None:
    """An application and its call for a change: the call locked in share mode first (as
    `lock_call`), then the application for update."""
    call = await session.scalar(
        select(KnownCall)
        .where(KnownCall.call_id == select(ApplicationRow.call_id)
               .where(ApplicationRow.id == app_id).scalar_subquery())
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )  # fmt: skip
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
    for submission in await session.scalars(
        select(SubmissionRow)
        .where(SubmissionRow.application_id.in_(ids))
        .order_by(SubmissionRow.version.desc())
    ):
        history[submission.application_id].append(submission)
    return history


async def attachments_of(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[AttachmentRow]]:
    """Each application's files in upload order, removed ones too."""
    attachments: dict[uuid.UUID, list[AttachmentRow]] = {i: [] for i in ids}
    for row in await session.scalars(
        select(AttachmentRow)
        .where(AttachmentRow.application_id.in_(ids))
        .order_by(AttachmentRow.uploaded_at, AttachmentRow.id)
    ):
        attachments[row.application_id].append(row)
    return attachments


async def last_submission(session: AsyncSession, app: ApplicationRow) -> SubmissionRow | None:
    return await session.scalar(
        select(SubmissionRow).where(
            SubmissionRow.application_id == app.id, SubmissionRow.version == app.version
        )
    )


async def next_receipt_sequence(session: AsyncSession) -> int:
    sequence: int = await session.scalar(receipt_number_seq.next_value())
    return sequence


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


# ---- a call's applications, for the team ---------------------------------------------------


def call_scope(call_id: str, hub: str | None) -> list[Any]:
    """`hub`: only that hub's applications (a hub manager in a programme-wide call)."""
    conditions: list[Any] = [ApplicationRow.call_id == call_id]
    if hub is not None:
        conditions.append(ApplicationRow.hub == hub)
    return conditions


# Submitted at least once (withdrawn since or not).
SUBMITTED_EVER = ApplicationRow.version > 0


def submitted_ever(scope: list[Any]) -> list[Any]:
    return [*scope, SUBMITTED_EVER]


# Filters on what an application says: a draft never submitted is its applicant's own (its
# hub, status and eligibility the team sees).
CONTENT_FILTERS = frozenset({"country", "organisation_type", "value_chain"})


def filter_conditions(filters: dict[str, Any]) -> list[Any]:
    """Column equals value for each filter given; `value_chain`: one of the application's."""
    given = {name: value for name, value in filters.items() if value is not None}
    conditions = [
        getattr(ApplicationRow, name) == value
        for name, value in given.items()
        if name != "value_chain"
    ]
    if "value_chain" in given:
        conditions.append(given["value_chain"] == any_(ApplicationRow.value_chains))
    if CONTENT_FILTERS & given.keys():
        conditions.append(SUBMITTED_EVER)
    return conditions


def search_condition(form: Form, pattern: str) -> Any:
    """Title, organisation name or receipt number matching `pattern` (domain.paging),
    case-insensitively, in what the team sees: the title and name of the last submitted
    version (a draft never submitted is the applicant's own), the receipt number of any
    version (an applicant quotes the one of their mail, which a resubmission replaced)."""

    def containing(organisation: Any, answers: Any) -> list[Any]:
        texts = [organisation["name"].astext]
        if form.title_key is not None:
            texts.append(answers[form.title_key].astext)
        return [t.ilike(pattern, escape="\\") for t in texts]

    snapshot = SubmissionRow.snapshot
    return (
        select(SubmissionRow.id)
        .where(
            SubmissionRow.application_id == ApplicationRow.id,
            or_(
                SubmissionRow.number.ilike(pattern, escape="\\"),
                and_(
                    SubmissionRow.version == ApplicationRow.version,
                    or_(*containing(snapshot["organisation"], snapshot["answers"])),
                ),
            ),
        )
        .exists()
    )


async def count_applications(session: AsyncSession, conditions: list[Any]) -> int:
    total = await session.scalar(
        select(func.count()).select_from(ApplicationRow).where(*conditions)
    )
    return total or 0


async def page_of_applications(
    session: AsyncSession, conditions: list[Any], after: tuple[Any, uuid.UUID] | None,
    limit: int,
) -> list[ApplicationRow]:  # fmt: skip
    """Up to `limit` in (created_at, id) order after the cursor's application."""
    query = select(ApplicationRow).where(*conditions)
    if after is not None:
        query = query.where(tuple_(ApplicationRow.created_at, ApplicationRow.id) > tuple_(*after))
    order = (ApplicationRow.created_at, ApplicationRow.id)
    return list(await session.scalars(query.order_by(*order).limit(limit)))


async def count_submitted(session: AsyncSession, scope: list[Any]) -> int:
    """Submitted and not withdrawn (a withdrawn one has that status): what review
    evaluates, so evaluationProgress.applications counts the same."""
    return await count_applications(
        session, [*scope, ApplicationRow.status == ApplicationStatus.SUBMITTED]
    )


async def buckets(session: AsyncSession, scope: list[Any], name: str) -> list[Bucket]:
    """Counts by the value of the application's column `name` ("unknown": none)."""
    column = getattr(ApplicationRow, name)
    rows = await session.execute(
        select(column, func.count()).where(*scope).group_by(column).order_by(column)
    )
    return [Bucket(key=str(k) if k is not None else "unknown", count=n) for k, n in rows]


async def value_chain_buckets(session: AsyncSession, scope: list[Any]) -> list[Bucket]:
    chains = select(func.unnest(ApplicationRow.value_chains).label("chain")).where(*scope)
    chain = chains.subquery().c.chain
    rows = await session.execute(select(chain, func.count()).group_by(chain).order_by(chain))
    return [Bucket(key=k, count=n) for k, n in rows]


async def first_submissions_per_hour(session: AsyncSession, scope: list[Any]) -> list[Bucket]:
    hour = func.date_trunc("hour", SubmissionRow.submitted_at)
    rows = await session.execute(
        select(hour, func.count())
        .join(ApplicationRow, ApplicationRow.id == SubmissionRow.application_id)
        .where(*scope, SubmissionRow.version == 1)
        .group_by(hour)
        .order_by(hour)
    )
    return [Bucket(key=h.isoformat(), count=n) for h, n in rows]


async def attachment_by_key(session: AsyncSession, object_key: str) -> AttachmentRow | None:
    return await session.scalar(select(AttachmentRow).where(AttachmentRow.object_key == object_key))
