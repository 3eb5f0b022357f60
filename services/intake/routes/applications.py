"""HTTP handlers of an applicant's applications: parse, call the use case, answer."""

from __future__ import annotations

from litestar import get, patch, post
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.usecases import applications
from shared.api import intake as api
from shared.clock import Clock
from shared.identity import Identity
from shared.web import READS_ONLY


@post(api.START.path)
async def start(
    session: AsyncSession, identity: Identity, clock: Clock, data: api.ApplicationStart
) -> api.Application:
    return await applications.start(session, identity, clock(), data.call_id)


@get(api.MINE.path, opt=READS_ONLY)
async def mine(session: AsyncSession, identity: Identity) -> list[api.Application]:
    return await applications.mine(session, identity)


@get(api.READ.path, opt=READS_ONLY)
async def read(session: AsyncSession, identity: Identity, application_id: str) -> api.Application:
    return await applications.read(session, identity, application_id)


@patch(api.SAVE.path)
async def save(
    session: AsyncSession, identity: Identity, clock: Clock, application_id: str,
    data: api.ApplicationUpdate,
) -> api.Application:  # fmt: skip
    return await applications.save(session, identity, clock(), application_id, data)


@post(api.SUBMIT.path)
async def submit(
    session: AsyncSession, identity: Identity, clock: Clock, application_id: str,
    data: api.SubmitRequest,
) -> api.SubmitResult:  # fmt: skip
    return await applications.submit(
        session, identity, clock(), application_id, data.idempotency_key
    )


@post(api.WITHDRAW.path)
async def withdraw(
    session: AsyncSession, identity: Identity, clock: Clock, application_id: str
) -> api.Application:
    return await applications.withdraw(session, identity, clock(), application_id)


ROUTES = [start, mine, read, save, submit, withdraw]
