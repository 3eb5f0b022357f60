"""A call's progress, ranking (as JSON and CSV) and disagreements for the team, read from the
consensus and ranking read model (usecases/consensus.py) in a constant number of queries
whatever the size of the call. What a read computes that was missing, it stores."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from services.review import queries
from services.review.domain import ranking_table
from services.review.domain.access import require_team
from services.review.domain.pools import anonymous_labels, application_title
from services.review.models import AssignmentRow, KnownCall
from services.review.usecases.calls import form_of, load_call, rubric_of, visible_applications
from services.review.usecases.consensus import call_scores, ranking_window
from shared.api.intake import Eligibility
from shared.api.review import (
    Disagreement,
    DisagreementEvaluation,
    Progress,
    Ranking,
    RankingEntry,
)
from shared.errors import page_errors, require
from shared.identity import Identity


async def evaluation_progress(session: AsyncSession, identity: Identity, call_id: str) -> Progress:
    call = await load_call(session, call_id)
    require_team(identity, call.hubs, write=False)
    progress = await progress_of(session, call, identity.hub_scope(call.hub))
    await session.commit()  # the consensus computed is kept
    return progress


async def progress_of(session: AsyncSession, call: KnownCall, hub: str | None = None) -> Progress:
    """Withdrawn applications count nowhere: their assignments are no longer active; only
    eligible ones are in evaluation (ineligible ones are never assigned). `hub`:
    only that hub's applications (a hub manager's view of a programme-wide call, as intake
    counts them for that viewer)."""
    scores = await call_scores(session, call)
    consensus = scores.consensus
    where = [AssignmentRow.call_id == call.call_id, AssignmentRow.active]
    if hub:
        hubs = queries.hub_applications(call.call_id, hub)
        kept = set(await session.scalars(hubs))
        consensus = {app_id: c for app_id, c in consensus.items() if app_id in kept}
        where.append(AssignmentRow.application_id.in_(hubs))
    assignments, submitted = await queries.evaluation_totals(session, where)
    eligible = {
        a.application_id
        for a in scores.applications
        if a.eligibility is Eligibility.ELIGIBLE and a.application_id in consensus
    }
    return Progress(
        call_id=call.call_id, applications=len(consensus), in_evaluation=len(eligible),
        assignments=assignments, submitted=submitted,
        complete_applications=sum(1 for a in eligible if consensus[a].complete),
        flagged_applications=sum(1 for a in eligible if consensus[a].flagged),
    )  # fmt: skip


async def ranking(
    session: AsyncSession, identity: Identity, call_id: str, offset: int, limit: int | None
) -> Ranking:
    require(page_errors(limit, offset, most=None))
    call = await load_call(session, call_id)
    require_team(identity, call.hubs, write=False)
    total, entries = await visible_window(session, identity, call, offset, limit)
    await session.commit()  # what was ranked again is kept
    return Ranking(
        call_id=call_id, budget=call.budget, total=total, entries=entries,
        results_published=call.results_published_at is not None,
    )  # fmt: skip


async def visible_window(
    session: AsyncSession, identity: Identity, call: KnownCall, offset: int = 0,
    limit: int | None = None,
) -> tuple[int, list[RankingEntry]]:  # fmt: skip
    """The ranking's lines the viewer may see (each at its rank in the whole call), as
    (how many, lines offset .. offset + limit)."""
    visible = await visible_applications(session, identity, call)
    if visible is None:
        return await ranking_window(session, call, offset, limit)
    _, every = await ranking_window(session, call)
    seen = [entry for entry in every if entry.application_id in visible]
    return len(seen), seen[offset : None if limit is None else offset + limit]


async def ranking_csv(session: AsyncSession, identity: Identity, call_id: str) -> str:
    call = await load_call(session, call_id)
    require_team(identity, call.hubs, write=False)
    criteria = [c.key for c in rubric_of(call).criteria]
    _, entries = await visible_window(session, identity, call)
    await session.commit()
    return ranking_table.ranking_csv(criteria, [ranking_table.table_line(e) for e in entries])


async def disagreements(
    session: AsyncSession, identity: Identity, call_id: str
) -> list[Disagreement]:
    call = await load_call(session, call_id)
    require_team(identity, call.hubs, write=False)
    scores = await call_scores(session, call)
    await session.commit()  # the consensus computed is kept
    visible = await visible_applications(session, identity, call)
    flagged = {app_id: c.flagged for app_id, c in scores.consensus.items()
               if c.flagged and (visible is None or app_id in visible)}  # fmt: skip
    given: dict[str, list[tuple[dict[str, float], dict[str, str]]]] = defaultdict(list)
    # In the order they were submitted, so "Evaluator 1" stays the same person on reload.
    for app_id, evaluation, comments in await queries.submitted_evaluations(session, flagged):
        given[app_id].append((evaluation, comments))
    answers = await queries.answers_of(session, flagged)
    form = form_of(call)
    return [
        Disagreement(
            application_id=app_id, criteria=criteria,
            scores={k: [s[k] for s, _ in given[app_id] if k in s] for k in criteria},
            title=application_title(form, answers.get(app_id, {}), app_id),
            evaluations=[
                DisagreementEvaluation(evaluator=label, scores=s, comments=c)
                for label, (s, c) in zip(
                    anonymous_labels(len(given[app_id])), given[app_id], strict=True
                )
            ],
        )
        for app_id, criteria in sorted(flagged.items())
    ]  # fmt: skip
