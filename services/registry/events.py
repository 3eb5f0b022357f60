"""What the registry publishes (its changes, and calls opening and closing on its own clock)
and what it consumes (review's progress, which moves a call through evaluation to results).

Each due call is taken with FOR UPDATE SKIP LOCKED and its state change and event are written
in one transaction, so with any number of registry replicas every announcement happens once.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.registry import queries
from services.registry.models import CallRow, ChallengeRow, MissionRow, OutboxEvent
from services.registry.views import call_settings
from shared.call_status import CallStatus, transition_error
from shared.clock import Clock
from shared.consumer import Handler
from shared.contracts import registry as events
from shared.contracts import review as review_events
from shared.events import Envelope, EventContract
from shared.outbox import record_event

log = logging.getLogger(__name__)


def mission_event(
    kind: type[events.MissionCreated | events.MissionUpdated], row: MissionRow
) -> EventContract:
    return kind(mission_id=str(row.id), hub=row.hub_code, title=row.title,
                value_chains=list(row.value_chains))  # fmt: skip


def challenge_event(
    kind: type[events.ChallengeCreated | events.ChallengeUpdated], row: ChallengeRow
) -> EventContract:
    return kind(challenge_id=str(row.id), mission_id=str(row.mission_id), title=row.title)


def call_event(
    kind: type[events.CallCreated | events.CallUpdated], row: CallRow, hubs: list[str]
) -> EventContract:
    return kind(call_id=str(row.id), title=row.title, hubs=hubs)


async def published_event(
    session: AsyncSession, row: CallRow, hubs: list[str]
) -> events.CallPublished:
    """The call's full terms, with the value chains of the missions behind its challenges."""
    settings = call_settings(row)
    return events.CallPublished(
        call_id=str(row.id), title=row.title, hubs=hubs, hub=row.hub_code,
        opens_at=row.opens_at, closes_at=row.closes_at, timezone=row.timezone,
        value_chains=await queries.value_chains_of_challenges(session, row.challenge_ids),
        budget=row.budget, max_grant=row.max_grant,
        eligible_countries=settings["eligible_countries"],
        organisation_types=settings["organisation_types"], form=settings["form"],
        rubric=settings["rubric"], evaluators_per_application=row.evaluators_per_application,
        blind=row.blind, evaluation_deadline=row.evaluation_deadline,
        retention_days=row.retention_days,
    )  # fmt: skip


def status_changed(row: CallRow, previous: CallStatus) -> events.CallStatusChanged:
    """With the results the retention period is final: intake counts it from then."""
    final = row.retention_days if row.status is CallStatus.RESULTS_PUBLISHED else None
    return events.CallStatusChanged(
        call_id=str(row.id), previous=previous, status=row.status, retention_days=final
    )


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
    if row is None or transition_error(row.status, status):
        return
    previous, row.status = row.status, status
    await record_event(session, OutboxEvent, status_changed(row, previous))


# What this service consumes; shared.web runs them as one durable consumer named "registry".
HANDLERS: dict[type[EventContract], Handler] = {
    review_events.EvaluationStarted: on_evaluation_started,
    review_events.ResultsPublished: on_results_published,
}
