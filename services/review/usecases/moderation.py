"""The moderator settles a criterion the evaluators disagree on, once every evaluation is in;
the score is kept only if the application then ranks."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.review.domain.access import require_team
from services.review.domain.scoring import consensus_errors, moderation_refusal
from services.review.models import ApplicationCopy, AssignmentRow, ModerationRow
from services.review.usecases.calls import load_call, rubric_of
from services.review.usecases.consensus import (
    evaluation_summaries,
    ranked_entries,
    refresh_consensus,
)
from shared.api.review import ConsensusSet, RankingEntry
from shared.errors import Conflict, NotFound, require
from shared.identity import Identity


async def set_consensus(
    session: AsyncSession, identity: Identity, call_id: str, application_id: str,
    criterion: str, data: ConsensusSet,
) -> RankingEntry:  # fmt: skip
    # Locked as publishing locks it: a score settled after the results went out, or two
    # moderators settling the same criterion at once, must wait for the other (found probing).
    call = await load_call(session, call_id, lock=True)
    require_team(identity, call.hubs, write=True)
    app = await session.get(ApplicationCopy, application_id)
    if app is None or app.call_id != call_id:
        raise NotFound(f"There is no application {application_id} in this call.")
    rubric = rubric_of(call)
    require(consensus_errors(rubric, criterion, data.score, data.justification))
    if call.results_published_at is not None:
        raise Conflict("Results are published; consensus can no longer change.")
    summaries = await evaluation_summaries(
        session, rubric, AssignmentRow.application_id == application_id
    )
    assigned, done, reduced = summaries.get(application_id, (0, 0, {}))
    refusal = moderation_refusal(
        rubric, assigned, done, reduced, criterion, needed=call.evaluators_per_application
    )
    if refusal:
        raise Conflict(refusal)
    existing = await session.get(ModerationRow, (application_id, criterion))
    if existing is None:
        session.add(ModerationRow(application_id=application_id, criterion=criterion,
                                  score=data.score, justification=data.justification,
                                  moderator_id=identity.account_id or ""))  # fmt: skip
    else:
        existing.score, existing.justification = data.score, data.justification
        existing.moderator_id = identity.account_id or ""
    # The application's consensus and the call's ranking stored again with the new score;
    # all of it kept only if the application ranks.
    await refresh_consensus(session, call, application_id)
    for entry in await ranked_entries(session, call):
        if entry.application_id == application_id:
            await session.commit()
            return entry
    raise Conflict("The application is not in the ranking (withdrawn, or its eligibility is "
                   "not decided yet); nothing was changed.")  # fmt: skip
