"""The calls review knows, copied from the registry's events, and a call as a use case loads
it. A copy's status only moves forward (shared.call_status.later_of), whatever the order the
events come in."""

from __future__ import annotations

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from services.review import queries
from services.review.models import KnownCall
from shared.api.registry import Form, Rubric
from shared.call_status import CallStatus, later_of, parse_status
from shared.contracts import registry as registry_events
from shared.errors import NotFound
from shared.events import Envelope
from shared.identity import Identity


def rubric_of(call: KnownCall) -> Rubric:
    return msgspec.convert(call.rubric, Rubric)


def form_of(call: KnownCall) -> Form:
    return msgspec.convert(call.form, Form)


async def load_call(session: AsyncSession, call_id: str, *, lock: bool = False) -> KnownCall:
    """Locked, the call serialises whatever changes its assignments or results."""
    call = await session.get(KnownCall, call_id, with_for_update=lock)
    if call is None or not call.terms_known:  # a stub knows a status, not the call
        # A call just published reaches review a moment later (its event): said so.
        raise NotFound(
            f"There is no call {call_id} to evaluate yet (a call published a moment ago takes "
            "a few seconds to arrive)."
        )
    return call


async def visible_applications(
    session: AsyncSession, identity: Identity, call: KnownCall
) -> set[str] | None:
    """The ids of the call's applications the viewer may see; None: every one."""
    hub = identity.hub_scope(call.hub)
    if hub is None:
        return None
    return set(await session.scalars(queries.hub_applications(call.call_id, hub)))


async def on_call_published(
    session: AsyncSession, _: Envelope, event: registry_events.CallPublished
) -> None:
    terms = {
        "title": event.title, "hub": event.hub, "hubs": event.hubs, "budget": event.budget,
        "rubric": msgspec.to_builtins(event.rubric),
        "evaluators_per_application": event.evaluators_per_application, "blind": event.blind,
        "terms_known": True, "timezone": event.timezone,
        "evaluation_deadline": event.evaluation_deadline,
        "form": msgspec.to_builtins(event.form),
    }  # fmt: skip
    await queries.save_call_terms(session, event.call_id, terms)


async def copy_status(session: AsyncSession, call_id: str, reported: str) -> None:
    """A status unknown here (from a newer registry) is ignored."""
    status = parse_status(reported)
    if status is None:
        return
    call = await queries.locked_call_or_stub(session, call_id, status)
    call.status = later_of(call.status, status)


async def on_call_status(
    session: AsyncSession, _: Envelope,
    event: registry_events.CallClosed | registry_events.CallStatusChanged,
) -> None:  # fmt: skip
    if isinstance(event, registry_events.CallClosed):
        await copy_status(session, event.call_id, CallStatus.CLOSED)
    else:
        await copy_status(session, event.call_id, event.status)
