"""The ranking costs the same number of SQL queries whatever the size of the call: read from
the stored read model when nothing changed, and ranked again (with only the changed
applications' consensus computed again) when something did."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from bench.review_data import seed_scored_call
from services.review.models import AssignmentRow, EvaluationRow, KnownCall
from shared.logging import TRACE_HEADER
from tests.fixtures.apps import GraphQLClient, Portal, Tokens
from tests.fixtures.queries import on_a_new_connection, statements_of

RANKING = (
    "query($c: ID!) { ranking(callId: $c) { ... on Ranking { total entries { rank decision } } } }"
)
PAGE = (
    "query($c: ID!) { ranking(callId: $c, first: 5, offset: 3) { ... on Ranking { total"
    " entries { applicationId rank } } } }"
)


async def queries_for(
    portal: Portal, gql: GraphQLClient, admin: str, call: str, query: str = RANKING
) -> tuple[int, int]:
    """The statements review runs for this one request: its trace id, passed from the
    gateway, tells them from the consumers' and the relay's work going on meanwhile."""
    runtime = portal.review.app.state.runtime
    trace = uuid.uuid4().hex
    with statements_of(runtime.engine, trace) as statements:
        response = await on_a_new_connection(
            gql.url, {"query": query, "variables": {"c": call}},
            {"Authorization": f"Bearer {admin}", TRACE_HEADER: trace},
        )  # fmt: skip
    return len(statements), response.json()["data"]["ranking"]["total"]


async def rescore_one(portal: Portal, call: str) -> None:
    """One submitted evaluation of the call changed behind the use cases' back."""
    async with portal.review.app.state.runtime.session_factory() as session, session.begin():
        assignment = await session.scalar(
            select(AssignmentRow.id).where(AssignmentRow.call_id == call).limit(1)
        )
        await session.execute(
            update(EvaluationRow).where(EvaluationRow.assignment_id == assignment)
            .values(scores={"excellence": 0.5, "impact": 0.5, "implementation": 0.5})
        )  # fmt: skip


async def change_budget(portal: Portal, call: str) -> None:
    async with portal.review.app.state.runtime.session_factory() as session, session.begin():
        await session.execute(update(KnownCall).where(KnownCall.call_id == call).values(budget=1))


async def test_constant_queries_whatever_the_size(
    portal: Portal, gql: GraphQLClient, tokens: Tokens
) -> None:
    sessions = portal.review.app.state.runtime.session_factory
    small = await seed_scored_call(sessions, 10, evaluators=12, seed=1)
    large = await seed_scored_call(sessions, 300, evaluators=40, seed=2)

    async def both(query: str = RANKING) -> tuple[int, int]:
        small_queries, small_total = await queries_for(portal, gql, tokens.admin, small, query)
        large_queries, large_total = await queries_for(portal, gql, tokens.admin, large, query)
        assert (small_total, large_total) == (10, 300)
        assert small_queries == large_queries > 0
        return small_queries, large_queries

    # Nothing stored yet: the call, the stored ranking (none), its lock (insert, lock), the
    # call again under the lock, the applications, their stored consensus, the score arrays
    # and the settlements of those without, their consensus stored, the ranking stored.
    assert await both() == (11, 11)
    # Stored and fresh: the call and the stored ranking, whole or a page of it.
    assert await both() == (2, 2)
    assert await both(PAGE) == (2, 2)
    # One application's evaluation changed: its consensus alone is computed again.
    await rescore_one(portal, small)
    await rescore_one(portal, large)
    assert await both() == (11, 11)
    assert await both() == (2, 2)
    # The budget changed: every consensus still stands, the ranking is ranked again.
    await change_budget(portal, small)
    await change_budget(portal, large)
    assert await both() == (8, 8)
    assert await both(PAGE) == (2, 2)
