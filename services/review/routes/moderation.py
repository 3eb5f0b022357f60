"""The moderator settles a criterion's consensus score."""

from __future__ import annotations

from litestar import put
from sqlalchemy.ext.asyncio import AsyncSession

from services.review.usecases import moderation
from shared.api import review as api
from shared.api.review import ConsensusSet, RankingEntry
from shared.identity import Identity


@put(api.SET_CONSENSUS.path)
async def set_consensus(
    session: AsyncSession, identity: Identity, call_id: str, application_id: str,
    criterion: str, data: ConsensusSet,
) -> RankingEntry:  # fmt: skip
    return await moderation.set_consensus(
        session, identity, call_id, application_id, criterion, data
    )


ROUTES = [set_consensus]
