"""A person's part of their data archive held by review: its copies of their submitted
applications (never a score before the results: the published outcome is intake's part) and,
for an evaluator, their profile and the conflicts they declared."""

from __future__ import annotations

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from services.review import queries
from services.review.models import ApplicationCopy, EvaluatorRow, KnownCall
from services.review.usecases.applications import content_of
from services.review.usecases.evaluators import evaluator_view
from shared.api.review import DeclaredConflict, ReviewedApplication, ReviewPersonExport
from shared.export import require_person_or_admin
from shared.identity import Identity


def reviewed(app: ApplicationCopy, call: KnownCall | None) -> ReviewedApplication:
    content = content_of(app)
    return ReviewedApplication(
        application_id=app.application_id, call_id=app.call_id,
        call_title=call.title if call else "", version=app.version,
        submitted_at=app.submitted_at, organisation=content.organisation,
        contact=content.contact, team=content.team, requested_amount=content.requested_amount,
        country=app.country, hub=app.hub, eligibility=app.eligibility, withdrawn=app.withdrawn,
    )  # fmt: skip


async def export_person(
    session: AsyncSession, identity: Identity, account_id: str
) -> ReviewPersonExport:
    require_person_or_admin(identity, account_id)
    copies = await queries.copies_with_calls(session, account_id)
    evaluator = await session.get(EvaluatorRow, account_id)
    conflicts = await queries.conflicts(session, account_id)
    return ReviewPersonExport(
        account_id=account_id,
        applications=[reviewed(app, call) for app, call in copies],
        evaluator=evaluator_view(evaluator) if evaluator else None,
        conflicts=[msgspec.convert(c, DeclaredConflict, from_attributes=True) for c in conflicts],
    )
