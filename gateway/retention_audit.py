"""The gateway's audit record of what a service anonymises on its own clock: each application
a call's retention period anonymised (intake's `ApplicationAnonymised`, reason "retention")
becomes one entry, actor "system", written in the consumer's transaction so it is there
exactly once however often the event comes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.audit import Facts, append
from gateway.models import ProcessedEvent
from shared.consumer import EventConsumer
from shared.contracts import intake
from shared.events import Envelope
from shared.messaging import NatsLink

ACTION = "retention.anonymised"


async def on_application_anonymised(
    session: AsyncSession, _: Envelope, event: intake.ApplicationAnonymised
) -> None:
    if event.reason != "retention":  # an erasure is audited where it was asked for
        return
    facts = Facts(
        actor_id=None, actor_role="system", action=ACTION, target_type="application",
        target_id=event.application_id, detail={"call_id": event.call_id},
    )  # fmt: skip
    await append(session, [facts])


def audit_consumer(
    nats: NatsLink, session_factory: async_sessionmaker[AsyncSession]
) -> EventConsumer:
    """Start it with the gateway (and stop it with it)."""
    return EventConsumer(
        name="gateway-audit", nats=nats, session_factory=session_factory,
        processed_model=ProcessedEvent,
        handlers={intake.ApplicationAnonymised: on_application_anonymised},
    )  # fmt: skip
