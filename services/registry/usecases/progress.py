"""A call follows review's progress through the lifecycle (evaluation started, results
published), by the one forward-only rule."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import events
from services.registry.models import CallRow, OutboxEvent
from shared.call_status import CallStatus, transition_error
from shared.outbox import record_event


async def move_call(session: AsyncSession, call_id: str, status: CallStatus) -> None:
    """Follow review's progress through the lifecycle; a step already taken is skipped."""
    try:
        key = uuid.UUID(call_id)
    except ValueError:
        return
    row = await session.get(CallRow, key, with_for_update=True)
    if row is None or transition_error(row.status, status):
        return
    previous, row.status = row.status, status
    await record_event(session, OutboxEvent, events.status_changed(row, previous))
