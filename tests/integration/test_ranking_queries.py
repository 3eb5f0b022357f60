"""The ranking costs the same number of SQL queries whatever the size of the call."""

from __future__ import annotations

import uuid

from bench.review_data import seed_scored_call
from shared.logging import TRACE_HEADER
from tests.fixtures.apps import GraphQLClient, Portal, Tokens
from tests.fixtures.queries import statements_of

RANKING = (
    "query($c: ID!) { ranking(callId: $c) { ... on Ranking { total entries { rank decision } } } }"
)


async def queries_for(portal: Portal, gql: GraphQLClient, admin: str, call: str) -> tuple[int, int]:
    """The statements review runs for this one request: its trace id, passed from the
    gateway, tells them from the consumers' and the relay's work going on meanwhile."""
    runtime = portal.review.app.state.runtime
    trace = uuid.uuid4().hex
    with statements_of(runtime.engine, trace) as statements:
        response = await gql.http.post(
            gql.url, json={"query": RANKING, "variables": {"c": call}},
            headers={"Authorization": f"Bearer {admin}", TRACE_HEADER: trace},
        )  # fmt: skip
    return len(statements), response.json()["data"]["ranking"]["total"]


async def test_constant_queries_whatever_the_size(
    portal: Portal, gql: GraphQLClient, tokens: Tokens
) -> None:
    sessions = portal.review.app.state.runtime.session_factory
    small = await seed_scored_call(sessions, 10, evaluators=12, seed=1)
    large = await seed_scored_call(sessions, 300, evaluators=40, seed=2)
    small_queries, small_total = await queries_for(portal, gql, tokens.admin, small)
    large_queries, large_total = await queries_for(portal, gql, tokens.admin, large)
    assert (small_total, large_total) == (10, 300)
    # The call, its applications, their score arrays, the moderator's settlements.
    assert small_queries == large_queries == 4
