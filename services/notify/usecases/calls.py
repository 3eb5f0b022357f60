"""Calls, from the registry's events: the terms notify writes about (title, dates, time zone,
form) and the status, which only moves forward whatever order its events come in
(shared.call_status.later_of)."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import queries
from services.notify.models import CallCopy
from shared.call_status import CallStatus, later_of, parse_status
from shared.consumer import NotReadyYet
from shared.contracts import registry
from shared.events import Envelope


async def known_call(session: AsyncSession, call_id: str) -> CallCopy:
    """The call whose terms have arrived; before that the event waits (NotReadyYet)."""
    call = await queries.call(session, call_id)
    if call is None or not call.terms_known:
        raise NotReadyYet(f"call {call_id}")
    return call


async def call_published(session: AsyncSession, _: Envelope, event: registry.CallPublished) -> None:
    values: dict[str, Any] = {
        "title": event.title, "hub": event.hub, "hubs": event.hubs, "opens_at": event.opens_at,
        "closes_at": event.closes_at, "timezone": event.timezone,
        "evaluation_deadline": event.evaluation_deadline,
        "form": msgspec.to_builtins(event.form), "terms_known": True,
    }  # fmt: skip
    await queries.upsert_call_terms(session, event.call_id, values)


async def move_status(session: AsyncSession, call_id: str, reported: CallStatus) -> None:
    call = await queries.locked_call(session, call_id, reported)
    call.status = later_of(call.status, reported)


async def call_closed(session: AsyncSession, _: Envelope, event: registry.CallClosed) -> None:
    await move_status(session, event.call_id, CallStatus.CLOSED)


async def call_status_changed(
    session: AsyncSession, _: Envelope, event: registry.CallStatusChanged
) -> None:
    """A status a newer registry names and this one does not know is ignored."""
    reported = parse_status(event.status)
    if reported is not None:
        await move_status(session, event.call_id, reported)
