"""The transactional outbox, the relay and the consumers on real PostgreSQL and NATS."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from opentelemetry.trace import SpanKind
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.embedded import free_port, start_nats
from services.intake.models import ProcessedEvent
from services.registry.models import OutboxEvent
from shared.consumer import EventConsumer, NotReadyYet, wait_delay
from shared.contracts import registry as events
from shared.db import DatabaseUnavailable, migrate_async, new_engine, new_session_factory
from shared.events import DLQ_STREAM, Envelope, decode_envelope, encode_envelope, envelope_for
from shared.messaging import NatsLink, ensure_streams
from shared.outbox import OutboxRelay, record_event
from shared.tracing import continued_span
from tests.fixtures.servers import Nats, Postgres
from tests.fixtures.waiting import eventually

ROOT = Path(__file__).parent.parent.parent
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


@dataclass
class Service:
    sessions: async_sessionmaker[AsyncSession]
    link: NatsLink


async def service_on(postgres: Postgres, nats_url: str, name: str) -> AsyncIterator[Service]:
    url = await postgres.new_database(name)
    await migrate_async(ROOT / "services" / name / "migrations", url)
    engine = new_engine(url)
    link = NatsLink(nats_url, f"test-{name}")
    link.start()
    yield Service(new_session_factory(engine), link)
    await link.close()
    await engine.dispose()


@pytest.fixture
async def registry(postgres: Postgres, nats_server: Nats) -> AsyncIterator[Service]:
    async for service in service_on(postgres, nats_server.url, "registry"):
        yield service


@pytest.fixture
async def intake(postgres: Postgres, nats_server: Nats) -> AsyncIterator[Service]:
    async for service in service_on(postgres, nats_server.url, "intake"):
        yield service


@pytest.fixture
async def js(nats_server: Nats) -> AsyncIterator[JetStreamContext]:
    client = await nats.connect(nats_server.url)
    # The streams exist whichever test runs first (services create them as they connect).
    await ensure_streams(client.jetstream())
    yield client.jetstream()
    await client.close()


def closed(call_id: str) -> events.CallClosed:
    return events.CallClosed(call_id=call_id, closes_at=datetime.now(UTC))


async def count_on(js: JetStreamContext, stream: str, subject: str) -> int:
    info = await js.stream_info(stream, subjects_filter=subject)
    return (info.state.subjects or {}).get(subject, 0)


async def test_an_event_leaves_with_its_id_and_trace(
    registry: Service, js: JetStreamContext
) -> None:
    call_id = str(uuid.uuid4())
    caller = {"traceparent": f"00-{TRACE}-00f067aa0ba902b7-01"}
    with continued_span("close", caller, SpanKind.SERVER) as span:
        async with registry.sessions() as session, session.begin():
            envelope = await record_event(session, OutboxEvent, closed(call_id))
    writer = f"{span.get_span_context().span_id:016x}"
    relay = OutboxRelay(registry.sessions, OutboxEvent, registry.link)
    assert await relay.publish_pending() >= 1
    message = await find_on(
        js, "PORTAL_REGISTRY", events.CallClosed.subject,
        lambda m: decode_envelope(m.data).id == envelope.id,
    )  # fmt: skip
    assert message is not None and message.headers is not None
    assert message.headers["Nats-Msg-Id"] == envelope.id
    # The message continues the span that wrote the event; X-Trace-Id names its trace too.
    assert message.headers["traceparent"] == f"00-{TRACE}-{writer}-01"
    assert message.headers["X-Trace-Id"] == TRACE == envelope.trace_id
    async with registry.sessions() as session:
        row = await session.get(OutboxEvent, uuid.UUID(envelope.id))
        assert row is not None and row.published_at is not None


async def test_a_relay_that_publishes_twice_stores_the_event_once(
    registry: Service, js: JetStreamContext
) -> None:
    call_id = str(uuid.uuid4())
    subject = events.CallClosed.subject
    async with registry.sessions() as session, session.begin():
        envelope = await record_event(session, OutboxEvent, closed(call_id))
    relay = OutboxRelay(registry.sessions, OutboxEvent, registry.link)
    before = await count_on(js, "PORTAL_REGISTRY", subject)
    await relay.publish_pending()
    # As if the relay died after publishing but before marking the row.
    async with registry.sessions() as session, session.begin():
        row = await session.get(OutboxEvent, uuid.UUID(envelope.id))
        assert row is not None
        row.published_at = None
    await relay.publish_pending()
    assert await count_on(js, "PORTAL_REGISTRY", subject) == before + 1


async def test_a_rolled_back_change_sends_nothing(registry: Service) -> None:
    async with registry.sessions() as session:
        await session.begin()
        await record_event(session, OutboxEvent, closed(str(uuid.uuid4())))
        await session.rollback()
    async with registry.sessions() as session:
        pending = await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.published_at.is_(None))
        )
    assert pending == 0


async def publish_envelope(js: JetStreamContext, envelope: Envelope) -> int:
    """Its sequence in the stream. A fresh Nats-Msg-Id each time: JetStream keeps both, the
    consumer must not apply both."""
    ack = await js.publish(
        envelope.subject, encode_envelope(envelope), headers={"Nats-Msg-Id": uuid.uuid4().hex}
    )
    return ack.seq


async def test_a_redelivered_event_changes_nothing(intake: Service, js: JetStreamContext) -> None:
    seen: list[str] = []

    async def handler(session: AsyncSession, envelope: Envelope, event: Any) -> None:
        seen.append(envelope.id)

    consumer = EventConsumer(
        name=f"idem-{uuid.uuid4().hex[:8]}", nats=intake.link, session_factory=intake.sessions,
        processed_model=ProcessedEvent, handlers={events.CallStatusChanged: handler},
    )  # fmt: skip
    envelope = envelope_for(
        events.CallStatusChanged(
            call_id=str(uuid.uuid4()), previous="closed", status="in_evaluation"
        )
    )
    consumer.start()
    try:
        for _ in range(3):
            await publish_envelope(js, envelope)
        async with intake.sessions() as session:

            async def recorded() -> bool:
                count = await session.scalar(
                    select(func.count())
                    .select_from(ProcessedEvent)
                    .where(ProcessedEvent.event_id == envelope.id)
                )
                return count == 1

            await eventually(recorded)
        # Let the two duplicates arrive too: a later marker event proves they were handled.
        marker = envelope_for(
            events.CallStatusChanged(call_id=str(uuid.uuid4()), previous="a", status="b")
        )
        await publish_envelope(js, marker)
        await eventually(lambda: asyncio.sleep(0, result=marker.id in seen))
    finally:
        await consumer.stop()
    assert seen.count(envelope.id) == 1


async def test_events_fetched_together_commit_together_and_a_failing_one_spoils_none(
    intake: Service, js: JetStreamContext
) -> None:
    """Twenty events published before the consumer starts are fetched at once and applied in
    few transactions (not one each); the eighth fails on its first delivery: the others are
    applied once each, it is tried once per delivery and applied when offered again."""
    marker = uuid.uuid4().hex
    events_ = [
        envelope_for(events.CallStatusChanged(call_id=f"{marker}-{i}", previous="a", status="b"))
        for i in range(20)
    ]
    failing = events_[7].id
    applied: list[str] = []
    attempts: list[str] = []
    sessions: set[int] = set()

    async def handler(session: AsyncSession, envelope: Envelope, event: Any) -> None:
        if not event.call_id.startswith(marker):
            return  # other tests' events on the same stream
        attempts.append(envelope.id)
        if envelope.id == failing and attempts.count(failing) == 1:
            raise RuntimeError("fails on its first delivery")
        sessions.add(id(session))
        applied.append(envelope.id)

    for envelope in events_:
        await publish_envelope(js, envelope)
    consumer = EventConsumer(
        name=f"batch-{marker[:8]}", nats=intake.link, session_factory=intake.sessions,
        processed_model=ProcessedEvent, handlers={events.CallStatusChanged: handler},
    )  # fmt: skip
    consumer.start()
    try:
        await eventually(lambda: asyncio.sleep(0, result=len(set(applied)) == 20))
    finally:
        await consumer.stop()
    ours = [e.id for e in events_]
    # Rolled back with the failing one, the events before it ran again: applied once each.
    committed = await processed_ids(intake, ours)
    assert committed == set(ours)
    assert attempts.count(failing) == 2  # once per delivery, never twice in one
    assert len(sessions) <= 4  # a few transactions for twenty events


async def processed_ids(service: Service, ids: list[str]) -> set[str]:
    async with service.sessions() as session:
        found = await session.scalars(
            select(ProcessedEvent.event_id).where(ProcessedEvent.event_id.in_(ids))
        )
        return set(found)


async def test_poison_messages_end_in_the_dead_letter_stream(
    intake: Service, js: JetStreamContext
) -> None:
    name = f"poison-{uuid.uuid4().hex[:8]}"
    attempts: list[str] = []

    async def always_fails(session: AsyncSession, envelope: Envelope, event: Any) -> None:
        attempts.append(envelope.id)
        raise RuntimeError("cannot handle this")

    consumer = EventConsumer(
        name=name, nats=intake.link, session_factory=intake.sessions,
        processed_model=ProcessedEvent, handlers={events.ChallengeUpdated: always_fails},
        max_deliver=2,
    )  # fmt: skip
    consumer.start()
    try:
        # The consumer reads the whole stream: other tests' challenge updates fail here too,
        # so our copies are told apart by their bytes.
        bad = envelope_for(
            events.ChallengeUpdated(challenge_id=str(uuid.uuid4()), mission_id="m", title="t")
        )
        sequence = await publish_envelope(js, bad)
        dlq_subject = f"portal.dlq.{name}.{events.ChallengeUpdated.subject}"
        message = await eventually(lambda: dead_letter(js, dlq_subject, encode_envelope(bad)))
        assert message.headers is not None
        assert "cannot handle this" in message.headers["Portal-Dlq-Reason"]
        # A second copy of the same delivery (term() failed, the message came back) would
        # carry the same id, and JetStream would drop it.
        assert message.headers["Nats-Msg-Id"] == f"dlq-{name}-PORTAL_REGISTRY-{sequence}"
        assert attempts.count(bad.id) == 2
        # A body that is not an event at all goes there at once, never reaching a handler.
        garbage = f"not json {uuid.uuid4()}".encode()
        await js.publish(events.ChallengeUpdated.subject, garbage)
        undecodable = await eventually(lambda: dead_letter(js, dlq_subject, garbage))
        assert undecodable.headers["Portal-Dlq-Reason"].startswith("undecodable")
    finally:
        await consumer.stop()
    # Nothing was recorded as processed: a failed handler commits nothing.
    async with intake.sessions() as session:
        recorded = await session.scalar(
            select(func.count())
            .select_from(ProcessedEvent)
            .where(ProcessedEvent.event_id == bad.id)
        )
    assert recorded == 0


def test_a_waiting_event_is_offered_again_later_and_later_up_to_a_minute() -> None:
    assert [wait_delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]


async def test_an_event_that_is_not_ready_yet_waits_past_max_deliver_without_a_traceback(
    intake: Service, js: JetStreamContext, caplog: pytest.LogCaptureFixture
) -> None:
    name = f"wait-{uuid.uuid4().hex[:8]}"
    envelope = envelope_for(
        events.CallStatusChanged(call_id=str(uuid.uuid4()), previous="a", status="b")
    )
    attempts: list[str] = []

    async def waits_twice(session: AsyncSession, seen: Envelope, event: Any) -> None:
        if seen.id == envelope.id:
            attempts.append(seen.id)
            if len(attempts) <= 2:
                raise NotReadyYet(f"person {event.call_id}")

    consumer = EventConsumer(
        name=name, nats=intake.link, session_factory=intake.sessions,
        processed_model=ProcessedEvent, handlers={events.CallStatusChanged: waits_twice},
        max_deliver=2,  # a failure would be dead-lettered at the second delivery
    )  # fmt: skip
    caplog.set_level(logging.INFO, logger="shared.consumer")
    consumer.start()
    try:
        await publish_envelope(js, envelope)
        await eventually(lambda: asyncio.sleep(0, result=len(attempts) == 3))
        async with intake.sessions() as session:

            async def recorded() -> bool:
                count = await session.scalar(
                    select(func.count())
                    .select_from(ProcessedEvent)
                    .where(ProcessedEvent.event_id == envelope.id, ProcessedEvent.consumer == name)
                )
                return count == 1

            await eventually(recorded)
    finally:
        await consumer.stop()
    mine = [r for r in caplog.records if name in r.getMessage()]
    waits = [r for r in mine if "waits for person" in r.getMessage()]
    assert [(r.levelno, r.exc_info) for r in waits] == [(logging.INFO, None)] * 2
    assert "delivery 1" in waits[0].getMessage() and "again in 1 s" in waits[0].getMessage()
    assert not [r for r in mine if r.levelno >= logging.WARNING]
    dlq_subject = f"portal.dlq.{name}.{events.CallStatusChanged.subject}"
    assert await dead_letter(js, dlq_subject, encode_envelope(envelope)) is None


async def test_an_outage_of_the_consumers_database_spends_no_delivery_and_loses_nothing(
    intake: Service, js: JetStreamContext
) -> None:
    """Our own database down (a PostgreSQL restart) is not the event's fault: with
    max_deliver=1 any counted failure would dead-letter it at once."""
    name = f"outage-{uuid.uuid4().hex[:8]}"
    envelope = envelope_for(
        events.CallStatusChanged(call_id=str(uuid.uuid4()), previous="a", status="b")
    )
    attempts: list[int] = []

    async def database_down_twice(session: AsyncSession, seen: Envelope, event: Any) -> None:
        if seen.id == envelope.id:
            attempts.append(1)
            if len(attempts) <= 2:
                raise DatabaseUnavailable()

    consumer = EventConsumer(
        name=name, nats=intake.link, session_factory=intake.sessions,
        processed_model=ProcessedEvent, handlers={events.CallStatusChanged: database_down_twice},
        max_deliver=1,
    )  # fmt: skip
    consumer.start()
    try:
        await publish_envelope(js, envelope)
        await eventually(lambda: asyncio.sleep(0, result=len(attempts) == 3))

        async def recorded() -> bool:
            async with intake.sessions() as session:
                count = await session.scalar(
                    select(func.count()).select_from(ProcessedEvent)
                    .where(ProcessedEvent.event_id == envelope.id, ProcessedEvent.consumer == name)
                )  # fmt: skip
            return count == 1

        await eventually(recorded)
    finally:
        await consumer.stop()
    dlq_subject = f"portal.dlq.{name}.{events.CallStatusChanged.subject}"
    assert await dead_letter(js, dlq_subject, encode_envelope(envelope)) is None
    assert len(attempts) == 3  # held and tried again, not redelivered and counted


async def test_an_event_that_waits_too_long_ends_in_the_dead_letter_stream(
    intake: Service, js: JetStreamContext
) -> None:
    name = f"waitdlq-{uuid.uuid4().hex[:8]}"
    attempts: list[str] = []

    async def never_ready(session: AsyncSession, envelope: Envelope, event: Any) -> None:
        attempts.append(envelope.id)
        raise NotReadyYet(f"challenge {event.challenge_id}")

    consumer = EventConsumer(
        name=name, nats=intake.link, session_factory=intake.sessions,
        processed_model=ProcessedEvent, handlers={events.ChallengeUpdated: never_ready},
        wait_deliveries=2,
    )  # fmt: skip
    consumer.start()
    try:
        late = envelope_for(
            events.ChallengeUpdated(challenge_id=str(uuid.uuid4()), mission_id="m", title="t")
        )
        await publish_envelope(js, late)
        dlq_subject = f"portal.dlq.{name}.{events.ChallengeUpdated.subject}"
        message = await eventually(lambda: dead_letter(js, dlq_subject, encode_envelope(late)))
        assert message.headers is not None
        reason = message.headers["Portal-Dlq-Reason"]
        assert reason.startswith("still waiting after 2 deliveries") and "challenge" in reason
        assert attempts.count(late.id) == 2
    finally:
        await consumer.stop()


async def find_on(
    js: JetStreamContext, stream: str, subject: str, wanted: Callable[[Msg], bool]
) -> Msg | None:
    """The message on `subject` that is `wanted`, if it is there yet. (The session's NATS is
    shared: the portal's services publish on the same subjects, so the last one may be theirs.)"""
    total = await count_on(js, stream, subject)
    if not total:
        return None
    replay = await js.subscribe(subject, stream=stream, ordered_consumer=True)
    try:
        messages = [await replay.next_msg(timeout=5) for _ in range(total)]
    finally:
        await replay.unsubscribe()
    return next((m for m in messages if wanted(m)), None)


async def dead_letter(js: JetStreamContext, subject: str, data: bytes) -> Msg | None:
    return await find_on(js, DLQ_STREAM, subject, lambda m: m.data == data)


async def test_the_write_path_never_waits_for_nats(postgres: Postgres, tmp_path: Path) -> None:
    port = free_port()
    async for service in service_on(postgres, f"nats://127.0.0.1:{port}", "registry"):
        async with service.sessions() as session, session.begin():
            envelope = await record_event(session, OutboxEvent, closed(str(uuid.uuid4())))
        relay = OutboxRelay(service.sessions, OutboxEvent, service.link, poll_seconds=0.05)
        relay.start()
        server = start_nats(tmp_path / "store", port)  # NATS comes back
        try:
            client = await nats.connect(f"nats://127.0.0.1:{port}")
            js = client.jetstream()

            async def delivered(js: JetStreamContext = js) -> bool:
                try:
                    return await count_on(js, "PORTAL_REGISTRY", events.CallClosed.subject) == 1
                except Exception:
                    return False

            await eventually(delivered, within=20)
            message = await js.get_last_msg("PORTAL_REGISTRY", events.CallClosed.subject)
            assert message.headers is not None
            assert message.headers["Nats-Msg-Id"] == envelope.id
            await client.close()
        finally:
            await relay.stop()
            server.stop()
