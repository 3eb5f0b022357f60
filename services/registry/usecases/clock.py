"""The call clock: `call.opened` and `call.closed` published at their instants.

Each due call is taken with FOR UPDATE SKIP LOCKED and its state change and event are written
in one transaction, so with any number of registry replicas every announcement happens once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.registry import queries
from services.registry.models import OutboxEvent
from shared.call_status import CallStatus
from shared.clock import Clock
from shared.contracts import registry as events
from shared.outbox import record_event

log = logging.getLogger(__name__)


async def announce_due_calls(
    session_factory: async_sessionmaker[AsyncSession], now: datetime
) -> tuple[int, int]:
    """Publish `call.opened` and `call.closed` for every call whose instant has come."""
    async with session_factory() as session, session.begin():
        to_open = await queries.calls_to_open(session, now)
        for row in to_open:
            row.opened_announced_at = now
            opened = events.CallOpened(
                call_id=str(row.id), opens_at=row.opens_at, closes_at=row.closes_at
            )
            await record_event(session, OutboxEvent, opened)
        to_close = await queries.calls_to_close(session, now)
        for row in to_close:
            row.status = CallStatus.CLOSED
            closed = events.CallClosed(call_id=str(row.id), closes_at=row.closes_at)
            await record_event(session, OutboxEvent, closed)
    return len(to_open), len(to_close)


async def announce_now(session_factory: async_sessionmaker[AsyncSession], clock: Clock) -> None:
    opened, closed = await announce_due_calls(session_factory, clock())
    if opened or closed:
        log.info("scheduler: %s call(s) opened, %s closed", opened, closed)
