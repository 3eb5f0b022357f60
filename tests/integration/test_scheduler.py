"""The registry's clock: calls open and close at their instants, each announced exactly once,
however many registry replicas run the scheduler."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.registry.demo import DEMO_CHALLENGE_ID, demo_form, seed_demo
from services.registry.domain.calls import DEFAULT_RUBRIC
from services.registry.models import CallRow, OutboxEvent
from services.registry.usecases.clock import announce_due_calls
from shared.contracts import registry as events
from shared.db import migrate_async, new_engine, new_session_factory
from tests.fixtures.servers import Postgres

MIGRATIONS = Path(__file__).parent.parent.parent / "services" / "registry" / "migrations"


@pytest.fixture
async def registry_db(postgres: Postgres) -> AsyncIterator[str]:
    url = await postgres.new_database("sched")
    await migrate_async(MIGRATIONS, url)
    yield url


@pytest.fixture
async def sessions(registry_db: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = new_engine(registry_db)
    factory = new_session_factory(engine)
    await seed_demo(factory)  # for its challenge; its own call gets announced too
    async with factory() as session, session.begin():
        await session.execute(OutboxEvent.__table__.delete())
    yield factory
    await engine.dispose()


async def add_calls(
    sessions: async_sessionmaker[AsyncSession], count: int, *, opens: datetime,
    closes: datetime, status: str = "published",
) -> list[str]:  # fmt: skip
    ids = [uuid.uuid4() for _ in range(count)]
    async with sessions() as session, session.begin():
        for call_id in ids:
            session.add(CallRow(
                id=call_id, title="Scheduled", challenge_ids=[DEMO_CHALLENGE_ID], budget=1000,
                max_grant=100, opens_at=opens, closes_at=closes, timezone="Europe/Brussels",
                eligible_countries=[{"code": "NL", "part": None}], organisation_types=["ngo"],
                form=msgspec.to_builtins(demo_form()), rubric=msgspec.to_builtins(DEFAULT_RUBRIC),
                status=status,
            ))  # fmt: skip
    return [str(i) for i in ids]


async def announced(sessions: async_sessionmaker[AsyncSession], subject: str) -> list[str]:
    """The call ids of the outbox events with this subject, oldest first."""
    async with sessions() as session:
        rows = await session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.subject == subject)
            .order_by(OutboxEvent.created_at)
        )
        return [msgspec.json.decode(r.body)["data"]["call_id"] for r in rows]


async def test_a_due_call_is_opened_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    now = datetime.now(UTC)
    [call] = await add_calls(
        sessions, 1, opens=now - timedelta(minutes=1), closes=now + timedelta(days=1)
    )
    await announce_due_calls(sessions, now)
    await announce_due_calls(sessions, now + timedelta(seconds=1))
    assert (await announced(sessions, events.CallOpened.subject)).count(call) == 1
    assert call not in await announced(sessions, events.CallClosed.subject)


async def test_racing_replicas_close_each_call_exactly_once(
    registry_db: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    now = datetime.now(UTC)
    calls = await add_calls(
        sessions, 20, opens=now - timedelta(days=2), closes=now - timedelta(seconds=1)
    )
    engines = [new_engine(registry_db) for _ in range(3)]
    replicas = [new_session_factory(e) for e in engines]
    try:
        for _ in range(3):
            await asyncio.gather(*(announce_due_calls(r, now) for r in replicas))
    finally:
        for engine in engines:
            await engine.dispose()
    closed = await announced(sessions, events.CallClosed.subject)
    opened = await announced(sessions, events.CallOpened.subject)
    assert sorted(c for c in closed if c in calls) == sorted(calls)
    assert sorted(c for c in opened if c in calls) == sorted(calls)
    async with sessions() as session:
        statuses = set(
            await session.scalars(select(CallRow.status).where(CallRow.title == "Scheduled"))
        )
    assert statuses == {"closed"}


async def test_a_call_that_opened_and_closed_between_ticks_opens_first(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    now = datetime.now(UTC)
    [call] = await add_calls(
        sessions, 1, opens=now - timedelta(hours=2), closes=now - timedelta(hours=1)
    )
    await announce_due_calls(sessions, now)
    async with sessions() as session:
        rows = (await session.scalars(select(OutboxEvent).order_by(OutboxEvent.created_at))).all()
    mine = [r.subject for r in rows if msgspec.json.decode(r.body)["data"]["call_id"] == call]
    assert mine == [events.CallOpened.subject, events.CallClosed.subject]


async def test_drafts_are_never_announced(sessions: async_sessionmaker[AsyncSession]) -> None:
    now = datetime.now(UTC)
    [draft] = await add_calls(
        sessions, 1, opens=now - timedelta(days=2), closes=now - timedelta(days=1), status="draft"
    )
    await announce_due_calls(sessions, now)
    assert draft not in await announced(sessions, events.CallOpened.subject)
    assert draft not in await announced(sessions, events.CallClosed.subject)
