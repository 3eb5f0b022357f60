"""Database plumbing every service shares: base class factory, engine, sessions, migrations."""

from __future__ import annotations

import asyncio
import enum
import logging
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import msgspec
from sqlalchemy import Enum, MetaData, Table, event, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect, ExceptionContext
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

from shared.errors import FieldError, ServiceUnavailable, ValidationFailed

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def enum_column(kind: type[enum.StrEnum], length: int = 20) -> Enum:
    """A column holding a StrEnum as its value in a VARCHAR (no database enum type, so the
    columns the migrations made stay as they are): rows read back as the Enum."""
    return Enum(
        kind,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


# Failures to open a connection that say the server is down, starting or full, not a bug.
CONNECT_FAILURES = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
)


class DatabaseUnavailable(ServiceUnavailable):
    def __init__(self) -> None:
        super().__init__("The database is unavailable just now; try again in a few seconds.")


def new_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An engine whose outages (the server down, restarting, a connection lost mid-query)
    raise DatabaseUnavailable, a typed and retryable error, wherever they happen."""
    # hide_parameters: a failed statement's values (a password hash, personal data) never
    # reach an error message or a log line. pool_timeout: a full pool answers 503 soon.
    # No pre-ping on every checkout (a round trip per request under load): connections are
    # recycled after half an hour, and one idle for a while is pinged before use.
    engine = create_async_engine(
        url, pool_size=pool_size, max_overflow=20, hide_parameters=True, pool_timeout=10,
        pool_recycle=RECYCLE_SECONDS, json_serializer=json_text, json_deserializer=msgspec.json.decode,
    )  # fmt: skip
    event.listen(engine.sync_engine, "do_connect", _connect_or_unavailable)
    event.listen(engine.sync_engine, "handle_error", _disconnect_as_unavailable)
    event.listen(engine.sync_engine, "checkin", _note_idle_since)
    event.listen(engine.sync_engine, "checkout", _ping_if_idle)
    return engine


def json_text(value: Any) -> str:
    """JSON columns' text by msgspec, several times json's speed (a call's form is read with
    every change to an application)."""
    return msgspec.json.encode(value).decode()


RECYCLE_SECONDS = 1800
IDLE_PING_SECONDS = 5.0


def _note_idle_since(_: Any, record: ConnectionPoolEntry) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _: Any) -> None:
    """A connection that sat idle may have died with its server (a restart, a failover):
    pinged first, and if dead the pool retries with a new one instead of failing the
    request. A connection in steady use is not pinged."""
    if time.monotonic() - record.info.get("idle_since", time.monotonic()) < IDLE_PING_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception as exc:
        raise DisconnectionError("idle connection found dead") from exc


def _connect_or_unavailable(dialect: Dialect, _: Any, cargs: Any, cparams: Any) -> Any:
    try:
        return dialect.connect(*cargs, **cparams)
    except CONNECT_FAILURES as exc:
        log.warning("database not reachable: %r", exc)
        raise DatabaseUnavailable() from exc


# SQLSTATEs of a value a column cannot hold: a text too long, a number or an instant out of
# range, a character the encoding lacks.
UNSTORABLE_VALUE = frozenset({"22001", "22003", "22008", "22021", "22P05"})


def _disconnect_as_unavailable(context: ExceptionContext) -> None:
    # A cancelled task looks like a lost connection to SQLAlchemy; it must stay a cancellation,
    # or a loop retrying outages (the outbox relay) never lets its process shut down.
    cancelled = isinstance(context.original_exception, asyncio.CancelledError)
    if context.is_disconnect and not cancelled:
        log.warning("database connection lost: %r", context.original_exception)
        raise DatabaseUnavailable() from context.original_exception
    # A value the column cannot hold (too long, out of range) that no check caught before:
    # the caller's input, refused, never a 500.
    if getattr(context.original_exception, "sqlstate", None) in UNSTORABLE_VALUE:
        log.info("a value the database cannot store: %s", context.original_exception)
        raise ValidationFailed(
            [FieldError("input", "a value is too long or out of range")]
        ) from context.original_exception


def new_session_factory(
    engine: AsyncEngine, on_outbox_commit: Callable[[], None] | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions whose commit wakes the outbox relay when the transaction wrote events."""

    class PortalSession(Session):
        pass

    if on_outbox_commit is not None:
        wake = on_outbox_commit

        def after_commit(session: Session) -> None:
            if session.info.pop("outbox_written", False):
                wake()

        event.listen(PortalSession, "after_commit", after_commit)
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=PortalSession)


class ReadSession(Session):
    pass


def _refuse_writes(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise RuntimeError("A read session (a GET request's) must not write.")


event.listen(ReadSession, "do_orm_execute", _refuse_writes)


def new_read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for reads (GET requests): each statement on its own, outside any
    transaction, as the gateway reads an identity: no BEGIN and ROLLBACK round trips. Read
    committed took a snapshot per statement anyway. A write through one is refused."""
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    return async_sessionmaker(autocommit, expire_on_commit=False, sync_session_class=ReadSession)


def migrate(migrations_dir: Path, database_url: str) -> None:
    """Alembic `upgrade head`, under an advisory lock so replicas starting together take turns."""
    # Imported here: a process whose database is at its head never loads Alembic, Mako and
    # Pygments (~14 MB resident).
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(config, "head")


async def migrate_async(migrations_dir: Path, database_url: str) -> None:
    """Migrates a database that is not at the scripts' head. The launcher migrates every
    database before it starts the services, and a service restarts against a migrated one."""
    if await revision_of(database_url) == head_revision(migrations_dir):
        return
    # Alembic's async env runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(migrate, migrations_dir, database_url)


# How each script under versions/ names itself and the revision it follows.
_REVISION_LINE = re.compile(r"""^(down_)?revision(?:: [^=]+)? = ["'](\w+)["']""", re.MULTILINE)


def head_revision(migrations_dir: Path) -> str:
    """The newest revision of a linear history: the one no script follows."""
    named: set[str] = set()
    followed: set[str] = set()
    for script in (migrations_dir / "versions").glob("*.py"):
        for down, revision in _REVISION_LINE.findall(script.read_text()):
            (followed if down else named).add(revision)
    heads = named - followed
    if len(heads) != 1:
        raise RuntimeError(f"{migrations_dir}: expected one head revision, found {sorted(heads)}")
    return heads.pop()


async def revision_of(database_url: str) -> str | None:
    """The revision Alembic recorded in the database; None before its first migration."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            if not await conn.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL")):
                return None
            revision: str | None = await conn.scalar(
                text("SELECT version_num FROM alembic_version")
            )
            return revision
    finally:
        await engine.dispose()


async def ensure_database(server_url: str, name: str) -> None:
    """Create a database on the server if it is missing (embedded mode and tests)."""
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


Row = TypeVar("Row")


def table_of(model: type[Any]) -> Table:
    """The table a mapped class is stored in, for Core statements on it."""
    table = sa_inspect(model).local_table
    assert isinstance(table, Table)
    return table


async def locked_or_created(session: AsyncSession, model: type[Row], **values: Any) -> Row:
    """The row `values` key, locked to update; inserted from `values` first when this is the
    first thing heard of it (concurrent consumers insert it once, the others wait on the lock).
    One statement: the insert, or on a conflict an update of the key to itself, which locks
    the row as FOR UPDATE would; either way the row comes back."""
    table = table_of(model)
    keys = [column.name for column in table.primary_key.columns]
    insert = postgresql.insert(table).values(values)
    upsert = insert.on_conflict_do_update(
        index_elements=keys, set_={keys[0]: insert.excluded[keys[0]]}
    ).returning(*table.columns)
    rows = await session.scalars(
        select(model).from_statement(upsert), execution_options={"populate_existing": True}
    )
    row: Row = rows.one()
    return row


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching what contains `text` literally (use with `escape="\\"`)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
