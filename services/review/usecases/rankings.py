"""A call's consensus, progress, ranking and disagreements, in a constant number of queries
whatever the size of the call."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import msgspec
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from services.review import queries
from services.review.domain import ranking_table
from services.review.domain.access import require_team
from services.review.domain.pools import anonymous_labels, application_title
from services.review.domain.scoring import (
    Consensus,
    CriterionSummary,
    Ranked,
    RankInput,
    Settlement,
    consensus_from,
    rank_call,
    summarise,
)
from services.review.models import AssignmentRow, KnownCall
from services.review.usecases.calls import form_of, load_call, rubric_of
from shared.api.intake import Eligibility
from shared.api.registry import Rubric
from shared.api.review import (
    Disagreement,
    DisagreementEvaluation,
    Progress,
    Ranking,
    RankingEntry,
)
from shared.errors import page_errors, require
from shared.identity import Identity

Summaries = dict[str, tuple[int, int, dict[str, CriterionSummary]]]


class AppLine(msgspec.Struct, frozen=True):
    """The few facts ranking needs of an application: a call may hold thousands."""

    application_id: str
    eligibility: Eligibility
    requested_amount: float | None
    submitted_at: datetime | None
    organisation: str


class CallScores(msgspec.Struct):
    applications: list[AppLine]
    consensus: dict[str, Consensus]


async def evaluation_summaries(
    session: AsyncSession, rubric: Rubric, where: ColumnElement[bool]
) -> Summaries:
    """Per application: (active assignments, submitted evaluations, criterion summaries)."""
    reduced: Summaries = {}
    for app_id, assigned, done, *values in await queries.evaluation_summaries(
        session, rubric, where
    ):
        summaries = {c.key: summarise(v) for c, v in zip(rubric.criteria, values, strict=True) if v}
        reduced[app_id] = (assigned, done, summaries)
    return reduced


async def call_scores(session: AsyncSession, call: KnownCall) -> CallScores:
    """Every application's consensus in three queries."""
    rubric = rubric_of(call)
    applications = [AppLine(*line) for line in await queries.ranking_lines(session, call.call_id)]
    reduced = await evaluation_summaries(session, rubric, AssignmentRow.call_id == call.call_id)
    moderated: dict[str, dict[str, Settlement]] = defaultdict(dict)
    for m in await queries.moderations_in(session, call.call_id):
        moderated[m.application_id][m.criterion] = Settlement(m.score, m.justification)
    result = {}
    for a in applications:
        assigned, done, summaries = reduced.get(a.application_id, (0, 0, {}))
        result[a.application_id] = consensus_from(
            rubric, assigned, done, summaries, moderated[a.application_id],
            needed=call.evaluators_per_application,
        )  # fmt: skip
    return CallScores(applications, result)


def ranking_of(call: KnownCall, scores: CallScores) -> list[tuple[Ranked, AppLine]]:
    """Applications whose eligibility is not decided yet are not ranked at all."""
    by_id = {a.application_id: a for a in scores.applications}
    items = [
        RankInput(
            application_id=a.application_id, eligible=a.eligibility is Eligibility.ELIGIBLE,
            consensus=scores.consensus[a.application_id], requested=a.requested_amount or 0.0,
            submitted_at=a.submitted_at or datetime.max.replace(tzinfo=UTC),
        )
        for a in scores.applications
        if a.eligibility is not Eligibility.PENDING
    ]  # fmt: skip
    ranked = rank_call(rubric_of(call), call.budget, items)
    return [(r, by_id[r.application_id]) for r in ranked]


def entry_of(ranked: Ranked, app: AppLine) -> RankingEntry:
    return RankingEntry(
        application_id=ranked.application_id, organisation=app.organisation,
        rank=ranked.rank, decision=ranked.decision, weighted_total=ranked.weighted_total,
        total=ranked.total, scores=ranked.scores, thresholds_failed=ranked.thresholds_failed,
        tie_break=ranked.tie_break, explanation=ranked.explanation,
        requested_amount=app.requested_amount,
    )  # fmt: skip


async def evaluation_progress(session: AsyncSession, identity: Identity, call_id: str) -> Progress:
    call = await load_call(session, call_id)
    require_team(identity, call.hubs, write=False)
    # A hub manager counts, in a programme-wide call, their hub's applications only.
    hub = identity.hub if not identity.is_admin and not call.hub else None
    return await progress_of(session, call, hub)


async def progress_of(session: AsyncSession, call: KnownCall, hub: str | None = None) -> Progress:
    """Withdrawn applications count nowhere: their assignments are no longer active. `hub`:
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
    return Progress(
        call_id=call.call_id, applications=len(consensus), assignments=assignments,
        submitted=submitted,
        complete_applications=sum(1 for c in consensus.values() if c.complete),
        flagged_applications=sum(1 for c in consensus.values() if c.flagged),
    )  # fmt: skip


async def ranking(
    session: AsyncSession, identity: Identity, call_id: str, offset: int, limit: int | None
) -> Ranking:
    require(page_errors(limit, offset, most=None))
    call = await load_call(session, call_id)
    require_team(identity, call.hubs, write=False)
    ranked = ranking_of(call, await call_scores(session, call))
    window = ranked[offset : None if limit is None else offset + limit]
    return Ranking(
        call_id=call_id, budget=call.budget, total=len(ranked),
        entries=[entry_of(r, a) for r, a in window],
        results_published=call.results_published_at is not None,
    )  # fmt: skip


async def ranking_csv(session: AsyncSession, identity: Identity, call_id: str) -> str:
    call = await load_call(session, call_id)
    require_team(identity, call.hubs, write=False)
    criteria = [c.key for c in rubric_of(call).criteria]
    ranked = ranking_of(call, await call_scores(session, call))
    return ranking_table.ranking_csv(
        criteria, [(r, a.organisation, a.requested_amount) for r, a in ranked]
    )


async def disagreements(
    session: AsyncSession, identity: Identity, call_id: str
) -> list[Disagreement]:
    call = await load_call(session, call_id)
    require_team(identity, call.hubs, write=False)
    scores = await call_scores(session, call)
    flagged = {app_id: c.flagged for app_id, c in scores.consensus.items() if c.flagged}
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
