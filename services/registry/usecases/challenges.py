"""Challenges: the concrete problems under a mission that calls target."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import queries
from services.registry.domain.missions import challenge_errors
from services.registry.events import challenge_event
from services.registry.models import ChallengeRow, MissionRow
from services.registry.usecases import apply_changes, commit_with_event
from services.registry.views import challenge_view
from shared.api.registry import Challenge, ChallengeCreate, ChallengeUpdate
from shared.contracts import registry as events
from shared.errors import FieldError, NotFound, require
from shared.identity import Identity


async def challenges(
    session: AsyncSession, *, ids: list[uuid.UUID] | None, mission_ids: list[uuid.UUID] | None
) -> list[Challenge]:
    rows = await queries.challenges(session, ids=ids, mission_ids=mission_ids)
    return [challenge_view(r) for r in rows]


async def create_challenge(
    session: AsyncSession, identity: Identity, data: ChallengeCreate
) -> Challenge:
    identity.require_signed_in()
    errors = challenge_errors(data)
    mission = None
    try:
        mission = await queries.by_id(session, MissionRow, data.mission_id, "mission")
    except NotFound:
        errors.append(FieldError("missionId", f"unknown mission {data.mission_id}"))
    require(errors)
    assert mission is not None
    identity.require_hub(mission.hub_code)
    row = ChallengeRow(
        mission_id=mission.id, hub_code=mission.hub_code, title=data.title.strip(),
        description=data.description, strategies=data.strategies,
        created_by=identity.account_id,
    )  # fmt: skip
    await queries.add(session, row)
    await commit_with_event(session, row, challenge_event(events.ChallengeCreated, row))
    return challenge_view(row)


async def update_challenge(
    session: AsyncSession, identity: Identity, challenge_id: str, data: ChallengeUpdate
) -> Challenge:
    row = await queries.by_id(session, ChallengeRow, challenge_id, "challenge", lock=True)
    identity.require_hub(row.hub_code)
    require(challenge_errors(data))
    apply_changes(row, data, ("title", "description", "strategies"))
    await commit_with_event(session, row, challenge_event(events.ChallengeUpdated, row))
    return challenge_view(row)
