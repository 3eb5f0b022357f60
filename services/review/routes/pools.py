"""A call's evaluator pool and the team's hand on its assignments."""

from __future__ import annotations

from litestar import delete, get, post, put
from sqlalchemy.ext.asyncio import AsyncSession

from services.review.usecases import pools
from shared.api import review as api
from shared.api.review import AssignmentMatrix, AssignmentReport, PoolMember, PoolMemberSet
from shared.identity import Identity


@post(api.ASSIGN_EVALUATORS.path)
async def assign_evaluators(
    session: AsyncSession, identity: Identity, call_id: str
) -> AssignmentReport:
    return await pools.assign_evaluators(session, identity, call_id)


@post(api.REPAIR_ASSIGNMENTS.path, status_code=200)
async def repair_assignments(
    session: AsyncSession, identity: Identity, call_id: str
) -> AssignmentReport:
    return await pools.repair_assignments(session, identity, call_id)


@get(api.CALL_POOL.path)
async def call_pool(session: AsyncSession, identity: Identity, call_id: str) -> list[PoolMember]:
    return await pools.call_pool(session, identity, call_id)


@put(api.SET_POOL_MEMBER.path)
async def set_pool_member(
    session: AsyncSession, identity: Identity, call_id: str, account_id: str,
    data: PoolMemberSet,
) -> PoolMember:  # fmt: skip
    return await pools.set_pool_member(session, identity, call_id, account_id, data)


@delete(api.REMOVE_POOL_MEMBER.path, status_code=200)
async def remove_pool_member(
    session: AsyncSession, identity: Identity, call_id: str, account_id: str
) -> AssignmentReport:
    return await pools.remove_pool_member(session, identity, call_id, account_id)


@get(api.ASSIGNMENT_MATRIX.path)
async def assignment_matrix(
    session: AsyncSession, identity: Identity, call_id: str
) -> AssignmentMatrix:
    return await pools.assignment_matrix(session, identity, call_id)


ROUTES = [
    assign_evaluators, repair_assignments, call_pool, set_pool_member, remove_pool_member,
    assignment_matrix,
]  # fmt: skip
