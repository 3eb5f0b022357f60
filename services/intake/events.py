"""What intake consumes, mapped to its use cases: the registry's call lifecycle, review's
published outcomes and the gateway's erasures. (What it publishes, its use cases record in
the outbox.)"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.usecases import calls
from services.intake.usecases.erasure import erase_applicant, record_outcome
from shared.consumer import Handler
from shared.contracts import accounts as account_events
from shared.contracts import registry as registry_events
from shared.contracts import review as review_events
from shared.events import Envelope, EventContract
from shared.objectstore import ObjectStore


async def on_call_published(
    session: AsyncSession, _: Envelope, event: registry_events.CallPublished
) -> None:
    await calls.call_published(session, event)


async def on_call_closed(
    session: AsyncSession, _: Envelope, event: registry_events.CallClosed
) -> None:
    await calls.call_closed(session, event.call_id)


async def on_call_status_changed(
    session: AsyncSession, envelope: Envelope, event: registry_events.CallStatusChanged
) -> None:
    await calls.call_status_changed(session, event, envelope.occurred_at)


async def on_outcome_published(
    session: AsyncSession, _: Envelope, event: review_events.OutcomePublished
) -> None:
    await record_outcome(session, event)


def consumer_handlers(store: ObjectStore) -> dict[type[EventContract], Handler]:
    """What intake consumes; shared.web runs them as one durable consumer named "intake"."""

    async def on_account_erased(
        session: AsyncSession, envelope: Envelope, event: account_events.AccountErased
    ) -> None:
        await erase_applicant(session, store, event.account_id, envelope.occurred_at)

    return {
        registry_events.CallPublished: on_call_published,
        registry_events.CallClosed: on_call_closed,
        registry_events.CallStatusChanged: on_call_status_changed,
        review_events.OutcomePublished: on_outcome_published,
        account_events.AccountErased: on_account_erased,
    }
