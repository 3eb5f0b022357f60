"""Missions: a hub's long-term aims, listed for everyone and kept by the hub's managers."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import queries
from services.registry.domain.missions import mission_errors
from services.registry.events import mission_event
from services.registry.models import MissionRow
from services.registry.usecases import apply_changes, commit_with_event
from services.registry.views import mission_view
from shared.api.registry import Mission, MissionCreate, MissionUpdate
from shared.contracts import registry as events
from shared.errors import require
from shared.identity import Identity


async def missions(
    session: AsyncSession, *, hub: str | None, ids: list[uuid.UUID] | None
) -> list[Mission]:
    return [mission_view(r) for r in await queries.missions(session, hub=hub, ids=ids)]


async def create_mission(session: AsyncSession, identity: Identity, data: MissionCreate) -> Mission:
    identity.require_signed_in()
    require(mission_errors(data))
    identity.require_hub(data.hub)
    row = MissionRow(
        hub_code=data.hub, title=data.title.strip(), description=data.description,
        value_chains=data.value_chains, strategies=data.strategies,
        created_by=identity.account_id,
    )  # fmt: skip
    await queries.add(session, row)
    await commit_with_event(session, row, mission_event(events.MissionCreated, row))
    return mission_view(row)


async def update_mission(
    session: AsyncSession, identity: Identity, mission_id: str, data: MissionUpdate
) -> Mission:
    row = await queries.by_id(session, MissionRow, mission_id, "mission", lock=True)
    identity.require_hub(row.hub_code)
    require(mission_errors(data))
    apply_changes(row, data, ("title", "description", "value_chains", "strategies"))
    await commit_with_event(session, row, mission_event(events.MissionUpdated, row))
    return mission_view(row)
