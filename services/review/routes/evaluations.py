"""An evaluator saves a draft evaluation and submits it."""

from __future__ import annotations

from litestar import post, put
from sqlalchemy.ext.asyncio import AsyncSession

from services.review.usecases import evaluations
from shared.api import review as api
from shared.api.review import Evaluation, EvaluationDraft
from shared.clock import Clock
from shared.identity import Identity


@put(api.SAVE_EVALUATION.path)
async def save_evaluation(
    session: AsyncSession, identity: Identity, assignment_id: str, data: EvaluationDraft
) -> Evaluation:
    return await evaluations.save_evaluation(session, identity, assignment_id, data)


@post(api.SUBMIT_EVALUATION.path)
async def submit_evaluation(
    session: AsyncSession, identity: Identity, clock: Clock, assignment_id: str
) -> Evaluation:
    return await evaluations.submit_evaluation(session, identity, clock, assignment_id)


ROUTES = [save_evaluation, submit_evaluation]
