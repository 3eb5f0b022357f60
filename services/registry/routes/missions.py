"""Missions and their challenges: listed for everyone, kept by the hub's managers."""

from __future__ import annotations

from litestar import get, patch, post
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.queries import parse_ids
from services.registry.usecases import challenges as challenge_cases
from services.registry.usecases import missions as cases
from shared.api import registry as api
from shared.identity import Identity
from shared.web import READS_ONLY


@get(api.MISSIONS.path, opt=READS_ONLY)
async def missions(
    session: AsyncSession, identity: Identity, hub: str | None = None, ids: str | None = None
) -> list[api.Mission]:
    return await cases.missions(session, hub=hub, ids=parse_ids(ids))


@post(api.CREATE_MISSION.path)
async def create_mission(
    session: AsyncSession, identity: Identity, data: api.MissionCreate
) -> api.Mission:
    return await cases.create_mission(session, identity, data)


@patch(api.UPDATE_MISSION.path)
async def update_mission(
    session: AsyncSession, identity: Identity, mission_id: str, data: api.MissionUpdate
) -> api.Mission:
    return await cases.update_mission(session, identity, mission_id, data)


@get(api.CHALLENGES.path, opt=READS_ONLY)
async def challenges(
    session: AsyncSession, identity: Identity, ids: str | None = None,
    mission_ids: str | None = None,
) -> list[api.Challenge]:  # fmt: skip
    return await challenge_cases.challenges(
        session, ids=parse_ids(ids), mission_ids=parse_ids(mission_ids)
    )


@post(api.CREATE_CHALLENGE.path)
async def create_challenge(
    session: AsyncSession, identity: Identity, data: api.ChallengeCreate
) -> api.Challenge:
    return await challenge_cases.create_challenge(session, identity, data)


@patch(api.UPDATE_CHALLENGE.path)
async def update_challenge(
    session: AsyncSession, identity: Identity, challenge_id: str, data: api.ChallengeUpdate
) -> api.Challenge:
    return await challenge_cases.update_challenge(session, identity, challenge_id, data)
