"""Intake's queries over a call's applications, for the team: the scope a reader may see,
the filters and search, a page of applications, and the counts and buckets of the
call's statistics."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, any_, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.models import ApplicationRow, SubmissionRow
from shared.api.intake import ApplicationStatus, Bucket
from shared.api.registry import Form


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
