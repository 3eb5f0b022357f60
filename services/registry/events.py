"""What the registry publishes (the events its changes write) and what it consumes (review's
progress, which moves a call through evaluation to results: usecases/progress.py). Calls
opening and closing on the registry's own clock: usecases/clock.py."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import queries
from services.registry.models import CallRow, ChallengeRow, MissionRow
from services.registry.usecases import progress
from services.registry.views import call_settings
from shared.call_status import CallStatus
from shared.consumer import Handler
from shared.contracts import registry as events
from shared.contracts import review as review_events
from shared.events import Envelope, EventContract

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


async def on_evaluation_started(
    session: AsyncSession, _: Envelope, event: review_events.EvaluationStarted
) -> None:
    await progress.move_call(session, event.call_id, CallStatus.IN_EVALUATION)


async def on_results_published(
    session: AsyncSession, _: Envelope, event: review_events.ResultsPublished
) -> None:
    await progress.move_call(session, event.call_id, CallStatus.IN_EVALUATION)
    await progress.move_call(session, event.call_id, CallStatus.RESULTS_PUBLISHED)


# What this service consumes; shared.web runs them as one durable consumer named "registry".
HANDLERS: dict[type[EventContract], Handler] = {
    review_events.EvaluationStarted: on_evaluation_started,
    review_events.ResultsPublished: on_results_published,
}
