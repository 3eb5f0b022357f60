"""Every persistence query of review: what its use cases read, lock and change, in one place."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, any_, func, literal, select, true, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.review.models import (
    ApplicationCopy,
    AssignmentRow,
    ConflictRow,
    EvaluationRow,
    EvaluatorRow,
    KnownCall,
    ModerationRow,
    PoolMemberRow,
)
from shared.api.intake import Eligibility
from shared.api.registry import Rubric
from shared.api.review import EvaluationStatus
from shared.call_status import CallStatus
from shared.db import locked_or_created, table_of

SUBMITTED = EvaluationRow.status == EvaluationStatus.SUBMITTED
# The content's facts that queries read in SQL.
ORGANISATION_NAME = func.coalesce(ApplicationCopy.content["organisation"]["name"].astext, "")
REQUESTED_AMOUNT = ApplicationCopy.content["requested_amount"].astext.cast(Float)
ANSWERS = ApplicationCopy.content["answers"]

# ---- calls and applications, as the events built them -------------------------------------


async def save_call_terms(session: AsyncSession, call_id: str, terms: dict[str, Any]) -> None:
    """The call's terms; its status stays as it is (a later one may have overtaken them)."""
    upsert = insert(KnownCall).values(call_id=call_id, status=CallStatus.PUBLISHED, **terms)
    await session.execute(upsert.on_conflict_do_update(index_elements=["call_id"], set_=terms))


async def locked_call_or_stub(session: AsyncSession, call_id: str, status: CallStatus) -> KnownCall:
    """A call not yet published here keeps its status on a stub row until it is."""
    return await locked_or_created(
        session, KnownCall, call_id=call_id, title="", hub=None, hubs=[], budget=0.0,
        rubric={}, evaluators_per_application=0, blind=False, status=status, terms_known=False,
    )  # fmt: skip


# A version as the copy (values: the application id and SNAPSHOT_FIELDS), built once: new, or
# newer than the one stored (withdrawal and eligibility stay; an older one changes nothing).
SNAPSHOT_FIELDS = ("call_id", "version", "submitted_at", "applicant_id", "applicant_email",
                   "content", "attachments", "country", "hub", "value_chains")  # fmt: skip
_COPIES = table_of(ApplicationCopy)
_NEW_COPY = insert(_COPIES).values(withdrawn=False, eligibility=Eligibility.PENDING)
STORE_SNAPSHOT = _NEW_COPY.on_conflict_do_update(
    index_elements=[_COPIES.c.application_id],
    where=_COPIES.c.version < _NEW_COPY.excluded.version,
    set_={key: _NEW_COPY.excluded[key] for key in SNAPSHOT_FIELDS})  # fmt: skip


async def locked_copy(session: AsyncSession, application_id: str, call_id: str) -> ApplicationCopy:
    """The row to update, created empty when this is the first thing heard of it."""
    return await locked_or_created(
        session, ApplicationCopy, application_id=application_id,
        call_id=call_id, version=0, content={}, attachments=[], value_chains=[],
        withdrawn=False, eligibility=Eligibility.PENDING,
    )  # fmt: skip


async def copies_of_applicant(
    session: AsyncSession, account_id: str, *, lock: bool = False
) -> Sequence[ApplicationCopy]:
    query = select(ApplicationCopy).where(ApplicationCopy.applicant_id == account_id)
    return (await session.scalars(query.with_for_update() if lock else query)).all()


async def copies_with_calls(
    session: AsyncSession, account_id: str
) -> Sequence[tuple[ApplicationCopy, KnownCall | None]]:
    rows = await session.execute(
        select(ApplicationCopy, KnownCall)
        .outerjoin(KnownCall, KnownCall.call_id == ApplicationCopy.call_id)
        .where(ApplicationCopy.applicant_id == account_id)
        .order_by(ApplicationCopy.submitted_at, ApplicationCopy.application_id)
    )
    return [(app, call) for app, call in rows]


async def eligible_applications(
    session: AsyncSession, call_id: str, *, lock: bool = True
) -> list[ApplicationCopy]:
    """Share-locked: a withdrawal arriving meanwhile waits for the assignment to commit (and
    then deactivates what it made), or the assignment waits for it and leaves it out."""
    query = select(ApplicationCopy).where(
        ApplicationCopy.call_id == call_id, ApplicationCopy.eligibility == Eligibility.ELIGIBLE,
        ApplicationCopy.withdrawn.is_(False), ApplicationCopy.version > 0,
    )  # fmt: skip
    return list(await session.scalars(query.with_for_update(read=True) if lock else query))


async def answers_of(session: AsyncSession, application_ids: Any) -> dict[str, dict[str, Any]]:
    return dict((await session.execute(
        select(ApplicationCopy.application_id, ANSWERS)
        .where(ApplicationCopy.application_id.in_(application_ids))
    )).all())  # fmt: skip


def hub_applications(call_id: str, hub: str) -> Any:
    """The ids of a call's applications from one hub, as a subquery."""
    app = ApplicationCopy
    return select(app.application_id).where(app.call_id == call_id, app.hub == hub)


async def ranking_lines(session: AsyncSession, call_id: str) -> list[tuple[Any, ...]]:
    """(id, eligibility, requested, submitted at, organisation) of each one ranked."""
    rows = await session.execute(
        select(ApplicationCopy.application_id, ApplicationCopy.eligibility, REQUESTED_AMOUNT,
               ApplicationCopy.submitted_at, ORGANISATION_NAME)
        .where(ApplicationCopy.call_id == call_id, ApplicationCopy.withdrawn.is_(False),
               ApplicationCopy.version > 0)
    )  # fmt: skip
    return [tuple(row) for row in rows]


# ---- evaluators, pools and conflicts -----------------------------------------------------


async def evaluators(
    session: AsyncSession, expertise: str | None, hub: str | None
) -> Sequence[EvaluatorRow]:
    query = select(EvaluatorRow).order_by(EvaluatorRow.name, EvaluatorRow.account_id)
    if expertise:
        query = query.where(literal(expertise) == any_(EvaluatorRow.expertise))
    if hub:
        query = query.where(literal(hub) == any_(EvaluatorRow.hubs))
    return (await session.scalars(query)).all()


async def evaluator_names(session: AsyncSession) -> dict[str, str]:
    return dict((await session.execute(select(EvaluatorRow.account_id, EvaluatorRow.name))).all())


async def pool_of(session: AsyncSession, call_id: str) -> list[tuple[EvaluatorRow, int]]:
    """The call's pool as assignment draws on it: its members still in the programme, each
    with their capacity for this call."""
    rows = await session.execute(
        select(EvaluatorRow, PoolMemberRow.capacity)
        .join(PoolMemberRow, PoolMemberRow.account_id == EvaluatorRow.account_id)
        .where(PoolMemberRow.call_id == call_id, EvaluatorRow.active)
        .order_by(EvaluatorRow.name, EvaluatorRow.account_id)
    )
    return [(evaluator, capacity) for evaluator, capacity in rows]


async def conflicts(
    session: AsyncSession, evaluator_id: str | None = None
) -> Sequence[ConflictRow]:
    """Every declared conflict (or one evaluator's), in the order they were declared."""
    query = select(ConflictRow).order_by(ConflictRow.declared_at, ConflictRow.id)
    if evaluator_id:
        query = query.where(ConflictRow.evaluator_id == evaluator_id)
    return (await session.scalars(query)).all()


async def erase_conflict_reasons(session: AsyncSession, evaluator_id: str, reason: str) -> None:
    await session.execute(
        update(ConflictRow).where(ConflictRow.evaluator_id == evaluator_id).values(reason=reason)
    )


async def judged_by(session: AsyncSession, evaluator_id: str) -> list[tuple[str, str]]:
    """(application id, organisation name) of each evaluation the evaluator submitted."""
    rows = await session.execute(
        select(ApplicationCopy.application_id, ORGANISATION_NAME)
        .join(AssignmentRow, AssignmentRow.application_id == ApplicationCopy.application_id)
        .join(EvaluationRow, EvaluationRow.assignment_id == AssignmentRow.id)
        .where(AssignmentRow.evaluator_id == evaluator_id, SUBMITTED)
    )
    return [(app_id, organisation) for app_id, organisation in rows]


# ---- assignments -------------------------------------------------------------------------


async def call_loads(
    session: AsyncSession, call_id: str, *, submitted: bool = False, within: Any = None
) -> dict[str, int]:
    """Active assignments per evaluator in this call (a pool's capacity counts only these);
    `submitted`: only those whose evaluation is submitted; `within`: of these applications."""
    query = select(AssignmentRow.evaluator_id, func.count()).where(
        AssignmentRow.active, AssignmentRow.call_id == call_id,
        true() if within is None else AssignmentRow.application_id.in_(within),
    )  # fmt: skip
    if submitted:
        query = query.join(EvaluationRow, EvaluationRow.assignment_id == AssignmentRow.id).where(
            SUBMITTED
        )
    return dict((await session.execute(query.group_by(AssignmentRow.evaluator_id))).all())


async def locked_active_assignments(session: AsyncSession, call_id: str) -> list[AssignmentRow]:
    return list(await session.scalars(
        select(AssignmentRow).where(AssignmentRow.call_id == call_id, AssignmentRow.active)
        .with_for_update()
    ))  # fmt: skip


async def submitted_assignment_ids(session: AsyncSession) -> set[uuid.UUID]:
    return set(await session.scalars(select(EvaluationRow.assignment_id).where(SUBMITTED)))


async def dropped_assignments(
    session: AsyncSession, call_id: str
) -> dict[tuple[str, str], AssignmentRow]:
    """The call's inactive assignments by (application, evaluator)."""
    rows = await session.scalars(
        select(AssignmentRow).where(AssignmentRow.call_id == call_id,
                                    AssignmentRow.active.is_(False))
    )  # fmt: skip
    return {(r.application_id, r.evaluator_id): r for r in rows}


async def holders_of(session: AsyncSession, application_id: str) -> list[str]:
    return list(await session.scalars(
        select(AssignmentRow.evaluator_id)
        .where(AssignmentRow.application_id == application_id, AssignmentRow.active)
    ))  # fmt: skip


async def calls_assigned_to(
    session: AsyncSession, evaluator_id: str, application_id: str | None
) -> list[str]:
    """Where the evaluator holds active work (on `application_id`), sorted to lock in order."""
    query = select(AssignmentRow.call_id).where(
        AssignmentRow.evaluator_id == evaluator_id, AssignmentRow.active
    )
    if application_id:
        query = query.where(AssignmentRow.application_id == application_id)
    return sorted(set(await session.scalars(query)))


async def deactivate_assignments(session: AsyncSession, application_id: str, reason: str) -> None:
    await session.execute(
        update(AssignmentRow)
        .where(AssignmentRow.application_id == application_id, AssignmentRow.active)
        .values(active=False, removed_reason=reason)
    )


async def assignments_of(session: AsyncSession, evaluator_id: str) -> list[tuple[Any, ...]]:
    """(assignment, call, evaluation or None, answers) of each active assignment."""
    rows = await session.execute(
        select(AssignmentRow, KnownCall, EvaluationRow, ANSWERS)
        .join(KnownCall, KnownCall.call_id == AssignmentRow.call_id)
        .join(ApplicationCopy, ApplicationCopy.application_id == AssignmentRow.application_id)
        .outerjoin(EvaluationRow, EvaluationRow.assignment_id == AssignmentRow.id)
        .where(AssignmentRow.evaluator_id == evaluator_id, AssignmentRow.active)
        .order_by(AssignmentRow.created_at, AssignmentRow.id)
    )
    return [tuple(row) for row in rows]


async def matrix_cells(
    session: AsyncSession, call_id: str
) -> list[tuple[AssignmentRow, EvaluationStatus | None]]:
    rows = await session.execute(
        select(AssignmentRow, EvaluationRow.status)
        .outerjoin(EvaluationRow, EvaluationRow.assignment_id == AssignmentRow.id)
        .where(AssignmentRow.call_id == call_id, AssignmentRow.active)
        .order_by(AssignmentRow.created_at, AssignmentRow.id)
    )
    return [(row, status) for row, status in rows]


# ---- evaluations, consensus and moderation -----------------------------------------------


async def evaluation_summaries(
    session: AsyncSession, rubric: Rubric, where: ColumnElement[bool]
) -> list[tuple[Any, ...]]:
    """Per application (of those `where` selects), in one query: its active assignments, its
    submitted evaluations and each criterion's submitted scores as plain float arrays (no
    JSON to decode per evaluation, no sort per group)."""
    columns = [
        func.array_agg(EvaluationRow.scores[c.key].astext.cast(Float)).filter(
            SUBMITTED, EvaluationRow.scores.has_key(c.key)
        )
        for c in rubric.criteria
    ]
    rows = await session.execute(
        select(AssignmentRow.application_id, func.count(AssignmentRow.id),
               func.count(EvaluationRow.assignment_id).filter(SUBMITTED), *columns)
        .outerjoin(EvaluationRow, EvaluationRow.assignment_id == AssignmentRow.id)
        .where(where, AssignmentRow.active)
        .group_by(AssignmentRow.application_id)
    )  # fmt: skip
    return [tuple(row) for row in rows]


async def moderations_in(
    session: AsyncSession, call_id: str, among: ColumnElement[bool] | None = None
) -> Sequence[ModerationRow]:
    """`among`: a condition on the application id (all the call's when None)."""
    return (await session.scalars(
        select(ModerationRow)
        .join(ApplicationCopy, ApplicationCopy.application_id == ModerationRow.application_id)
        .where(ApplicationCopy.call_id == call_id, true() if among is None else among)
    )).all()  # fmt: skip


async def evaluation_totals(session: AsyncSession, where: list[Any]) -> tuple[int, int]:
    """(active assignments, submitted evaluations) among those `where` selects."""
    assigned, submitted = (await session.execute(
        select(func.count(AssignmentRow.id), func.count(EvaluationRow.assignment_id).filter(SUBMITTED))
        .outerjoin(EvaluationRow, EvaluationRow.assignment_id == AssignmentRow.id)
        .where(*where)
    )).one()  # fmt: skip
    return assigned, submitted


async def submitted_evaluations(
    session: AsyncSession, application_ids: Any
) -> list[tuple[str, dict[str, float], dict[str, str]]]:
    """(application, scores, comments) in the order they were submitted."""
    rows = await session.execute(
        select(AssignmentRow.application_id, EvaluationRow.scores, EvaluationRow.comments)
        .join(EvaluationRow, EvaluationRow.assignment_id == AssignmentRow.id)
        .where(AssignmentRow.application_id.in_(application_ids), AssignmentRow.active,
               SUBMITTED)
        .order_by(EvaluationRow.submitted_at, AssignmentRow.id)
    )  # fmt: skip
    return [(app_id, scores, comments) for app_id, scores, comments in rows]


async def submitted_in_call(
    session: AsyncSession, call_id: str
) -> list[tuple[str, str, dict[str, float], dict[str, str], datetime | None]]:
    """(evaluator, application, scores, comments, submitted at), by application and time."""
    rows = await session.execute(
        select(AssignmentRow.evaluator_id, AssignmentRow.application_id, EvaluationRow.scores,
               EvaluationRow.comments, EvaluationRow.submitted_at)
        .join(EvaluationRow, EvaluationRow.assignment_id == AssignmentRow.id)
        .where(AssignmentRow.call_id == call_id, SUBMITTED)
        .order_by(AssignmentRow.application_id, EvaluationRow.submitted_at)
    )  # fmt: skip
    return [tuple(row) for row in rows]  # type: ignore[misc]
