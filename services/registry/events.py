"""What the registry publishes on its own clock (calls opening and closing) and what it
consumes (review's progress, which moves a call through evaluation to results).

Each due call is taken with FOR UPDATE SKIP LOCKED and its state change and event are written
in one transaction, so with any number of registry replicas every announcement happens once.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.registry.domain.calls import transition_error
from services.registry.models import CallRow, OutboxEvent
from shared.api.registry import CallStatus
from shared.clock import Clock
from shared.consumer import Handler
from shared.contracts import registry as events
from shared.contracts import review as review_events
from shared.events import Envelope, EventContract
from shared.outbox import record_event

log = logging.getLogger(__name__)


async def announce_due_calls(
    session_factory: async_sessionmaker[AsyncSession], now: datetime
) -> tuple[int, int]:
    """Publish `call.opened` and `call.closed` for every call whose instant has come."""
    opened = closed = 0
    async with session_factory() as session, session.begin():
        published = CallRow.status == CallStatus.PUBLISHED.value
        to_open = await session.scalars(
            select(CallRow)
            .where(published, CallRow.opened_announced_at.is_(None), CallRow.opens_at <= now)
            .with_for_update(skip_locked=True)
        )
        for row in to_open:
            row.opened_announced_at = now
            await record_event(
                session,
                OutboxEvent,
                events.CallOpened(
                    call_id=str(row.id), opens_at=row.opens_at, closes_at=row.closes_at
                ),
            )
            opened += 1
        to_close = await session.scalars(
            select(CallRow)
            .where(published, CallRow.opened_announced_at.is_not(None), CallRow.closes_at <= now)
            .with_for_update(skip_locked=True)
        )
        for row in to_close:
            row.status = CallStatus.CLOSED.value
            await record_event(
                session,
                OutboxEvent,
                events.CallClosed(call_id=str(row.id), closes_at=row.closes_at),
            )
            closed += 1
    return opened, closed


async def announce_now(session_factory: async_sessionmaker[AsyncSession], clock: Clock) -> None:
    opened, closed = await announce_due_calls(session_factory, clock())
    if opened or closed:
        log.info("scheduler: %s call(s) opened, %s closed", opened, closed)


async def on_evaluation_started(
    session: AsyncSession, _: Envelope, event: review_events.EvaluationStarted
) -> None:
    await move_call(session, event.call_id, CallStatus.IN_EVALUATION)


async def on_results_published(
    session: AsyncSession, _: Envelope, event: review_events.ResultsPublished
) -> None:
    await move_call(session, event.call_id, CallStatus.IN_EVALUATION)
    await move_call(session, event.call_id, CallStatus.RESULTS_PUBLISHED)


async def move_call(session: AsyncSession, call_id: str, status: CallStatus) -> None:
    """Follow review's progress through the lifecycle; a step already taken is skipped."""
    try:
        key = uuid.UUID(call_id)
    except ValueError:
        return
    row = await session.get(CallRow, key, with_for_update=True)
    if row is None or transition_error(CallStatus(row.status), status):
        return
    previous, row.status = row.status, status.value
    await record_event(session, OutboxEvent, status_changed(row, previous))


def status_changed(row: CallRow, previous: str) -> events.CallStatusChanged:
    """With the results the retention period is final: intake counts it from then."""
    final = row.retention_days if row.status == CallStatus.RESULTS_PUBLISHED.value else None
    return events.CallStatusChanged(
        call_id=str(row.id), previous=previous, status=row.status, retention_days=final
    )


# What this service consumes; shared.web runs them as one durable consumer named "registry".
HANDLERS: dict[type[EventContract], Handler] = {
    review_events.EvaluationStarted: on_evaluation_started,
    review_events.ResultsPublished: on_results_published,
}
