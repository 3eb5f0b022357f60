"""Assigning evaluators, and an evaluator's own assignments. Whatever changes a call's
assignments holds the call's lock; each evaluator who loses work or gets new work hears of it
through the outbox, in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from services.review import events, queries
from services.review.domain.assignments import Candidate, plan_assignments, same_organisation_name
from services.review.domain.pools import MoveTarget, dropped_reason, move_refusal, published_refusal
from services.review.models import (
    ApplicationCopy,
    AssignmentRow,
    EvaluationRow,
    EvaluatorRow,
    KnownCall,
    PoolMemberRow,
)
from services.review.usecases.applications import (
    applicant_of,
    email_domain,
    for_review,
    title_of,
    titles_of,
)
from services.review.usecases.calls import load_call, rubric_of
from shared.api.review import (
    ApplicationForReview,
    Assignment,
    AssignmentMove,
    AssignmentReport,
    Evaluation,
    EvaluationStatus,
    MatrixCell,
    Shortfall,
)
from shared.call_status import CallStatus
from shared.contracts import review as review_events
from shared.errors import Conflict, Forbidden, NotFound
from shared.identity import Identity, Role


def pool_candidate(row: EvaluatorRow, capacity: int) -> Candidate:
    """An evaluator as one call's assignment sees them: with their capacity for that call."""
    return Candidate(
        id=row.account_id, capacity=capacity, expertise=frozenset(row.expertise),
        hubs=frozenset(row.hubs), organisation=row.organisation,
        email_domain=email_domain(row.email),
    )  # fmt: skip


async def declared_conflicts(
    session: AsyncSession, applications: list[ApplicationCopy]
) -> dict[tuple[str, str], str]:
    """Declared conflicts by (application, evaluator) pair, organisation-wide ones expanded,
    each with the reason given."""
    pairs: dict[tuple[str, str], str] = {}
    for row in await queries.conflicts(session):
        if row.application_id:
            pairs.setdefault((row.application_id, row.evaluator_id), row.reason)
        if row.organisation:
            for app in applications:
                if same_organisation_name(row.organisation, applicant_of(app).organisation):
                    pairs.setdefault((app.application_id, row.evaluator_id), row.reason)
    return pairs


async def assign(session: AsyncSession, call: KnownCall) -> AssignmentReport:
    """Assign or top up: existing active assignments stay; conflicted ones that are not yet
    submitted are dropped first (the repair). The caller holds the call's lock, so two runs
    never both top up; the assignments are locked before reading which are submitted, so a
    submission under way is waited for and then kept, never dropped."""
    applications = await queries.eligible_applications(session, call.call_id)
    members = await queries.pool_of(session, call.call_id)
    conflicts = frozenset(await declared_conflicts(session, applications))
    active = await queries.locked_active_assignments(session, call.call_id)
    submitted = await queries.submitted_assignment_ids(session)
    in_pool = {e.account_id for e, _ in members}
    dropped = []
    for row in active:
        conflicted = (row.application_id, row.evaluator_id) in conflicts
        if (conflicted or row.evaluator_id not in in_pool) and row.id not in submitted:
            row.active, row.removed_reason = False, dropped_reason(conflicted=conflicted)
            dropped.append(row)
    kept = [(r.application_id, r.evaluator_id) for r in active if r.active]
    # Capacity is per call: the plan counts this call's assignments only (`kept`).
    pool = [pool_candidate(e, capacity) for e, capacity in members]
    plan = plan_assignments(
        [applicant_of(a) for a in applications], pool, call.evaluators_per_application,
        conflicts=conflicts, existing=kept,
    )  # fmt: skip
    placed = await place(session, call.call_id, plan.pairs)
    titles = titles_of(call, applications)
    await events.publish(session, *(
        events.assignment_event(review_events.AssignmentMovedAway, r, titles(r.application_id))
        for r in dropped
    ), *(events.assigned_event(r, call, titles(r.application_id)) for r in placed))  # fmt: skip
    loads = list(plan.loads.values()) or [0]
    return AssignmentReport(
        call_id=call.call_id, applications=len(applications),
        assigned=len(kept) + len(plan.pairs), evaluators=len(pool),
        min_load=min(loads), max_load=max(loads),
        shortfalls=[Shortfall(s.application_id, s.needed, s.assigned, s.reason)
                    for s in plan.shortfalls],
    )  # fmt: skip


async def place(
    session: AsyncSession, call_id: str, pairs: list[tuple[str, str]]
) -> list[AssignmentRow]:
    """The planned (application, evaluator) pairs as active assignments. A pair dropped
    earlier (its evaluator removed, then back) comes back as the same row."""
    previously = await queries.dropped_assignments(session, call_id)
    placed = []
    for app_id, evaluator_id in pairs:
        row = previously.get((app_id, evaluator_id))
        if row is None:
            # The id now: the assignment's event names it before the flush.
            row = AssignmentRow(id=uuid.uuid4(), call_id=call_id, application_id=app_id,
                                evaluator_id=evaluator_id)  # fmt: skip
            session.add(row)
        row.active, row.removed_reason = True, None
        placed.append(row)
    return placed


async def repair_calls(
    session: AsyncSession, *, evaluator_id: str, application_id: str | None = None
) -> list[AssignmentReport]:
    """Re-run assignment for the calls touched by a new conflict or a removed evaluator."""
    reports = []
    for call_id in await queries.calls_assigned_to(session, evaluator_id, application_id):
        call = await session.get(KnownCall, call_id, with_for_update=True)
        if call is not None and call.status is not CallStatus.RESULTS_PUBLISHED:
            reports.append(await assign(session, call))
    return reports


def evaluation_view(row: EvaluationRow | None) -> Evaluation:
    if row is None:
        return Evaluation(scores={}, comments={}, status=EvaluationStatus.NOT_STARTED,
                          submitted_at=None)  # fmt: skip
    return Evaluation(scores=dict(row.scores), comments=dict(row.comments), status=row.status,
                      submitted_at=row.submitted_at)  # fmt: skip


def assignment_view(
    row: AssignmentRow, call: KnownCall, answers: Mapping[str, object],
    evaluation: EvaluationRow | None, application: ApplicationForReview | None = None,
) -> Assignment:  # fmt: skip
    return Assignment(
        id=str(row.id), call_id=row.call_id, call_title=call.title,
        application_id=row.application_id, rubric=rubric_of(call),
        evaluation=evaluation_view(evaluation), application=application,
        application_title=title_of(call, answers, row.application_id),
        due_at=call.evaluation_deadline, call_timezone=call.timezone,
    )  # fmt: skip


async def require_evaluator(session: AsyncSession, identity: Identity) -> EvaluatorRow:
    account = identity.require_signed_in()
    if identity.role is not Role.EVALUATOR:
        raise Forbidden("Only evaluators score applications.")
    evaluator = await session.get(EvaluatorRow, account)
    if evaluator is None or not evaluator.active:
        raise Forbidden("You have no evaluator profile (yet).")
    return evaluator


async def mine(
    session: AsyncSession, identity: Identity, assignment_id: str, *, lock: bool = False
) -> tuple[AssignmentRow, EvaluatorRow]:
    """The caller's own active assignment."""
    evaluator = await require_evaluator(session, identity)
    try:
        key = uuid.UUID(assignment_id)
    except ValueError:
        key = None
    row = await session.get(AssignmentRow, key, with_for_update=lock) if key else None
    # Someone else's assignment reads exactly like a missing one.
    if row is None or row.evaluator_id != evaluator.account_id or not row.active:
        raise NotFound(f"There is no assignment {assignment_id}.")
    return row, evaluator


async def my_assignments(session: AsyncSession, identity: Identity) -> list[Assignment]:
    account = identity.require_signed_in()
    evaluator = await session.get(EvaluatorRow, account)
    if identity.role is not Role.EVALUATOR or evaluator is None or not evaluator.active:
        return []  # not (or no longer) an evaluator: nothing assigned
    rows = await queries.assignments_of(session, evaluator.account_id)
    return [assignment_view(a, c, answers, e) for a, c, e, answers in rows]


async def assignment(
    session: AsyncSession, identity: Identity, assignment_id: str, secret: str
) -> Assignment:
    """`secret` signs the grants that let intake hand this evaluator the files."""
    row, evaluator = await mine(session, identity, assignment_id)
    call = await load_call(session, row.call_id)
    app = await session.get(ApplicationCopy, row.application_id)
    assert app is not None
    evaluation = await session.get(EvaluationRow, row.id)
    application = for_review(app, call, evaluator.account_id, secret)
    return assignment_view(row, call, application.answers, evaluation, application)


async def move_target(
    session: AsyncSession, call: KnownCall, account_id: str
) -> tuple[EvaluatorRow | None, MoveTarget]:
    target = await session.get(EvaluatorRow, account_id)
    member = await session.get(PoolMemberRow, (call.call_id, account_id))
    candidate = (
        pool_candidate(target, member.capacity)
        if target is not None and target.active and member is not None
        else None
    )
    load = (await queries.call_loads(session, call.call_id)).get(account_id, 0)
    name = target.name if target else f"Evaluator {account_id}"
    return target, MoveTarget(name=name, candidate=candidate, load=load)


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
    if refusal := published_refusal(call.results_published_at is not None):
        raise Conflict(refusal)
    row = await session.get(AssignmentRow, found.id, with_for_update=True, populate_existing=True)
    if row is None or not row.active:  # moved or withdrawn while we waited for the lock
        raise NotFound(f"There is no assignment {assignment_id}.")
    app = await session.get(ApplicationCopy, row.application_id)
    assert app is not None
    evaluation = await session.get(EvaluationRow, row.id)
    target, seen = await move_target(session, call, data.to_evaluator)
    refused = move_refusal(
        submitted=evaluation is not None and evaluation.status is EvaluationStatus.SUBMITTED,
        target=seen, app=applicant_of(app), holders=await queries.holders_of(session, row.application_id),
        declared=await declared_conflicts(session, [app]),
    )  # fmt: skip
    if refused is not None:
        raise refused
    assert target is not None
    row.active = False
    row.removed_reason = f"moved to {target.name} by the programme team"
    [moved] = await place(session, call.call_id, [(row.application_id, target.account_id)])
    await session.flush()
    title = title_of(call, app.content.get("answers", {}), app.application_id)
    await events.publish(
        session, events.assignment_event(review_events.AssignmentMovedAway, row, title),
        events.assigned_event(moved, call, title),
    )  # fmt: skip
    earlier = await session.get(EvaluationRow, moved.id)
    cell = MatrixCell(assignment_id=str(moved.id), evaluator_id=target.account_id,
                      evaluator_name=target.name,
                      status=earlier.status if earlier else EvaluationStatus.NOT_STARTED)  # fmt: skip
    await session.commit()
    return cell
