"""Publishing a call's results: each applicant's outcome, with the evaluators' comments and
never who wrote them, once every applicant has one."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from services.review import events, queries
from services.review.domain.access import require_team
from services.review.domain.results import applicant_summary, decision_counts, publish_refusal
from services.review.usecases.calls import load_call, rubric_of
from services.review.usecases.consensus import call_scores, entry_of, ranking_of
from shared.api.intake import Eligibility
from shared.api.review import Decision, Ranking
from shared.call_status import CallStatus
from shared.clock import Clock
from shared.contracts import review as review_events
from shared.errors import Conflict
from shared.identity import Identity


async def evaluator_comments(session: AsyncSession, call_id: str) -> dict[str, list[str]]:
    """The comments applicants receive: per criterion, never who wrote them."""
    found: dict[str, list[str]] = defaultdict(list)
    for _, app_id, _, comments, _ in await queries.submitted_in_call(session, call_id):
        found[app_id].extend(f"{k}: {v}" for k, v in sorted(comments.items()))
    return found


async def publish_results(
    session: AsyncSession, identity: Identity, clock: Clock, call_id: str
) -> Ranking:
    call = await load_call(session, call_id, lock=True)
    require_team(identity, call.hubs, write=True)
    if call.results_published_at is not None:
        raise Conflict("The results of this call are already published.")
    scores = await call_scores(session, call)
    ranked = ranking_of(call, scores)
    if refusal := publish_refusal(
        unchecked=sum(1 for a in scores.applications if a.eligibility is Eligibility.PENDING),
        ranked=len(ranked), pending=sum(1 for r, _ in ranked if r.decision is Decision.PENDING),
    ):  # fmt: skip
        raise Conflict(refusal)
    comments = await evaluator_comments(session, call_id)
    rubric = rubric_of(call)
    counts = decision_counts(r.decision for r, _ in ranked)
    await events.publish(session, *(review_events.OutcomePublished(
        application_id=r.application_id, call_id=call_id, decision=r.decision,
        rank=r.rank, weighted_total=r.weighted_total, scores=r.scores,
        comments=comments.get(r.application_id, []), summary=applicant_summary(rubric, r),
    ) for r, _ in ranked), review_events.ResultsPublished(
        call_id=call_id, selected=counts[Decision.SELECTED], reserve=counts[Decision.RESERVE],
        not_selected=counts[Decision.NOT_SELECTED],
    ))  # fmt: skip
    call.results_published_at = clock()
    call.status = CallStatus.RESULTS_PUBLISHED
    await session.commit()
    return Ranking(call_id=call_id, budget=call.budget, total=len(ranked),
                   entries=[entry_of(r, a) for r, a in ranked], results_published=True)  # fmt: skip
