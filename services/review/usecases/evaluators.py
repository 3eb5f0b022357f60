"""Evaluators: the team invites, lists and removes them; each one's deviation from the
consensus. Removing one repairs the calls they held work in."""

from __future__ import annotations

import statistics
from collections import defaultdict

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from services.review import queries
from services.review.domain.access import require_team
from services.review.domain.invitations import code_errors, invitation_errors
from services.review.models import EvaluatorRow
from services.review.usecases.assignments import repair_calls, require_evaluator
from services.review.usecases.calls import load_call, visible_applications
from services.review.usecases.consensus import call_scores
from shared.api.review import AssignmentReport, Evaluator, EvaluatorCreate, EvaluatorStatistics
from shared.errors import NotFound, require
from shared.identity import Identity


def evaluator_view(row: EvaluatorRow) -> Evaluator:
    return msgspec.convert(row, Evaluator, from_attributes=True)


async def invite_evaluator(
    session: AsyncSession, identity: Identity, data: EvaluatorCreate
) -> Evaluator:
    """Again for one already invited: their profile is replaced and they are active again."""
    identity.require_admin()
    require(invitation_errors(name=data.name, organisation=data.organisation,
                              capacity=data.capacity, expertise=data.expertise, hubs=data.hubs))  # fmt: skip
    row = await session.get(EvaluatorRow, data.account_id)
    if row is None:
        row = EvaluatorRow(account_id=data.account_id)
        session.add(row)
    for name in EvaluatorCreate.__struct_fields__:
        setattr(row, name, getattr(data, name))
    row.active = True
    await session.commit()
    return evaluator_view(row)


async def evaluators(
    session: AsyncSession, identity: Identity, expertise: str | None, hub: str | None
) -> list[Evaluator]:
    identity.require_admin()
    require(code_errors({"expertise": [expertise] if expertise else [],
                         "hub": [hub] if hub else []}))  # fmt: skip
    return [evaluator_view(r) for r in await queries.evaluators(session, expertise, hub)]


async def my_profile(session: AsyncSession, identity: Identity) -> Evaluator:
    return evaluator_view(await require_evaluator(session, identity))


async def remove_evaluator(
    session: AsyncSession, identity: Identity, account_id: str
) -> list[AssignmentReport]:
    identity.require_admin()
    row = await session.get(EvaluatorRow, account_id, with_for_update=True)
    if row is None:
        raise NotFound(f"There is no evaluator {account_id}.")
    row.active = False
    await session.flush()
    reports = await repair_calls(session, evaluator_id=account_id)
    await session.commit()
    return reports


async def evaluator_statistics(
    session: AsyncSession, identity: Identity, call_id: str
) -> list[EvaluatorStatistics]:
    call = await load_call(session, call_id)
    require_team(identity, call.hubs, write=False)
    scores = await call_scores(session, call)
    await session.commit()  # the consensus computed is kept
    deviations: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    visible = await visible_applications(session, identity, call)
    for evaluator_id, app_id, given, _, _ in await queries.submitted_in_call(session, call_id):
        if visible is not None and app_id not in visible:
            continue
        counts[evaluator_id] += 1
        agreed = scores.consensus.get(app_id)
        if agreed and agreed.complete:
            deviations[evaluator_id].extend(
                abs(given[k] - v) for k, v in agreed.scores.items() if k in given
            )
    names = await queries.evaluator_names(session)
    return [
        EvaluatorStatistics(
            account_id=e, name=names.get(e, e), evaluations=counts[e],
            mean_deviation=statistics.fmean(deviations[e]) if deviations[e] else None,
        )
        for e in sorted(counts)
    ]  # fmt: skip
