"""Evaluators: invited, listed and removed by the team; their own profile; statistics."""

from __future__ import annotations

from litestar import delete, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from services.review.usecases import evaluators as usecases
from shared.api import review as api
from shared.api.review import AssignmentReport, Evaluator, EvaluatorCreate, EvaluatorStatistics
from shared.identity import Identity


@post(api.INVITE_EVALUATOR.path)
async def invite_evaluator(
    session: AsyncSession, identity: Identity, data: EvaluatorCreate
) -> Evaluator:
    return await usecases.invite_evaluator(session, identity, data)


@get(api.EVALUATORS.path)
async def evaluators(
    session: AsyncSession, identity: Identity, expertise: str | None = None,
    hub: str | None = None,
) -> list[Evaluator]:  # fmt: skip
    """Everyone invited; `expertise` (a value chain) and `hub` narrow it to those who name
    it, e.g. when picking a call's pool."""
    return await usecases.evaluators(session, identity, expertise, hub)


@get(api.MY_PROFILE.path)
async def my_profile(session: AsyncSession, identity: Identity) -> Evaluator:
    return await usecases.my_profile(session, identity)


@delete(api.REMOVE_EVALUATOR.path, status_code=200)
async def remove_evaluator(
    session: AsyncSession, identity: Identity, account_id: str
) -> list[AssignmentReport]:
    """Their unfinished assignments go to others; submitted evaluations stay."""
    return await usecases.remove_evaluator(session, identity, account_id)


@get(api.EVALUATOR_STATISTICS.path)
async def evaluator_statistics(
    session: AsyncSession, identity: Identity, call_id: str
) -> list[EvaluatorStatistics]:
    return await usecases.evaluator_statistics(session, identity, call_id)


ROUTES = [invite_evaluator, evaluators, my_profile, remove_evaluator, evaluator_statistics]
