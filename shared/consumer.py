"""Durable, idempotent JetStream consumers with a dead-letter stream.

Each handler runs in one database transaction together with the insert of the event id into
`processed_event`; the message is acked only after that commit. A redelivered event finds its
id there and changes nothing. After `max_deliver` failed attempts (or at once for a message
that cannot even be decoded) the message is copied to `portal.dlq.<consumer>.<subject>` and
terminated, so operators see it in the PORTAL_DLQ stream.

A handler that raises `NotReadyYet` is waiting, not failing: the event names something whose own
event has not arrived yet (events from different streams come in any order). It is offered
again after a growing delay (up to a minute), up to `wait_deliveries` times, with one INFO line
each time; only then is it dead-lettered. Deliveries spent waiting count towards `max_deliver`
too, so a waiting event that then fails for another reason is dead-lettered at its first
failure from delivery `max_deliver` on.

An outage of the consumer's own database or store (`ServiceUnavailable`, a refused connection)
is neither: the consumer holds the message and tries again until the outage ends, so a
PostgreSQL restart under load spends no delivery and dead-letters nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from opentelemetry.trace import SpanKind
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import table_of
from shared.errors import ServiceUnavailable
from shared.events import (
    DLQ_PREFIX,
    Envelope,
    EventContract,
    decode_envelope,
    service_of,
    stream_for_service,
)
from shared.messaging import NatsLink
from shared.outbox import ProcessedEventMixin
from shared.tracing import TRACE_HEADER, continued_span

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, Envelope, Any], Awaitable[None]]

MAX_WAIT_SECONDS = 60.0


class NotReadyYet(Exception):
    """Raised by a handler whose event cannot be handled until another event has arrived
    (its message says what it waits for): the consumer offers the event again later."""


# How often a consumer whose database or store is down tries an event again.
OUTAGE_FIRST_PAUSE = 0.25
OUTAGE_MAX_PAUSE = 5.0


def wait_delay(delivered: int) -> float:
    """Seconds before a waiting event's next delivery: 1, 2, 4 ... up to a minute."""
    return min(2.0 ** (delivered - 1), MAX_WAIT_SECONDS)


class BatchFailed(Exception):
    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(f"event {index} of the batch: {error!r}")
        self.index = index
        self.error = error


@dataclass
class Delivery:
    message: Msg
    envelope: Envelope
    payload: EventContract

    def span(self) -> AbstractContextManager[Any]:
        """The trace of the transaction that wrote the event: its `traceparent` header, else
        (an older publisher) the trace id the envelope names."""
        headers = self.message.headers or {}
        carrier = {TRACE_HEADER: self.envelope.trace_id or "", **headers}
        return continued_span(f"{self.envelope.subject} process", carrier, SpanKind.CONSUMER)


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
        wait_deliveries: int = 20,
        ack_wait_seconds: float = 30.0,
    ) -> None:
        self.name = name
        self.nats = nats
        self.session_factory = session_factory
        # Built once, run with one row per event (in Core: the ORM's INSERT of a list of
        # values cost twice as much per batch).
        processed = table_of(processed_model)
        self._record_processed = (
            insert(processed).on_conflict_do_nothing().returning(processed.c.event_id)
        )
        self.handlers = {contract.subject: handler for contract, handler in handlers.items()}
        self.max_deliver = max_deliver
        self.wait_deliveries = wait_deliveries  # ~14 minutes of waiting at the default
        self.ack_wait_seconds = ack_wait_seconds
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    def subjects_by_stream(self) -> dict[str, list[str]]:
        by_stream: dict[str, list[str]] = {}
        for subject in self.handlers:
            by_stream.setdefault(stream_for_service(service_of(subject)), []).append(subject)
        return by_stream

    def durables(self) -> list[tuple[str, str]]:
        """(stream, durable consumer name) for each stream this consumer reads."""
        return [(stream, f"{self.name}-{stream.lower()}") for stream in self.subjects_by_stream()]

    def start(self) -> None:
        for stream, subjects in self.subjects_by_stream().items():
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
        durable = dict(self.durables())[stream]
        await js.add_consumer(
            stream,
            ConsumerConfig(
                durable_name=durable,
                filter_subjects=sorted(subjects),
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                max_deliver=max(self.max_deliver, self.wait_deliveries),
                ack_wait=self.ack_wait_seconds,
            ),
        )
        subscription = await js.pull_subscribe_bind(durable=durable, stream=stream)
        while not self._stopping:
            try:
                messages = await subscription.fetch(batch=50, timeout=5)
            except TimeoutError:
                # Nothing to fetch: nats-py raises its own timeout or, from inside the pull
                # (its batch wait under load), a bare asyncio one (that is TimeoutError too).
                continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("%s: fetch failed (%r)", durable, exc)
                await asyncio.sleep(1)
                continue
            await self.handle_batch(messages)

    async def handle(self, message: Msg) -> None:
        await self.handle_batch([message])

    async def handle_batch(self, messages: list[Msg]) -> None:
        """A fetch's events applied in one transaction (one commit for all of them), then
        acked. An event whose handler raises undoes the transaction: it is settled as a lone
        event's failure would be, without running it again, and the others are applied anew.
        An outage ends the batching: each event then waits it out on its own."""
        batch = []
        for message in messages:
            try:
                envelope = decode_envelope(message.data)
                batch.append(Delivery(message, envelope, envelope.payload()))
            except Exception as exc:
                await self._dead_letter(message, f"undecodable: {exc}")
        while batch:
            began = time.perf_counter()
            try:
                await self._apply(batch)
            except BatchFailed as failed:
                if isinstance(failed.error, (ServiceUnavailable, OSError)):
                    for each in batch:
                        await self._handle(each)
                    return
                await self._settle_failure(batch.pop(failed.index), failed.error)
                continue
            took = (time.perf_counter() - began) * 1000 / len(batch)
            for each in batch:
                with each.span():
                    await each.message.ack()
                    log.info("%s: handled %s %s in %.1f ms", self.name, each.envelope.subject,
                             each.envelope.id, took)  # fmt: skip
            return

    async def _handle(self, delivery: Delivery) -> None:
        """One event on its own, through outages of the consumer's database."""
        began = time.perf_counter()
        try:
            await self._apply_through_outages(delivery)
            await delivery.message.ack()
        except BatchFailed as failed:
            await self._settle_failure(delivery, failed.error)
            return
        with delivery.span():
            log.info("%s: handled %s %s in %.1f ms", self.name, delivery.envelope.subject,
                     delivery.envelope.id, (time.perf_counter() - began) * 1000)  # fmt: skip

    async def _settle_failure(self, delivery: Delivery, error: BaseException) -> None:
        message, envelope = delivery.message, delivery.envelope
        with delivery.span():
            if isinstance(error, NotReadyYet):
                await self._wait(message, envelope, error)
                return
            delivered = message.metadata.num_delivered
            log.error("%s: %s failed (delivery %s)", self.name, envelope.subject, delivered,
                      exc_info=error)  # fmt: skip
            if delivered >= self.max_deliver:
                await self._dead_letter(message, repr(error))
            else:
                await message.nak(delay=min(0.2 * 2**delivered, 10))

    async def _wait(self, message: Msg, envelope: Envelope, waiting: NotReadyYet) -> None:
        delivered = message.metadata.num_delivered
        if delivered >= self.wait_deliveries:
            await self._dead_letter(
                message, f"still waiting after {delivered} deliveries: {waiting}"
            )
            return
        delay = wait_delay(delivered)
        log.info(
            "%s: %s waits for %s (delivery %s); offered again in %.0f s",
            self.name, envelope.subject, waiting, delivered, delay,
        )  # fmt: skip
        await message.nak(delay=delay)

    async def _apply_through_outages(self, delivery: Delivery) -> None:
        """An outage of our own database or store is not the event's fault: hold the message
        (telling JetStream it is in progress) and try again until the outage ends, rather than
        spend its deliveries and dead-letter it."""
        pause = OUTAGE_FIRST_PAUSE
        while True:
            try:
                await self._apply([delivery])
                return
            except BatchFailed as failed:
                if not isinstance(failed.error, (ServiceUnavailable, OSError)):
                    raise
                log.warning("%s: %s waits out an outage (%s); again in %.1f s",
                            self.name, delivery.envelope.subject, failed.error, pause)  # fmt: skip
            # If NATS is gone too, JetStream redelivers later and the event id dedupes it.
            with contextlib.suppress(Exception):
                await delivery.message.in_progress()
            await asyncio.sleep(pause)
            pause = min(pause * 2, OUTAGE_MAX_PAUSE)

    async def _apply(self, batch: list[Delivery]) -> None:
        """Every event of the batch not seen before, in order, in one transaction with the
        record of their ids. Raises BatchFailed naming the event whose handler raised (or
        the first, for a failure of the transaction itself)."""
        now = datetime.now(UTC)
        rows = [{"event_id": d.envelope.id, "consumer": self.name,
                 "subject": d.envelope.subject, "processed_at": now} for d in batch]  # fmt: skip
        failing = 0
        try:
            async with self.session_factory() as session, session.begin():
                new = set(await session.scalars(
                    self._record_processed, rows[0] if len(rows) == 1 else rows
                ))  # fmt: skip
                for position, delivery in enumerate(batch):
                    failing, envelope = position, delivery.envelope
                    if envelope.id not in new:
                        continue  # seen before: a redelivery or a duplicate publish
                    new.discard(envelope.id)  # the same event twice in one fetch
                    with delivery.span():
                        await self.handlers[envelope.subject](session, envelope, delivery.payload)
                failing = 0  # past here only the commit can fail: no one event's fault
        except Exception as exc:
            raise BatchFailed(failing, exc) from exc

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
