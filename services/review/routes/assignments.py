"""An evaluator's assignments; the team hands one to another evaluator."""

from __future__ import annotations

from litestar import get, post
from sqlalchemy.ext.asyncio import AsyncSession

from services.review.usecases import assignments
from shared.api import review as api
from shared.api.review import Assignment, AssignmentMove, MatrixCell
from shared.identity import Identity
from shared.web import Runtime


@get(api.MY_ASSIGNMENTS.path)
async def my_assignments(session: AsyncSession, identity: Identity) -> list[Assignment]:
    return await assignments.my_assignments(session, identity)


@get(api.ASSIGNMENT.path)
async def assignment(
    session: AsyncSession, identity: Identity, runtime: Runtime, assignment_id: str
) -> Assignment:
    secret = runtime.settings.internal_secret
    return await assignments.assignment(session, identity, assignment_id, secret)


@post(api.MOVE_ASSIGNMENT.path, status_code=200)
async def move_assignment(
    session: AsyncSession, identity: Identity, assignment_id: str, data: AssignmentMove
) -> MatrixCell:
    return await assignments.move_assignment(session, identity, assignment_id, data)


ROUTES = [my_assignments, assignment, move_assignment]
