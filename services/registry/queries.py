"""Every persistence query of the registry: hubs, missions, challenges and open calls."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.registry.models import CallRow, ChallengeRow, HubRow, MissionRow, ValueChainRow
from shared.call_status import CallStatus
from shared.errors import NotFound
from shared.identity import Identity, Role

Row = TypeVar("Row", MissionRow, ChallengeRow, CallRow)


def parse_ids(raw: str | None) -> list[uuid.UUID] | None:
    """`?ids=a,b,c` -> UUIDs; ids that are not UUIDs cannot exist, so they are dropped."""
    if raw is None:
        return None
    result = []
    for part in raw.split(","):
        try:
            result.append(uuid.UUID(part.strip()))
        except ValueError:
            continue
    return result


async def by_id(
    session: AsyncSession, kind: type[Row], raw: str, what: str, *, lock: bool = False
) -> Row:
    """The row keyed by `raw`; a malformed id names nothing, like a missing one."""
    try:
        key = uuid.UUID(raw)
    except ValueError:
        raise NotFound(f"There is no {what} {raw}.") from None
    row = await session.get(kind, key, with_for_update=lock)
    if row is None:
        raise NotFound(f"There is no {what} {raw}.")
    return row


async def add(session: AsyncSession, row: Any) -> None:
    """A new row, flushed so its defaults (id, created_at) are set."""
    session.add(row)
    await session.flush()


async def hubs(session: AsyncSession) -> Sequence[HubRow]:
    rows = await session.scalars(
        select(HubRow).options(selectinload(HubRow.countries)).order_by(HubRow.position)
    )
    return rows.all()


async def hub_codes(session: AsyncSession) -> list[str]:
    return list(await session.scalars(select(HubRow.code).order_by(HubRow.position)))


async def hubs_without_mission(session: AsyncSession) -> list[str]:
    with_mission = select(MissionRow.hub_code).distinct()
    rows = await session.scalars(
        select(HubRow.code).where(HubRow.code.not_in(with_mission)).order_by(HubRow.position)
    )
    return list(rows)


async def value_chains(session: AsyncSession) -> Sequence[ValueChainRow]:
    return (await session.scalars(select(ValueChainRow).order_by(ValueChainRow.position))).all()


async def missions(
    session: AsyncSession, *, hub: str | None, ids: list[uuid.UUID] | None
) -> Sequence[MissionRow]:
    query = select(MissionRow).order_by(MissionRow.created_at, MissionRow.id)
    if hub is not None:
        query = query.where(MissionRow.hub_code == hub)
    if ids is not None:
        query = query.where(MissionRow.id.in_(ids))
    return (await session.scalars(query)).all()


async def challenges(
    session: AsyncSession, *, ids: list[uuid.UUID] | None, mission_ids: list[uuid.UUID] | None
) -> Sequence[ChallengeRow]:
    query = select(ChallengeRow).order_by(ChallengeRow.created_at, ChallengeRow.id)
    if ids is not None:
        query = query.where(ChallengeRow.id.in_(ids))
    if mission_ids is not None:
        query = query.where(ChallengeRow.mission_id.in_(mission_ids))
    return (await session.scalars(query)).all()


async def known_challenges(
    session: AsyncSession, ids: list[uuid.UUID], hub: str | None
) -> set[str]:
    """Which of `ids` exist (within `hub`, when the call is a hub's)."""
    query = select(ChallengeRow.id).where(ChallengeRow.id.in_(ids))
    if hub is not None:
        query = query.where(ChallengeRow.hub_code == hub)
    return {str(c) for c in await session.scalars(query)}


async def value_chains_of_challenges(session: AsyncSession, ids: list[uuid.UUID]) -> list[str]:
    """The value chains of the missions behind these challenges, sorted."""
    chains = await session.scalars(
        select(func.unnest(MissionRow.value_chains))
        .join(ChallengeRow, ChallengeRow.mission_id == MissionRow.id)
        .where(ChallengeRow.id.in_(ids))
        .distinct()
    )
    return sorted(chains)


def visible_calls(identity: Identity) -> Any:
    """Drafts are seen only by those who may manage them; everything else is public."""
    not_draft = CallRow.status != CallStatus.DRAFT
    if identity.is_admin:
        return None
    if identity.role is Role.HUB_MANAGER and identity.hub:
        return or_(not_draft, CallRow.hub_code == identity.hub)
    return not_draft


async def calls(
    session: AsyncSession, identity: Identity, *, ids: list[uuid.UUID] | None,
    status: CallStatus | None, hub: str | None,
) -> Sequence[CallRow]:  # fmt: skip
    query = select(CallRow).order_by(CallRow.closes_at, CallRow.id)
    visible = visible_calls(identity)
    if visible is not None:
        query = query.where(visible)
    if ids is not None:
        query = query.where(CallRow.id.in_(ids))
    if status is not None:
        query = query.where(CallRow.status == status)
    if hub is not None:
        query = query.where(or_(CallRow.hub_code == hub, CallRow.hub_code.is_(None)))
    return (await session.scalars(query)).all()


async def calls_to_open(session: AsyncSession, now: datetime) -> Sequence[CallRow]:
    """Published calls whose opening has come and was not announced; locked, skipping those
    another replica holds."""
    rows = await session.scalars(
        select(CallRow)
        .where(
            CallRow.status == CallStatus.PUBLISHED,
            CallRow.opened_announced_at.is_(None),
            CallRow.opens_at <= now,
        )
        .with_for_update(skip_locked=True)
    )
    return rows.all()


async def calls_to_close(session: AsyncSession, now: datetime) -> Sequence[CallRow]:
    """Published, announced calls whose closing instant has come (locked like calls_to_open)."""
    rows = await session.scalars(
        select(CallRow)
        .where(
            CallRow.status == CallStatus.PUBLISHED,
            CallRow.opened_announced_at.is_not(None),
            CallRow.closes_at <= now,
        )
        .with_for_update(skip_locked=True)
    )
    return rows.all()
