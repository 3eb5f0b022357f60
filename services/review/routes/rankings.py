"""A call's progress, ranking (as JSON and CSV) and disagreements, for the team."""

from __future__ import annotations

from litestar import Response, get
from sqlalchemy.ext.asyncio import AsyncSession

from services.review.usecases import rankings
from shared.api import review as api
from shared.api.review import Disagreement, Progress, Ranking
from shared.identity import Identity


@get(api.EVALUATION_PROGRESS.path)
async def evaluation_progress(session: AsyncSession, identity: Identity, call_id: str) -> Progress:
    return await rankings.evaluation_progress(session, identity, call_id)


@get(api.RANKING.path)
async def ranking(
    session: AsyncSession, identity: Identity, call_id: str, offset: int = 0,
    limit: int | None = None,
) -> Ranking:  # fmt: skip
    return await rankings.ranking(session, identity, call_id, offset, limit)


@get(api.RANKING_CSV.path, media_type="text/csv")
async def ranking_csv(session: AsyncSession, identity: Identity, call_id: str) -> Response[str]:
    text = await rankings.ranking_csv(session, identity, call_id)
    headers = {"Content-Disposition": f'attachment; filename="ranking-{call_id}.csv"'}
    return Response(text, media_type="text/csv", headers=headers)


@get(api.DISAGREEMENTS.path)
async def disagreements(
    session: AsyncSession, identity: Identity, call_id: str
) -> list[Disagreement]:
    return await rankings.disagreements(session, identity, call_id)


ROUTES = [evaluation_progress, ranking, ranking_csv, disagreements]
