"""The body of every service's Alembic env.py (async engine, advisory lock)."""

from __future__ import annotations

import asyncio
import importlib
import zlib

from alembic import context
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config


def run_migrations(models: str) -> None:
    """`models`: the module whose `Base` maps the service's tables. Only the command line
    (`alembic revision --autogenerate`, `alembic check`) compares them with the database;
    a migration run from code (the launcher, a service at start) runs the scripts alone and
    never imports the service's code."""
    config = context.config
    target_metadata: MetaData | None = None
    if config.cmd_opts is not None:
        target_metadata = importlib.import_module(models).Base.metadata
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=target_metadata,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(target_metadata))


def _migrate(connection: Connection, target_metadata: MetaData | None) -> None:
    # A transaction-scoped lock: replicas starting together migrate one after the other,
    # and the lock goes with the transaction whatever happens.
    lock_key = zlib.crc32(str(context.config.get_main_option("script_location")).encode())
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key})
        context.run_migrations()


async def _run_online(target_metadata: MetaData | None) -> None:
    config = context.config
    engine = async_engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    async with engine.connect() as connection:
        await connection.run_sync(_migrate, target_metadata)
        await connection.commit()
    await engine.dispose()
