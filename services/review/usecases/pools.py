"""Each call's evaluator pool and the team's view and hand on its assignments: the first
assignment, the pool, the matrix, the repair. Whatever changes a call's assignments holds
the call's lock."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from services.review import events, queries
from services.review.domain.access import require_team
from services.review.domain.assignments import shortfall_reason
from services.review.domain.pools import (
    application_title,
    assign_refusal,
    conflict_reason,
    declared_reason,
    pool_member_errors,
    published_refusal,
    repair_refusal,
)
from services.review.models import ApplicationCopy, EvaluatorRow, KnownCall, PoolMemberRow
from services.review.usecases.applications import applicant_of
from services.review.usecases.assignments import assign, declared_conflicts, pool_candidate
from services.review.usecases.calls import form_of, load_call, visible_applications
from services.review.usecases.evaluators import evaluator_view
from shared.api.review import (
    AssignmentMatrix,
    AssignmentReport,
    EvaluationStatus,
    MatrixApplication,
    MatrixCell,
    MatrixConflict,
    MatrixEvaluator,
    PoolMember,
    PoolMemberSet,
)
from shared.call_status import CallStatus
from shared.contracts import review as review_events
from shared.errors import Conflict, NotFound, require
from shared.identity import Identity


async def team_call(
    session: AsyncSession, identity: Identity, call_id: str, *, write: bool
) -> KnownCall:
    """The call, locked when the team changes it, and refused once its results are out."""
    call = await load_call(session, call_id, lock=write)
    require_team(identity, call.hubs, write=write)
    if write and (refusal := published_refusal(call.results_published_at is not None)):
        raise Conflict(refusal)
    return call


async def assign_evaluators(
    session: AsyncSession, identity: Identity, call_id: str
) -> AssignmentReport:
    """The first assignment starts the call's evaluation."""
    call = await load_call(session, call_id, lock=True)
    require_team(identity, call.hubs, write=True)
    if refusal := assign_refusal(call.status):
        raise Conflict(refusal)
    report = await assign(session, call)
    if call.status is CallStatus.CLOSED:
        await events.publish(session, review_events.EvaluationStarted(call_id=call_id))
        call.status = CallStatus.IN_EVALUATION
    await session.commit()
    return report


async def repair_assignments(
    session: AsyncSession, identity: Identity, call_id: str
) -> AssignmentReport:
    """Runs the automatic assignment again: fills shortfalls, keeps what is assigned."""
    call = await team_call(session, identity, call_id, write=True)
    if refusal := repair_refusal(call.status):
        raise Conflict(refusal)
    report = await assign(session, call)
    await session.commit()
    return report


async def call_pool(session: AsyncSession, identity: Identity, call_id: str) -> list[PoolMember]:
    call = await team_call(session, identity, call_id, write=False)
    # A hub manager's view of a programme-wide call counts their hub's work only.
    visible = await visible_applications(session, identity, call)
    loads = await queries.call_loads(session, call_id, within=visible)
    done = await queries.call_loads(session, call_id, submitted=True, within=visible)
    return [
        PoolMember(evaluator=evaluator_view(e), capacity=capacity,
                   assigned=loads.get(e.account_id, 0), submitted=done.get(e.account_id, 0))
        for e, capacity in await queries.pool_of(session, call_id)
    ]  # fmt: skip


async def set_pool_member(
    session: AsyncSession, identity: Identity, call_id: str, account_id: str, data: PoolMemberSet
) -> PoolMember:
    """Adds the evaluator to the pool or changes their capacity for this call."""
    await team_call(session, identity, call_id, write=True)
    evaluator = await session.get(EvaluatorRow, account_id)
    load = (await queries.call_loads(session, call_id)).get(account_id, 0)
    require(pool_member_errors(known=evaluator is not None,
                               active=evaluator is not None and evaluator.active,
                               capacity=data.capacity, load=load))  # fmt: skip
    assert evaluator is not None
    member = await session.get(PoolMemberRow, (call_id, account_id))
    if member is None:
        session.add(PoolMemberRow(call_id=call_id, account_id=account_id, capacity=data.capacity))
    else:
        member.capacity = data.capacity
    await session.commit()
    done = (await queries.call_loads(session, call_id, submitted=True)).get(account_id, 0)
    return PoolMember(evaluator=evaluator_view(evaluator), capacity=data.capacity,
                      assigned=load, submitted=done)  # fmt: skip


async def remove_pool_member(
    session: AsyncSession, identity: Identity, call_id: str, account_id: str
) -> AssignmentReport:
    """Their unfinished assignments in this call go to others; submitted ones stay. Before
    the first assignment nothing is assigned: the report says so."""
    call = await team_call(session, identity, call_id, write=True)
    member = await session.get(PoolMemberRow, (call_id, account_id))
    if member is None:
        raise NotFound(f"Evaluator {account_id} is not in this call's pool.")
    await session.delete(member)
    await session.flush()
    if call.status is CallStatus.IN_EVALUATION:
        report = await assign(session, call)
    else:
        applications = await queries.eligible_applications(session, call_id, lock=False)
        report = AssignmentReport(
            call_id=call_id, applications=len(applications), assigned=0,
            evaluators=len(await queries.pool_of(session, call_id)), min_load=0, max_load=0,
            shortfalls=[],
        )  # fmt: skip
    await session.commit()
    return report


async def assignment_matrix(
    session: AsyncSession, identity: Identity, call_id: str
) -> AssignmentMatrix:
    call = await team_call(session, identity, call_id, write=False)
    applications = await queries.eligible_applications(session, call_id, lock=False)
    visible = await visible_applications(session, identity, call)
    if visible is not None:
        applications = [a for a in applications if a.application_id in visible]
    members = await queries.pool_of(session, call_id)
    loads = await queries.call_loads(session, call_id, within=visible)
    names = await queries.evaluator_names(session)
    cells: dict[str, list[MatrixCell]] = defaultdict(list)
    for row, status in await queries.matrix_cells(session, call_id):
        cells[row.application_id].append(MatrixCell(
            assignment_id=str(row.id), evaluator_id=row.evaluator_id,
            evaluator_name=names.get(row.evaluator_id, row.evaluator_id),
            status=status or EvaluationStatus.NOT_STARTED,
        ))  # fmt: skip
    lines = await matrix_lines(session, call, applications, members, loads, names, cells)
    return AssignmentMatrix(
        call_id=call_id,
        evaluators=[MatrixEvaluator(account_id=e.account_id, name=e.name, capacity=capacity,
                                    load=loads.get(e.account_id, 0))
                    for e, capacity in members],
        applications=lines,
    )  # fmt: skip


async def matrix_lines(
    session: AsyncSession, call: KnownCall, applications: list[ApplicationCopy],
    members: list[tuple[EvaluatorRow, int]], loads: dict[str, int], names: dict[str, str],
    cells: dict[str, list[MatrixCell]],
) -> list[MatrixApplication]:  # fmt: skip
    """One line per application, by submission: its evaluators, conflicts and shortfall."""
    pool = [pool_candidate(e, capacity) for e, capacity in members]
    declared = await declared_conflicts(session, applications)
    full = sum(1 for c in pool if loads.get(c.id, 0) >= c.capacity)
    form = form_of(call)
    needed = call.evaluators_per_application
    lines = []
    for app in sorted(applications, key=lambda a: (a.submitted_at is None, a.submitted_at,
                                                   a.application_id)):  # fmt: skip
        applicant = applicant_of(app)
        conflicts = {c.id: why for c in pool
                     if (why := conflict_reason(c, applicant, declared))}  # fmt: skip
        # Conflicts declared by evaluators outside the pool touch the application too.
        for (app_id, evaluator_id), given in declared.items():
            if app_id == app.application_id and evaluator_id not in conflicts:
                conflicts[evaluator_id] = declared_reason(given)
        held = cells[app.application_id]
        short = None
        if call.status is CallStatus.IN_EVALUATION and len(held) < needed:
            short = shortfall_reason(assigned=len(held), needed=needed, pool=len(pool),
                                     conflicted=sum(1 for c in pool if c.id in conflicts),
                                     full=full)  # fmt: skip
        lines.append(MatrixApplication(
            application_id=app.application_id,
            title=application_title(form, app.content.get("answers", {}), app.application_id),
            organisation=applicant.organisation or None,
            country=app.country, hub=app.hub, assignments=held,
            conflicts=[MatrixConflict(evaluator_id=e, evaluator_name=names.get(e, e),
                                      reason=why) for e, why in sorted(conflicts.items())],
            shortfall=short,
        ))  # fmt: skip
    return lines
