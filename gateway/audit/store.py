"""The audit log's table and its one write path: entries are appended, never changed (the
migration's trigger refuses UPDATE, DELETE and TRUNCATE), one chain across replicas."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

import msgspec
from sqlalchemy import BigInteger, DateTime, String, Table, insert, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from gateway.audit.chain import GENESIS, Entry, Facts, sealed
from gateway.models import Base

# The advisory lock that orders appends: whoever holds it reads the chain's head and appends.
APPEND_LOCK = 0x6175_6469_74  # "audit"


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor_id: Mapped[str | None] = mapped_column(String(64), index=True)
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(80))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(100), index=True)
    outcome: Mapped[str] = mapped_column(String(40))
    source: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, str]] = mapped_column(JSONB)
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def entry(self) -> Entry:
        facts = Facts(
            actor_id=self.actor_id, actor_role=self.actor_role, action=self.action,
            target_type=self.target_type, target_id=self.target_id, outcome=self.outcome,
            source=self.source, detail=self.detail,
        )  # fmt: skip
        return Entry(
            sequence=self.sequence, at=self.at, facts=facts, previous_hash=self.previous_hash,
            hash=self.hash,
        )  # fmt: skip


TABLE = cast(Table, AuditEntry.__table__)
LOCK = text("SELECT pg_advisory_xact_lock(:key)")
HEAD = select(TABLE.c.sequence, TABLE.c.hash).order_by(TABLE.c.sequence.desc()).limit(1)


def row_of(entry: Entry) -> dict[str, Any]:
    f = entry.facts
    return {
        "sequence": entry.sequence, "at": entry.at, "actor_id": f.actor_id,
        "actor_role": f.actor_role, "action": f.action, "target_type": f.target_type,
        "target_id": f.target_id, "outcome": f.outcome, "source": f.source, "detail": f.detail,
        "previous_hash": entry.previous_hash, "hash": entry.hash,
    }  # fmt: skip


def fit(value: str, length: int) -> str:
    return value.replace("\x00", "")[:length]


def fitted(facts: Facts) -> Facts:
    """Values cut to their columns and without NUL (PostgreSQL's text cannot hold one): an
    entry, and the others committed with it, are never lost to an odd id."""
    return Facts(
        actor_id=fit(facts.actor_id, 64) if facts.actor_id else facts.actor_id,
        actor_role=fit(facts.actor_role, 20), action=fit(facts.action, 80),
        target_type=fit(facts.target_type, 40), target_id=fit(facts.target_id, 100),
        outcome=fit(facts.outcome, 40), source=fit(facts.source, 64) if facts.source else None,
        detail={fit(k, 40): fit(v, 100) for k, v in facts.detail.items()},
    )  # fmt: skip


def sealed_after(head: tuple[int, str], facts: Sequence[Facts]) -> list[Entry]:
    """The entries that follow `head` (its sequence and hash), all at one instant."""
    sequence, previous_hash = head
    at = datetime.now(UTC)
    entries = []
    for item in facts:
        entry = sealed(sequence, previous_hash, at, fitted(item))
        entries.append(entry)
        sequence, previous_hash = entry.sequence, entry.hash
    return entries


async def head_of(connection: AsyncConnection) -> tuple[int, str]:
    head = (await connection.execute(HEAD)).first()
    return (head.sequence, head.hash) if head else (0, GENESIS)


async def append(session: AsyncSession, facts: Sequence[Facts]) -> list[Entry]:
    """Append in the session's transaction (the caller commits). The lock is held to the
    commit, so concurrent appends queue for a few statements and never fork the chain."""
    if not facts:
        return []
    # Plain SQL on the session's connection (no ORM work per entry). Two statements: the
    # head must be read after the lock is held, in a snapshot taken after the wait.
    connection = await session.connection()
    await connection.execute(LOCK, {"key": APPEND_LOCK})
    entries = sealed_after(await head_of(connection), facts)
    await connection.execute(insert(TABLE), [row_of(e) for e in entries])
    return entries


# One statement, its own transaction: the lock (waiting for a transaction that appends as
# `append` does to commit), then the rows, if the head they follow is there as it was sealed.
LOCKED_INSERT = text(
    "WITH appending AS MATERIALIZED (SELECT pg_advisory_xact_lock(:key)) "
    "INSERT INTO audit_entry SELECT entry.* FROM appending, "
    "jsonb_populate_recordset(NULL::audit_entry, CAST(:rows AS jsonb)) AS entry "
    "WHERE CAST(:previous AS bigint) = 0 OR EXISTS (SELECT FROM audit_entry"
    " WHERE sequence = CAST(:previous AS bigint) AND hash = CAST(:previous_hash AS text))"
)
ATTEMPTS = 20  # of the one-statement append, each after another writer's; then `append`


class GroupCommit:
    """The appends of one process that arrive while a write is under way go together in the
    next write: one statement, after the head this process last wrote (at a deadline,
    BEGIN, lock, head, insert and COMMIT per submission were a fifth of the gateway's
    work). Where another writer appended meanwhile, the sequence number is taken: nothing
    is written, the head is read again and the entries sealed anew."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory
        self.waiting: list[tuple[Sequence[Facts], asyncio.Future[list[Entry]]]] = []
        self.writing: asyncio.Task[None] | None = None
        self.head: tuple[int, str] | None = None  # what this process last wrote or read

    async def append(self, facts: Sequence[Facts]) -> list[Entry]:
        done: asyncio.Future[list[Entry]] = asyncio.get_running_loop().create_future()
        self.waiting.append((facts, done))
        if self.writing is None or self.writing.done():
            self.writing = asyncio.create_task(self.write())
        # A caller that goes away (a closed connection) does not take its entries with it.
        return await asyncio.shield(done)

    async def write(self) -> None:
        while self.waiting:
            batch, self.waiting = self.waiting, []
            try:
                entries = await self.appended([f for facts, _ in batch for f in facts])
            except Exception as exc:
                self.head = None
                for _, done in batch:
                    done.set_exception(exc)
                continue
            except BaseException:  # cancelled (shutting down): nobody waits forever
                batch, self.waiting = [*batch, *self.waiting], []
                for _, done in batch:
                    done.cancel()
                raise
            start = 0
            for facts, done in batch:
                done.set_result(entries[start : start + len(facts)])
                start += len(facts)

    async def appended(self, facts: list[Facts]) -> list[Entry]:
        async with self.session_factory() as session:
            connection = await session.connection(
                execution_options={"isolation_level": "AUTOCOMMIT"}
            )
            for _ in range(ATTEMPTS):
                head = self.head or await head_of(connection)
                entries = sealed_after(head, facts)
                rows = msgspec.json.encode([row_of(e) for e in entries]).decode()
                values = {"key": APPEND_LOCK, "rows": rows, "previous": head[0],
                          "previous_hash": head[1]}  # fmt: skip
                try:
                    written = (await connection.execute(LOCKED_INSERT, values)).rowcount
                except IntegrityError:  # another writer took the sequence number
                    written = 0
                if written == len(entries):
                    self.head = (entries[-1].sequence, entries[-1].hash)
                    return entries
                self.head = None  # not the head any more (or no longer there: a restore)
        async with self.session_factory() as session, session.begin():  # a busy chain
            entries = await append(session, facts)
        self.head = (entries[-1].sequence, entries[-1].hash)
        return entries


_writers: weakref.WeakKeyDictionary[async_sessionmaker[AsyncSession], GroupCommit] = (
    weakref.WeakKeyDictionary()
)


async def append_all(
    session_factory: async_sessionmaker[AsyncSession], facts: Sequence[Facts]
) -> list[Entry]:
    """Append in a short transaction of its own, shared with the appends arriving meanwhile."""
    if not facts:
        return []
    writer = _writers.get(session_factory)
    if writer is None:
        writer = _writers[session_factory] = GroupCommit(session_factory)
    return await writer.append(facts)


async def record(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    actor_id: str | None,
    actor_role: str,
    action: str,
    target_type: str,
    target_id: str,
    outcome: str = "ok",
    source: str | None = None,
    detail: dict[str, str] | None = None,
) -> None:
    """Record one fact (e.g. an erasure or a retention run). Raises when it cannot be stored:
    the caller decides whether its action may stand without its entry. Never pass a secret or
    personal data (names, e-mail addresses, answers): ids, roles and outcomes only."""
    await append_all(session_factory, [Facts(
        actor_id=actor_id, actor_role=actor_role, action=action, target_type=target_type,
        target_id=target_id, outcome=outcome, source=source, detail=dict(detail or {}),
    )])  # fmt: skip
