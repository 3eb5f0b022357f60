"""The registry's use cases: each owns its session's transaction and publishes via the outbox."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.models import OutboxEvent
from shared.events import EventContract
from shared.outbox import record_event


async def commit_with_event(session: AsyncSession, row: Any, event: EventContract) -> None:
    """The change and its event leave together: one transaction, event via the outbox."""
    await record_event(session, OutboxEvent, event)
    await session.commit()
    await session.refresh(row)


def apply_changes(row: Any, data: msgspec.Struct, names: tuple[str, ...]) -> None:
    """The fields of a partial update that were given (None keeps the value)."""
    for name in names:
        value = getattr(data, name)
        if value is not None:
            setattr(row, name, value)
