"""What intake consumes: the registry's call lifecycle, kept as `call_window` rows."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.models import CallWindow, ProcessedEvent
from shared.consumer import EventConsumer
from shared.contracts import registry as registry_events
from shared.events import Envelope
from shared.web import Runtime


async def on_call_published(
    session: AsyncSession, _: Envelope, event: registry_events.CallPublished
) -> None:
    values = {
        "title": event.title, "hubs": event.hubs, "opens_at": event.opens_at,
        "closes_at": event.closes_at, "status": "published",
    }  # fmt: skip
    await session.execute(
        insert(CallWindow)
        .values(call_id=event.call_id, **values)
        .on_conflict_do_update(index_elements=[CallWindow.call_id], set_=values)
    )


async def on_call_closed(
    session: AsyncSession, _: Envelope, event: registry_events.CallClosed
) -> None:
    window = await session.get(CallWindow, event.call_id, with_for_update=True)
    if window is not None:
        window.status = "closed"


async def on_call_status_changed(
    session: AsyncSession, _: Envelope, event: registry_events.CallStatusChanged
) -> None:
    window = await session.get(CallWindow, event.call_id, with_for_update=True)
    if window is not None:
        window.status = event.status


def consumers(runtime: Runtime) -> list[EventConsumer]:
    return [
        EventConsumer(
            name="intake",
            nats=runtime.nats,
            session_factory=runtime.session_factory,
            processed_model=ProcessedEvent,
            handlers={
                registry_events.CallPublished: on_call_published,
                registry_events.CallClosed: on_call_closed,
                registry_events.CallStatusChanged: on_call_status_changed,
            },
        )
    ]
