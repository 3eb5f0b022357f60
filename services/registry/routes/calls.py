"""Open calls: read, drafted, changed, cloned, published and moved through evaluation."""

from __future__ import annotations

from litestar import get, patch, post
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.queries import parse_ids
from services.registry.usecases import calls as cases
from shared.api import registry as api
from shared.call_status import CallStatus
from shared.clock import Clock
from shared.identity import Identity
from shared.web import READS_ONLY


@get(api.CALLS.path, opt=READS_ONLY)
async def calls(
    session: AsyncSession, identity: Identity, clock: Clock, ids: str | None = None,
    status: CallStatus | None = None, hub: str | None = None,
) -> list[api.Call]:  # fmt: skip
    return await cases.calls(session, identity, clock(), ids=parse_ids(ids), status=status, hub=hub)


@get(api.GET_CALL.path, opt=READS_ONLY)
async def get_call(
    session: AsyncSession, identity: Identity, clock: Clock, call_id: str
) -> api.Call:
    return await cases.get_call(session, identity, clock(), call_id)


@post(api.CREATE_CALL.path)
async def create_call(
    session: AsyncSession, identity: Identity, clock: Clock, data: api.CallCreate
) -> api.Call:
    return await cases.create_call(session, identity, clock(), data)


@post(api.CLONE_CALL.path)
async def clone_call(
    session: AsyncSession, identity: Identity, clock: Clock, call_id: str
) -> api.Call:
    return await cases.clone_call(session, identity, clock(), call_id)


@patch(api.UPDATE_CALL.path)
async def update_call(
    session: AsyncSession, identity: Identity, clock: Clock, call_id: str, data: api.CallUpdate
) -> api.Call:
    return await cases.update_call(session, identity, clock(), call_id, data)


@post(api.PUBLISH_CALL.path)
async def publish_call(
    session: AsyncSession, identity: Identity, clock: Clock, call_id: str
) -> api.Call:
    return await cases.publish_call(session, identity, clock(), call_id)


@post(api.TRANSITION_CALL.path)
async def transition_call(
    session: AsyncSession, identity: Identity, clock: Clock, call_id: str,
    data: api.CallTransition,
) -> api.Call:  # fmt: skip
    return await cases.transition_call(session, identity, clock(), call_id, data.status)
