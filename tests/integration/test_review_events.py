"""Review's read model from its events (duplicates, disorder, unknown calls, restarts), and
repairs racing an assignment or a submission."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import nats
import pytest
from nats.aio.msg import Msg
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.embedded import free_port, start_nats
from services.registry.domain.calls import DEFAULT_RUBRIC
from services.review.events import HANDLERS
from services.review.models import (
    ApplicationCopy,
    AssignmentRow,
    ConflictRow,
    EvaluationRow,
    EvaluatorRow,
    KnownCall,
    OutboxEvent,
    PoolMemberRow,
    ProcessedEvent,
)
from services.review.usecases.applications import on_snapshot
from services.review.usecases.assignments import assign, repair_calls
from services.review.usecases.calls import load_call
from services.review.usecases.rankings import progress_of
from shared.api.intake import Organisation, Person
from shared.consumer import BatchFailed, Delivery, EventConsumer
from shared.contracts import intake as intake_events
from shared.contracts import registry as registry_events
from shared.contracts import review as review_events
from shared.db import migrate_async, new_engine, new_session_factory
from shared.errors import NotFound
from shared.events import EventContract, decode_envelope, encode_envelope, envelope_for
from shared.messaging import NatsLink, ensure_streams
from tests.fixtures.servers import Postgres
from tests.fixtures.waiting import eventually

MIGRATIONS = Path(__file__).parent.parent.parent / "services" / "review" / "migrations"


@pytest.fixture
async def sessions(postgres: Postgres) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    url = await postgres.new_database("review")
    await migrate_async(MIGRATIONS, url)
    engine = new_engine(url)
    yield new_session_factory(engine)
    await engine.dispose()


def review_consumer(sessions: async_sessionmaker[AsyncSession]) -> EventConsumer:
    """Review's own handlers, without NATS: deliveries are handed in directly."""
    return EventConsumer(
        name="review", nats=None, session_factory=sessions,  # type: ignore[arg-type]
        processed_model=ProcessedEvent, handlers=HANDLERS,
    )  # fmt: skip


async def deliver(
    consumer: EventConsumer, event: EventContract, envelope_id: str | None = None
) -> None:
    """What the consumer does with one delivery: the idempotent apply, as on a redelivery."""
    envelope = envelope_for(event)
    if envelope_id:
        envelope = msgspec.structs.replace(envelope, id=envelope_id)
    message = Msg(_client=None, subject=event.subject, data=b"")  # type: ignore[arg-type]
    try:
        await consumer._apply([Delivery(message, envelope, event)])
    except BatchFailed as failed:  # the handler's own error, as a test expects it
        raise failed.error from None


def snapshot(
    app_id: str, call_id: str, version: int, title: str
) -> intake_events.ApplicationSnapshot:
    cls = (
        intake_events.ApplicationSubmitted if version == 1 else intake_events.ApplicationResubmitted
    )
    return cls(
        application_id=app_id, call_id=call_id, applicant_id="u1", version=version,
        receipt_number=f"OC-{version}", submitted_at=datetime.now(UTC), fingerprint="f" * 64,
        organisation=Organisation(name="Org", country="NL"), contact=Person(name="Ana"),
        answers={"title": title},
    )  # fmt: skip


async def test_the_same_event_three_times_counts_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    consumer = review_consumer(sessions)
    app_id, call_id = str(uuid.uuid4()), str(uuid.uuid4())
    event = snapshot(app_id, call_id, 1, "first")
    same_id = str(uuid.uuid4())
    for _ in range(3):
        await deliver(consumer, event, same_id)
    async with sessions() as session:
        row = await session.get(ApplicationCopy, app_id)
    assert row is not None and row.version == 1 and row.content["answers"] == {"title": "first"}


async def test_out_of_order_arrival_ends_in_the_right_state(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    consumer = review_consumer(sessions)
    app_id, call_id = str(uuid.uuid4()), str(uuid.uuid4())
    # The verdict and the second version overtake the first version.
    await deliver(
        consumer, intake_events.ApplicationEligible(application_id=app_id, call_id=call_id)
    )
    await deliver(consumer, snapshot(app_id, call_id, 2, "second"))
    await deliver(consumer, snapshot(app_id, call_id, 1, "first"))
    async with sessions() as session:
        row = await session.get(ApplicationCopy, app_id)
    assert row is not None
    assert (row.version, row.content["answers"], row.eligibility) == (
        2,
        {"title": "second"},
        "eligible",
    )
    # A withdrawal is final, whatever comes after it.
    await deliver(consumer, intake_events.ApplicationWithdrawn(
        application_id=app_id, call_id=call_id, withdrawn_at=datetime.now(UTC)))  # fmt: skip
    await deliver(consumer, snapshot(app_id, call_id, 3, "third"))
    async with sessions() as session:
        row = await session.get(ApplicationCopy, app_id)
    assert row is not None and row.withdrawn and row.version == 3


async def call_status(sessions: async_sessionmaker[AsyncSession], call_id: str) -> str | None:
    async with sessions() as session:
        call = await session.get(KnownCall, call_id)
    return None if call is None else call.status


async def test_a_call_status_never_moves_back_whatever_the_order_of_events(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    consumer = review_consumer(sessions)
    call_id, now = str(uuid.uuid4()), datetime.now(UTC)
    # The close overtakes the publication: kept on a stub that is no call to anyone yet.
    await deliver(consumer, registry_events.CallClosed(call_id=call_id, closes_at=now))
    assert await call_status(sessions, call_id) == "closed"
    async with sessions() as session:
        with pytest.raises(NotFound):
            await load_call(session, call_id)
    published = registry_events.CallPublished(
        call_id=call_id, title="Late news", hubs=["NL"], opens_at=now, closes_at=now,
        rubric=DEFAULT_RUBRIC, evaluators_per_application=2,
    )  # fmt: skip
    await deliver(consumer, published)
    async with sessions() as session:
        call = await load_call(session, call_id)
    assert (call.status, call.title, call.evaluators_per_application) == ("closed", "Late news", 2)
    # Older news, or the same publication again, moves nothing back.
    moves = [
        registry_events.CallStatusChanged(call_id=call_id, previous="closed", status="in_evaluation"),
        registry_events.CallClosed(call_id=call_id, closes_at=now),
        published,
        registry_events.CallStatusChanged(
            call_id=call_id, previous="in_evaluation", status="results_published"
        ),
        registry_events.CallStatusChanged(call_id=call_id, previous="closed", status="in_evaluation"),
    ]  # fmt: skip
    seen = []
    for event in moves:
        await deliver(consumer, event)
        seen.append(await call_status(sessions, call_id))
    assert seen == ["in_evaluation", "in_evaluation", "in_evaluation", "results_published",
                    "results_published"]  # fmt: skip


async def test_a_restarted_review_goes_on_where_it_stopped(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A new process (a new consumer on the same database) sees what the old one recorded,
    so events redelivered after the restart are recognised."""
    first = review_consumer(sessions)
    app_id, call_id = str(uuid.uuid4()), str(uuid.uuid4())
    event = snapshot(app_id, call_id, 1, "before restart")
    envelope_id = str(uuid.uuid4())
    await deliver(first, event, envelope_id)
    async with sessions() as session:  # the operator edits nothing; we only check the marker
        row = await session.get(ApplicationCopy, app_id)
        assert row is not None
        row.content = {**row.content, "answers": {"title": "changed since"}}
        await session.commit()
    engine = new_engine(str(sessions.kw["bind"].url))
    second = review_consumer(new_session_factory(engine))
    await deliver(second, event, envelope_id)  # JetStream redelivers what was not acked
    await engine.dispose()
    async with sessions() as session:
        row = await session.get(ApplicationCopy, app_id)
    assert row is not None and row.content["answers"] == {"title": "changed since"}


async def test_review_stopped_mid_stream_goes_on_and_applies_each_event_once(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """On real JetStream: review stops while an event is in flight (its transaction, which
    holds the events fetched with it, never commits) with more fetched behind it; a new review
    on the same durable consumer gets the unacknowledged ones again, and every event is
    applied exactly once."""
    port = free_port()
    server = start_nats(tmp_path / "nats", port)  # its own: the stream holds only these events
    url = f"nats://127.0.0.1:{port}"
    client = await nats.connect(url)
    links = [NatsLink(url, "review-before"), NatsLink(url, "review-after")]
    try:
        js = client.jetstream()
        await ensure_streams(js)
        call_id = str(uuid.uuid4())
        apps = [str(uuid.uuid4()) for _ in range(8)]
        for i, app_id in enumerate(apps):
            envelope = envelope_for(snapshot(app_id, call_id, 1, f"application {i}"))
            await js.publish(envelope.subject, encode_envelope(envelope),
                             headers={"Nats-Msg-Id": envelope.id})  # fmt: skip
        in_flight = asyncio.Event()

        async def stuck_on_the_fourth(session: AsyncSession, envelope: Any, event: Any) -> None:
            await on_snapshot(session, envelope, event)
            if event.application_id == apps[3]:
                in_flight.set()
                await asyncio.Event().wait()  # never commits: the process goes away here

        def consumer(link: NatsLink, handlers: dict[Any, Any]) -> EventConsumer:
            link.start()
            return EventConsumer(
                name="review", nats=link, session_factory=sessions,
                processed_model=ProcessedEvent, handlers=handlers, ack_wait_seconds=1,
            )  # fmt: skip

        before = consumer(links[0], {**HANDLERS, intake_events.ApplicationSubmitted:
                                     stuck_on_the_fourth})  # fmt: skip
        before.start()
        await in_flight.wait()
        await before.stop()
        # Those fetched in the same batch as the fourth did not commit either.
        assert await copies_of(sessions, call_id) <= set(apps[:3])

        after = consumer(links[1], HANDLERS)
        after.start()
        try:

            async def all_applied() -> bool:
                return await copies_of(sessions, call_id) == set(apps)

            await eventually(all_applied)

            async def settled() -> bool:
                state = await js.consumer_info("PORTAL_INTAKE", "review-portal_intake")
                return state.num_ack_pending == 0

            await eventually(settled)
        finally:
            await after.stop()
        info = await js.consumer_info("PORTAL_INTAKE", "review-portal_intake")
        assert info.delivered.stream_seq == len(apps)
        async with sessions() as session:
            processed = await session.scalar(select(func.count()).select_from(ProcessedEvent))
        assert processed == len(apps)  # one record per event: none applied twice
    finally:
        for link in links:
            await link.close()
        await client.close()
        server.stop()


async def copies_of(sessions: async_sessionmaker[AsyncSession], call_id: str) -> set[str]:
    async with sessions() as session:
        rows = await session.scalars(
            select(ApplicationCopy.application_id).where(ApplicationCopy.call_id == call_id)
        )
        return set(rows)


SCORED = {c.key: 4.0 for c in DEFAULT_RUBRIC.criteria}


async def call_in_evaluation(
    sessions: async_sessionmaker[AsyncSession], evaluators: list[str], assigned: list[str],
    k: int = 2,
) -> tuple[str, str, dict[str, uuid.UUID]]:  # fmt: skip
    """A call in evaluation with one eligible application, assigned to `assigned`: the call,
    the application and each assignment's id."""
    consumer = review_consumer(sessions)
    app_id, call_id = str(uuid.uuid4()), str(uuid.uuid4())
    await deliver(consumer, snapshot(app_id, call_id, 1, "in evaluation"))
    await deliver(
        consumer, intake_events.ApplicationEligible(application_id=app_id, call_id=call_id)
    )
    ids = {e: uuid.uuid4() for e in assigned}
    async with sessions() as session, session.begin():
        session.add(KnownCall(
            call_id=call_id, title="Call", hub="NL", hubs=["NL"], budget=1000.0,
            rubric=msgspec.to_builtins(DEFAULT_RUBRIC), evaluators_per_application=k,
            blind=False, status="in_evaluation",
        ))  # fmt: skip
        session.add_all(EvaluatorRow(account_id=e, name=e, email=f"{e}@evaluators.example",
                                     capacity=9) for e in evaluators)  # fmt: skip
        await session.flush()  # no ORM relationship orders these inserts
        session.add_all(PoolMemberRow(call_id=call_id, account_id=e, capacity=9)
                        for e in evaluators)  # fmt: skip
        session.add_all(AssignmentRow(id=i, call_id=call_id, application_id=app_id,
                                      evaluator_id=e) for e, i in ids.items())  # fmt: skip
    return call_id, app_id, ids


async def test_a_withdrawal_takes_the_application_out_of_evaluation(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    consumer = review_consumer(sessions)
    call_id, app_id, ids = await call_in_evaluation(sessions, ["done", "todo"], ["done", "todo"])
    scored = SCORED
    async with sessions() as session, session.begin():
        session.add(EvaluationRow(
            assignment_id=ids["done"], scores=scored, comments={}, status="submitted",
            submitted_at=datetime.now(UTC),
        ))  # fmt: skip
    async with sessions() as session:
        call = await session.get(KnownCall, call_id)
        assert call is not None
        before = await progress_of(session, call)
    assert (before.applications, before.assignments, before.submitted) == (1, 2, 1)

    withdrawn = intake_events.ApplicationWithdrawn(
        application_id=app_id, call_id=call_id, withdrawn_at=datetime.now(UTC)
    )
    for _ in range(2):  # the same news published twice changes nothing more
        await deliver(consumer, withdrawn)
    async with sessions() as session:
        call = await session.get(KnownCall, call_id)
        assert call is not None
        after = await progress_of(session, call)
        rows = (
            await session.scalars(
                select(AssignmentRow).where(AssignmentRow.application_id == app_id)
            )
        ).all()
        kept = await session.get(EvaluationRow, ids["done"])
    assert (after.applications, after.assignments, after.submitted) == (0, 0, 0)
    assert {(r.active, r.removed_reason) for r in rows} == {(False, "application withdrawn")}
    assert kept is not None and kept.status == "submitted" and kept.scores == scored


async def waits_for_a_lock(sessions: async_sessionmaker[AsyncSession]) -> bool:
    async with sessions() as session:
        waiting = await session.scalar(text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ))  # fmt: skip
    return bool(waiting)


async def active_evaluators(sessions: async_sessionmaker[AsyncSession], app_id: str) -> list[str]:
    async with sessions() as session:
        found = await session.scalars(
            select(AssignmentRow.evaluator_id)
            .where(AssignmentRow.application_id == app_id, AssignmentRow.active)
            .order_by(AssignmentRow.evaluator_id)
        )
        return list(found)


async def test_a_repair_waits_for_an_assignment_under_way(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Two top-ups at once would both see one evaluator of two and both add one."""
    call_id, app_id, _ = await call_in_evaluation(sessions, ["a", "b", "c"], ["a"])
    async with sessions() as assigning:
        call = await load_call(assigning, call_id, lock=True)  # as assignEvaluators does
        await assign(assigning, call)

        async def repair() -> None:
            async with sessions() as session:
                await repair_calls(session, evaluator_id="a")
                await session.commit()

        repairing = asyncio.create_task(repair())
        await eventually(lambda: waits_for_a_lock(sessions))
        await assigning.commit()
    await repairing
    assert await active_evaluators(sessions, app_id) == ["a", "b"]


async def test_a_repair_keeps_an_evaluation_submitted_meanwhile(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A conflict declared while the same evaluator submits: the submission is kept."""
    call_id, app_id, ids = await call_in_evaluation(sessions, ["a", "b", "c"], ["a", "b"])
    async with sessions() as submitting:
        # What submitting does: the assignment locked, the evaluation stored, not yet committed.
        await submitting.get(AssignmentRow, ids["a"], with_for_update=True)
        submitting.add(EvaluationRow(assignment_id=ids["a"], scores=SCORED, comments={},
                                     status="submitted", submitted_at=datetime.now(UTC)))  # fmt: skip
        await submitting.flush()

        async def declare_and_repair() -> None:
            async with sessions() as session:
                session.add(ConflictRow(evaluator_id="a", application_id=app_id))
                await session.flush()
                await repair_calls(session, evaluator_id="a", application_id=app_id)
                await session.commit()

        repairing = asyncio.create_task(declare_and_repair())
        await eventually(lambda: waits_for_a_lock(sessions))
        await submitting.commit()
    await repairing
    assert await active_evaluators(sessions, app_id) == ["a", "b"]
    assert await assignment_news(sessions, call_id) == []  # nobody lost or got work


async def test_an_evaluator_back_after_removal_gets_the_same_assignment_again(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    call_id, app_id, ids = await call_in_evaluation(sessions, ["a", "b"], ["a", "b"])
    for active in (False, True):  # removed (its assignment dropped), then invited again
        async with sessions() as session:
            evaluator = await session.get(EvaluatorRow, "a")
            assert evaluator is not None
            evaluator.active = active
            await session.flush()
            if active:
                report = await assign(session, await load_call(session, call_id, lock=True))
                assert (report.assigned, report.shortfalls) == (2, [])
            else:
                [report] = await repair_calls(session, evaluator_id="a")
                assert report.assigned == 1
            await session.commit()
    assert await active_evaluators(sessions, app_id) == ["a", "b"]
    async with sessions() as session:
        again = await session.get(AssignmentRow, ids["a"])
    assert again is not None and (again.active, again.removed_reason) == (True, None)
    # Told when the work was taken away, and when it came back; "b" kept theirs throughout.
    assert await assignment_news(sessions, call_id) == [
        ("AssignmentMovedAway", str(ids["a"]), "a"), ("AssignmentMade", str(ids["a"]), "a"),
    ]  # fmt: skip


async def assignment_news(
    sessions: async_sessionmaker[AsyncSession], call_id: str
) -> list[tuple[str, str, str]]:
    """The assignment events review wrote for the call, in order: (kind, assignment,
    evaluator)."""
    subjects = [review_events.AssignmentMade.subject, review_events.AssignmentMovedAway.subject]
    async with sessions() as session:
        bodies = await session.scalars(
            select(OutboxEvent.body)
            .where(OutboxEvent.subject.in_(subjects))
            .order_by(OutboxEvent.created_at)
        )
        found = [decode_envelope(body).payload() for body in bodies]
    return [(type(e).__name__, e.assignment_id, e.evaluator_id)
            for e in found if e.call_id == call_id]  # fmt: skip
