"""Durable, idempotent JetStream consumers with a dead-letter stream.

Each handler runs in one database transaction together with the insert of the event id into
`processed_event`; the message is acked only after that commit. A redelivered event finds its
id there and changes nothing. After `max_deliver` failed attempts (or at once for a message
that cannot even be decoded) the message is copied to `portal.dlq.<consumer>.<subject>` and
terminated, so operators see it in the PORTAL_DLQ stream.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.events import (
    DLQ_PREFIX,
    Envelope,
    EventContract,
    decode_envelope,
    service_of,
    stream_for_service,
)
from shared.logging import reset_trace_id, set_trace_id
from shared.messaging import NatsLink
from shared.outbox import ProcessedEventMixin

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, Envelope, Any], Awaitable[None]]


class EventConsumer:
    def __init__(
        self,
        *,
        name: str,
        nats: NatsLink,
        session_factory: async_sessionmaker[AsyncSession],
        processed_model: type[ProcessedEventMixin],
        handlers: dict[type[EventContract], Handler],
        max_deliver: int = 5,
        ack_wait_seconds: float = 30.0,
    ) -> None:
        self.name = name
        self.nats = nats
        self.session_factory = session_factory
        self.processed_model = processed_model
        self.handlers = {contract.subject: handler for contract, handler in handlers.items()}
        self.max_deliver = max_deliver
        self.ack_wait_seconds = ack_wait_seconds
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    def start(self) -> None:
        by_stream: dict[str, list[str]] = {}
        for subject in self.handlers:
            by_stream.setdefault(stream_for_service(service_of(subject)), []).append(subject)
        for stream, subjects in by_stream.items():
            self._tasks.append(
                asyncio.create_task(self._consume(stream, subjects), name=f"{self.name}-{stream}")
            )

    async def stop(self) -> None:
        # nats-py may turn a cancelled fetch into its own timeout error, which the loop
        # below would retry: the flag makes the loop end either way.
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)

    async def _consume(self, stream: str, subjects: list[str]) -> None:
        js = await self.nats.jetstream()
        durable = f"{self.name}-{stream.lower()}"
        await js.add_consumer(
            stream,
            ConsumerConfig(
                durable_name=durable,
                filter_subjects=sorted(subjects),
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                max_deliver=self.max_deliver,
                ack_wait=self.ack_wait_seconds,
            ),
        )
        subscription = await js.pull_subscribe_bind(durable=durable, stream=stream)
        while not self._stopping:
            try:
                messages = await subscription.fetch(batch=50, timeout=5)
            except NatsTimeout:
                continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("%s: fetch failed (%s)", durable, exc)
                await asyncio.sleep(1)
                continue
            for message in messages:
                await self.handle(message)

    async def handle(self, message: Msg) -> None:
        try:
            envelope = decode_envelope(message.data)
            payload = envelope.payload()
        except Exception as exc:
            await self._dead_letter(message, f"undecodable: {exc}")
            return
        token = set_trace_id(envelope.trace_id)
        try:
            await self._apply(envelope, payload)
            await message.ack()
        except Exception as exc:
            delivered = message.metadata.num_delivered
            log.exception("%s: %s failed (delivery %s)", self.name, envelope.subject, delivered)
            if delivered >= self.max_deliver:
                await self._dead_letter(message, repr(exc))
            else:
                await message.nak(delay=min(0.2 * 2**delivered, 10))
        finally:
            reset_trace_id(token)

    async def _apply(self, envelope: Envelope, payload: EventContract) -> None:
        handler = self.handlers[envelope.subject]
        model = self.processed_model
        async with self.session_factory() as session, session.begin():
            inserted = await session.scalar(
                insert(model)
                .values(
                    event_id=envelope.id,
                    consumer=self.name,
                    subject=envelope.subject,
                    processed_at=datetime.now(UTC),
                )
                .on_conflict_do_nothing()
                .returning(model.event_id)
            )
            if inserted is None:
                return  # seen before: a redelivery or a duplicate publish
            await handler(session, envelope, payload)

    async def _dead_letter(self, message: Msg, reason: str) -> None:
        js = await self.nats.jetstream()
        headers = dict(message.headers or {})
        # One id per delivered message, so a copy published again (term() failed after the
        # publish, the message came back) is dropped by JetStream's de-duplication. The stream
        # is part of it: one consumer reads several streams, each numbering from 1.
        where = message.metadata
        headers["Nats-Msg-Id"] = f"dlq-{self.name}-{where.stream}-{where.sequence.stream}"
        headers["Portal-Dlq-Reason"] = reason[:500]
        headers["Portal-Dlq-Consumer"] = self.name
        await js.publish(
            f"{DLQ_PREFIX}.{self.name}.{message.subject}", message.data, headers=headers
        )
        await message.term()
        log.error("%s: %s moved to the dead-letter stream: %s", self.name, message.subject, reason)
