"""A person's part of their data archive held by review."""

from __future__ import annotations

from litestar import get
from sqlalchemy.ext.asyncio import AsyncSession

from services.review.usecases import export
from shared.api import review as api
from shared.api.review import ReviewPersonExport
from shared.identity import Identity


@get(api.PERSON_EXPORT.path)
async def export_person(
    session: AsyncSession, identity: Identity, account_id: str
) -> ReviewPersonExport:
    return await export.export_person(session, identity, account_id)


ROUTES = [export_person]
