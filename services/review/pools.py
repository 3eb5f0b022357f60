"""Each call's evaluator pool and the team's view and hand on its assignments: the pool, the
assignment matrix, a manual move, the repair. Thin handlers; the rules are in domain/pool.py
and domain/assignment.py. Whatever changes a call's assignments holds the call's lock."""

from __future__ import annotations

import uuid
from collections import defaultdict

from litestar import Controller, delete, get, post, put
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.review.api import (
    announce,
    announce_assigned,
    applicant_of,
    assign,
    call_loads,
    declared_conflicts,
    eligible_applications,
    evaluator_view,
    form_of,
    load_call,
    place,
    pool_candidate,
    pool_of,
    require_team,
)
from services.review.domain.assignment import shortfall_reason
from services.review.domain.pool import (
    MoveTarget,
    application_title,
    conflict_reason,
    declared_reason,
    move_refusal,
    pool_member_errors,
)
from services.review.models import (
    ApplicationCopy,
    AssignmentRow,
    EvaluationRow,
    EvaluatorRow,
    KnownCall,
    PoolMemberRow,
)
from shared.api.review import (
    AssignmentMatrix,
    AssignmentMove,
    AssignmentReport,
    MatrixApplication,
    MatrixCell,
    MatrixConflict,
    MatrixEvaluator,
    PoolMember,
    PoolMemberSet,
)
from shared.contracts import review as events
from shared.errors import Conflict, NotFound, require
from shared.identity import Identity

SUBMITTED = EvaluationRow.status == "submitted"


def refuse_if_published(call: KnownCall) -> None:
    if call.results_published_at is not None:
        raise Conflict("The results of this call are published: its evaluation is closed.")


async def submitted_counts(session: AsyncSession, call_id: str) -> dict[str, int]:
    return dict((await session.execute(
        select(AssignmentRow.evaluator_id, func.count())
        .join(EvaluationRow, EvaluationRow.assignment_id == AssignmentRow.id)
        .where(AssignmentRow.call_id == call_id, AssignmentRow.active, SUBMITTED)
        .group_by(AssignmentRow.evaluator_id)
    )).all())  # fmt: skip


def nothing_assigned(call: KnownCall, applications: int, evaluators: int) -> AssignmentReport:
    """Before the first assignment a pool change assigns nothing: the report says so."""
    return AssignmentReport(
        call_id=call.call_id, applications=applications, assigned=0, evaluators=evaluators,
        min_load=0, max_load=0, shortfalls=[],
    )  # fmt: skip


class PoolController(Controller):
    path = "/calls/{call_id:str}"

    @get("/pool")
    async def pool(
        self, session: AsyncSession, identity: Identity, call_id: str
    ) -> list[PoolMember]:
        call = await load_call(session, call_id)
        require_team(identity, call, write=False)
        loads = await call_loads(session, call_id)
        done = await submitted_counts(session, call_id)
        return [
            PoolMember(evaluator=evaluator_view(e), capacity=capacity,
                       assigned=loads.get(e.account_id, 0), submitted=done.get(e.account_id, 0))
            for e, capacity in await pool_of(session, call_id)
        ]  # fmt: skip

    @put("/pool/{account_id:str}")
    async def set_member(
        self, session: AsyncSession, identity: Identity, call_id: str, account_id: str,
        data: PoolMemberSet,
    ) -> PoolMember:  # fmt: skip
        """Adds the evaluator to the pool or changes their capacity for this call."""
        call = await load_call(session, call_id, lock=True)
        require_team(identity, call, write=True)
        refuse_if_published(call)
        evaluator = await session.get(EvaluatorRow, account_id)
        load = (await call_loads(session, call_id)).get(account_id, 0)
        require(pool_member_errors(known=evaluator is not None,
                                   active=evaluator is not None and evaluator.active,
                                   capacity=data.capacity, load=load))  # fmt: skip
        assert evaluator is not None
        member = await session.get(PoolMemberRow, (call_id, account_id))
        if member is None:
            session.add(PoolMemberRow(call_id=call_id, account_id=account_id,
                                      capacity=data.capacity))  # fmt: skip
        else:
            member.capacity = data.capacity
        await session.commit()
        done = (await submitted_counts(session, call_id)).get(account_id, 0)
        return PoolMember(evaluator=evaluator_view(evaluator), capacity=data.capacity,
                          assigned=load, submitted=done)  # fmt: skip

    @delete("/pool/{account_id:str}", status_code=200)
    async def remove_member(
        self, session: AsyncSession, identity: Identity, call_id: str, account_id: str
    ) -> AssignmentReport:
        """Their unfinished assignments in this call go to others; submitted ones stay."""
        call = await load_call(session, call_id, lock=True)
        require_team(identity, call, write=True)
        refuse_if_published(call)
        member = await session.get(PoolMemberRow, (call_id, account_id))
        if member is None:
            raise NotFound(f"Evaluator {account_id} is not in this call's pool.")
        await session.delete(member)
        await session.flush()
        if call.status == "in_evaluation":
            report = await assign(session, call)
        else:
            applications = await eligible_applications(session, call_id, lock=False)
            report = nothing_assigned(call, len(applications), len(await pool_of(session, call_id)))
        await session.commit()
        return report

    @post("/repair", status_code=200)
    async def repair(
        self, session: AsyncSession, identity: Identity, call_id: str
    ) -> AssignmentReport:
        """Runs the automatic assignment again: fills shortfalls, keeps what is assigned."""
        call = await load_call(session, call_id, lock=True)
        require_team(identity, call, write=True)
        refuse_if_published(call)
        if call.status != "in_evaluation":
            raise Conflict("Nothing is assigned yet: assign evaluators once the call has closed.")
        report = await assign(session, call)
        await session.commit()
        return report

    @get("/matrix")
    async def matrix(
        self, session: AsyncSession, identity: Identity, call_id: str
    ) -> AssignmentMatrix:
        call = await load_call(session, call_id)
        require_team(identity, call, write=False)
        applications = await eligible_applications(session, call_id, lock=False)
        members = await pool_of(session, call_id)
        pool = [pool_candidate(e, capacity) for e, capacity in members]
        loads = await call_loads(session, call_id)
        declared = await declared_conflicts(session, applications)
        names = dict((await session.execute(
            select(EvaluatorRow.account_id, EvaluatorRow.name)
        )).all())  # fmt: skip
        cells: dict[str, list[MatrixCell]] = defaultdict(list)
        for row, status in await session.execute(
            select(AssignmentRow, EvaluationRow.status)
            .outerjoin(EvaluationRow, EvaluationRow.assignment_id == AssignmentRow.id)
            .where(AssignmentRow.call_id == call_id, AssignmentRow.active)
            .order_by(AssignmentRow.created_at, AssignmentRow.id)
        ):  # fmt: skip
            cells[row.application_id].append(MatrixCell(
                assignment_id=str(row.id), evaluator_id=row.evaluator_id,
                evaluator_name=names.get(row.evaluator_id, row.evaluator_id),
                status=status or "not_started",
            ))  # fmt: skip
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
            if call.status == "in_evaluation" and len(held) < needed:
                short = shortfall_reason(assigned=len(held), needed=needed, pool=len(pool),
                                         conflicted=sum(1 for c in pool if c.id in conflicts),
                                         full=full)  # fmt: skip
            lines.append(MatrixApplication(
                application_id=app.application_id,
                title=application_title(form, app.answers, app.application_id),
                organisation=str(app.organisation.get("name", "")) or None,
                country=app.country, hub=app.hub, assignments=held,
                conflicts=[MatrixConflict(evaluator_id=e, evaluator_name=names.get(e, e),
                                          reason=why) for e, why in sorted(conflicts.items())],
                shortfall=short,
            ))  # fmt: skip
        return AssignmentMatrix(
            call_id=call_id,
            evaluators=[MatrixEvaluator(account_id=e.account_id, name=e.name, capacity=capacity,
                                        load=loads.get(e.account_id, 0))
                        for e, capacity in members],
            applications=lines,
        )  # fmt: skip


@post("/assignments/{assignment_id:str}/move", status_code=200)
async def move_assignment(
    session: AsyncSession, identity: Identity, assignment_id: str, data: AssignmentMove
) -> MatrixCell:
    """The team hands one assignment to another evaluator of the call's pool, under the same
    hard rules as the automatic assignment."""
    identity.require_admin()
    try:
        key: uuid.UUID | None = uuid.UUID(assignment_id)
    except ValueError:
        key = None
    found = await session.get(AssignmentRow, key) if key else None
    if found is None or not found.active:
        raise NotFound(f"There is no assignment {assignment_id}.")
    call = await load_call(session, found.call_id, lock=True)
    refuse_if_published(call)
    row = await session.get(AssignmentRow, found.id, with_for_update=True, populate_existing=True)
    if row is None or not row.active:  # moved or withdrawn while we waited for the lock
        raise NotFound(f"There is no assignment {assignment_id}.")
    app = await session.get(ApplicationCopy, row.application_id)
    assert app is not None
    evaluation = await session.get(EvaluationRow, row.id)
    target = await session.get(EvaluatorRow, data.to_evaluator)
    member = await session.get(PoolMemberRow, (call.call_id, data.to_evaluator))
    candidate = (
        pool_candidate(target, member.capacity)
        if target is not None and target.active and member is not None
        else None
    )
    holders = await session.scalars(
        select(AssignmentRow.evaluator_id)
        .where(AssignmentRow.application_id == row.application_id, AssignmentRow.active)
    )  # fmt: skip
    refusal = move_refusal(
        submitted=evaluation is not None and evaluation.status == "submitted",
        target=MoveTarget(
            name=target.name if target else f"Evaluator {data.to_evaluator}",
            candidate=candidate,
            load=(await call_loads(session, call.call_id)).get(data.to_evaluator, 0),
        ),
        app=applicant_of(app), holders=list(holders),
        declared=await declared_conflicts(session, [app]),
    )  # fmt: skip
    if refusal is not None:
        raise refusal
    assert target is not None
    row.active = False
    row.removed_reason = f"moved to {target.name} by the programme team"
    [moved] = await place(session, call.call_id, [(row.application_id, target.account_id)])
    await session.flush()
    title = application_title(form_of(call), app.answers, app.application_id)
    await announce(session, events.AssignmentMovedAway, row, title)
    await announce_assigned(session, moved, call, title)
    earlier = await session.get(EvaluationRow, moved.id)
    cell = MatrixCell(assignment_id=str(moved.id), evaluator_id=target.account_id,
                      evaluator_name=target.name,
                      status=earlier.status if earlier else "not_started")  # fmt: skip
    await session.commit()
    return cell
