"""The team publishes a call's results."""

from __future__ import annotations

from litestar import post
from sqlalchemy.ext.asyncio import AsyncSession

from services.review.usecases import results
from shared.api import review as api
from shared.api.review import Ranking
from shared.clock import Clock
from shared.identity import Identity


@post(api.PUBLISH_RESULTS.path)
async def publish_results(
    session: AsyncSession, identity: Identity, clock: Clock, call_id: str
) -> Ranking:
    return await results.publish_results(session, identity, clock, call_id)


ROUTES = [publish_results]
