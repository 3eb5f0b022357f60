"""Transactional outbox: events are rows written in the same transaction as the change,
then relayed to JetStream with `Nats-Msg-Id` = event id, so a retried relay is de-duplicated."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from nats.js import JetStreamContext
from sqlalchemy import (
    DateTime,
    Index,
    LargeBinary,
    String,
    bindparam,
    delete,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from shared.db import table_of
from shared.events import Envelope, EventContract, encode_envelope, envelope_for
from shared.messaging import NatsLink
from shared.tracing import current_traceparent, headers_continuing

log = logging.getLogger(__name__)


class OutboxMixin:
    """Mixed into each service's declarative base as its `outbox` table."""

    __tablename__ = "outbox"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    # The `traceparent` of the transaction that wrote the event (55 characters; a row written
    # before it was kept holds the bare 32-hex trace id): the relay's message continues it.
    trace_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Index, ...]:
        return (
            Index(
                "ix_outbox_pending",
                "created_at",
                postgresql_where=text("published_at IS NULL"),
            ),
        )


class ProcessedEventMixin:
    """Ids of events a consumer already handled: the idempotency record."""

    __tablename__ = "processed_event"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    consumer: Mapped[str] = mapped_column(String(100), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


async def record_event(
    session: AsyncSession, outbox_model: type[OutboxMixin], event: EventContract
) -> Envelope:
    """Write the event in the caller's transaction; it leaves only after that commit."""
    return (await record_events(session, outbox_model, [event]))[0]


async def record_events(
    session: AsyncSession, outbox_model: type[OutboxMixin], events: Iterable[EventContract]
) -> list[Envelope]:
    """Many events in one INSERT (an assignment run announces thousands), in event order."""
    envelopes = [envelope_for(event) for event in events]
    if not envelopes:
        return []
    traceparent = current_traceparent()
    rows = [
        {
            "id": uuid.UUID(envelope.id),
            "subject": envelope.subject,
            "body": encode_envelope(envelope),
            "trace_id": traceparent,
            "created_at": envelope.occurred_at,
        }
        for envelope in envelopes
    ]
    # Into the table, not through the ORM's bulk insert: a third of the cost per event.
    await session.execute(insert(table_of(outbox_model)), rows[0] if len(rows) == 1 else rows)
    session.info["outbox_written"] = True
    return envelopes


BATCH = 200  # rows per publishing transaction
RETRY_FIRST, RETRY_MOST = 0.5, 10.0  # seconds: the relay's pauses after failing to publish


class OutboxRelay:
    """Publishes committed outbox rows. Replicas share the work through SKIP LOCKED."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        outbox_model: type[OutboxMixin],
        nats: NatsLink,
        poll_seconds: float = 0.5,
        keep_published: timedelta = timedelta(days=7),
    ) -> None:
        self.session_factory = session_factory
        self.outbox_model = outbox_model
        self.nats = nats
        self.poll_seconds = poll_seconds
        self.keep_published = keep_published
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # Taken and marked in one statement, built once; a failed publish rolls the mark back.
        outbox = table_of(outbox_model)
        taken = (
            select(outbox.c.id)
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.created_at)
            .limit(bindparam("batch"))
            .with_for_update(skip_locked=True)
        )
        self._take = (
            update(outbox)
            .where(outbox.c.id.in_(taken))
            .values(published_at=bindparam("now"))
            .returning(outbox.c.id, outbox.c.subject, outbox.c.body, outbox.c.trace_id,
                       outbox.c.created_at)
        )  # fmt: skip

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        failures = 0
        last_prune = 0.0
        while True:
            try:
                # A batch not full was everything pending: what commits meanwhile wakes us.
                while await self.publish_pending() >= BATCH:
                    pass
                if time.monotonic() - last_prune > 600:
                    await self.prune_published()
                    last_prune = time.monotonic()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                log.warning("outbox relay could not publish (%s); will retry", exc)
            # After a failure, again soon and then later: 1, 2, 4 ... 10 s.
            timeout = min(RETRY_FIRST * 2**failures, RETRY_MOST) if failures else self.poll_seconds
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()

    async def publish_pending(self, batch: int = BATCH) -> int:
        js = await self.nats.jetstream()
        async with self.session_factory() as session, session.begin():
            taking = {"batch": batch, "now": datetime.now(UTC)}
            rows = sorted((await session.execute(self._take, taking)).all(),
                          key=lambda row: row.created_at)  # fmt: skip
            # Published together: each goes on the wire in order as its coroutine starts, and
            # the acknowledgements (each waiting on JetStream's fsync) overlap.
            await asyncio.gather(*(self._publish(js, *row[:4]) for row in rows))
            return len(rows)

    @staticmethod
    async def _publish(
        js: JetStreamContext, event_id: uuid.UUID, subject: str, body: bytes, trace: str | None
    ) -> None:
        headers = {"Nats-Msg-Id": str(event_id), **headers_continuing(trace)}
        await js.publish(subject, body, headers=headers, timeout=5)

    async def prune_published(self) -> None:
        cutoff = datetime.now(UTC) - self.keep_published
        model = self.outbox_model
        async with self.session_factory() as session, session.begin():
            await session.execute(
                delete(model).where(model.published_at.is_not(None), model.published_at < cutoff)
            )
