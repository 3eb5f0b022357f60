"""The consensus and ranking read model: a ranking read after any change of its inputs (an
evaluation submitted, a moderator's settlement, a withdrawal, the rubric, the budget, a
write by anything at all) shows what ranking from scratch shows; two readers at once both
succeed; a write racing a recompute is never lost."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nats.aio.msg import Msg
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.review_data import seed_scored_call
from services.registry.domain.calls import DEFAULT_RUBRIC
from services.review import queries
from services.review.events import HANDLERS
from services.review.models import (
    ApplicationCopy,
    AssignmentRow,
    CallRankingRow,
    ConsensusRow,
    EvaluationRow,
    EvaluatorRow,
    KnownCall,
    ModerationRow,
    PoolMemberRow,
    ProcessedEvent,
)
from services.review.usecases import rankings
from services.review.usecases.consensus import (
    AppLine,
    CallScores,
    computed_consensus,
    entry_of,
    ranked_entries,
    ranking_of,
)
from services.review.usecases.evaluations import save_evaluation, submit_evaluation
from services.review.usecases.moderation import set_consensus
from shared.api.intake import Eligibility, Organisation, Person
from shared.api.registry import Criterion, Rubric
from shared.api.review import ConsensusSet, EvaluationDraft, EvaluationStatus, RankingEntry
from shared.clock import utc_now
from shared.consumer import Delivery, EventConsumer
from shared.contracts import intake as intake_events
from shared.contracts import registry as registry_events
from shared.db import migrate_async, new_engine, new_session_factory
from shared.events import EventContract, envelope_for
from shared.identity import Identity, Role
from tests.fixtures.servers import Postgres

MIGRATIONS = Path(__file__).parent.parent.parent / "services" / "review" / "migrations"
ADMIN = Identity(role=Role.ADMIN, account_id="team-admin")
COMMENT = "A specific comment, long enough to count."
AGREED = {c.key: 4.0 for c in DEFAULT_RUBRIC.criteria}
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def sessions(postgres: Postgres) -> AsyncIterator[Sessions]:
    url = await postgres.new_database("review")
    await migrate_async(MIGRATIONS, url)
    engine = new_engine(url)
    yield new_session_factory(engine)
    await engine.dispose()


async def deliver(sessions: Sessions, event: EventContract) -> None:
    """What review's consumer does with one delivery of `event`."""
    consumer = EventConsumer(
        name="review", nats=None, session_factory=sessions,  # type: ignore[arg-type]
        processed_model=ProcessedEvent, handlers=HANDLERS,
    )  # fmt: skip
    message = Msg(_client=None, subject=event.subject, data=b"")  # type: ignore[arg-type]
    await consumer._apply([Delivery(message, envelope_for(event), event)])


def published(call_id: str, *, rubric: Rubric = DEFAULT_RUBRIC) -> registry_events.CallPublished:
    now = datetime.now(UTC)
    return registry_events.CallPublished(
        call_id=call_id, title="Read model call", hubs=["NL"], hub="NL", budget=100_000.0,
        opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=1), rubric=rubric,
        evaluators_per_application=2,
    )  # fmt: skip


async def scored_call(
    sessions: Sessions,
) -> tuple[str, dict[str, str], dict[str, dict[str, uuid.UUID]]]:
    """A call (two evaluators each, a budget of 100,000) with eligible applications a
    (requests 40,000) and b (50,000), both fully evaluated alike, and c, whose second
    evaluation is a draft. The call's id, the applications' ids by name and each one's
    assignment ids by evaluator."""
    call_id = str(uuid.uuid4())
    await deliver(sessions, published(call_id))
    apps = {name: str(uuid.uuid4()) for name in "abc"}
    for i, (name, app_id) in enumerate(apps.items()):
        await deliver(sessions, intake_events.ApplicationSubmitted(
            application_id=app_id, call_id=call_id, applicant_id=f"u-{name}", version=1,
            receipt_number=f"OC-{name}", fingerprint="f" * 64, contact=Person(name="Ana"),
            submitted_at=datetime(2027, 1, 1, tzinfo=UTC) + timedelta(minutes=i),
            organisation=Organisation(name=f"Org {name}", country="NL"),
            requested_amount=[40_000.0, 50_000.0, 30_000.0][i],
        ))  # fmt: skip
        await deliver(sessions, intake_events.ApplicationEligible(application_id=app_id,
                                                                  call_id=call_id))  # fmt: skip
    ids = {name: {e: uuid.uuid4() for e in ("e1", "e2")} for name in apps}
    async with sessions() as session, session.begin():
        session.add_all(EvaluatorRow(account_id=e, name=e, email=f"{e}@evaluators.example",
                                     capacity=9) for e in ("e1", "e2"))  # fmt: skip
        await session.flush()
        session.add_all(PoolMemberRow(call_id=call_id, account_id=e, capacity=9)
                        for e in ("e1", "e2"))  # fmt: skip
        session.add_all(AssignmentRow(id=i, call_id=call_id, application_id=apps[name],
                                      evaluator_id=e)
                        for name, by in ids.items() for e, i in by.items())  # fmt: skip
        await session.flush()
        for name, by in ids.items():
            for e, i in by.items():
                draft = name == "c" and e == "e2"
                session.add(EvaluationRow(
                    assignment_id=i, scores=AGREED, comments=dict.fromkeys(AGREED, COMMENT),
                    status=EvaluationStatus.DRAFT if draft else EvaluationStatus.SUBMITTED,
                    submitted_at=None if draft else datetime.now(UTC),
                ))  # fmt: skip
    return call_id, apps, ids


async def read(sessions: Sessions, call_id: str) -> dict[str, RankingEntry]:
    """The ranking as the team reads it, checked against ranking from scratch."""
    async with sessions() as session:
        ranking = await rankings.ranking(session, ADMIN, call_id, 0, None)
        assert ranking.entries == await from_scratch(session, call_id)
        assert ranking.total == len(ranking.entries)
    return {e.application_id: e for e in ranking.entries}


async def from_scratch(session: AsyncSession, call_id: str) -> list[RankingEntry]:
    """What ranking the call computes from its inputs alone, nothing stored."""
    call = await session.get(KnownCall, call_id, populate_existing=True)
    assert call is not None
    lines = [AppLine(*line) for line in await queries.ranking_lines(session, call_id)]
    ids = [a.application_id for a in lines]
    scores = CallScores(lines, await computed_consensus(session, call, ids, whole_call=True))
    return [entry_of(r, a) for r, a in ranking_of(call, scores)]


async def test_a_submitted_evaluation_is_in_the_next_ranking(sessions: Sessions) -> None:
    call_id, apps, ids = await scored_call(sessions)
    c = apps["c"]
    assert (
        "awaiting evaluations: 1 of 2 submitted" in (await read(sessions, call_id))[c].explanation
    )
    evaluator = Identity(role=Role.EVALUATOR, account_id="e2")
    async with sessions() as session:
        await save_evaluation(session, evaluator, str(ids["c"]["e2"]), EvaluationDraft(
            scores={**AGREED, "impact": 4.5}, comments=dict.fromkeys(AGREED, COMMENT)))  # fmt: skip
    async with sessions() as session:
        await submit_evaluation(session, evaluator, utc_now, str(ids["c"]["e2"]))
    async with sessions() as session:  # stored with the submission, not at the next read
        stored = await session.get(ConsensusRow, c)
        assert stored is not None and stored.consensus["complete"] is True
        assert stored.consensus["scores"]["impact"] == 4.25
    entry = (await read(sessions, call_id))[c]
    assert entry.rank is not None and entry.scores["impact"] == 4.25


async def test_a_moderators_settlement_is_in_the_ranking(sessions: Sessions) -> None:
    call_id, apps, ids = await scored_call(sessions)
    a = apps["a"]
    async with sessions() as session, session.begin():  # the evaluators disagree on impact
        for evaluator, impact in (("e1", 5.0), ("e2", 2.5)):
            await session.execute(update(EvaluationRow).where(
                EvaluationRow.assignment_id == ids["a"][evaluator]
            ).values(scores={**AGREED, "impact": impact}))  # fmt: skip
    assert "the moderator must settle Impact" in (await read(sessions, call_id))[a].explanation
    async with sessions() as session:
        entry = await set_consensus(session, ADMIN, call_id, a, "impact", ConsensusSet(
            score=3.5, justification="The panel weighed both readings of the plan."))  # fmt: skip
    assert entry.rank is not None and entry.scores["impact"] == 3.5
    async with sessions() as session:  # ranked and stored with the settlement
        stored = await session.get(CallRankingRow, call_id)
        assert stored is not None and not stored.stale
    assert (await read(sessions, call_id))[a] == entry
    assert "Impact settled by moderator" in entry.explanation


async def test_a_withdrawal_takes_the_application_out_of_the_ranking(sessions: Sessions) -> None:
    call_id, apps, _ = await scored_call(sessions)
    a = apps["a"]
    assert a in await read(sessions, call_id)
    await deliver(sessions, intake_events.ApplicationWithdrawn(
        application_id=a, call_id=call_id, withdrawn_at=datetime.now(UTC)))  # fmt: skip
    ranked = await read(sessions, call_id)
    assert a not in ranked and len(ranked) == 2


async def test_a_budget_or_rubric_change_ranks_again(sessions: Sessions) -> None:
    call_id, apps, _ = await scored_call(sessions)

    async def decisions() -> list[str]:
        ranked = await read(sessions, call_id)
        return [ranked[apps[name]].decision for name in "abc"]

    assert await decisions() == ["selected", "selected", "pending"]
    async with sessions() as session, session.begin():
        await session.execute(update(KnownCall).where(KnownCall.call_id == call_id)
                              .values(budget=60_000.0))  # fmt: skip
    assert await decisions() == ["selected", "reserve", "pending"]
    strict = Rubric(criteria=[Criterion(key=c.key, labels=c.labels, threshold=4.5)
                              for c in DEFAULT_RUBRIC.criteria])  # fmt: skip
    await deliver(sessions, published(call_id, rubric=strict))  # its budget 100,000 again
    assert await decisions() == ["not_selected", "not_selected", "pending"]
    failed = (await read(sessions, call_id))[apps["a"]].thresholds_failed
    assert failed == [c.key for c in DEFAULT_RUBRIC.criteria]


async def test_the_stored_ranking_follows_any_writer(sessions: Sessions) -> None:
    """Whatever changes, in any order, a read equals ranking from scratch, whole or paged."""
    call_id = await seed_scored_call(sessions, 60, evaluators=9, k=3, seed=3)
    rng = random.Random(5)
    async with sessions() as session:
        assignments = list(await session.scalars(
            select(AssignmentRow).where(AssignmentRow.call_id == call_id)))  # fmt: skip
        apps = sorted({a.application_id for a in assignments})
    changes = [
        lambda r: update(EvaluationRow).where(EvaluationRow.assignment_id == r.choice(
            assignments).id).values(scores={k: r.randrange(0, 11) / 2 for k in AGREED}),
        lambda r: update(EvaluationRow).where(EvaluationRow.assignment_id == r.choice(
            assignments).id).values(status=EvaluationStatus.DRAFT),
        lambda r: update(AssignmentRow).where(AssignmentRow.id == r.choice(assignments).id)
        .values(active=r.choice([True, False])),
        lambda r: update(ApplicationCopy).where(ApplicationCopy.application_id == r.choice(
            apps)).values(content={"organisation": {"name": f"Renamed {r.random()}"},
                                   "requested_amount": r.randrange(1, 9) * 10_000.0}),
        lambda r: update(ApplicationCopy).where(ApplicationCopy.application_id == r.choice(
            apps)).values(eligibility=r.choice(list(Eligibility))),
        lambda r: update(ApplicationCopy).where(ApplicationCopy.application_id == r.choice(
            apps)).values(withdrawn=True),
        lambda r: update(KnownCall).where(KnownCall.call_id == call_id)
        .values(budget=r.randrange(1, 40) * 50_000.0),
        lambda r: update(KnownCall).where(KnownCall.call_id == call_id)
        .values(evaluators_per_application=r.choice([2, 3, 4])),
    ]  # fmt: skip
    settled = iter(rng.sample(apps, 5))
    for step in range(24):
        async with sessions() as session, session.begin():
            if step % 5 == 4:
                session.add(ModerationRow(application_id=next(settled), criterion="impact",
                                          score=rng.randrange(0, 11) / 2,
                                          justification="Settled for the test.",
                                          moderator_id="m"))  # fmt: skip
            else:
                await session.execute(rng.choice(changes)(rng))
        whole = list((await read(sessions, call_id)).values())
        async with sessions() as session:
            page = await rankings.ranking(session, ADMIN, call_id, 7, 11)
        assert (page.total, page.entries) == (len(whole), whole[7:18])


async def test_two_readers_at_once_both_read(sessions: Sessions) -> None:
    call_id = await seed_scored_call(sessions, 80, evaluators=9, k=3, seed=4)

    async def one() -> list[RankingEntry]:
        async with sessions() as session:
            return (await rankings.ranking(session, ADMIN, call_id, 0, None)).entries

    first, second = await asyncio.gather(one(), one())
    assert first == second and len(first) == 80
    async with sessions() as session:
        assert first == await from_scratch(session, call_id)


async def test_a_write_during_a_recompute_is_not_lost(sessions: Sessions) -> None:
    """The writer waits for the reader's lock, then invalidates what the reader stored."""
    call_id = await seed_scored_call(sessions, 30, evaluators=6, k=3, seed=6)
    async with sessions() as session:
        target = await session.scalar(
            select(AssignmentRow).where(AssignmentRow.call_id == call_id).limit(1))  # fmt: skip
    assert target is not None

    async def rescore() -> None:
        async with sessions() as session, session.begin():
            await session.execute(update(EvaluationRow).where(
                EvaluationRow.assignment_id == target.id
            ).values(scores=dict.fromkeys(AGREED, 0.0)))  # fmt: skip

    async with sessions() as reader:
        call = await reader.get(KnownCall, call_id)
        assert call is not None
        await ranked_entries(reader, call)  # ranked and stored under the call's lock
        writer = asyncio.create_task(rescore())
        await asyncio.sleep(0.5)
        assert not writer.done()  # the writer waits for the reader
        await reader.commit()
    await writer
    async with sessions() as session:  # and then undid what the reader stored
        assert await session.get(ConsensusRow, target.application_id) is None
        stored = await session.get(CallRankingRow, call_id)
        assert stored is not None and stored.stale and stored.lines == []
    await read(sessions, call_id)  # equal to ranking from scratch


async def test_terms_changed_before_the_lock_are_the_ones_ranked(sessions: Sessions) -> None:
    """A reader that loaded the call before its budget changed ranks with the new budget:
    the terms are read again under the lock."""
    call_id, apps, _ = await scored_call(sessions)
    async with sessions() as reader:
        call = await reader.get(KnownCall, call_id)
        assert call is not None and call.budget == 100_000.0
        async with sessions() as session, session.begin():
            await session.execute(update(KnownCall).where(KnownCall.call_id == call_id)
                                  .values(budget=60_000.0))  # fmt: skip
        entries = await ranked_entries(reader, call)
        await reader.commit()
    assert [e.decision for e in entries if e.application_id != apps["c"]] == [
        "selected",
        "reserve",
    ]
    await read(sessions, call_id)
