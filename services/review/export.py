"""A person's part of their data archive held by review: its copies of their submitted
applications (never a score before the results: the published outcome is intake's part) and,
for an evaluator, their profile and the conflicts they declared."""

from __future__ import annotations

import msgspec
from litestar import get
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.review.api import evaluator_view
from services.review.models import ApplicationCopy, ConflictRow, EvaluatorRow, KnownCall
from shared.api.intake import Organisation, Person
from shared.api.review import (
    PERSON_EXPORT,
    DeclaredConflict,
    ReviewedApplication,
    ReviewPersonExport,
)
from shared.export import require_person_or_admin
from shared.identity import Identity


def reviewed(app: ApplicationCopy, call: KnownCall | None) -> ReviewedApplication:
    return ReviewedApplication(
        application_id=app.application_id, call_id=app.call_id,
        call_title=call.title if call else "", version=app.version,
        submitted_at=app.submitted_at,
        organisation=msgspec.convert(app.organisation, Organisation),
        contact=msgspec.convert(app.contact, Person),
        team=msgspec.convert(app.team, list[Person]), requested_amount=app.requested_amount,
        country=app.country, hub=app.hub, eligibility=app.eligibility, withdrawn=app.withdrawn,
    )  # fmt: skip


@get(PERSON_EXPORT.path)
async def export_person(
    session: AsyncSession, identity: Identity, account_id: str
) -> ReviewPersonExport:
    require_person_or_admin(identity, account_id)
    copies = (
        await session.execute(
            select(ApplicationCopy, KnownCall)
            .outerjoin(KnownCall, KnownCall.call_id == ApplicationCopy.call_id)
            .where(ApplicationCopy.applicant_id == account_id)
            .order_by(ApplicationCopy.submitted_at, ApplicationCopy.application_id)
        )
    ).all()
    evaluator = await session.get(EvaluatorRow, account_id)
    conflicts = await session.scalars(
        select(ConflictRow)
        .where(ConflictRow.evaluator_id == account_id)
        .order_by(ConflictRow.declared_at, ConflictRow.id)
    )
    return ReviewPersonExport(
        account_id=account_id,
        applications=[reviewed(app, call) for app, call in copies],
        evaluator=evaluator_view(evaluator) if evaluator else None,
        conflicts=[
            DeclaredConflict(
                application_id=c.application_id,
                organisation=c.organisation,
                reason=c.reason,
                declared_at=c.declared_at,
            )
            for c in conflicts
        ],
    )


ROUTES = [export_person]
