"""The engine without a pre-ping per checkout: a connection in steady use is not pinged, one
that sat idle is, and one found dead is replaced before the request uses it."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from sqlalchemy import column, insert, table, text
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.ext.asyncio import AsyncEngine

from shared import db
from shared.db import DatabaseUnavailable, new_engine
from shared.errors import ValidationFailed


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per ping the pool sends."""
    sent: list[int] = []
    original = AsyncAdapt_asyncpg_connection.ping

    def counted(self: Any) -> Any:
        sent.append(1)
        return original(self)

    monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "ping", counted)
    return sent


async def backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        pid: int = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        return pid


async def terminate(database_url: str, pid: int) -> None:
    admin = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()


async def test_an_idle_connection_is_pinged_and_if_dead_replaced_at_checkout(
    database_url: str, monkeypatch: pytest.MonkeyPatch, pings: list[int]
) -> None:
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # every checkout counts as after idle
    engine = new_engine(database_url, pool_size=1)
    try:
        first = await backend_pid(engine)
        await terminate(database_url, first)
        second = await backend_pid(engine)  # no error: the dead one was replaced
        assert second != first
        assert pings  # found dead by the ping, not by the request
    finally:
        await engine.dispose()


async def test_a_busy_connection_is_not_pinged_and_a_dead_one_is_a_retryable_outage_once(
    database_url: str, pings: list[int]
) -> None:
    engine = new_engine(database_url, pool_size=1)
    try:
        first = await backend_pid(engine)
        assert await backend_pid(engine) == first  # reused at once
        assert pings == []
        await terminate(database_url, first)
        with pytest.raises(DatabaseUnavailable):
            await backend_pid(engine)
        assert await backend_pid(engine) != first  # the pool replaced it
    finally:
        await engine.dispose()


async def test_a_read_session_runs_each_statement_outside_a_transaction_and_refuses_writes(
    database_url: str,
) -> None:
    engine = new_engine(database_url, pool_size=1)
    try:
        async with db.new_read_session_factory(engine)() as session:
            started = text("SELECT transaction_timestamp()")
            first = (await session.execute(started)).scalar_one()
            second = (await session.execute(started)).scalar_one()
            assert first != second  # one transaction each, no BEGIN around them
            await session.execute(text("CREATE TEMPORARY TABLE note (id int)"))
            with pytest.raises(RuntimeError, match="must not write"):
                await session.execute(insert(table("note", column("id"))).values(id=1))
        async with db.new_session_factory(engine)() as session:
            first = (await session.execute(started)).scalar_one()
            assert (await session.execute(started)).scalar_one() == first
    finally:
        await engine.dispose()


async def test_a_value_a_column_cannot_hold_is_refused_as_invalid_input(database_url: str) -> None:
    """Found probing: a text longer than its column, or a number past its precision, was a
    500; whatever no check catches first is a validation error."""
    engine = new_engine(database_url, pool_size=1)
    try:
        async with db.new_session_factory(engine)() as session:
            await session.execute(
                text("CREATE TEMPORARY TABLE note (name varchar(3), n numeric(4, 2))")
            )
            for values in ({"name": "abcd", "n": 1}, {"name": "abc", "n": 1e308}):
                with pytest.raises(ValidationFailed) as refused:
                    await session.execute(text("INSERT INTO note VALUES (:name, :n)"), values)
                assert refused.value.errors[0].message == "a value is too long or out of range"
                await session.rollback()
                await session.execute(
                    text(
                        "CREATE TEMPORARY TABLE IF NOT EXISTS note (name varchar(3), n numeric(4, 2))"
                    )
                )
    finally:
        await engine.dispose()
