"""Each application's consensus and each call's ranking as the read model keeps them: read
when stored, computed (in a constant number of queries) and stored when not. Triggers
invalidate them on every write of an input (migration 0005); the use cases that change one
application's consensus (an evaluation submitted, a moderator's settlement) store it again
at once."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import msgspec
from sqlalchemy import ARRAY, ColumnElement, String, any_, literal
from sqlalchemy.ext.asyncio import AsyncSession

from services.review import queries, read_model
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
from services.review.models import AssignmentRow, KnownCall, ModerationRow
from services.review.usecases.calls import rubric_of
from shared.api.intake import Eligibility
from shared.api.registry import Rubric
from shared.api.review import RankingEntry

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


async def lock_read_model(session: AsyncSession, call: KnownCall) -> bool:
    """The call's read model locked until commit (True: its ranking is stale), and the
    call's terms read again: a change to them committed before the lock, and none can
    commit after it until this transaction does."""
    stale = await read_model.lock(session, call.call_id)
    await session.refresh(call)
    return stale


async def computed_consensus(
    session: AsyncSession, call: KnownCall, application_ids: list[str], *, whole_call: bool = False
) -> dict[str, Consensus]:
    """The consensus of these applications of the call from their evaluations and
    settlements, in two queries restricted to their ids (`whole_call`: reading the call's,
    when they are all or most of it)."""
    rubric = rubric_of(call)
    where = AssignmentRow.call_id == call.call_id
    among = None
    if not whole_call:
        ids = literal(application_ids, ARRAY(String))
        where = where & (AssignmentRow.application_id == any_(ids))
        among = ModerationRow.application_id == any_(ids)
    reduced = await evaluation_summaries(session, rubric, where)
    moderated: dict[str, dict[str, Settlement]] = defaultdict(dict)
    for m in await queries.moderations_in(session, call.call_id, among):
        moderated[m.application_id][m.criterion] = Settlement(m.score, m.justification)
    result = {}
    for app_id in application_ids:
        assigned, done, summaries = reduced.get(app_id, (0, 0, {}))
        result[app_id] = consensus_from(
            rubric, assigned, done, summaries, moderated[app_id],
            needed=call.evaluators_per_application,
        )  # fmt: skip
    return result


async def call_scores(
    session: AsyncSession, call: KnownCall, *, locked: bool = False
) -> CallScores:
    """Every ranked application's consensus: the stored ones in one query; the missing ones,
    if any, computed under the call's lock and stored, in a constant number of queries
    (`locked`: the caller holds the lock, taken with `lock_read_model`)."""
    applications = [AppLine(*line) for line in await queries.ranking_lines(session, call.call_id)]
    found = await read_model.stored_consensus(session, call.call_id)
    stored = {a.application_id: found[a.application_id] for a in applications
              if a.application_id in found}  # fmt: skip
    missing = [a.application_id for a in applications if a.application_id not in stored]
    if missing and not locked:
        await lock_read_model(session, call)
        return await call_scores(session, call, locked=True)  # read again, under the lock
    if missing:
        computed = await computed_consensus(
            session, call, missing, whole_call=len(missing) > len(applications) // 2
        )
        await read_model.save_consensus(session, call.call_id, computed)
        stored.update(computed)
    return CallScores(applications, stored)


async def refresh_consensus(session: AsyncSession, call: KnownCall, application_id: str) -> None:
    """After a write to one application's inputs (flushed here: its trigger has invalidated
    the read model), its consensus computed from what the transaction now sees and stored."""
    await session.flush()
    await lock_read_model(session, call)
    computed = await computed_consensus(session, call, [application_id])
    await read_model.save_consensus(session, call.call_id, computed)


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


async def ranked_entries(session: AsyncSession, call: KnownCall) -> list[RankingEntry]:
    """The call's whole ranking, ranked again and stored if stale (under the call's lock:
    two readers at once rank it once)."""
    if await lock_read_model(session, call):
        entries = [entry_of(r, a) for r, a in ranking_of(call, await call_scores(
            session, call, locked=True))]  # fmt: skip
        await read_model.save_ranking(session, call.call_id, entries)
        return entries
    stored = await read_model.stored_ranking(session, call.call_id)
    assert stored is not None and not stored.stale  # we hold its lock
    return stored.entries


async def ranking_window(
    session: AsyncSession, call: KnownCall, offset: int = 0, limit: int | None = None
) -> tuple[int, list[RankingEntry]]:
    """(how many lines, lines offset .. offset + limit): one query when the stored ranking
    is fresh."""
    stored = await read_model.stored_ranking(session, call.call_id, offset, limit)
    if stored is not None and not stored.stale:
        return stored.total, stored.entries
    entries = await ranked_entries(session, call)
    return len(entries), entries[offset : None if limit is None else offset + limit]
