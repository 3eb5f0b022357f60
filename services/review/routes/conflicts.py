"""An evaluator declares a conflict of interest."""

from __future__ import annotations

from litestar import post
from sqlalchemy.ext.asyncio import AsyncSession

from services.review.usecases import conflicts
from shared.api import review as api
from shared.api.review import ConflictCreate, ConflictDeclared
from shared.identity import Identity


@post(api.DECLARE_CONFLICT.path)
async def declare_conflict(
    session: AsyncSession, identity: Identity, data: ConflictCreate
) -> ConflictDeclared:
    return await conflicts.declare_conflict(session, identity, data)


ROUTES = [declare_conflict]
