"""An evaluator scores an assignment: drafts until it is submitted, then it is locked."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.review import events
from services.review.domain.scoring import save_refusal, score_errors, submit_refusal
from services.review.models import ApplicationCopy, EvaluationRow
from services.review.usecases.applications import title_of
from services.review.usecases.assignments import evaluation_view, mine
from services.review.usecases.calls import load_call, rubric_of
from services.review.usecases.consensus import refresh_consensus
from shared.api.review import Evaluation, EvaluationDraft, EvaluationStatus
from shared.clock import Clock
from shared.contracts import review as review_events
from shared.errors import Conflict, require
from shared.identity import Identity


async def save_evaluation(
    session: AsyncSession, identity: Identity, assignment_id: str, data: EvaluationDraft
) -> Evaluation:
    row, _ = await mine(session, identity, assignment_id, lock=True)
    call = await load_call(session, row.call_id)
    require(score_errors(rubric_of(call), data.scores, data.comments, strict=False))
    evaluation = await session.get(EvaluationRow, row.id)
    if evaluation is None:
        evaluation = EvaluationRow(assignment_id=row.id, scores={}, comments={},
                                   status=EvaluationStatus.DRAFT)  # fmt: skip
        session.add(evaluation)
    if refusal := save_refusal(evaluation.status):
        raise Conflict(refusal)
    evaluation.scores = {**evaluation.scores, **data.scores}
    evaluation.comments = {**evaluation.comments, **data.comments}
    await session.commit()
    return evaluation_view(evaluation)


async def submit_evaluation(
    session: AsyncSession, identity: Identity, clock: Clock, assignment_id: str
) -> Evaluation:
    row, _ = await mine(session, identity, assignment_id, lock=True)
    call = await load_call(session, row.call_id)
    evaluation = await session.get(EvaluationRow, row.id)
    if refusal := submit_refusal(evaluation.status if evaluation else None):
        raise Conflict(refusal)
    scores = dict(evaluation.scores) if evaluation else {}
    comments = dict(evaluation.comments) if evaluation else {}
    require(score_errors(rubric_of(call), scores, comments, strict=True))
    assert evaluation is not None
    evaluation.status = EvaluationStatus.SUBMITTED
    evaluation.submitted_at = clock()
    app = await session.get(ApplicationCopy, row.application_id)
    title = title_of(call, app.content.get("answers", {}) if app else {}, row.application_id)
    await events.publish(
        session, events.assignment_event(review_events.EvaluationSubmitted, row, title)
    )
    await refresh_consensus(session, call, row.application_id)  # the read model, up to date
    await session.commit()
    return evaluation_view(evaluation)
